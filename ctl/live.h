/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "enter.h"
#include "store.h"

/* Replaces the running container's store with closure, whole, through the propagation point its launcher made
 * (spawn/propagate.h; live.c says how). Sets *ret_added and *ret_dropped to how many paths the container gained and
 * lost (both 0: it had exactly closure, and nothing was done). -EOPNOTSUPP (logged) when the container has no
 * propagation point (a launcher without live update started it). */
int live_update_store(const char *machine, const Leader *l, const Closure *closure, size_t *ret_added,
                      size_t *ret_dropped);

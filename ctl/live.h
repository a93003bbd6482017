/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "enter.h"
#include "store.h"

/* Replaces the running container's store whole, through the propagation point its launcher made
 * (spawn/propagate.h; live.c says how): with closure, or with keep, with closure and the paths the container has
 * that closure lacks (before its switch-to-configuration, which still needs the old system's paths; the second
 * call, without keep, after it). Sets *ret_added and *ret_dropped to how many paths the container gained and lost
 * (both 0: nothing was done). -EOPNOTSUPP (logged) when the container has no propagation point (a launcher without
 * live update started it). */
int live_update_store(const char *machine, const Leader *l, const Closure *closure, bool keep, size_t *ret_added,
                      size_t *ret_dropped);

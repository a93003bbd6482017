/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "enter.h"
#include "store.h"

/* Mounts the paths of closure that the running container's store lacks into it, through the propagation point
 * its launcher made (spawn/propagate.h). Sets *ret_added to how many. -EOPNOTSUPP (logged) when the container has
 * no propagation point (a launcher without live update started it). */
int live_add_paths(const char *machine, const Leader *l, const Closure *closure, size_t *ret_added);

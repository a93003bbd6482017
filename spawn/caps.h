/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* The capabilities the launcher itself needs; fills ret_missing with the names of those it lacks. */
int caps_check_launcher(char *ret_missing, size_t size);
/* Child side: drops every capability outside the set a container keeps from the bounding set. */
int caps_drop_bounding(bool private_network);

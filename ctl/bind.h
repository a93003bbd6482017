/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "args.h"

/* nixos-nspawnctl bind NAME SOURCE DESTINATION [--read-only] and unbind NAME DESTINATION (bind.c says how). */
int verb_bind(const Args *a);
int verb_unbind(const Args *a);
/* A container path a bind may go to (logs why not, the path escaped). */
int bind_destination_check(const char *dst);

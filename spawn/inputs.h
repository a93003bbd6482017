/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "settings.h"

/* What the verified Settings name on the host, looked at before anything is locked or made: every file read at
 * start is a regular file, -D is a directory and not the host's root, bind sources exist, a fixed UID range holds
 * none of the host's users or groups, a --network-bridge is a bridge that exists. -errno with *ret_error saying
 * what is wrong (the caller logs it). */
int inputs_check(const Settings *s, char **ret_error);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "enter.h"

/* Shared by the verbs (verbs.c) and the changes (change.c). Each logs its failures. */
int name_check(const char *name);
/* The container's settings; a missing one is the user's error ("Unknown container"). */
int container_load(const char *name, Conf *ret);
int running_leader(const char *name, Leader *ret);
/* Running, starting or stopping: anything but stopped. */
bool container_is_running(const char *name);
/* RUN_DIR/NAME.live: "PID1 TOPLEVEL" of the last live switch */
char *live_file(const char *name);
int current_generation(const char *name, unsigned *ret_number, size_t *ret_count);

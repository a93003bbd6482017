/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "args.h"

/* The verbs that change a container, each under its lock and, for generations and settings, a journal (change.c). */
int verb_create(const Args *a);
int verb_update(const Args *a);
int verb_switch_generation(const Args *a);
int verb_rollback(const Args *a);
int verb_delete_generations(const Args *a);
int verb_destroy(const Args *a);
/* Before a start: settings of an older nixos-nspawnctl that hold a credential's value get it moved to a root-only
 * file. */
int upgrade_credentials(const Args *a);
/* Finishes or undoes a change of name that was killed (journal.h), unless one is under way. */
int change_recover(const char *name);

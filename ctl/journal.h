/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* A change of a container's generations and settings (create, update, switch-generation, rollback) is a
 * transaction with a journal, JOURNAL_DIR/NAME.journal, written before its first step, so that a change killed
 * between two steps (SIGKILL, a crash, a reboot) is finished or undone by the next command on that name:
 *
 *   step      what is true                                      a killed change is then
 *   begun     profile and settings may be ahead of each other   undone: settings and closure as they were,
 *             (nix-env --set or --switch-generation done or         the profile back at its generation, what
 *             not, settings written or not)                         it added deleted (create: all removed)
 *   saved     profile and settings agree on the new system;     finished when nothing is left to apply (a
 *             the running container may not run it yet              restart, or not running); undone when a live
 *                                                                   switch was under way (it runs the old one)
 *   applied   the live switch went through                      finished
 *
 * The journal holds the generation that was current and the highest there was, and whether the settings had a
 * backup (NAME.journal.conf, NAME.journal.closure, written before it). It is root's, outside anything a container
 * sees. Every step of an undo can be repeated: an undo killed half-way is undone again. */
#define JOURNAL_DIR "/var/lib/nixos-nspawnctl"

/* Before the first step. live: the change ends with a live switch. Logs. */
int journal_begin(const char *name, const char *op, bool live);
/* "saved" or "applied"; nothing without a journal (a declarative container's reload has none). Logs. */
int journal_step(const char *name, const char *step);
/* The change ended (with success or an error it reported): nothing to finish or undo. */
void journal_end(const char *name);
/* Under the container's lock: finishes or undoes what a change left (interrupted: a killed one, said in one line;
 * else one that failed and said so: undone quietly). 0 when there was nothing, 1 when it did something. Logs. */
int journal_recover(const char *name, bool interrupted);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "nskeep.h"
#include "store.h"

/* A store view: the closure's paths as read-only binds on a tmpfs of their own, built once per closure and kept in
 * a mount namespace of its own (the launcher's host namespace holds one nsfs bind per view, VIEWS_DIR/KEY). Each
 * start clones it whole (view.c says why). */
#define VIEWS_DIR "/run/nixos-nspawn/views"

typedef struct View {
        char key[33];  /* hex of the closure's hash: names VIEWS_DIR/KEY{,.users,.stamp,.lock} */
        int tree_fd;   /* a detached clone of the whole view (its tmpfs and every path), for the container */
        int root_fd;   /* a detached clone of the view's tmpfs alone: the container's propagation point */
        int users_fd;  /* VIEWS_DIR/KEY.users, flock(LOCK_SH) for the container's life */
        bool built;    /* this start built the view (it had none, or a stale one) */
        /* between view_acquire_start() and view_acquire_finish(): KEY.lock, and the builder at work meanwhile */
        int lock_fd;
        MntnsKeeper builder;
} View;

#define VIEW_NULL                                                                                                  \
        ((View) { .tree_fd = -EBADF, .root_fd = -EBADF, .users_fd = -EBADF, .lock_fd = -EBADF,                     \
                  .builder = MNTNS_KEEPER_NULL })

/* The view of closure c (built when there is none, or when one of its paths changed since: garbage-collected and
 * made again), cloned for one container, in two halves: _start() takes KEY.lock and, when the view must be built,
 * starts its builder and returns; the caller goes on with its own work while the builder works (mostly waiting
 * for the kernel: the copy and the detach of a mount table); _finish() waits for it, keeps the view, clones it and
 * drops the lock. KEY.lock is held from one to the other: two first starts of one closure build one view. A start
 * that fails in between calls view_release(), which ends a builder still at work. Log. */
int view_acquire_start(const Closure *c, const char *store_dir, View *ret);
int view_acquire_finish(const Closure *c, const char *store_dir, View *v);
/* Closes what the start had and removes the view when no other container uses it. */
void view_release(View *v);
/* Removes every view no container uses (a killed launcher's last one). */
void view_sweep(void);

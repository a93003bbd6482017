/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

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
} View;

#define VIEW_NULL ((View) { .tree_fd = -EBADF, .root_fd = -EBADF, .users_fd = -EBADF })

/* The view of closure c (built when there is none, or when one of its paths changed since: garbage-collected and
 * made again), cloned for one container. Holds KEY.lock while building and cloning: two first starts of one closure
 * build one view. Logs. */
int view_acquire(const Closure *c, const char *store_dir, View *ret);
/* Closes what the start had and removes the view when no other container uses it. */
void view_release(View *v);
/* Removes every view no container uses (a killed launcher's last one). */
void view_sweep(void);

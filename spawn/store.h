/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The set of store paths the container sees: sorted, unique, each validated. Names are the last component
 * ("<hash>-<name>"), since every path is one component below the store directory. */
typedef struct Closure {
        char **names;
        char *types;  /* per name, from closure_finish(): 'd' directory, 'f' file, 'l' symlink */
        uint64_t identity; /* from closure_finish(): a hash of every path's device, inode and type (a path collected
                            * and made again has another inode: a store view of it is stale, view.c) */
        size_t n;
        size_t allocated;
} Closure;

void closure_done(Closure *c);

/* Checks one line of a closure file. Returns the store path's name in *ret_name (pointing into line), or -EINVAL
 * with *ret_reason saying why. Pure: does not look at the file system. */
int store_path_check(const char *store_dir, const char *line, const char **ret_name, const char **ret_reason);

/* Parses a closureInfo "store-paths" file or `nix-store -qR` output. Duplicates within one input are an error;
 * across inputs they merge. Logs the bad line with file name and line number. */
int closure_add_text(Closure *c, const char *store_dir, const char *text, const char *origin);
int closure_add_file(Closure *c, const char *store_dir, const char *path);
/* Asks Nix for the closure of a store path. */
int closure_add_store_path(Closure *c, const char *store_dir, const char *path);
/* Sorts, merges duplicates and checks every path exists. */
int closure_finish(Closure *c, const char *store_dir);

/* Child side, between clone and exec: no allocation, no logging. Mounts each closure path from src_store_fd (a
 * directory fd of a read-only view of the store) onto the same name below dst_store_fd (a mount point made for it
 * there; symlink paths copied as symlinks). Used for a store view (spawn/view.c) and a live update's layer
 * (ctl/live.c). On failure *ret_failed is the index of the path. */
int store_mount_closure(const Closure *c, int src_store_fd, int dst_store_fd, size_t *ret_failed);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define UID_POOL_MIN 0x00080000U
#define UID_POOL_MAX 0x6FFF0000U /* exclusive: the last range starts below it */
#define UID_PICK_TRIES 100

#define NIXOS_NSPAWN_UID_LOCK_DIR "/run/nixos-nspawn/uid"
#define NSPAWN_UID_LOCK_DIR "/run/systemd/nspawn-uid"

/* Held for the container's life: one lock file per lock directory, named by the decimal base (nspawn's scheme,
 * so both tools see each other's ranges). */
typedef struct UidRange {
        uid_t base;
        uint32_t size;
        int lock_fds[2];
        char *lock_paths[2];
} UidRange;

#define UID_RANGE_NULL { .lock_fds = { -EBADF, -EBADF } }

/* Whether any ID of base..base+size-1 belongs to someone (the host's users and groups). */
typedef bool (*RangeInUseFn)(uid_t base, uint32_t size);

/* The first candidate: a keyed hash of the name, so a machine gets the same range again when it is free. */
uid_t uid_range_candidate_for_name(const char *name);
bool range_in_use_by_nss(uid_t base, uint32_t size);
/* Whether any user or group the host's NSS lists has an ID in base..base+size-1; names the first in ret_who
 * ("user 'name' (UID n)"). Enumerates the databases once, so a range is checked whole, not by its ends. Reads
 * the files itself when they are all NSS would ask (nss_direct_conflict()), else asks NSS in a child. */
bool uid_range_nss_conflict(uid_t base, uint32_t size, char *ret_who, size_t who_size);
/* The same, always through NSS, in a short-lived child (so NSS modules are never mapped in the monitor). */
bool uid_range_nss_conflict_forked(uid_t base, uint32_t size, char *ret_who, size_t who_size);

/* lock_dirs may name directories that do not exist yet; they are made. */
int uid_range_pick(const char *name, const char *const *lock_dirs, size_t n_lock_dirs, RangeInUseFn range_in_use,
                   UidRange *ret);
int uid_range_take(uid_t base, uint32_t size, const char *const *lock_dirs, size_t n_lock_dirs, RangeInUseFn range_in_use,
                   UidRange *ret);
/* Unlinks our lock files and closes them. */
void uid_range_release(UidRange *r);

/* Makes a user namespace mapping 0..size-1 to base.., returns an fd to it. */
int userns_make(uid_t base, uint32_t size, int *ret_fd);
/* The same with inside..inside+size-1 mapped to base..: for idmapped mounts whose on-disk owners start at inside. */
int userns_make_mapped(uid_t inside, uid_t base, uint32_t size, int *ret_fd);

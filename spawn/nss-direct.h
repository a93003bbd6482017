/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Answers "does a user or group own an ID in [base, base + size)?" without NSS when nsswitch.conf names only
 * sources whose whole answer we can read: "files" (/etc/passwd, /etc/group) and "systemd" while no user
 * record source exists (no /run/systemd/userdb services, no userdb drop-in directories), when all nss-systemd
 * has are the synthesized root and nobody. 1 with *ret_who set when one does, 0 when none does, -EOPNOTSUPP when
 * only NSS itself can tell (any other source or action, an unreadable file): then the caller asks NSS. Loading
 * the NSS modules costs about a millisecond of a start, more than all the rest of the launcher's own work. */
int nss_direct_conflict(uid_t base, uint32_t size, char *ret_who, size_t who_size);
/* For tests: the same with the files and the directory root given. */
int nss_direct_conflict_at(const char *root, uid_t base, uint32_t size, char *ret_who, size_t who_size);

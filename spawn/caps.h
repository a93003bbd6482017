/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The capabilities the launcher itself needs; fills ret_missing with the names of those it lacks. */
int caps_check_launcher(char *ret_missing, size_t size);
/* The set a container keeps: systemd-nspawn's default (plus CAP_NET_ADMIN with a network namespace of its own),
 * with --capability= added and --drop-capability= removed. */
uint64_t caps_container(bool private_network, uint64_t add, uint64_t drop);
uint64_t caps_container_default(void);
/* Child side: drops every capability outside keep from the bounding set, and the ambient set. */
int caps_drop_bounding(uint64_t keep);

const char *capability_to_name(int cap);
/* "CAP_SYS_TIME", any case; -EINVAL when unknown. */
int capability_from_name(const char *name);
/* "CAP_A,CAP_B" or "all". On -EINVAL, *ret_bad and *ret_bad_len name the bad entry. */
int parse_capability_list(const char *arg, uint64_t *ret, const char **ret_bad, size_t *ret_bad_len);

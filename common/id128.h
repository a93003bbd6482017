/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <systemd/sd-id128.h> /* the type only: nothing here links against libsystemd */

/* Machine UUIDs, written here so that a start does not load libsystemd for three small functions. The formats are
 * systemd's: 32 lowercase hex digits out, those or the dashed 8-4-4-4-12 form (either case) in. */
int id128_from_string(const char *s, sd_id128_t *ret);
/* A random version-4 UUID (RFC 4122 variant), as systemd makes them. */
int id128_randomize(sd_id128_t *ret);
/* buf must hold SD_ID128_STRING_MAX bytes. */
char *id128_to_string(sd_id128_t id, char buf[static SD_ID128_STRING_MAX]);
/* The dashed 8-4-4-4-12 form (lowercase), as systemd-nspawn passes container_uuid= and /run/host/container-uuid. */
#define ID128_UUID_STRING_MAX 37
char *id128_to_uuid_string(sd_id128_t id, char buf[static ID128_UUID_STRING_MAX]);
/* This host's /etc/machine-id: -ENOENT without one, -EBADMSG when it is not an ID ("uninitialized", empty). */
int id128_read_machine_id(sd_id128_t *ret);
/* A version-4-formatted UUID that is a keyed hash (SipHash-2-4, key: 16 bytes) of name: the same for the same key
 * and name, unrelated for different ones, and the key cannot be learned from it. */
sd_id128_t id128_from_keyed_name(const uint8_t key[static 16], const char *name);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-id128.h> /* the type only: nothing here links against libsystemd */

/* Machine UUIDs, written here so that a start does not load libsystemd for three small functions. The formats are
 * systemd's: 32 lowercase hex digits out, those or the dashed 8-4-4-4-12 form (either case) in. */
int id128_from_string(const char *s, sd_id128_t *ret);
/* A random version-4 UUID (RFC 4122 variant), as systemd makes them. */
int id128_randomize(sd_id128_t *ret);
/* buf must hold SD_ID128_STRING_MAX bytes. */
char *id128_to_string(sd_id128_t id, char buf[static SD_ID128_STRING_MAX]);

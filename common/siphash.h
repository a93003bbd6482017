/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4: a keyed hash, so names picked by users cannot steer which UID range or MAC a container gets. */
uint64_t siphash24(const void *data, size_t len, const uint8_t key[16]);

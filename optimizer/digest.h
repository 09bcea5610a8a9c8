/* SPDX-License-Identifier: MIT */
/* The profile digest of a plan: FNV-1a 64 over the profile's compact JSON with sorted keys, written
 * "fnv1a64:<16 hex digits>". It identifies the profile a plan came from; it is not a security hash. */
#pragma once

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

uint64_t fnv1a64(const void *data, size_t len);
/* NULL on OOM. */
char *profile_digest(const json_t *profile);

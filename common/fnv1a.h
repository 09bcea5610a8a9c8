/* SPDX-License-Identifier: MIT */
/* FNV-1a, 64 bits: the hash of the name tables (the monitor's ring, /metrics' names) and of alert
 * label sets (notify_fingerprint). fnv1a_add continues a hash, so parts can be hashed in turn. */
#pragma once

#include <stdint.h>

#define FNV1A_INIT UINT64_C(14695981039346656037)

static inline uint64_t fnv1a_byte(uint64_t h, unsigned char c) {
        return (h ^ c) * UINT64_C(1099511628211);
}

static inline uint64_t fnv1a_add(uint64_t h, const char *s) {
        for (; *s; s++)
                h = fnv1a_byte(h, (unsigned char) *s);
        return h;
}

static inline uint64_t fnv1a_str(const char *s) {
        return fnv1a_add(FNV1A_INIT, s);
}

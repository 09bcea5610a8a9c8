/* SPDX-License-Identifier: MIT */
/* FNV-1a, 64 bits, of a string: the hash of the name tables (the monitor's ring, /metrics' names). */
#pragma once

#include <stdint.h>

static inline uint64_t fnv1a_str(const char *s) {
        uint64_t h = UINT64_C(14695981039346656037);
        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * UINT64_C(1099511628211);
        return h;
}

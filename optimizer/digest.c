/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "digest.h"

uint64_t fnv1a64(const void *data, size_t len) {
        const unsigned char *p = data;
        uint64_t h = 0xcbf29ce484222325ULL;
        for (size_t i = 0; i < len; i++) {
                h ^= p[i];
                h *= 0x100000001b3ULL;
        }
        return h;
}

char *profile_digest(const json_t *profile) {
        char *s = json_dumps(profile, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        if (!s)
                return NULL;
        char *d = NULL;
        size_t len = 0;
        for (const char *p = s; *p; p++)
                len++;
        if (asprintf(&d, "fnv1a64:%016" PRIx64, fnv1a64(s, len)) < 0)
                d = NULL;
        free(s);
        return d;
}

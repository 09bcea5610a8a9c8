/* SPDX-License-Identifier: MIT */
/* A flush blob of the store's log (store/chunk-codec.c), as the store reads it back from its file.
 * A blob that decodes must encode again to the same bytes, and one series read alone must be what
 * the whole decode gave for it. */
#include <stdlib.h>
#include <string.h>

#include "chunk-codec.h"
#include "fuzz.h"

struct parts {
        struct flush_part *part;
        size_t n;
};

static int keep(int64_t series, const struct store_point *p, size_t n, void *userdata) {
        struct parts *ps = userdata;
        struct flush_part *more = realloc(ps->part, (ps->n + 1) * sizeof(*more));
        struct store_point *copy = malloc(n * sizeof(*copy));
        fuzz_check(more && copy);
        memcpy(copy, p, n * sizeof(*p));
        ps->part = more;
        ps->part[ps->n++] = (struct flush_part) { series, copy, n };
        return 0;
}

static int same(int64_t series, const struct store_point *p, size_t n, void *userdata) {
        const struct flush_part *want = userdata;
        fuzz_check(series == want->series && n == want->n && memcmp(p, want->p, n * sizeof(*p)) == 0);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct parts ps = { 0 };
        if (flush_decode(data, size, 0, keep, &ps) == 0) {
                uint8_t *blob;
                size_t len;
                fuzz_check(flush_encode(ps.part, ps.n, &blob, &len) == 0);
                fuzz_check(len == size && memcmp(blob, data, size) == 0);
                free(blob);
                if (ps.n > 0)
                        fuzz_check(flush_decode(data, size, ps.part[ps.n - 1].series, same, &ps.part[ps.n - 1]) == 0);
        }
        for (size_t i = 0; i < ps.n; i++)
                free((void *) ps.part[i].p);
        free(ps.part);
        return 0;
}

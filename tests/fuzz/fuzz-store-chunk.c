/* SPDX-License-Identifier: MIT */
/* A chunk blob of the store (store/chunk-codec.c), as the store reads it back from its file. A blob
 * that decodes must encode again and decode to the same points. */
#include "chunk-codec.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct store_point *p = NULL, *again = NULL;
        size_t n, m;
        if (chunk_decode(data, size, &p, &n) < 0)
                return 0;
        uint8_t *blob;
        size_t len;
        fuzz_check(n <= CHUNK_MAX_POINTS && (n == 0 || p));
        fuzz_check(chunk_encode(p, n, &blob, &len) == 0);
        fuzz_check(chunk_decode(blob, len, &again, &m) == 0 && m == n);
        for (size_t i = 0; i < n; i++)
                fuzz_check(again[i].t_ms == p[i].t_ms && again[i].v == p[i].v);
        free(blob);
        free(p);
        free(again);
        return 0;
}

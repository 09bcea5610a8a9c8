/* SPDX-License-Identifier: MIT */
/* An HdrHistogram V2 compressed histogram (common/hdr-codec.c), as `skytune load merge` and
 * `skytune report` read the "hdr" fields of saved runs. Byte 0 even: the rest is the base64 text
 * itself; odd: the rest is a plain (uncompressed) encoding, deflated and wrapped here, so that the
 * header and count decoding are reached. A histogram decoded must encode again and decode to the same
 * counts. */
#include <zlib.h>

#include "base64.h"
#include "fuzz.h"
#include "hdr-codec.h"

static char *wrap(const uint8_t *data, size_t size) {
        uLongf zlen = compressBound(size);
        uint8_t *out = malloc(8 + zlen);
        fuzz_check(out && compress(out + 8, &zlen, data, size) == Z_OK);
        const uint8_t head[4] = { 0x1c, 0x84, 0x93, 0x14 };
        memcpy(out, head, 4);
        for (int i = 0; i < 4; i++)
                out[4 + i] = (uint8_t) (zlen >> (24 - 8 * i));
        char *text = base64_encode(out, 8 + zlen);
        free(out);
        return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        char *text;
        if (data[0] & 1)
                text = wrap(data + 1, size - 1);
        else
                text = fuzz_cstr(data + 1, size - 1);
        fuzz_check(text);
        Histogram *h = NULL, *again = NULL;
        if (hdr_decode(text, &h) == 0) {
                char *enc;
                fuzz_check(h && hdr_encode(h, &enc) == 0);
                fuzz_check(hdr_decode(enc, &again) == 0);
                fuzz_check(histogram_count(again) == histogram_count(h));
                for (size_t i = 0; i < histogram_buckets(h); i++)
                        fuzz_check(histogram_bucket(again, i, NULL, NULL) == histogram_bucket(h, i, NULL, NULL));
                free(enc);
        }
        histogram_free(h);
        histogram_free(again);
        free(text);
        return 0;
}

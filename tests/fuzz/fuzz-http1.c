/* SPDX-License-Identifier: MIT */
/* HTTP/1.1 responses as a server sends them to the http probe (http1.c): the first byte picks the
 * size of the pieces the stream arrives in (1..64 bytes) and whether the request was HEAD; the rest
 * is the stream, which may hold several responses on one connection, then the server closes. */
#include <stdbool.h>

#include "fuzz.h"
#include "http1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        size_t piece = 1 + (data[0] & 63u);
        bool head = data[0] & 64u;
        const char *buf = (const char *) data + 1;
        size_t n = size - 1, at = 0;
        Http1Parser p;
        http1_parser_init(&p, head);
        while (at < n) {
                size_t len = n - at < piece ? n - at : piece;
                bool done = false;
                ssize_t k = http1_parse(&p, buf + at, len, &done);
                if (k < 0)
                        return 0; /* a malformed response ends the connection */
                fuzz_check((size_t) k <= len);
                if (done) {
                        fuzz_check(p.status >= 100 && p.status <= 999);
                        if (!p.keep_alive)
                                return 0;
                        http1_parser_init(&p, head);
                } else
                        fuzz_check((size_t) k == len); /* a response not yet ended takes every byte */
                at += (size_t) k;
        }
        (void) http1_parse_eof(&p);
        return 0;
}

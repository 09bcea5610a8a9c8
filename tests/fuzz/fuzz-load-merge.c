/* SPDX-License-Identifier: MIT */
/* `skytune load merge`'s reader: the input is one or two skytune.load/1 documents (split at the
 * first NUL byte), each read as load_doc_read() reads a file, then merged (load/load-merge*.c),
 * which must not trust any member's type or value (client.segment.clock and start_skew_s, read for
 * the clock warnings, included). A merge that succeeds gives a document with a verdict and
 * client.clock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "load-doc.h"
#include "load-merge.h"

static json_t *read_doc(const uint8_t *data, size_t size) {
        const char *path = fuzz_write_file("load-merge.json", data, size);
        json_t *doc = NULL;
        Error e = ERROR_NULL;
        if (load_doc_read(path, &doc, &e) < 0)
                doc = NULL;
        error_done(&e);
        return doc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const uint8_t *nul = memchr(data, 0, size);
        size_t first = nul ? (size_t) (nul - data) : size;
        LoadMergeInput in[2] = { { "a.json", read_doc(data, first) }, { "b.json", NULL } };
        if (nul)
                in[1].doc = read_doc(nul + 1, size - first - 1);
        size_t n = in[1].doc ? 2 : 1;
        if (!in[0].doc) {
                in[0] = in[1];
                in[1].doc = NULL;
                n = in[0].doc ? 1 : 0;
        }
        if (n > 0) {
                json_t *m = NULL;
                Error e = ERROR_NULL;
                int r = load_merge(in, n, &m, &e);
                if (r >= 0 && !json_is_integer(json_object_get(json_object_get(m, "verdict"), "exit")))
                        abort();
                if (r >= 0 &&
                    !json_is_array(json_object_get(json_object_get(json_object_get(m, "client"), "clock"), "warnings")))
                        abort();
                if (r < 0 && (m || !error_is_set(&e)))
                        abort();
                json_decref(m);
                error_done(&e);
        }
        json_decref((json_t *) in[0].doc);
        json_decref((json_t *) in[1].doc);
        return 0;
}

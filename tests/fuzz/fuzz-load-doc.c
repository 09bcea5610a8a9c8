/* SPDX-License-Identifier: MIT */
/* A skytune.load/1 document as `skytune report FILE.json` and `load merge` read it: checked by its
 * schema and rendered for people (render/load-text.c), which must not trust any member's type. */
#include <stdio.h>

#include "fuzz.h"
#include "load-doc.h"
#include "render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *path = fuzz_write_file("load-doc.json", data, size);
        json_t *doc = NULL;
        Error e = ERROR_NULL;
        if (load_doc_read(path, &doc, &e) >= 0) {
                FILE *out = fopen("/dev/null", "we");
                if (out) {
                        render_load_text(out, doc, &(RenderView) { .width = 80 });
                        fclose(out);
                }
                json_decref(doc);
        }
        error_done(&e);
        return 0;
}

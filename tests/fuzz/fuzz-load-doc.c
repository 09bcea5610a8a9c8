/* SPDX-License-Identifier: MIT */
/* A skytune.load/1 document as `skytune report FILE.json` and `load merge` read it: checked by its
 * schema and rendered for people (render/load-text.c), which must not trust any member's type. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "load-doc.h"
#include "render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char path[] = "/tmp/fuzz-load-doc-XXXXXX";
        int fd = mkstemp(path);
        if (fd < 0)
                abort();
        if (write(fd, data, size) != (ssize_t) size)
                abort();
        close(fd);
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
        unlink(path);
        return 0;
}

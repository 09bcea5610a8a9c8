/* SPDX-License-Identifier: MIT */
/* A saved load run as `skytune report` renders it (render/load-*.c): any JSON document, given the
 * skytune.load/1 schema, through the JUnit and the HTML renderers; members of any type and shape
 * must render (as missing) without a crash, and a document must never make a renderer fail
 * except by -EIO or -ENOMEM. */
#include <errno.h>

#include "fuzz.h"
#include "render-load.h"
#include "schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static FILE *sink;
        if (!sink && !(sink = fopen("/dev/null", "we")))
                abort();
        json_t *doc = json_loadb((const char *) data, size, JSON_REJECT_DUPLICATES, NULL);
        if (!json_is_object(doc)) {
                json_decref(doc);
                return 0;
        }
        json_object_set_new(doc, "schema", json_string(LOAD_SCHEMA));
        Error e = ERROR_NULL;
        int r = render_load_junit(sink, doc, &e);
        fuzz_check(r == 0 || r == -EIO || r == -ENOMEM);
        error_done(&e);
        r = render_load_html(sink, doc, &e);
        fuzz_check(r == 0 || r == -EIO || r == -ENOMEM);
        error_done(&e);
        json_decref(doc);
        return 0;
}

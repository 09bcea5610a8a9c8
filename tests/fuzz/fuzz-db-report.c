/* SPDX-License-Identifier: MIT */
/* A db run's document through its JUnit and HTML renderers (render/db-junit.c, db-html.c), and a
 * pool sweep's through its HTML page (db-sweep-html.c): any JSON object, given the schema; members of any type and shape must render (as missing)
 * without a crash, and a renderer may fail only by -EIO or -ENOMEM. */
#include <errno.h>

#include "fuzz.h"
#include "render.h"
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
        json_object_set_new(doc, "schema", json_string(DB_SCHEMA));
        int (*const renderers[])(FILE *, const json_t *, Error *) = { render_db_junit, render_db_html };
        for (size_t i = 0; i < sizeof(renderers) / sizeof(renderers[0]); i++) {
                Error e = ERROR_NULL;
                int r = renderers[i](sink, doc, &e);
                fuzz_check(r == 0 || r == -EIO || r == -ENOMEM);
                error_done(&e);
        }
        json_object_set_new(doc, "schema", json_string(DB_SWEEP_SCHEMA));
        Error e = ERROR_NULL;
        int r = render_db_sweep_html(sink, doc, &e);
        fuzz_check(r == 0 || r == -EIO || r == -ENOMEM);
        error_done(&e);
        json_decref(doc);
        return 0;
}

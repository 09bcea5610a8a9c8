/* SPDX-License-Identifier: MIT */
/* A db run's document through its JUnit and HTML renderers (render/db-junit.c, db-html.c), a pool
 * sweep's through its HTML page (db-sweep-html.c), a benchmark comparison's through its page and
 * JUnit XML (bench-html.c, bench-junit.c), a benchmark trend's through its page and text
 * (bench-trends-html.c, bench-trends-svg.c, bench-trends.c): any JSON object, given the schema; members of any type
 * and shape must render (as missing) without a crash, and a renderer may fail only by -EIO or
 * -ENOMEM. */
#include <errno.h>

#include "fuzz.h"
#include "render-bench.h"
#include "render.h"
#include "schema.h"

static int trends_text(FILE *f, const json_t *doc, Error *e) {
        return render_bench_trends(f, doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static FILE *sink;
        if (!sink && !(sink = fopen("/dev/null", "we")))
                abort();
        json_t *doc = json_loadb((const char *) data, size, JSON_REJECT_DUPLICATES, NULL);
        if (!json_is_object(doc)) {
                json_decref(doc);
                return 0;
        }
        static const struct {
                const char *schema;
                int (*render)(FILE *, const json_t *, Error *);
        } renderers[] = {
                { DB_SCHEMA, render_db_junit },
                { DB_SCHEMA, render_db_html },
                { DB_SWEEP_SCHEMA, render_db_sweep_html },
                { BENCH_COMPARE_SCHEMA, render_bench_compare_html },
                { BENCH_COMPARE_SCHEMA, render_bench_junit },
                { BENCH_TRENDS_SCHEMA, render_bench_trends_html },
                { BENCH_TRENDS_SCHEMA, trends_text },
        };
        for (size_t i = 0; i < sizeof(renderers) / sizeof(renderers[0]); i++) {
                json_object_set_new(doc, "schema", json_string(renderers[i].schema));
                Error e = ERROR_NULL;
                int r = renderers[i].render(sink, doc, &e);
                fuzz_check(r == 0 || r == -EIO || r == -ENOMEM);
                error_done(&e);
        }
        json_decref(doc);
        return 0;
}

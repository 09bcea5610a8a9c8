/* SPDX-License-Identifier: MIT */
/* --format bencher: Bencher Metric Format, one JSON object per run and line (what `bencher run
 * --adapter json` takes for one report): {"BENCH": {"METRIC": {"value": median, "lower_value": min,
 * "upper_value": max}}}. A metric without a measured sample is left out (BMF needs a value). */
#include <errno.h>

#include "bench-export-internal.h"

static int bencher_run(BenchExport *x, const json_t *run) {
        json_t *doc = json_object(), *b, *m;
        size_t i, k;
        int r = doc ? 0 : -ENOMEM;
        json_array_foreach(json_object_get(run, "benchmarks"), i, b) {
                json_t *measures = json_object();
                json_array_foreach(json_object_get(b, "metrics"), k, m) {
                        BenchSummary s;
                        if (r == 0)
                                r = bench_export_summary(m, &s);
                        if (r == 0 && s.n > 0 &&
                            json_object_set_new(measures, json_string_value(json_object_get(m, "name")),
                                                json_pack("{s:f, s:f, s:f}", "value", s.median, "lower_value", s.min,
                                                          "upper_value", s.max)) < 0)
                                r = -ENOMEM;
                }
                if (r < 0)
                        json_decref(measures);
                else if (json_object_set_new(doc, json_string_value(json_object_get(b, "name")), measures) < 0)
                        r = -ENOMEM; /* measures went with the call */
        }
        r = r < 0 ? error_set(x->e, r, "cannot build the Bencher document: out of memory") : bench_export_line(x, doc);
        json_decref(doc);
        return r;
}

const BenchExportFormat bench_export_bencher = {
        .name = "bencher",
        .run = bencher_run,
};

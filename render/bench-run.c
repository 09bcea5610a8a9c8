/* SPDX-License-Identifier: MIT */
/* `bench run`: the active skytune transactions, then one line per metric of each benchmark. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "json-util.h"
#include "render-bench.h"
#include "stats.h"

int render_bench_run(FILE *f, const json_t *doc) {
        const json_t *benches = json_object_get(doc, "benchmarks");
        size_t i, k;
        fprintf(f, "run %lld of suite %s\n", (long long) json_integer_value(json_object_get(doc, "id")),
                json_string_value(json_object_get(doc, "suite")) ?: "-");
        const json_t *txs = json_object_get(doc, "transactions"), *t;
        if (!json_is_array(txs))
                fputs("skytune transactions: unknown (skytune-helper not reachable)\n", f);
        else if (!json_array_size(txs))
                fputs("skytune transactions: none active\n", f);
        json_array_foreach(txs, i, t)
                fprintf(f, "skytune transaction active: %s (applied %s)\n", jstr_or(t, "id", "-"),
                        jstr_or(t, "applied", "-"));
        fprintf(f, "%-16s %-16s %16s %8s %5s\n", "benchmark", "metric", "median", "spread", "n");
        const json_t *b, *m;
        json_array_foreach(benches, i, b) {
                json_array_foreach(json_object_get(b, "metrics"), k, m) {
                        size_t n = 0;
                        double *v = json_finite_numbers(json_object_get(m, "samples"), &n);
                        double med = v ? stats_median(v, n) : NAN, mad = v ? stats_mad(v, n) : NAN;
                        free(v);
                        fprintf(f, "%-16.16s %-16.16s %10.4g %-5.5s %7.1f%% %5zu\n",
                                k == 0 ? json_string_value(json_object_get(b, "name")) ?: "-" : "",
                                json_string_value(json_object_get(m, "name")) ?: "-", med,
                                json_string_value(json_object_get(m, "unit")) ?: "",
                                med != 0 ? 100 * mad / fabs(med) : 0.0, n);
                }
        }
        return ferror(f) ? -EIO : 0;
}

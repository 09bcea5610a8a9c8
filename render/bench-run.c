/* SPDX-License-Identifier: MIT */
/* `bench run`: one line per metric of each benchmark. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "render-bench.h"
#include "stats.h"

/* The finite samples of a metric into a new array; *ret_n their count. */
static double *samples(const json_t *m, size_t *ret_n) {
        const json_t *a = json_object_get(m, "samples");
        double *v = malloc((json_array_size(a) + 1) * sizeof(double));
        size_t i, n = 0;
        const json_t *x;
        if (!v)
                return NULL;
        json_array_foreach(a, i, x)
                if (json_is_number(x) && isfinite(json_number_value(x)))
                        v[n++] = json_number_value(x);
        *ret_n = n;
        return v;
}

int render_bench_run(FILE *f, const json_t *doc) {
        const json_t *benches = json_object_get(doc, "benchmarks");
        fprintf(f, "run %lld of suite %s\n", (long long) json_integer_value(json_object_get(doc, "id")),
                json_string_value(json_object_get(doc, "suite")) ?: "-");
        fprintf(f, "%-16s %-16s %14s %8s %5s\n", "benchmark", "metric", "median", "spread", "n");
        size_t i, k;
        const json_t *b, *m;
        json_array_foreach(benches, i, b) {
                json_array_foreach(json_object_get(b, "metrics"), k, m) {
                        size_t n = 0;
                        double *v = samples(m, &n);
                        double med = v ? stats_median(v, n) : NAN, mad = v ? stats_mad(v, n) : NAN;
                        free(v);
                        fprintf(f, "%-16.16s %-16.16s %10.4g %-3.3s %7.1f%% %5zu\n",
                                k == 0 ? json_string_value(json_object_get(b, "name")) ?: "-" : "",
                                json_string_value(json_object_get(m, "name")) ?: "-", med,
                                json_string_value(json_object_get(m, "unit")) ?: "",
                                med != 0 ? 100 * mad / fabs(med) : 0.0, n);
                }
        }
        return ferror(f) ? -EIO : 0;
}

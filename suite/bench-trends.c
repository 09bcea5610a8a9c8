/* SPDX-License-Identifier: MIT */
/* `bench trends`: each benchmark metric's per-run medians through the change-point detection. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench-trends.h"
#include "bench-tx.h"
#include "changepoint.h"
#include "fingerprint.h"
#include "json-util.h"
#include "macro.h"
#include "schema.h"
#include "stats.h"

static const json_t *find_named(const json_t *array, const char *name) {
        size_t i;
        const json_t *x;
        json_array_foreach(array, i, x)
                if (jstreq(x, "name", name))
                        return x;
        return NULL;
}

/* The run's median of the metric's finite samples; NAN when it has none. */
static double run_median(const json_t *run, const char *bench, const char *metric) {
        const json_t *b = find_named(json_object_get(run, "benchmarks"), bench);
        size_t k = 0;
        double *v =
                json_finite_numbers(json_object_get(find_named(json_object_get(b, "metrics"), metric), "samples"), &k);
        double m = v && k ? stats_median(v, k) : NAN;
        free(v);
        return m;
}

static json_t *change_json(const json_t *bench, const json_t *metric, const ChangePoint *c, const json_t *before,
                           const json_t *after) {
        bool higher = json_is_true(json_object_get(metric, "higher_is_better"));
        bool better = higher ? c->mean_after > c->mean_before : c->mean_after < c->mean_before;
        const json_t *fa = json_object_get(before, "fingerprint"), *fb = json_object_get(after, "fingerprint");
        return json_pack(
                "{s:O,s:O,s:O*,s:b,s:o,s:s,s:o,s:o,s:o,s:O,s:O,s:O,s:o*,s:o*,s:o}", "benchmark",
                json_object_get(bench, "name"), "metric", json_object_get(metric, "name"), "unit",
                json_object_get(metric, "unit"), "higher_is_better", higher, "magnitude", json_num(c->magnitude),
                "direction", better ? "better" : "worse", "mean_before", json_num(c->mean_before), "mean_after",
                json_num(c->mean_after), "p", json_num(c->p), "run", json_object_get(after, "id"), "started_us",
                json_object_get(after, "started_us"), "run_before", json_object_get(before, "id"), "hard_differences",
                fingerprint_diff(fa, fb, "hard"), "soft_differences", fingerprint_diff(fa, fb, "soft"), "transactions",
                bench_tx_diff(json_object_get(before, "transactions"), json_object_get(after, "transactions")));
}

/* The series' points (each run's median) and its segments between the changes with their means:
 * what the trend report draws. */
static json_t *series_json(const char *bname, const json_t *metric, const json_t *runs, const double *v,
                           const size_t *at, size_t k, const ChangePoint *cp, size_t n_cp, bool capped) {
        json_t *points = json_array(), *segments = json_array();
        for (size_t i = 0; points && i < k; i++) {
                const json_t *run = json_array_get(runs, at[i]);
                if (json_array_append_new(points,
                                          json_pack("{s:O, s:O, s:o}", "run", json_object_get(run, "id"), "started_us",
                                                    json_object_get(run, "started_us"), "median", json_num(v[i]))) < 0)
                        json_decref(points), points = NULL;
        }
        for (size_t j = 0, from = 0; segments && k && j <= n_cp; j++) {
                size_t to = j < n_cp ? cp[j].index : k;
                double sum = 0;
                for (size_t i = from; i < to; i++)
                        sum += v[i];
                if (to > from &&
                    json_array_append_new(segments,
                                          json_pack("{s:O, s:O, s:I, s:o}", "first_run",
                                                    json_object_get(json_array_get(runs, at[from]), "id"), "last_run",
                                                    json_object_get(json_array_get(runs, at[to - 1]), "id"), "runs",
                                                    (json_int_t) (to - from), "mean",
                                                    json_num(sum / (double) (to - from)))) < 0)
                        json_decref(segments), segments = NULL;
                from = to;
        }
        return json_pack("{s:s, s:O, s:O*, s:b, s:I, s:o, s:o, s:b}", "benchmark", bname, "metric",
                         json_object_get(metric, "name"), "unit", json_object_get(metric, "unit"), "higher_is_better",
                         json_is_true(json_object_get(metric, "higher_is_better")), "runs", (json_int_t) k, "points",
                         points, "segments", segments, "changes_capped", capped);
}

/* The changes of one benchmark metric over the runs that measured it, appended to changes. */
static int metric_changes(const json_t *runs, const json_t *bench, const json_t *metric, const BenchTrendsOptions *o,
                          json_t *changes, json_t *series) {
        const char *bname = jstr(bench, "name"), *mname = jstr(metric, "name");
        size_t n = json_array_size(runs), k = 0, n_cp = 0;
        double *v = malloc((n ? n : 1) * sizeof(*v));
        size_t *at = malloc((n ? n : 1) * sizeof(*at));
        ChangePoint cp[BENCH_TRENDS_MAX_CHANGES];
        int r = v && at ? 0 : -ENOMEM;
        for (size_t i = 0; r == 0 && i < n; i++) {
                double m = run_median(json_array_get(runs, i), bname, mname);
                if (isfinite(m)) {
                        v[k] = m;
                        at[k++] = i;
                }
        }
        ChangePointOptions co = { .min_segment = o->min_segment, .seed = 1 };
        bool capped = false;
        if (r == 0 && (r = changepoint_detect(v, k, &co, cp, BENCH_TRENDS_MAX_CHANGES, &n_cp)) == -E2BIG)
                r = 0, capped = true;
        if (r == 0 && json_array_append_new(series, series_json(bname, metric, runs, v, at, k, cp, n_cp, capped)) < 0)
                r = -ENOMEM;
        for (size_t i = 0; r == 0 && i < n_cp; i++)
                if (json_array_append_new(changes,
                                          change_json(bench, metric, &cp[i], json_array_get(runs, at[cp[i].index - 1]),
                                                      json_array_get(runs, at[cp[i].index]))) < 0)
                        r = -ENOMEM;
        free(v);
        free(at);
        return r;
}

/* Each benchmark metric once, in the order of first appearance (a later run may add one). */
static int all_metrics(const json_t *runs, const BenchTrendsOptions *o, json_t *changes, json_t *series) {
        json_t *seen = json_object();
        size_t i, j, l;
        const json_t *run, *b, *m;
        int r = seen ? 0 : -ENOMEM;
        json_array_foreach(runs, i, run)
                json_array_foreach(json_object_get(run, "benchmarks"), j, b)
                        json_array_foreach(json_object_get(b, "metrics"), l, m) {
                                char key[512];
                                if (!jstr(b, "name") || !jstr(m, "name") ||
                                    (o->metric && !jstreq(m, "name", o->metric)))
                                        continue;
                                snprintf(key, sizeof(key), "%s\x1f%s", jstr(b, "name"), jstr(m, "name"));
                                if (r < 0 || json_object_get(seen, key))
                                        continue;
                                r = json_object_set_new(seen, key, json_true()) < 0
                                        ? -ENOMEM
                                        : metric_changes(runs, b, m, o, changes, series);
                        }
        json_decref(seen);
        return r;
}

/* The tuning markers: each run whose active transactions differ from the run before's. */
static json_t *tuning_json(const json_t *runs) {
        json_t *tuning = json_array();
        for (size_t i = 1; tuning && i < json_array_size(runs); i++) {
                const json_t *before = json_array_get(runs, i - 1), *run = json_array_get(runs, i);
                json_t *d =
                        bench_tx_diff(json_object_get(before, "transactions"), json_object_get(run, "transactions"));
                if (d && bench_tx_changed(d) &&
                    (json_object_set(d, "run", json_object_get(run, "id")) < 0 ||
                     json_object_set(d, "started_us", json_object_get(run, "started_us")) < 0 ||
                     json_array_append(tuning, d) < 0))
                        json_decref(tuning), tuning = NULL;
                else if (!d)
                        json_decref(tuning), tuning = NULL;
                json_decref(d);
        }
        return tuning;
}

int bench_trends(const json_t *runs, const BenchTrendsOptions *o, json_t **ret, Error *e) {
        if (!json_is_array(runs) || !o || !ret)
                return error_set(e, -EINVAL, "bench trends: the runs are not a list");
        size_t min_segment = o->min_segment ? o->min_segment : CHANGEPOINT_MIN_SEGMENT;
        BenchTrendsOptions oo = *o;
        oo.min_segment = min_segment;
        json_t *changes = json_array(), *series = json_array();
        int r = changes && series ? all_metrics(runs, &oo, changes, series) : -ENOMEM;
        json_t *doc = r == 0 ? json_pack("{s:s,s:I,s:I,s:o,s:o,s:o}", "schema", BENCH_TRENDS_SCHEMA, "runs",
                                         (json_int_t) json_array_size(runs), "min_segment", (json_int_t) min_segment,
                                         "metrics", series, "changes", changes, "tuning", tuning_json(runs))
                             : NULL;
        if (!doc) {
                if (r == 0)
                        r = -ENOMEM;
                else {
                        json_decref(changes);
                        json_decref(series);
                }
                return error_set(e, r, "bench trends: %s", strerror(-r));
        }
        *ret = doc;
        return 0;
}

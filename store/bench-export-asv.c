/* SPDX-License-Identifier: MIT */
/* --format asv: one asv results document (asv's results/MACHINE/COMMIT-ENV.json, api version 2) per
 * run and line. asv keys results by commit; a run has none, so commit_hash is the suite's digest
 * (what ran) and date the run's start. Each benchmark metric is one asv benchmark BENCH.METRIC with
 * the median as result, quartiles, the count and the samples; units and directions live in asv's
 * benchmarks.json, which this does not write. */
#include <errno.h>
#include <math.h>

#include "bench-export-internal.h"

/* A number or, when it is not one (no samples), null. */
static json_t *num(double v) {
        return isfinite(v) ? json_real(v) : json_null();
}

/* A fingerprint field as the string asv's machine params are. */
static json_t *param(const json_t *fp, const char *part, const char *key) {
        const json_t *v = json_object_get(json_object_get(fp, part), key);
        if (json_is_string(v))
                return json_copy((json_t *) v);
        return json_is_integer(v) ? json_sprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v))
                                  : json_string("unknown");
}

static json_t *machine(const json_t *run) {
        const json_t *fp = json_object_get(run, "fingerprint");
        return json_pack("{s:o, s:o, s:o, s:o, s:o, s:O}", "machine", param(fp, "soft", "hostname"), "cpu",
                         param(fp, "hard", "cpu_model"), "num_cpu", param(fp, "hard", "logical_cpus"), "ram",
                         param(fp, "hard", "memory"), "os", param(fp, "soft", "kernel_release"), "suite",
                         json_object_get(run, "suite"));
}

/* asv's row: result, params, version, started_at, duration, ci_99_a, ci_99_b, q_25, q_75, number,
 * repeat, samples. */
static json_t *result_row(const json_t *bench, const json_t *metric, int64_t started_ms) {
        BenchSummary s;
        if (bench_export_summary(metric, &s) < 0)
                return NULL;
        json_t *samples = json_array(), *v;
        size_t i;
        json_array_foreach(json_object_get(metric, "samples"), i, v)
                if (json_is_number(v))
                        json_array_append_new(samples, json_real(json_number_value(v)));
        return json_pack("[[o], [], O, I, n, [n], [n], [o], [o], [n], [I], [o]]", num(s.median),
                         json_object_get(bench, "config_digest"), (json_int_t) started_ms, num(s.q25), num(s.q75),
                         (json_int_t) s.n, samples);
}

static int asv_run(BenchExport *x, const json_t *run) {
        int64_t started_ms = json_integer_value(json_object_get(run, "started_us")) / 1000;
        json_t *results = json_object(), *b, *m;
        size_t i, k;
        json_array_foreach(json_object_get(run, "benchmarks"), i, b) {
                int64_t at = json_integer_value(json_array_get(json_object_get(b, "repetition_started_us"), 0));
                json_array_foreach(json_object_get(b, "metrics"), k, m) {
                        json_t *key = json_sprintf("%s.%s", json_string_value(json_object_get(b, "name")),
                                                   json_string_value(json_object_get(m, "name")));
                        if (!key ||
                            json_object_set_new(results, json_string_value(key),
                                                result_row(b, m, at ? at / 1000 : started_ms)) < 0) {
                                json_decref(key);
                                json_decref(results);
                                return error_set(x->e, -ENOMEM, "cannot build the asv document: out of memory");
                        }
                        json_decref(key);
                }
        }
        json_t *doc = json_pack(
                "{s:O, s:o, s:I, s:o, s:s, s:{}, s:{}, s:[s, s, s, s, s, s, s, s, s, s, s, s], s:o, s:{}, s:i}",
                "commit_hash", json_object_get(run, "suite_digest"), "env_name",
                json_sprintf("skytune-%s", json_string_value(json_object_get(run, "skytune_version"))), "date",
                (json_int_t) started_ms, "params", machine(run), "python", "", "requirements", "env_vars",
                "result_columns", "result", "params", "version", "started_at", "duration", "stats_ci_99_a",
                "stats_ci_99_b", "stats_q_25", "stats_q_75", "stats_number", "stats_repeat", "samples", "results",
                results, "durations", "version", 2);
        int r = doc ? bench_export_line(x, doc) : error_set(x->e, -ENOMEM, "cannot build the asv document");
        json_decref(doc);
        return r;
}

const BenchExportFormat bench_export_asv = {
        .name = "asv",
        .run = asv_run,
};

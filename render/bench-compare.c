/* SPDX-License-Identifier: MIT */
/* `bench compare`: differences of the hosts, then a line per metric, then the summary. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json-util.h"
#include "render-bench.h"

static const char *str(const json_t *o, const char *key) {
        return jstr_or(o, key, "-");
}

static void differences(FILE *f, const json_t *doc, const char *key, const char *what) {
        size_t i;
        const json_t *d;
        json_array_foreach(json_object_get(doc, key), i, d)
                fprintf(f, "%s %s: %s -> %s\n", what, str(d, "field"), str(d, "a"), str(d, "b"));
}

static void metric_line(FILE *f, const json_t *m) {
        const json_t *ci = json_object_get(m, "ci"), *gate = json_object_get(m, "gate");
        char interval[48] = "", verdict[48];
        if (json_array_size(ci) == 2)
                snprintf(interval, sizeof(interval), "[%.3f-%.3f]", json_number_value(json_array_get(ci, 0)),
                         json_number_value(json_array_get(ci, 1)));
        if (json_object_get(m, "more_repetitions"))
                snprintf(verdict, sizeof(verdict), "unknown: need %lld more",
                         (long long) json_integer_value(json_object_get(m, "more_repetitions")));
        else
                snprintf(verdict, sizeof(verdict), "%s", str(m, "verdict"));
        fprintf(f, "%-12.12s %-14.14s %9.4g %9.4g %6.3fx %-15s %6.4f  %s%s%s\n", str(m, "benchmark"), str(m, "metric"),
                jnum(m, "median_a"), jnum(m, "median_b"), jnum(m, "ratio"), interval, jnum(m, "p_holm"), verdict,
                json_is_object(gate) ? "  gate " : "", json_is_object(gate) ? str(gate, "status") : "");
}

int render_bench_compare(FILE *f, const json_t *doc) {
        const json_t *a = json_object_get(doc, "a"), *b = json_object_get(doc, "b"),
                     *s = json_object_get(doc, "summary");
        fprintf(f, "suite %s: run %lld (A) against run %lld (B)\n", str(b, "suite"),
                (long long) json_integer_value(json_object_get(a, "id")),
                (long long) json_integer_value(json_object_get(b, "id")));
        differences(f, doc, "hard_differences", "forced across");
        differences(f, doc, "soft_differences", "differs:");
        for (size_t k = 0; k < 2; k++) {
                size_t i;
                const json_t *name;
                json_array_foreach(json_object_get(doc, k ? "only_in_b" : "only_in_a"), i, name)
                        fprintf(f, "not compared: %s is only in run %s\n", json_string_value(name) ?: "-",
                                k ? "B" : "A");
        }
        for (size_t k = 0; k < 2; k++) {
                size_t i;
                const json_t *m;
                json_array_foreach(json_object_get(doc, k ? "metrics_only_in_b" : "metrics_only_in_a"), i, m)
                        fprintf(f, "not compared: metric %s of %s is only in run %s\n", str(m, "metric"),
                                str(m, "benchmark"), k ? "B" : "A");
        }
        fprintf(f, "%-12s %-14s %9s %9s %7s %-15s %6s  %s\n", "benchmark", "metric", "A", "B", "B/A", "95% CI", "p",
                "verdict");
        size_t i;
        const json_t *m;
        json_array_foreach(json_object_get(doc, "metrics"), i, m)
                metric_line(f, m);
        fprintf(f,
                "net improvement %+.1f %%: %lld improved, %lld regressed, %lld same, %lld unknown; %lld gate%s "
                "failed\n",
                jnum(s, "net_improvement"), (long long) json_integer_value(json_object_get(s, "improvements")),
                (long long) json_integer_value(json_object_get(s, "regressions")),
                (long long) json_integer_value(json_object_get(s, "same")),
                (long long) json_integer_value(json_object_get(s, "unknown")),
                (long long) json_integer_value(json_object_get(s, "gates_failed")),
                json_integer_value(json_object_get(s, "gates_failed")) == 1 ? "" : "s");
        return ferror(f) ? -EIO : 0;
}

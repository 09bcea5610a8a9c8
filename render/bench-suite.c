/* SPDX-License-Identifier: MIT */
/* `bench check`: one block per benchmark (kind, what it runs, repetitions, metrics, gates). */
#include <errno.h>
#include <stdlib.h>

#include "render-bench.h"

static const char *str(const json_t *o, const char *key) {
        const char *s = json_string_value(json_object_get(o, key));
        return s ? s : "-";
}

static void bench_block(FILE *f, const json_t *b) {
        const json_t *spec = json_object_get(b, "spec");
        fprintf(f, "\n%s  (%s, line %lld)\n", str(b, "name"), str(b, "kind"),
                (long long) json_integer_value(json_object_get(b, "line")));
        if (json_object_get(spec, "command"))
                fprintf(f, "  runs        %s\n", str(spec, "command"));
        if (json_object_get(spec, "probe"))
                fprintf(f, "  runs        probe %s, %g s per repetition\n", str(spec, "probe"),
                        json_number_value(json_object_get(spec, "duration_s")));
        /* the kinds that run skytune itself (the load kind's url or scenario; db's DSN file, never a DSN) */
        if (json_object_get(spec, "pattern"))
                fprintf(f, "  runs        skytune stress --pattern %s %s\n", str(spec, "pattern"), str(spec, "url"));
        else if (json_object_get(spec, "dsn_file"))
                fprintf(f, "  runs        skytune db load, workload %s, DSN from %s\n", str(spec, "workload"),
                        str(spec, "dsn_file"));
        else if (json_object_get(spec, "scenario") || json_object_get(spec, "url"))
                fprintf(f, "  runs        skytune load %s\n",
                        json_is_string(json_object_get(spec, "scenario")) ? str(spec, "scenario") : str(spec, "url"));
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *) json_object_get(spec, "options"), key, v) {
                char *text = json_is_string(v) ? NULL : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
                fprintf(f, "  option      %s = %s\n", key, json_is_string(v) ? json_string_value(v) : text ?: "?");
                free(text);
        }
        fprintf(f, "  repetitions %lld after %lld warm-up\n",
                (long long) json_integer_value(json_object_get(b, "repetitions")),
                (long long) json_integer_value(json_object_get(b, "warmup")));
        size_t i;
        const json_t *m;
        json_array_foreach(json_object_get(b, "metrics"), i, m)
                fprintf(f, "  %-11s %s (%s, %s is better)\n", i == 0 ? "metrics" : "", str(m, "name"), str(m, "unit"),
                        json_is_true(json_object_get(m, "higher_is_better")) ? "higher" : "lower");
        const json_t *g;
        json_array_foreach(json_object_get(b, "gates"), i, g)
                fprintf(f, "  %-11s %s may not regress by more than %g %% (alpha %g)\n", i == 0 ? "gates" : "",
                        str(g, "metric"), json_number_value(json_object_get(g, "max_regression")) * 100,
                        json_number_value(json_object_get(g, "alpha")));
}

int render_bench_suite(FILE *f, const json_t *doc) {
        const json_t *benches = json_object_get(doc, "benchmarks");
        fprintf(f, "suite %s: %zu benchmark%s (%s, digest %s)\n", str(doc, "name"), json_array_size(benches),
                json_array_size(benches) == 1 ? "" : "s", str(doc, "file"), str(doc, "digest"));
        size_t i;
        const json_t *b;
        json_array_foreach(benches, i, b)
                bench_block(f, b);
        return ferror(f) ? -EIO : 0;
}

/* SPDX-License-Identifier: MIT */
/* `bench trends`: a line per change, then the fingerprint fields that changed with it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "json-util.h"
#include "render-bench.h"

static void utc(int64_t us, char buf[32]) {
        time_t t = (time_t) (us / 1000000);
        struct tm tm;
        if (us <= 0 || !gmtime_r(&t, &tm) || strftime(buf, 32, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
                snprintf(buf, 32, "-");
}

static void differences(FILE *f, const json_t *c, const char *key, const char *what) {
        size_t i;
        const json_t *d;
        json_array_foreach(json_object_get(c, key), i, d)
                fprintf(f, "    %s %s: %s -> %s\n", what, jstr_or(d, "field", "-"), jstr_or(d, "a", "-"),
                        jstr_or(d, "b", "-"));
}

int render_bench_trends(FILE *f, const json_t *doc) {
        const json_t *changes = json_object_get(doc, "changes"), *c;
        size_t i;
        fprintf(f, "suite %s: %lld runs in the last %lld days, %zu change%s (min segment %lld)\n",
                jstr_or(doc, "suite", "-"), (long long) json_integer_value(json_object_get(doc, "runs")),
                (long long) json_integer_value(json_object_get(doc, "days")), json_array_size(changes),
                json_array_size(changes) == 1 ? "" : "s",
                (long long) json_integer_value(json_object_get(doc, "min_segment")));
        json_array_foreach(changes, i, c) {
                char when[32];
                utc(json_integer_value(json_object_get(c, "started_us")), when);
                fprintf(f, "%s %s: %+.1f %% %s (%.4g -> %.4g %s) from run %lld (%s), p %.4f\n",
                        jstr_or(c, "benchmark", "-"), jstr_or(c, "metric", "-"), 100 * jnum(c, "magnitude"),
                        jstr_or(c, "direction", "-"), jnum(c, "mean_before"), jnum(c, "mean_after"),
                        jstr_or(c, "unit", ""), (long long) json_integer_value(json_object_get(c, "run")), when,
                        jnum(c, "p"));
                differences(f, c, "hard_differences", "host changed:");
                differences(f, c, "soft_differences", "differs:");
        }
        return ferror(f) ? -EIO : 0;
}

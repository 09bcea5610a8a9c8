/* SPDX-License-Identifier: MIT */
/* `bench trends`: a line per change, then the fingerprint fields and the transactions that changed
 * near it. */
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

/* A transaction: its id, when it was applied and what it changed. */
static void tx_line(FILE *f, const char *what, const json_t *t) {
        fprintf(f, "    %s %s (applied %s)", what, jstr_or(t, "id", "-"), jstr_or(t, "applied", "-"));
        size_t i;
        const json_t *n;
        json_array_foreach(json_object_get(t, "tunables"), i, n)
                fprintf(f, "%s%s", i ? ", " : ": ", json_string_value(n) ?: "-");
        fputc('\n', f);
}

/* The transactions applied and rolled back between the run before and the run after. */
static void transactions(FILE *f, const json_t *c) {
        const json_t *d = json_object_get(c, "transactions");
        if (!json_is_object(d)) {
                fputs("    transactions: unknown (skytune-helper was not reachable at one of the two runs)\n", f);
                return;
        }
        size_t i;
        const json_t *t;
        if (!json_array_size(json_object_get(d, "applied")) && !json_array_size(json_object_get(d, "rolled_back")))
                fputs("    transactions: none applied or rolled back\n", f);
        json_array_foreach(json_object_get(d, "applied"), i, t)
                tx_line(f, "transaction applied:", t);
        json_array_foreach(json_object_get(d, "rolled_back"), i, t)
                tx_line(f, "transaction rolled back:", t);
}

int render_bench_trends(FILE *f, const json_t *doc) {
        const json_t *changes = json_object_get(doc, "changes"), *c;
        size_t i;
        fprintf(f, "suite %s: %lld runs in the last %lld days, %zu change%s (min segment %lld)\n",
                jstr_or(doc, "suite", "-"), (long long) json_integer_value(json_object_get(doc, "runs")),
                (long long) json_integer_value(json_object_get(doc, "days")), json_array_size(changes),
                json_array_size(changes) == 1 ? "" : "s",
                (long long) json_integer_value(json_object_get(doc, "min_segment")));
        if (json_is_true(json_object_get(doc, "runs_capped")))
                fputs("only the newest runs of the window were read (give a smaller --days)\n", f);
        size_t capped = bench_trends_capped_series(doc);
        if (capped)
                fprintf(f,
                        "%zu series had more changes than are shown: the first ones are kept (give a larger "
                        "--min-segment)\n",
                        capped);
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
                transactions(f, c);
        }
        return ferror(f) ? -EIO : 0;
}

size_t bench_trends_capped_series(const json_t *doc) {
        size_t i, n = 0;
        const json_t *m;
        json_array_foreach(json_object_get(doc, "metrics"), i, m)
                n += json_is_true(json_object_get(m, "changes_capped"));
        return n;
}

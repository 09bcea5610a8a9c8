/* SPDX-License-Identifier: MIT */
/* JUnit XML of a benchmark comparison for CI, in the schema Jenkins, GitLab and GitHub read
 * (testsuites > testsuite > testcase > failure | skipped): one test case per gate. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "load-format.h"
#include "render-bench.h"

static const char *str(const json_t *o, const char *key) {
        const char *s = json_string_value(json_object_get(o, key));
        return s ? s : "-";
}

static void gate_case(FILE *f, const json_t *m) {
        const json_t *g = json_object_get(m, "gate");
        char name[256], text[512];
        snprintf(name, sizeof(name), "%s.%s may not regress by more than %g %%", str(m, "benchmark"), str(m, "metric"),
                 json_number_value(json_object_get(g, "max_regression")) * 100);
        fputs("    <testcase classname=\"skytune.bench\" name=\"", f);
        markup_put(f, name);
        fputs("\">\n", f);
        snprintf(text, sizeof(text), "median %g -> %g (ratio %.3f), Holm-adjusted p %.4g (alpha %g), verdict %s",
                 json_number_value(json_object_get(m, "median_a")), json_number_value(json_object_get(m, "median_b")),
                 json_number_value(json_object_get(m, "ratio")), json_number_value(json_object_get(m, "p_holm")),
                 json_number_value(json_object_get(g, "alpha")), str(m, "verdict"));
        if (strcmp(str(g, "status"), "failed") == 0) {
                fputs("      <failure message=\"", f);
                markup_put(f, text);
                fputs("\"/>\n", f);
        } else if (strcmp(str(g, "status"), "unknown") == 0) {
                fputs("      <skipped message=\"", f);
                markup_put(f, text);
                fputs(": more repetitions needed\"/>\n", f);
        }
        fputs("    </testcase>\n", f);
}

int render_bench_junit(FILE *f, const json_t *doc, Error *e) {
        size_t i, gates = 0;
        const json_t *m;
        json_array_foreach(json_object_get(doc, "metrics"), i, m)
                gates += json_is_object(json_object_get(m, "gate"));
        long long failed = json_integer_value(json_object_get(json_object_get(doc, "summary"), "gates_failed"));
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"", f);
        markup_put(f, str(json_object_get(doc, "b"), "suite"));
        fprintf(f, "\" tests=\"%zu\" failures=\"%lld\">\n", gates, failed);
        json_array_foreach(json_object_get(doc, "metrics"), i, m)
                if (json_is_object(json_object_get(m, "gate")))
                        gate_case(f, m);
        fputs("  </testsuite>\n</testsuites>\n", f);
        return ferror(f) ? error_set(e, -EIO, "writing the JUnit XML failed") : 0;
}

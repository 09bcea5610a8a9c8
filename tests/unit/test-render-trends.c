/* SPDX-License-Identifier: MIT */
/* The trend report's text and page (render/bench-trends*.c): per change the transactions near it
 * read "unknown" (null), "none" ([] both ways) or name each applied and rolled back one with its
 * tunables; the page escapes what the history holds (a transaction id with markup), draws one chart
 * per metric with a change line and a tuning marker, and refuses another schema. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render-bench.h"
#include "render.h"
#include "schema.h"
#include "support.h"

static json_t *doc(void) {
        return json_pack(
                "{s:s,s:s,s:i,s:i,s:i,s:[{s:s,s:s,s:s,s:b,s:i,s:[{s:i,s:I,s:f},{s:i,s:I,s:f}],s:[{s:i,s:i,s:i,s:f},"
                "{s:i,s:i,s:i,s:f}]}],s:[{s:s,s:s,s:f,s:s,s:f,s:f,s:f,s:i,s:I,s:i,s:n},{s:s,s:s,s:f,s:s,s:i,s:"
                "{s:[],s:[]}},{s:s,s:s,s:f,s:s,s:i,s:{s:[{s:s,s:s,s:[s]}],s:[{s:s,s:s}]}}],s:[{s:i,s:I,s:[{s:s}],s:[]}]"
                "}",
                "schema", BENCH_TRENDS_SCHEMA, "suite", "s", "days", 30, "runs", 2, "min_segment", 1, "metrics",
                "benchmark", "b", "metric", "ops", "unit", "op/s", "higher_is_better", 1, "runs", 2, "points", "run", 1,
                "started_us", (json_int_t) 1796000000000000, "median", 100.0, "run", 2, "started_us",
                (json_int_t) 1796000060000000, "median", 80.0, "segments", "first_run", 1, "last_run", 1, "runs", 1,
                "mean", 100.0, "first_run", 2, "last_run", 2, "runs", 1, "mean", 80.0, "changes", "benchmark", "b",
                "metric", "ops", "magnitude", -0.2, "direction", "worse", "mean_before", 100.0, "mean_after", 80.0, "p",
                0.001, "run", 2, "started_us", (json_int_t) 1796000060000000, "run_before", 1, "transactions",
                "benchmark", "b", "metric", "other", "magnitude", 0.1, "direction", "better", "run", 2, "transactions",
                "applied", "rolled_back", "benchmark", "b", "metric", "third", "magnitude", 0.1, "direction", "better",
                "run", 2, "transactions", "applied", "id", "<b>tx-1", "applied", "2026-12-07", "tunables",
                "vm.swappiness=10", "rolled_back", "id", "tx-0", "applied", "2026-12-06", "tuning", "run", 2,
                "started_us", (json_int_t) 1796000060000000, "applied", "id", "<b>tx-1", "rolled_back");
}

static char *render(int (*fn)(FILE *, const json_t *, Error *), const json_t *d, int *ret) {
        static char *buf; /* static: the stream writes it, and GCC would call a local dangling */
        static size_t size;
        buf = NULL;
        FILE *m = open_memstream(&buf, &size);
        assert_non_null(m);
        Error e = ERROR_NULL;
        *ret = fn(m, d, &e);
        error_done(&e);
        fclose(m);
        return buf;
}

static int text(FILE *f, const json_t *d, Error *e) {
        return render_bench_trends(f, d);
}

static void test_text(void **state) {
        (void) state;
        json_t *d = doc();
        assert_non_null(d);
        int r;
        char *out = render(text, d, &r);
        assert_int_equal(r, 0);
        assert_non_null(strstr(out, "b ops: -20.0 % worse (100 -> 80 ) from run 2"));
        assert_non_null(strstr(out, "    transactions: unknown (skytune-helper was not reachable"));
        assert_non_null(strstr(out, "    transactions: none applied or rolled back\n"));
        assert_non_null(strstr(out, "    transaction applied: <b>tx-1 (applied 2026-12-07): vm.swappiness=10\n"));
        assert_non_null(strstr(out, "    transaction rolled back: tx-0 (applied 2026-12-06)\n"));
        free(out);
        json_decref(d);
}

static size_t count(const char *s, const char *what) {
        size_t n = 0;
        for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
                n++;
        return n;
}

/* Where needle is in s; -1: not there. */
static long offset(const char *s, const char *needle) {
        const char *p = strstr(s, needle);
        return p ? (long) (p - s) : -1;
}

static void test_page(void **state) {
        (void) state;
        json_t *d = doc();
        int r;
        char *out = render(render_bench_trends_html, d, &r);
        assert_int_equal(r, 0);
        assert_int_equal(count(out, "class=\"trend\""), 1);
        assert_int_equal(count(out, "<g class=\"change\" data-run=\"2\""), 1); /* only this metric's change */
        assert_int_equal(count(out, "<g class=\"tuning\" data-run=\"2\""), 1);
        assert_int_equal(count(out, "class=\"segment\""), 2);
        assert_null(strstr(out, "<b>tx-1"));
        assert_non_null(strstr(out, "&lt;b&gt;tx-1"));
        /* the page's shape (render/bench-html.c, shared with the comparison): the head, the
         * header before <main>, the document as the page's data after it */
        long title = offset(out, "<title>skytune bench trends: "), main_at = offset(out, "<main>\n"),
             data = offset(out, "</main>\n<script type=\"application/json\" id=\"skytune-data\">");
        assert_true(title >= 0 && title < main_at && main_at < data);
        free(out);
        free(render(render_bench_compare_html, d, &r)); /* a trends document is not a comparison */
        assert_int_equal(r, -EINVAL);
        json_object_set_new(d, "schema", json_string(BENCH_COMPARE_SCHEMA));
        free(render(render_bench_trends_html, d, &r));
        assert_int_equal(r, -EINVAL);
        json_decref(d);
}

/* The caps said in the text and on the page, not only in the JSON and on stderr. */
static void test_caps(void **state) {
        (void) state;
        json_t *d = doc();
        int r;
        char *out = render(text, d, &r);
        assert_null(strstr(out, "newest runs"));
        assert_null(strstr(out, "more changes than are shown"));
        free(out);
        json_object_set_new(d, "runs_capped", json_true());
        json_object_set_new(json_array_get(json_object_get(d, "metrics"), 0), "changes_capped", json_true());
        out = render(text, d, &r);
        assert_int_equal(r, 0);
        assert_non_null(strstr(out, "\nonly the newest runs of the window were read (give a smaller --days)\n"));
        assert_non_null(strstr(out, "\n1 series had more changes than are shown: the first ones are kept"));
        free(out);
        out = render(render_bench_trends_html, d, &r);
        assert_int_equal(r, 0);
        assert_non_null(strstr(out, "<strong>Only the newest runs of the window were read</strong>"));
        assert_non_null(strstr(out, "<strong>1 series had more changes than are shown</strong>"));
        free(out);
        json_decref(d);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_text),
                cmocka_unit_test(test_page),
                cmocka_unit_test(test_caps),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

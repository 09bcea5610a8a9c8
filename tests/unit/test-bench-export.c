/* SPDX-License-Identifier: MIT */
/* Export and import of the benchmark history (store/bench-export*.c, bench-import-check.c): a
 * history with null samples, gates, histograms and baselines (one accepted over a previous) exported,
 * imported into a fresh file and exported again gives the same bytes; importing it again skips
 * everything; a window leaves out older runs and what points at them; a corrupt line imports
 * nothing and is named by line; lines are checked hard; the asv, otava and bencher formats carry
 * the medians where their readers look. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-export.h"
#include "bench-fixture.h"
#include "schema.h"
#include "support.h"

static BenchHistory *open_new(const char *name) {
        char *p = bench_fixture_path(name);
        BenchHistory *h = NULL;
        assert_int_equal(bench_history_open(p, &h, NULL), 0);
        free(p);
        return h;
}

static json_t *run_doc(int64_t started_us, double base) {
        return json_pack("{s:s, s:s, s:I, s:I, s:s, s:{s:{s:s}, s:{s:s}}, s:[{s:s, s:s, s:s, s:[I, I, I], s:["
                         "{s:s, s:s, s:b, s:{s:f, s:f}, s:[f, n, f]}, {s:s, s:s, s:b, s:[f, f, f]}],"
                         " s:[{s:s}, n, n]}]}",
                         "suite", "s", "suite_digest", "00112233aabbccdd", "started_us", (json_int_t) started_us,
                         "finished_us", (json_int_t) started_us + 5, "skytune_version", "0.1.0", "fingerprint", "hard",
                         "cpu_model", "X", "soft", "hostname", "h", "benchmarks", "name", "sleep", "kind", "command",
                         "config_digest", "feedfeedfeedfeed", "repetition_started_us", (json_int_t) started_us + 1,
                         (json_int_t) started_us + 2, (json_int_t) started_us + 3, "metrics", "name", "wall_s", "unit",
                         "s", "higher_is_better", 0, "gate", "max_regression", 0.05, "alpha", 0.01, "samples", base,
                         base + 2, "name", "rps", "unit", "req/s", "higher_is_better", 1, "samples", 0.1, 0.2, 1e300,
                         "histograms", "latency_us", "HISTFAAAAB");
}

/* The export of h in format as a string (freed by the caller); runs since since_us. */
static char *export_since(BenchHistory *h, const char *format, const char *suite, int64_t since_us) {
        static char *text; /* static: the stream writes it, and GCC would call a local dangling */
        static size_t len;
        size_t runs;
        text = NULL;
        FILE *out = open_memstream(&text, &len);
        Error e = ERROR_NULL;
        BenchExportOptions o = { .suite = suite, .since_us = since_us };
        assert_int_equal(bench_history_export(h, bench_export_format(format), &o, out, &runs, &e), 0);
        fclose(out);
        return text;
}

static char *export_of(BenchHistory *h, const char *format, const char *suite) {
        return export_since(h, format, suite, 0);
}

static int import_text(BenchHistory *h, const char *text, BenchImportCounts *n, Error *e) {
        FILE *in = fmemopen((void *) text, strlen(text), "r");
        assert_non_null(in);
        int r = bench_history_import(h, in, "x.ndjson", n, e);
        fclose(in);
        return r;
}

static BenchHistory *filled(void) {
        BenchHistory *h = open_new("a.db");
        int64_t ids[3];
        for (int i = 0; i < 3; i++) {
                json_t *d = run_doc(1000000 * (i + 1), i);
                assert_int_equal(bench_history_add(h, d, &ids[i], NULL), 0);
                json_decref(d);
        }
        assert_int_equal(bench_history_baseline_set(h, "main", ids[0], false, 7), 0);
        assert_int_equal(bench_history_baseline_set(h, "main", ids[2], true, 8), 0);
        return h;
}

static void test_round_trip(void **state) {
        BenchHistory *a = filled(), *b = open_new("b.db");
        char *first = export_of(a, "skytune", NULL);
        BenchImportCounts n;
        Error e = ERROR_NULL;
        assert_int_equal(import_text(b, first, &n, &e), 0);
        assert_int_equal(n.runs, 3);
        assert_int_equal(n.baselines, 1);
        char *second = export_of(b, "skytune", NULL);
        assert_string_equal(first, second);
        /* 3 runs and a baseline line with its previous run. */
        assert_non_null(strstr(first, "\"schema\":\"" BENCH_BASELINE_SCHEMA "\""));
        assert_non_null(strstr(first, "\"accepted\":true,\"previous\":{\"started_us\":1000000"));
        assert_non_null(strstr(first, "[0.0,null,2.0]"));
        /* Again into the same history: everything is there already. */
        assert_int_equal(import_text(b, first, &n, &e), 0);
        assert_int_equal(n.runs, 0);
        assert_int_equal(n.runs_skipped, 3);
        assert_int_equal(n.baselines_skipped, 1);
        int64_t ids[8];
        size_t k;
        assert_int_equal(bench_history_last(b, NULL, 8, ids, &k), 0);
        assert_int_equal(k, 3);
        free(first);
        free(second);
        bench_history_close(a);
        bench_history_close(b);
}

/* A window without the first run: the baseline stays (its run is the third), its previous is null. */
static void test_window(void **state) {
        BenchHistory *a = filled(), *b = open_new("w.db");
        char *text = export_since(a, "skytune", NULL, 2000000);
        assert_null(strstr(text, "\"started_us\":1000000,"));
        assert_non_null(strstr(text, "\"accepted\":true,\"previous\":null}"));
        BenchImportCounts n;
        Error e = ERROR_NULL;
        assert_int_equal(import_text(b, text, &n, &e), 0);
        assert_int_equal(n.runs, 2);
        assert_int_equal(n.baselines, 1);
        free(text);
        text = export_since(a, "skytune", "other", 0);
        assert_string_equal(text, ""); /* another suite's: nothing, no baseline either */
        free(text);
        bench_history_close(a);
        bench_history_close(b);
}

static void test_corrupt_imports_nothing(void **state) {
        BenchHistory *a = filled(), *c = open_new("c.db");
        char *text = export_of(a, "skytune", NULL);
        /* The second run's first sample becomes a string: line 2 is bad, line 1 must not stay. */
        char *second = strchr(text, '\n') + 1, *at = strstr(second, "\"samples\":[") + strlen("\"samples\":[");
        memcpy(at, "\"x\"", 3);
        BenchImportCounts n;
        Error e = ERROR_NULL;
        assert_int_equal(import_text(c, text, &n, &e), -EINVAL);
        assert_int_equal(e.line, 2);
        assert_non_null(strstr(error_message(&e), "samples[0]: not a finite number or null"));
        error_done(&e);
        int64_t ids[8];
        size_t k = 9;
        assert_int_equal(bench_history_last(c, NULL, 8, ids, &k), 0);
        assert_int_equal(k, 0);
        /* A baseline whose run is not there is bad input too. */
        const char *orphan =
                "{\"schema\":\"" BENCH_BASELINE_SCHEMA "\",\"suite\":\"s\",\"name\":\"m\",\"run\":"
                "{\"started_us\":5,\"suite_digest\":\"d\"},\"set_us\":1,\"accepted\":false,\"previous\":null}\n";
        assert_int_equal(import_text(c, orphan, &n, &e), -EINVAL);
        assert_non_null(strstr(error_message(&e), "neither on an earlier line nor in the history"));
        error_done(&e);
        free(text);
        bench_history_close(a);
        bench_history_close(c);
}

/* bench_import_parse_line's verdict on line: 0, or -EINVAL with want in the message. */
static void expect_line(const char *line, const char *want) {
        json_t *doc = NULL;
        BenchLineKind kind;
        Error e = ERROR_NULL;
        int r = bench_import_parse_line(line, strlen(line), "f", 3, &doc, &kind, &e);
        if (!want) {
                assert_int_equal(r, 0);
                assert_non_null(doc);
        } else {
                assert_int_equal(r, -EINVAL);
                assert_null(doc);
                if (!strstr(error_message(&e), want))
                        fail_msg("%s: wanted '%s', got '%s'", line, want, error_message(&e));
                assert_int_equal(e.line, 3);
        }
        json_decref(doc);
        error_done(&e);
}

static void test_line_checks(void **state) {
        json_t *d = run_doc(5, 1);
        json_object_set_new(d, "schema", json_string(BENCH_RUN_SCHEMA));
        json_object_set_new(d, "id", json_integer(4)); /* what bench run --json prints: accepted */
        char *good = json_dumps(d, JSON_COMPACT);
        expect_line(good, NULL);
        json_object_set_new(d, "extra", json_true());
        char *extra = json_dumps(d, JSON_COMPACT);
        expect_line(extra, "unknown member \"extra\"");
        json_object_del(d, "extra");
        json_t *m = json_array_get(json_object_get(json_array_get(json_object_get(d, "benchmarks"), 0), "metrics"), 1);
        json_array_append_new(json_object_get(m, "samples"), json_real(1));
        char *more = json_dumps(d, JSON_COMPACT);
        expect_line(more, "4 samples for 3 repetitions");
        expect_line("{\"a\":{\"b\":{\"value\":1}}}", "Bencher Metric Format JSON: that export is lossy");
        expect_line("{\"result_columns\":[],\"results\":{}}", "an asv results file");
        expect_line("{\"schema\":\"skytune.bench-run/9\"}", "schema skytune.bench-run/9");
        expect_line("{\"schema\":\"skytune.bench-run/1\",\"suite\":\"s\",\"suite_digest\":\"d\",\"skytune_version\""
                    ":\"v\",\"started_us\":1.5,\"finished_us\":2,\"fingerprint\":{},\"benchmarks\":[]}",
                    "run.started_us: missing or not a whole number");
        expect_line("{\"schema\":\"skytune.bench-run/1\",\"schema\":\"x\"}", "not JSON");
        expect_line("[1e999]", "not JSON");
        free(good);
        free(extra);
        free(more);
        json_decref(d);
}

static void test_foreign_formats(void **state) {
        BenchHistory *a = filled();
        char *csv = export_of(a, "otava", "s");
        assert_string_equal(csv,
                            "time,sleep.wall_s,sleep.rps\n"
                            "1970-01-01 00:00:01 +0000,1,0.2\n"
                            "1970-01-01 00:00:02 +0000,2,0.2\n"
                            "1970-01-01 00:00:03 +0000,3,0.2\n");
        char *bmf = export_of(a, "bencher", "s");
        json_error_t je;
        json_t *first = json_loadb(bmf, strchr(bmf, '\n') - bmf, 0, &je);
        assert_non_null(first);
        json_t *wall = json_object_get(json_object_get(first, "sleep"), "wall_s");
        assert_true(json_real_value(json_object_get(wall, "value")) == 1.0);
        assert_true(json_real_value(json_object_get(wall, "lower_value")) == 0.0);
        assert_true(json_real_value(json_object_get(wall, "upper_value")) == 2.0);
        char *asv = export_of(a, "asv", "s");
        json_t *doc = json_loadb(asv, strchr(asv, '\n') - asv, 0, &je);
        assert_non_null(doc);
        assert_int_equal(json_integer_value(json_object_get(doc, "version")), 2);
        json_t *row = json_object_get(json_object_get(doc, "results"), "sleep.wall_s");
        assert_int_equal(json_array_size(row), json_array_size(json_object_get(doc, "result_columns")));
        assert_true(json_real_value(json_array_get(json_array_get(row, 0), 0)) == 1.0);
        assert_int_equal(json_integer_value(json_array_get(json_array_get(row, 10), 0)), 2); /* repeat */
        json_decref(first);
        json_decref(doc);
        free(csv);
        free(bmf);
        free(asv);
        bench_history_close(a);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_round_trip, bench_fixture_setup, bench_fixture_teardown),
                cmocka_unit_test_setup_teardown(test_window, bench_fixture_setup, bench_fixture_teardown),
                cmocka_unit_test_setup_teardown(test_corrupt_imports_nothing, bench_fixture_setup,
                                                bench_fixture_teardown),
                cmocka_unit_test(test_line_checks),
                cmocka_unit_test_setup_teardown(test_foreign_formats, bench_fixture_setup, bench_fixture_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

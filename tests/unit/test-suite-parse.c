/* SPDX-License-Identifier: MIT */
/* Suite files (suite/suite-parse*.c): a full file reads into the model it says (both kinds, suite
 * defaults and a benchmark's own counts, chosen metrics with their direction, gates), the shipped
 * example is good, and every malformed file is refused at its line with what to write. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite-expect.h"
#include "suite-run.h"
#include "suite.h"
#include "support.h"

static Suite *load_ok(const char *text) {
        return suite_ok_at("t.conf", text);
}

static void test_full_file(void **state) {
        Suite *s = load_ok("name = \"full\";\n"
                           "repetitions = 7;\n"
                           "warmup = 2;\n"
                           "benchmarks = (\n"
                           "  { name = \"sleep\"; kind = \"command\"; command = \"sleep 0.01\"; timeout = \"5s\";\n"
                           "    metrics = [ \"wall_s\", \"max_rss_kib\" ];\n"
                           "    gates = ( { metric = \"wall_s\"; max_regression = 5; alpha = 0.01; } ); },\n"
                           "  { name = \"cpu\"; kind = \"probe\"; probe = \"cpu\"; duration = 0.05; repetitions = 3; "
                           "warmup = 0; }\n"
                           ");\n");
        assert_string_equal(s->name, "full");
        assert_int_equal(strlen(s->digest), 16);
        assert_int_equal(s->n_benches, 2);
        const SuiteBench *a = &s->benches[0], *b = &s->benches[1];
        assert_string_equal(a->kind->name, "command");
        assert_int_equal(a->repetitions, 7);
        assert_int_equal(a->warmup, 2);
        assert_int_equal(a->line, 5);
        assert_int_equal(a->n_metrics, 2);
        assert_string_equal(a->metrics[1]->name, "max_rss_kib");
        assert_false(a->metrics[0]->higher_is_better);
        assert_int_equal(a->n_gates, 1);
        assert_int_equal(a->gates[0].metric, 0);
        assert_true(fabs(a->gates[0].max_regression - 0.05) < 1e-12 && a->gates[0].alpha == 0.01);
        assert_int_equal(a->gates[0].line, 7);
        assert_string_equal(b->kind->name, "probe");
        assert_int_equal(b->repetitions, 3);
        assert_int_equal(b->warmup, 0);
        assert_true(b->n_metrics >= 1); /* all the probe's metrics by default */
        assert_true(b->metrics[0]->higher_is_better);
        assert_ptr_equal(suite_find_bench(s, "cpu"), b);
        json_t *doc = suite_check_json(s);
        assert_non_null(doc);
        assert_string_equal(json_string_value(json_object_get(doc, "schema")), "skytune.bench-suite/1");
        json_decref(doc);
        suite_free(s);
}

static void test_shipped_example(void **state) {
        Suite *s = NULL;
        Error e = ERROR_NULL;
        if (suite_load_file(SKYTUNE_SOURCE_DIR "/suites/performance.conf", &s, &e) < 0)
                fail_msg("%s", error_message(&e));
        assert_int_equal(s->n_benches, 2);
        suite_free(s);
}

#define expect_error suite_expect_error

static void test_errors(void **state) {
        expect_error("name = \"x\";\n", 0, "a suite needs 'benchmarks");
        expect_error("benchmarks = ();\n", 1, "a suite needs 'benchmarks");
        expect_error("benchmarks = (\n { name = \"a\"; kind = \"comand\"; command = \"true\"; } );\n", 2,
                     "did you mean 'command'");
        expect_error("benchmarks = (\n { kind = \"command\"; command = \"true\"; } );\n", 2, "needs 'name");
        expect_error("benchmarks = (\n { name = \"a b\"; kind = \"command\"; command = \"true\"; } );\n", 2,
                     "letters, digits");
        expect_error("benchmarks = (\n { name = \"a\"; kind = \"command\"; } );\n", 2, "needs 'command");
        expect_error(
                "benchmarks = (\n { name = \"a\"; kind = \"command\";\n command = \"true\";\n probe = \"cpu\"; } );\n",
                4, "unknown key 'probe' in a benchmark of kind command");
        expect_error("benchmarks = (\n { name = \"a\"; kind = \"command\"; command = \"true\";\n metrics = [ \"wal_s\" "
                     "]; } );\n",
                     3, "did you mean 'wall_s'");
        expect_error("benchmarks = (\n { name = \"a\"; kind = \"command\"; command = \"true\";\n metrics = [ "
                     "\"wall_s\", \"wall_s\" ]; } );\n",
                     3, "named twice");
        expect_error(
                "benchmarks = (\n { name = \"a\"; kind = \"command\"; command = \"true\"; metrics = [ \"wall_s\" ];\n"
                " gates = ( { metric = \"cpu_s\"; max_regression = 5; } ); } );\n",
                3, "not among the benchmark's metrics");
        expect_error("benchmarks = (\n { name = \"a\"; kind = \"command\"; command = \"true\";\n gates = ( { metric = "
                     "\"wall_s\"; } ); } );\n",
                     3, "needs 'max_regression");
        expect_error("benchmarks = (\n { name = \"a\"; kind = \"command\"; command = \"true\";\n gates = ( { metric = "
                     "\"wall_s\";\n"
                     " max_regression = -1; } ); } );\n",
                     4, "max_regression");
        expect_error("benchmarks = (\n { name = \"a\"; kind = \"command\"; command = \"true\";\n gates = ( { metric = "
                     "\"wall_s\"; max_regression = 5; },\n { metric = \"wall_s\"; max_regression = 9; } ); } );\n",
                     4, "a second gate on metric 'wall_s' (the first is at line 3)");
        expect_error("benchmarks = (\n { name = \"a\"; kind = \"command\"; command = \"true\"; },\n"
                     " { name = \"a\"; kind = \"command\"; command = \"true\"; } );\n",
                     3, "a second benchmark named 'a'");
        expect_error("repetitions = 0;\nbenchmarks = ( { name = \"a\"; kind = \"command\"; command = \"true\"; } );\n",
                     1, "at least 1");
        expect_error("warmup = 1.5;\nbenchmarks = ( { name = \"a\"; kind = \"command\"; command = \"true\"; } );\n", 1,
                     "whole number");
        expect_error("benchmarks = (\n { name = \"a\"; kind = \"probe\"; probe = \"cpux\"; } );\n", 2,
                     "unknown probe 'cpux'");
        expect_error("benchmarks = (\n { name = \"a\"; kind = \"probe\"; probe = \"cpu\";\n options = { url = \"x\"; "
                     "}; } );\n",
                     3, "probe cpu has no option 'url'");
        expect_error("benchmarks = (\n { name = \"a\"; kind = \"probe\"; probe = \"http\";\n options = 5; } );\n", 3,
                     "'options' of probe http must be a group");
        expect_error("benchmarks = (\n { name = \"a\"; kind = \"probe\"; probe = \"http\";\n options = { url = "
                     "\"http://127.0.0.1:1/\";\n users = false; }; } );\n",
                     4, "option 'users' of probe http takes N");
        expect_error("benchmarks = (\n { name = \"a\"; kind = \"probe\"; probe = \"cpu\";\n duration = 0.001; } );\n",
                     3, "between 10 ms and 1 h");
        expect_error("benchmarks = (\n { name = \"a\"; kind = \"command\"; command = \"true\"; }\n", 3, "");
        expect_error("bogus = 1;\nbenchmarks = ( { name = \"a\"; kind = \"command\"; command = \"true\"; } );\n", 1,
                     "unknown key 'bogus' in the suite");
}

/* A round shorter than a second in milliseconds ("500ms"); below the probe's 10 ms and a unit that
 * is not one are refused at their line. */
static void test_duration_ms(void **state) {
        Suite *s = load_ok(
                "benchmarks = ( { name = \"c\"; kind = \"probe\"; probe = \"cpu\"; duration = \"500ms\"; } );\n");
        json_t *doc = suite_check_json(s);
        const json_t *spec = json_object_get(json_array_get(json_object_get(doc, "benchmarks"), 0), "spec");
        assert_true(json_number_value(json_object_get(spec, "duration_s")) == 0.5);
        json_decref(doc);
        suite_free(s);
        expect_error("benchmarks = (\n { name = \"c\"; kind = \"probe\"; probe = \"cpu\";\n duration = \"5ms\"; } );\n",
                     3, "duration");
        expect_error(
                "benchmarks = (\n { name = \"c\"; kind = \"probe\"; probe = \"cpu\";\n duration = \"5mss\"; } );\n", 3,
                "\"500ms\"");
}

/* The probe's options are part of what a benchmark is: another url or users gives another config
 * digest (runs against another target are not compared silently), and bench check shows them. */
#define HTTP_BENCH(url, users)                                                                          \
        "benchmarks = ( { name = \"h\"; kind = \"probe\"; probe = \"http\";\n options = { url = \"" url \
        "\"; users = " users "; }; } );\n"

static void test_probe_options_digest(void **state) {
        static const char *text[3] = { HTTP_BENCH("http://127.0.0.1:1/", "4"), HTTP_BENCH("http://127.0.0.1:2/", "4"),
                                       HTTP_BENCH("http://127.0.0.1:1/", "8") };
        char digest[3][17];
        for (size_t i = 0; i < 3; i++) {
                Suite *s = load_ok(text[i]);
                suite_bench_digest(&s->benches[0], digest[i]);
                if (i == 0) {
                        json_t *doc = suite_check_json(s);
                        const json_t *o = json_object_get(
                                json_object_get(json_array_get(json_object_get(doc, "benchmarks"), 0), "spec"),
                                "options");
                        assert_string_equal(json_string_value(json_object_get(o, "url")), "http://127.0.0.1:1/");
                        assert_string_equal(json_string_value(json_object_get(o, "users")), "4");
                        json_decref(doc);
                }
                suite_free(s);
        }
        assert_string_not_equal(digest[0], digest[1]);
        assert_string_not_equal(digest[0], digest[2]);
}

/* The load kind: one of url and scenario, users or rate, the scenario found beside the suite file,
 * the settings in the config digest. */
static void test_load_kind(void **state) {
        expect_error("benchmarks = (\n { name = \"l\"; kind = \"load\"; users = 2; } );\n", 2,
                     "needs 'url' or 'scenario'");
        expect_error("benchmarks = (\n { name = \"l\"; kind = \"load\"; url = \"http://127.0.0.1/\";\n"
                     " scenario = \"a.conf\"; } );\n",
                     2, "(one of them)");
        expect_error("benchmarks = (\n { name = \"l\"; kind = \"load\"; url = \"http://127.0.0.1/\"; users = 2;\n"
                     " rate = 100; } );\n",
                     3, "exclude each other");
        expect_error("benchmarks = (\n { name = \"l\"; kind = \"load\"; url = \"http://127.0.0.1/\";\n"
                     " duration = \"5 parsecs\"; } );\n",
                     3, "duration");
        expect_error("benchmarks = (\n { name = \"l\"; kind = \"load\"; url = \"http://127.0.0.1/\";\n"
                     " metrics = [ \"wall_s\" ]; } );\n",
                     3, "wall_s");
        expect_error("benchmarks = (\n { name = \"l\"; kind = \"load\";\n url = \"http://u:pw@127.0.0.1/\"; } );\n", 3,
                     "user or password");
        Suite *s = NULL;
        Error e = ERROR_NULL;
        /* An @ past the host is a path, not a user. */
        const char *at_path = "benchmarks = ( { name = \"l\"; kind = \"load\"; url = \"http://127.0.0.1/a@b\"; } );\n";
        assert_int_equal(suite_load_text("p.conf", at_path, strlen(at_path), &s, &e), 0);
        suite_free(s);
        s = NULL;
        const char *text = "benchmarks = ( { name = \"l\"; kind = \"load\"; scenario = \"api.conf\"; } );\n";
        assert_int_equal(suite_load_text("/srv/suites/p.conf", text, strlen(text), &s, &e), 0);
        json_t *doc = suite_check_json(s);
        const json_t *spec = json_object_get(json_array_get(json_object_get(doc, "benchmarks"), 0), "spec");
        assert_string_equal(json_string_value(json_object_get(spec, "scenario")), "/srv/suites/api.conf");
        json_decref(doc);
        char d1[17], d2[17];
        suite_bench_digest(&s->benches[0], d1);
        suite_free(s);
        s = load_ok("benchmarks = ( { name = \"l\"; kind = \"load\"; scenario = \"api.conf\"; users = 3; } );\n");
        suite_bench_digest(&s->benches[0], d2);
        suite_free(s);
        assert_string_not_equal(d1, d2);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_full_file),   cmocka_unit_test(test_shipped_example),
                cmocka_unit_test(test_errors),      cmocka_unit_test(test_probe_options_digest),
                cmocka_unit_test(test_duration_ms), cmocka_unit_test(test_load_kind),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* The kinds that run skytune itself, at parse and check time (suite/kind-db.c, kind-stress.c): the
 * db kind's files beside the suite file, its DSN refused in the suite, its workload a built-in or a
 * script; the stress kind's options checked by stress's own parser and schedule at their lines, its
 * metrics by pattern; and the figures read from a document (spawn-json.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spawn.h"
#include "suite-expect.h"
#include "suite-run.h"
#include "suite.h"
#include "support.h"

#define load_at      suite_ok_at
#define expect_error suite_expect_error

static const json_t *spec_of(json_t *doc, size_t i) {
        return json_object_get(json_array_get(json_object_get(doc, "benchmarks"), i), "spec");
}

#define DB_A(file, clients)                                                                  \
        "benchmarks = ( { name = \"a\"; kind = \"db\"; dsn_file = \"" file "\";\n"           \
        " password_file = \"/etc/pw\"; workload = \"select-only\"; clients = " clients ";\n" \
        " duration = \"2s\"; protocol = \"prepared\"; } );\n"

static void digest_of(const char *text, char ret[17]) {
        Suite *s = load_at("/srv/suites/p.conf", text);
        suite_bench_digest(&s->benches[0], ret);
        suite_free(s);
}

static void test_db_kind(void **state) {
        Suite *s =
                load_at("/srv/suites/p.conf",
                        "benchmarks = (\n"
                        " { name = \"a\"; kind = \"db\"; dsn_file = \"db.dsn\"; password_file = \"/etc/pw\";\n"
                        "   workload = \"select-only\"; clients = 4; duration = \"2s\"; protocol = \"prepared\"; },\n"
                        " { name = \"b\"; kind = \"db\"; dsn_file = \"/run/db.dsn\"; workload = \"q/lookup.sql\";\n"
                        "   transactions = 100; metrics = [ \"tps\", \"errors\" ]; } );\n");
        const SuiteBench *a = &s->benches[0], *b = &s->benches[1];
        assert_string_equal(a->kind->name, "db");
        assert_int_equal(a->n_metrics, 5);
        assert_string_equal(a->metrics[0]->name, "tps");
        assert_true(a->metrics[0]->higher_is_better);
        assert_string_equal(a->metrics[3]->name, "p99_ms");
        assert_false(a->metrics[3]->higher_is_better);
        assert_false(b->metrics[1]->higher_is_better);
        json_t *doc = suite_check_json(s);
        const json_t *sa = spec_of(doc, 0), *sb = spec_of(doc, 1);
        assert_string_equal(json_string_value(json_object_get(sa, "dsn_file")), "/srv/suites/db.dsn");
        assert_string_equal(json_string_value(json_object_get(sa, "password_file")), "/etc/pw");
        assert_string_equal(json_string_value(json_object_get(sa, "workload")), "select-only");
        assert_string_equal(json_string_value(json_object_get(sa, "protocol")), "prepared");
        assert_true(json_real_value(json_object_get(sa, "clients")) == 4);
        assert_string_equal(json_string_value(json_object_get(sb, "dsn_file")), "/run/db.dsn");
        assert_string_equal(json_string_value(json_object_get(sb, "workload")), "/srv/suites/q/lookup.sql");
        assert_true(json_real_value(json_object_get(sb, "transactions")) == 100);
        json_decref(doc);
        /* another DSN file or another client count is another configuration */
        char d[3][17];
        suite_bench_digest(a, d[0]);
        suite_free(s);
        digest_of(DB_A("other.dsn", "4"), d[1]);
        digest_of(DB_A("db.dsn", "8"), d[2]);
        assert_string_not_equal(d[0], d[1]);
        assert_string_not_equal(d[0], d[2]);
}

#define DB(rest) "benchmarks = (\n { name = \"d\"; kind = \"db\";\n" rest " } );\n"

static void test_db_errors(void **state) {
        expect_error(DB(" dsn_file = \"db.dsn\";\n dsn = \"host=db1 password=x\";"), 4,
                     "a DSN is not written into a suite");
        expect_error(DB(" dsn = \"host=db1\";"), 3, "dsn_file = \"FILE\"");
        expect_error(DB(" workload = \"select-only\";"), 2, "needs 'dsn_file");
        expect_error(DB(" dsn_file = \"\";"), 3, "'dsn_file' must be printable text");
        expect_error(DB(" dsn_file = \"db.dsn\";\n url = \"http://127.0.0.1/\";"), 4,
                     "unknown key 'url' in a benchmark of kind db");
        expect_error(DB(" dsn_file = \"db.dsn\";\n workload = \"tpcb\";"), 4, "no built-in (tpcb-like");
        expect_error(DB(" dsn_file = \"db.dsn\";\n protocol = \"fast\";"), 4, "'protocol' must be one of");
        expect_error(DB(" dsn_file = \"db.dsn\";\n clients = 0;"), 4, "clients");
        expect_error(DB(" dsn_file = \"db.dsn\";\n clients = 2.5;"), 4, "whole numbers");
        expect_error(DB(" dsn_file = \"db.dsn\"; duration = 3;\n transactions = 10;"), 4, "exclude each other");
        expect_error(DB(" dsn_file = \"db.dsn\";\n metrics = [ \"rps\" ];"), 4, "a db benchmark has no metric 'rps'");
}

#define STRESS(rest) \
        "benchmarks = (\n { name = \"s\"; kind = \"stress\"; url = \"http://127.0.0.1:1/\";\n" rest " } );\n"

static void test_stress_kind(void **state) {
        Suite *s = load_at("t.conf",
                           STRESS(" pattern = \"breakpoint\";\n"
                                  " options = { start = 100; step = \"6s\"; sustain = 1; slo_p99 = \"50ms\"; "
                                  "max-steps = 4; resolution = 0.1; };"));
        const SuiteBench *b = &s->benches[0];
        static const char *const names[] = { "rps",           "p99_ms",   "errors_pct", "last_good_rps",
                                             "first_bad_rps", "knee_rps", "knee_p99_ms" };
        assert_int_equal(b->n_metrics, 7);
        for (size_t i = 0; i < 7; i++)
                assert_string_equal(b->metrics[i]->name, names[i]);
        assert_true(b->metrics[3]->higher_is_better);
        assert_false(b->metrics[6]->higher_is_better);
        json_t *doc = suite_check_json(s);
        const json_t *o = json_object_get(spec_of(doc, 0), "options");
        assert_string_equal(json_string_value(json_object_get(o, "slo-p99")), "50ms"); /* '_' is '-' */
        assert_string_equal(json_string_value(json_object_get(o, "start")), "100");
        assert_string_equal(json_string_value(json_object_get(o, "resolution")), "0.1");
        assert_string_equal(json_string_value(json_object_get(spec_of(doc, 0), "pattern")), "breakpoint");
        json_decref(doc);
        suite_free(s);
        s = load_at("t.conf",
                    STRESS(" pattern = \"spike\"; options = { rate = 50; spike = \"2s\"; before = \"4s\"; "
                           "after = \"3s\"; };\n metrics = [ \"recovery_s\", \"served_pct\" ];"));
        assert_false(s->benches[0].metrics[0]->higher_is_better);
        assert_true(s->benches[0].metrics[1]->higher_is_better);
        suite_free(s);
        s = load_at("t.conf", STRESS(" pattern = \"endurance\"; options = { rate = 50; hold = \"10s\"; };"));
        assert_int_equal(s->benches[0].n_metrics, 5);
        assert_string_equal(s->benches[0].metrics[3]->name, "p99_drift_pct");
        suite_free(s);
        /* The server to sample for rss_drift_pct: its unit is part of the configuration, its pid
         * (another after a restart) is not. */
        char d[3][17];
        digest_of(STRESS(" pattern = \"endurance\"; options = { rate = 50; hold = \"10s\"; };"), d[0]);
        digest_of(STRESS(" pattern = \"endurance\"; options = { rate = 50; hold = \"10s\"; }; server_pid = 42;"), d[1]);
        assert_string_equal(d[0], d[1]);
        /* The digest a stress benchmark had before server_unit existed: an upgrade keeps its history
         * comparable (no "server_unit": null in the spec). */
        assert_string_equal(d[0], "fb975906939d4f89");
        s = load_at("t.conf",
                    STRESS(" pattern = \"endurance\"; options = { rate = 50; hold = \"10s\"; };"
                           " server_unit = \"nginx.service\";"));
        suite_bench_digest(&s->benches[0], d[2]);
        assert_string_not_equal(d[0], d[2]);
        doc = suite_check_json(s);
        assert_string_equal(json_string_value(json_object_get(spec_of(doc, 0), "server_unit")), "nginx.service");
        json_decref(doc);
        suite_free(s);
}

static void test_stress_errors(void **state) {
        expect_error(STRESS(" options = { rate = 5; };"), 2, "needs 'pattern");
        expect_error(STRESS("\n pattern = \"spik\";"), 4, "'pattern' must be one of");
        expect_error(STRESS(" pattern = \"spike\";\n options = { rate = 10;\n fctor = 3; };"), 5,
                     "--fctor is not one of skytune stress's pattern options, which 'options' takes: did you mean "
                     "'factor'?");
        expect_error(STRESS(" pattern = \"spike\";\n options = { rate = 10; factor = 0.5; };"), 4,
                     "--factor 0.5: give a factor above 1");
        expect_error(STRESS(" pattern = \"spike\";\n options = { rate = true; };"), 4, "takes a value");
        expect_error(STRESS(" pattern = \"spike\";\n options = 5;"), 4, "'options' is a group");
        expect_error(STRESS(" pattern = \"gradual\";\n options = { from = 10; };"), 4, "--to");
        expect_error(STRESS(" pattern = \"spike\";\n options = { rate = 10; after = \"1s\"; };"), 4, "give --after 3s");
        expect_error(STRESS(" pattern = \"breakpoint\";\n options = { start = 10; step = \"2s\"; };"), 4,
                     "--step 2s is too short");
        expect_error(STRESS(" pattern = \"spike\"; options = { rate = 10; };\n metrics = [ \"knee_rps\" ];"), 4,
                     "a stress benchmark has no metric 'knee_rps'");
        expect_error("benchmarks = (\n { name = \"s\"; kind = \"stress\"; pattern = \"spike\";\n"
                     " url = \"http://u:pw@127.0.0.1/\"; } );\n",
                     3, "user or password");
        expect_error("benchmarks = (\n { name = \"s\"; kind = \"stress\"; pattern = \"spike\"; } );\n", 2,
                     "needs 'url");
        /* skytune stress has --server-pid: the message says where it goes, not that it is not there. */
        expect_error(STRESS(" pattern = \"spike\";\n options = { rate = 10;\n server_pid = 42; };"), 5,
                     "'server_pid' is a key of the benchmark, beside 'url', not one of its 'options'");
        expect_error(STRESS(" pattern = \"spike\";\n options = { rate = 10;\n server-unit = \"x\"; };"), 5,
                     "'server-unit' is a key of the benchmark");
        expect_error(STRESS(" pattern = \"spike\"; options = { rate = 10; };\n server_pid = 1.5;"), 4,
                     "a whole number");
        expect_error(STRESS(" pattern = \"spike\"; options = { rate = 10; };\n server_pid = 0;"), 4,
                     "give a number from 1");
        expect_error(STRESS(" pattern = \"spike\"; options = { rate = 10; }; server_pid = 42;\n server_unit = \"a\";"),
                     4, "name the server twice");
        expect_error(STRESS(" pattern = \"spike\"; options = { rate = 10; };\n server_unit = \"\";"), 4,
                     "'server_unit' is empty");
}

/* The figures of a document: a dotted path, scaled; a missing one names the metric. */
static void test_doc_figures(void **state) {
        json_t *doc = json_pack("{s:{s:f, s:{s:i}, s:n}}", "total", "completed_per_s", 812.5, "latency_us", "p99", 4200,
                                "ok_per_s");
        assert_true(suite_json_num(doc, "total.completed_per_s") == 812.5);
        assert_true(suite_json_num(doc, "total.latency_us.p99") == 4200);
        assert_true(isnan(suite_json_num(doc, "total.ok_per_s"))); /* null */
        assert_true(isnan(suite_json_num(doc, "total.latency_us.p99.x")));
        assert_true(isnan(suite_json_num(doc, "nope")));
        static const SuiteMetricDef defs[] = { { "rps", "1/s", true },
                                               { "p99_ms", "ms", false },
                                               { "ok_rps", "1/s", true } };
        static const SuiteFigure at[] = { { "total.completed_per_s", 0 },
                                          { "total.latency_us.p99", 1e-3 },
                                          { "total.ok_per_s", 1 } };
        double v[3];
        Error e = ERROR_NULL;
        assert_int_equal(suite_doc_figures(doc, "load", defs, at, 2, v, &e), 0);
        assert_true(v[0] == 812.5 && fabs(v[1] - 4.2) < 1e-12);
        assert_true(suite_doc_figures(doc, "load", defs, at, 3, v, &e) < 0);
        assert_non_null(strstr(error_message(&e), "no ok_rps (total.ok_per_s)"));
        error_done(&e);
        json_decref(doc);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_db_kind),     cmocka_unit_test(test_db_errors),
                cmocka_unit_test(test_stress_kind), cmocka_unit_test(test_stress_errors),
                cmocka_unit_test(test_doc_figures),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

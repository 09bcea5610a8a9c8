/* SPDX-License-Identifier: MIT */
/* Scenario files and thresholds: a full file reads into the model it says (steps in sequence and side
 * by side, every phase kind, endpoints with weights, bodies from files, secret headers from the
 * environment and from files), and every malformed file or threshold is refused at its file:line
 * with a message that says what to write. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "../../load/scenario.h"  /* tests/unit/scenario.h is the collector tests' */
#include "support.h"

static char *dir;

static char *write_scenario(const char *name, const char *text) {
        test_write(dir, name, text);
        char *p;
        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

static void test_full_file(void **state) {
        setenv("SKYTUNE_TEST_TOKEN", "s3cret", 1);
        test_write(dir, "token.txt", "filetoken\n");
        test_write(dir, "body.json", "{\"a\": 1}");
        char *path = write_scenario("full.conf",
                "name = \"full\";\n"
                "url = \"http://127.0.0.1:8080\";\n"
                "interval = \"2s\";\n"
                "thresholds = [ \"error_rate < 1%\" ];\n"
                "steps = (\n"
                "  { name = \"a\"; users = 20; duration = \"5m\"; think = \"250ms\";\n"
                "    endpoints = ( { path = \"/x\"; weight = 3; headers = [ \"Authorization: Bearer $SKYTUNE_TEST_TOKEN\" ]; },\n"
                "                  { method = \"POST\"; path = \"/y\"; body_file = \"body.json\"; headers = [ \"X-Key: @token.txt\" ]; } ); },\n"
                "  { name = \"b\"; parallel = true; model = \"open\"; rate = 50; arrival = \"poisson\";\n"
                "    phases = ( { kind = \"ramp\"; to = 100; over = \"30s\"; },\n"
                "               { kind = \"hold\"; for = \"1m\"; },\n"
                "               { kind = \"spike\"; to = \"5x\"; for = \"10s\"; },\n"
                "               { kind = \"step\"; start = 100; increment = 50; every = \"20s\"; until = \"p99 < 500ms\"; } );\n"
                "    thresholds = [ \"p95 <= 0.2s for 10s abort\" ]; }\n"
                ");\n");
        Scenario *sc = NULL;
        Error e = ERROR_NULL;
        int r = scenario_load_file(path, &sc, &e);
        if (r < 0)
                fail_msg("%s", error_message(&e));
        assert_string_equal(sc->name, "full");
        assert_true(sc->interval_s == 2);
        assert_int_equal(sc->n_thresholds, 1);
        assert_true(fabs(sc->thresholds[0].value - 0.01) < 1e-12);
        assert_int_equal(sc->n_steps, 2);
        const LoadStep *a = &sc->steps[0], *b = &sc->steps[1];
        assert_int_equal(a->model, LOADGEN_CLOSED);
        assert_false(a->parallel);
        assert_true(a->think_s == 0.25);
        assert_int_equal(a->n_phases, 1);
        assert_true(a->phases[0].kind == LOAD_PHASE_HOLD && a->phases[0].duration_s == 300 && a->phases[0].value == 20);
        assert_int_equal(a->n_endpoints, 2);
        assert_int_equal(a->endpoints[0].weight, 3);
        assert_string_equal(a->endpoints[0].headers[0].value, "Bearer s3cret");
        char *shown = scenario_header_display(&a->endpoints[0].headers[0]);
        assert_null(strstr(shown, "s3cret"));
        assert_non_null(strstr(shown, "env SKYTUNE_TEST_TOKEN"));
        free(shown);
        assert_string_equal(a->endpoints[1].headers[0].value, "filetoken");
        assert_string_equal(a->endpoints[1].body, "{\"a\": 1}");
        assert_string_equal(a->endpoints[1].name, "POST /y");
        assert_true(b->parallel && b->model == LOADGEN_OPEN && b->poisson);
        assert_int_equal(b->n_phases, 4);
        assert_true(b->phases[0].from < 0 && b->phases[0].to == 100);
        assert_true(b->phases[1].value == 100);            /* hold: where the ramp ended */
        assert_true(b->phases[2].factor == 5);
        assert_non_null(b->phases[3].until);
        assert_int_equal(b->phases[3].until->metric, THRESHOLD_P99);
        assert_true(b->thresholds[0].for_s == 10 && b->thresholds[0].abort && b->thresholds[0].value == 200000);
        assert_string_equal(b->endpoints[0].path, "/");    /* the URL's own path */
        scenario_free(sc);
        free(path);
}

typedef struct Bad {
        const char *text;
        unsigned line;
        const char *needle;
} Bad;

static const Bad bad_files[] = {
        { "url = \"http://h\";\nsteps = ( { users = = 1; duration = 5; } );\n", 2, "syntax error" },
        { "url = \"http://h\";\n", 0, "needs 'steps" },
        { "url = \"http://h\";\nsteps = ();\n", 2, "needs 'steps" },
        { "url = \"http://h\";\nstep = ( { users = 1; duration = 5; } );\n", 2, "did you mean 'steps'" },
        { "url = \"ftp://h\";\nsteps = ( { users = 1; duration = 5; } );\n", 1, "give http://" },
        { "url = \"http://\";\nsteps = ( { users = 1; duration = 5; } );\n", 1, "names no host" },
        { "steps = ( { users = 1; duration = 5; } );\n", 1, "has no URL" },
        { "url = \"http://h\";\nsteps = ( { users = 1; } );\n", 2, "needs 'duration" },
        { "url = \"http://h\";\nsteps = ( { users = 1; duration = \"5 minutes\"; } );\n", 2, "no duration" },
        { "url = \"http://h\";\nsteps = ( { users = 1; duration = 5;\n phases = ( { kind = \"hold\"; for = 5; } ); } );\n", 2, "both 'duration' and 'phases'" },
        { "url = \"http://h\";\nsteps = ( { users = 1; rate = 5; duration = 5; } );\n", 2, "both 'users'" },
        { "url = \"http://h\";\nsteps = ( { model = \"half-open\"; rate = 5; duration = 5; } );\n", 2, "model 'half-open'" },
        { "url = \"http://h\";\nsteps = ( { rate = 5; arrival = \"bursty\"; duration = 5; } );\n", 2, "arrival 'bursty'" },
        { "url = \"http://h\";\nsteps = ( { users = \"ten\"; duration = 5; } );\n", 2, "'users' must be a number" },
        { "url = \"http://h\";\nsteps = ( { users = 0; duration = 5; } );\n", 2, "from 1 to" },
        { "url = \"http://h\";\nsteps = ( { users = 1; duration = 5; thnik = 1; } );\n", 2, "did you mean 'think'" },
        { "url = \"http://h\";\nsteps = ( { rate = 5; think = 1; duration = 5; } );\n", 2, "'think' is for the closed" },
        { "url = \"http://h\";\nsteps = ( { users = 1; duration = 5; },\n { name = \"step1\"; users = 1; duration = 5; } );\n", 3, "second step named" },
        { "url = \"http://h\";\nsteps = ( { parallel = true; users = 1; duration = 5; } );\n", 2, "first step cannot be 'parallel'" },
        { "url = \"http://h\";\nsteps = ( { users = 1;\n phases = ( { kind = \"plateau\"; for = 5; } ); } );\n", 3, "phase kind 'plateau'" },
        { "url = \"http://h\";\nsteps = ( { users = 1;\n phases = ( { for = 5; } ); } );\n", 3, "needs 'kind'" },
        { "url = \"http://h\";\nsteps = ( { users = 1;\n phases = ( { kind = \"ramp\"; to = 5; } ); } );\n", 3, "needs 'over" },
        { "url = \"http://h\";\nsteps = ( { users = 1;\n phases = ( { kind = \"ramp\"; over = 5; } ); } );\n", 3, "needs 'to'" },
        { "url = \"http://h\";\nsteps = ( { users = 1;\n phases = ( { kind = \"spike\"; to = \"5y\"; for = 5; } ); } );\n", 3, "\"5x\"" },
        { "url = \"http://h\";\nsteps = ( { users = 1;\n phases = ( { kind = \"step\"; start = 1; increment = 1; every = 5; } ); } );\n", 3, "'max_steps' or 'until'" },
        { "url = \"http://h\";\nsteps = ( { users = 1;\n phases = ( { kind = \"step\"; start = 1; increment = 1; every = 5;\n until = \"p99 << 5\"; } ); } );\n", 4, "no comparison" },
        { "url = \"http://h\";\nsteps = ( { rate = 5;\n phases = ( { kind = \"hold\"; users = 3; for = 5; } ); } );\n", 3, "'users' in a phase of a open" },
        { "url = \"http://h\";\nsteps = ( { model = \"open\"; duration = 5; } );\n", 2, "never sends" },
        { "url = \"http://h\";\nsteps = ( { users = 1; duration = 5;\n endpoints = ( { method = \"GET\"; } ); } );\n", 3, "needs 'path" },
        { "url = \"http://h\";\nsteps = ( { users = 1; duration = 5;\n endpoints = ( { path = \"api\"; } ); } );\n", 3, "begin with /" },
        { "url = \"http://h\";\nsteps = ( { users = 1; duration = 5;\n endpoints = ( { path = \"/\"; method = \"get\"; } ); } );\n", 3, "capital letters" },
        { "url = \"http://h\";\nsteps = ( { users = 1; duration = 5;\n endpoints = ( { path = \"/\"; body = \"x\"; body_file = \"y\"; } ); } );\n", 3, "not both" },
        { "url = \"http://h\";\nsteps = ( { users = 1; duration = 5;\n endpoints = ( { path = \"/\"; body_file = \"missing.json\"; } ); } );\n", 3, "missing.json" },
        { "url = \"http://h\";\nsteps = ( { users = 1; duration = 5;\n endpoints = ( { path = \"/\";\n headers = [ \"NoColon\" ]; } ); } );\n", 4, "'Name: value'" },
        { "url = \"http://h\";\nsteps = ( { users = 1; duration = 5;\n endpoints = ( { path = \"/\";\n headers = [ \"Authorization: Bearer $SKYTUNE_TEST_UNSET\" ]; } ); } );\n", 4, "is not set" },
        { "url = \"http://h\";\nsteps = ( { users = 1; duration = 5;\n endpoints = ( { path = \"/\";\n headers = [ \"X: @no-such-token\" ]; } ); } );\n", 4, "cannot read the secret" },
        { "url = \"http://h\";\nsteps = ( { users = 1; duration = 5;\n endpoints = ( { path = \"/\"; wieght = 2; } ); } );\n", 3, "did you mean 'weight'" },
        { "url = \"http://h\";\nthresholds = [ \"p99 < 500ms\",\n \"p98 < 1s\" ];\nsteps = ( { users = 1; duration = 5; } );\n", 3, "unknown metric 'p98'" },
        { "url = \"http://h\";\nsteps = ( { users = 1; duration = 5;\n thresholds = [ \"rps > fast\" ]; } );\n", 3, "not a number" },
        { "url = \"http://h\";\nsteps = ( { users = 1; duration = 5;\n thresholds = \"p99 < 1s\"; } );\n", 3, "list of strings" },
        { "url = \"http://h\";\nname = \"bad\xffname\";\nsteps = ( { users = 1; duration = 5; } );\n", 2, "'name' holds a control" },
        { "url = \"http://h\";\nsteps = ( { users = 1; duration = 5;\n endpoints = ( { path = \"/\";\n headers = [ \"X: a\\tb\" ]; } ); } );\n", 4, "a string holds a control" },
};

static void test_bad_files(void **state) {
        unsetenv("SKYTUNE_TEST_UNSET");
        for (size_t i = 0; i < ELEMENTSOF(bad_files); i++) {
                char name[32];
                snprintf(name, sizeof(name), "bad%zu.conf", i);
                char *path = write_scenario(name, bad_files[i].text);
                Scenario *sc = NULL;
                Error e = ERROR_NULL;
                int r = scenario_load_file(path, &sc, &e);
                char *msg = error_format(&e);
                if (r >= 0 || sc)
                        fail_msg("case %zu was accepted:\n%s", i, bad_files[i].text);
                char where[4200];
                if (bad_files[i].line)
                        snprintf(where, sizeof(where), "%s:%u:", path, bad_files[i].line);
                else
                        snprintf(where, sizeof(where), "%s: ", path);     /* about the whole file */
                if (!msg || strncmp(msg, where, strlen(where)) != 0 || !strstr(msg, bad_files[i].needle))
                        fail_msg("case %zu: '%s', wanted %s ... %s", i, msg ? msg : "(none)", where, bad_files[i].needle);
                free(msg);
                error_done(&e);
                free(path);
        }
}

static void test_thresholds(void **state) {
        static const struct { const char *text; ThresholdMetric m; ThresholdOp op; double v, for_s; bool abort; } good[] = {
                { "p99 < 500ms", THRESHOLD_P99, THRESHOLD_LT, 500000, 0, false },
                { "p(99.9)<=2s", THRESHOLD_P999, THRESHOLD_LE, 2e6, 0, false },
                { "error_rate < 1%", THRESHOLD_ERROR_RATE, THRESHOLD_LT, 0.01, 0, false },
                { "success_rate >= 0.995", THRESHOLD_SUCCESS_RATE, THRESHOLD_GE, 0.995, 0, false },
                { "rps > 900 for 10s abort", THRESHOLD_RPS, THRESHOLD_GT, 900, 10, true },
                { "avg < 250us for 2m", THRESHOLD_MEAN, THRESHOLD_LT, 250, 120, false },
                { "lateness_p99 < 1", THRESHOLD_LATENESS_P99, THRESHOLD_LT, 1000, 0, false },
                { "tps>100", THRESHOLD_OK_RPS, THRESHOLD_GT, 100, 0, false },
                { "errors_pct<1", THRESHOLD_ERROR_RATE, THRESHOLD_LT, 0.01, 0, false },
                { "errors_pct <= 2.5% for 5s", THRESHOLD_ERROR_RATE, THRESHOLD_LE, 0.025, 5, false },
        };
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                Threshold t;
                Error e = ERROR_NULL;
                if (threshold_parse(good[i].text, NULL, 0, &t, &e) < 0)
                        fail_msg("'%s': %s", good[i].text, error_message(&e));
                assert_int_equal(t.metric, good[i].m);
                assert_int_equal(t.op, good[i].op);
                assert_true(fabs(t.value - good[i].v) < 1e-9 * fmax(1, good[i].v));
                assert_true(t.for_s == good[i].for_s && t.abort == good[i].abort);
                threshold_done(&t);
        }
        static const char *const bad[][2] = {
                { "p99", "write METRIC OP VALUE" }, { "p99 ~ 5", "no comparison" }, { "p99 < 5 parsecs", "not understood" },
                { "p99 < 5m", "no value for p99" }, { "error_rate < 5", "percentage" }, { "rps > 5%", "plain number" },
                { "p99 < 5 for", "'for' needs a duration" }, { "p99 < 5 for ever", "'for' needs a duration" },
                { "p99 < -5", "not a number" }, { "latency < 5", "unknown metric" }, { "p99 < 5 abort now", "not understood" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                Threshold t;
                Error e = ERROR_NULL;
                assert_true(threshold_parse(bad[i][0], "f.conf", 7, &t, &e) < 0);
                char *msg = error_format(&e);
                if (!msg || !strstr(msg, bad[i][1]) || strncmp(msg, "f.conf:7:", 9) != 0)
                        fail_msg("'%s': '%s' lacks '%s'", bad[i][0], msg ? msg : "(none)", bad[i][1]);
                free(msg);
                error_done(&e);
        }
        Threshold t = { .op = THRESHOLD_LT, .value = 10 };
        assert_true(threshold_holds(&t, 9) && !threshold_holds(&t, 10) && !threshold_holds(&t, NAN));
        /* for 2s: broken over [1, 2) and [2, 3) fails at 3; a held interval ends a streak; a latency
         * without data waits, a rate without data breaks. */
        Threshold w = { .metric = THRESHOLD_P99, .op = THRESHOLD_LT, .value = 10, .for_s = 2 };
        double since = NAN, at = NAN;
        assert_false(threshold_streak(&w, 20, 0, 1, &since, &at));
        assert_false(threshold_streak(&w, 5, 1, 2, &since, &at));
        assert_true(isnan(since));
        assert_false(threshold_streak(&w, 20, 2, 3, &since, &at));
        assert_false(threshold_streak(&w, NAN, 3, 4, &since, &at));
        assert_true(threshold_streak(&w, 20, 4, 5, &since, &at));
        assert_true(at == 5 && since == 2);
        w.metric = THRESHOLD_OK_RPS;
        since = at = NAN;
        assert_false(threshold_streak(&w, NAN, 0, 1, &since, &at));
        assert_true(threshold_streak(&w, NAN, 1, 2, &since, &at) && at == 2);
}

static void test_shipped_scenarios(void **state) {
        static const char *const names[] = { "dashboard", "smoke", "capacity-steps", "spike", "api-open", "bearer-token" };
        setenv("API_TOKEN", "x", 1);
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                char path[512];
                snprintf(path, sizeof(path), "%s/../../scenarios/%s.conf", SKYTUNE_FIXTURES, names[i]);
                Scenario *sc = NULL;
                Error e = ERROR_NULL;
                if (scenario_load_file(path, &sc, &e) < 0)
                        fail_msg("%s: %s", path, error_message(&e));
                scenario_free(sc);
        }
}

static int setup(void **state) {
        dir = test_tmpdir();
        return 0;
}

static int teardown(void **state) {
        test_rm_rf(dir);
        free(dir);
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_full_file),
                cmocka_unit_test(test_bad_files),
                cmocka_unit_test(test_thresholds),
                cmocka_unit_test(test_shipped_scenarios),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}

/* SPDX-License-Identifier: MIT */
/* load/stress-run.c and stress-json.c without a server: an interval's counters become the analyses'
 * StressInterval (the client's lateness only), a run's results become the document's "stress"
 * object, its markers and its verdict. */
#include <math.h>
#include <stdlib.h>

#include "json-util.h"
#include "macro.h"
#include "stress-run.h"
#include "support.h"

static LoadgenResults results(uint64_t sent, uint64_t done, uint64_t ok, uint64_t late_client)
{
        LoadgenResults r;
        assert_int_equal(loadgen_results_init(&r), 0);
        r.c.sent = sent, r.c.done = done, r.c.ok = ok, r.c.late_client = late_client;
        for (uint64_t i = 0; i < ok; i++)
                histogram_record(r.h[LOADGEN_H_LATENCY], 1000 + 10 * i);
        histogram_record_n(r.h[LOADGEN_H_LATENESS], 50000, sent);
        return r;
}

static void test_interval(void **state)
{
        (void) state;
        LoadgenResults r = results(100, 90, 81, 30);
        LoadInterval iv = { .start_s = 4, .end_s = 6, .planned = 55, .results = &r };
        StressInterval si = stress_interval_from(&iv);
        assert_true(si.t_s == 4 && si.planned == 55);
        assert_true(fabs(si.sent_rps - 50) < 1e-9 && fabs(si.completed_rps - 45) < 1e-9);
        assert_true(fabs(si.error_rate - 0.1) < 1e-9);
        assert_true(si.p99_us >= 1700 && si.p99_us <= 1820);
        /* 30 of 100 sends held back with a slot free: the client's lateness. */
        assert_true(si.lateness_p99_us >= 49000);
        assert_true(isnan(si.server_rss_bytes));
        /* 10 of 100: late because the slots waited on the server, not the client's. */
        r.c.late_client = 10;
        assert_true(stress_interval_from(&iv).lateness_p99_us == 0);
        /* Nothing completed: no p99, no error rate (not 0). */
        r.c.done = r.c.ok = 0;
        histogram_reset(r.h[LOADGEN_H_LATENCY]);
        si = stress_interval_from(&iv);
        assert_true(isnan(si.p99_us) && isnan(si.error_rate));
        loadgen_results_done(&r);
}

static json_t *doc_new(void)
{
        return json_pack("{s:{s:b, s:i, s:s}, s:[]}", "verdict", "passed", 1, "exit", 0, "reason", "0 of 0", "markers");
}

static size_t markers_of(const json_t *doc, const char *kind)
{
        size_t i, n = 0;
        const json_t *m;
        json_array_foreach(json_object_get(doc, "markers"), i, m) n += jstreq(m, "kind", kind);
        return n;
}

static void test_spike_doc(void **state)
{
        (void) state;
        LoadRun run = {};
        StressRun sr = { .pattern = STRESS_SPIKE, .run = &run,
                         .options = { .pattern = STRESS_SPIKE, .rate = 100, .factor = 4, .spike_s = 3, .spikes = 1 } };
        sr.surge.n_spikes = 1;
        sr.surge.band = (StressBand) { .p99_med = 5000, .p99_hi = 6000, .n = 7 };
        sr.surge.spikes[0] = (StressSpikeResult) { .start_s = 8, .end_s = 11, .peak_p99_us = 900000, .recovered = true,
                                                   .recovery_s = 2 };
        json_t *doc = doc_new();
        assert_int_equal(stress_doc_add(doc, &sr), 0);
        json_t *s = json_object_get(doc, "stress");
        assert_true(jstreq(s, "pattern", "spike"));
        assert_true(json_number_value(json_object_get(json_object_get(s, "band"), "p99_median_us")) == 5000);
        assert_true(json_integer_value(json_object_get(json_object_get(s, "options"), "spikes")) == 1);
        assert_int_equal(markers_of(doc, "recovered"), 1);
        const json_t *m = json_array_get(json_object_get(doc, "markers"), 0);
        assert_true(json_number_value(json_object_get(m, "t_s")) == 13);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "verdict"), "exit")), 0);
        json_decref(doc);

        /* Not recovered: no recovery time, no marker, and the verdict is exit 4 saying why. */
        sr.surge.spikes[0].recovered = false;
        sr.surge.spikes[0].recovery_s = NAN;
        doc = doc_new();
        assert_int_equal(stress_doc_add(doc, &sr), 0);
        s = json_object_get(doc, "stress");
        assert_true(json_is_null(json_object_get(json_array_get(json_object_get(s, "spikes"), 0), "recovery_s")));
        assert_int_equal(markers_of(doc, "recovered"), 0);
        const json_t *v = json_object_get(doc, "verdict");
        assert_int_equal(json_integer_value(json_object_get(v, "exit")), 4);
        assert_true(json_is_false(json_object_get(v, "passed")));
        assert_non_null(strstr(jstr_or(v, "reason", ""), "did not recover"));
        assert_int_equal(stress_run_exit(&sr), 4);
        /* An interrupted run is 130 whatever the spike did. */
        run.interrupted = true;
        assert_int_equal(stress_run_exit(&sr), 130);
        json_decref(doc);
}

static void test_knee_and_breakpoint_doc(void **state)
{
        (void) state;
        LoadRun run = {};
        StressRun sr = { .pattern = STRESS_GRADUAL, .run = &run,
                         .options = { .pattern = STRESS_GRADUAL, .from = 100, .to = 500, .ramp_s = 40 } };
        sr.knee = (StressKnee) { .found = true, .rate = 300, .p99_us = 20000 };
        json_t *doc = doc_new();
        assert_int_equal(stress_doc_add(doc, &sr), 0);
        assert_int_equal(markers_of(doc, "knee"), 1);
        /* 300/s is half way from 100 to 500: 20 s into the 40 s ramp. */
        const json_t *m = json_array_get(json_object_get(doc, "markers"), 0);
        assert_true(json_number_value(json_object_get(m, "t_s")) == 20);
        json_decref(doc);

        sr = (StressRun) { .pattern = STRESS_BREAKPOINT, .run = &run, .options = { .pattern = STRESS_BREAKPOINT } };
        sr.bp = (StressBreakpoint) { .last_good = 400, .first_bad = 500, .trip = STRESS_TRIP_LATENESS,
                                     .client_bound = true, .knee = { .rate = NAN }, .n_holds = 1 };
        sr.bp.holds[0] = (StressHold) { .rate = 500, .trip = STRESS_TRIP_LATENESS, .p99_us = 9e5 };
        run.interrupted = false;
        doc = doc_new();
        assert_int_equal(stress_doc_add(doc, &sr), 0);
        json_t *s = json_object_get(doc, "stress");
        assert_true(jstreq(s, "trip", "lateness") && json_is_true(json_object_get(s, "client_bound")));
        assert_true(jstreq(json_array_get(json_object_get(s, "holds"), 0), "trip", "lateness"));
        assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "verdict"), "exit")), 5);
        json_decref(doc);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_interval),
                cmocka_unit_test(test_spike_doc),
                cmocka_unit_test(test_knee_and_breakpoint_doc),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* The load runner: a step's phases become the schedule they say (ramp, hold, spike back to the value
 * before, steps, a plan ending at a stepping phase with `until`); `for D` thresholds fail only when
 * every interval of a window broke them (and `abort` says so), whole-run ones on the whole; and,
 * against a real nginx on 127.0.0.1 (skipped without one), a scenario of two steps one after the
 * other and a third beside the second: each step's interval records add up to its totals, the total
 * records to every step's, the parallel steps overlap in time and the sequential ones do not, and a
 * stepping phase with `until` stops at the first interval that breaks it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "load-doc.h"
#include "nginx-fixture.h"
#include "run.h"
#include "support.h"
#include "threshold-eval.h"

static void test_phases_to_schedule(void **state) {
        LoadPhase phases[] = {
                { .kind = LOAD_PHASE_RAMP, .duration_s = 10, .from = -1, .to = 100 },
                { .kind = LOAD_PHASE_HOLD, .duration_s = 5, .value = 100 },
                { .kind = LOAD_PHASE_SPIKE, .duration_s = 2, .factor = 3 },
                { .kind = LOAD_PHASE_STEP, .duration_s = 4, .start = 50, .increment = 25, .max_steps = 3 },
                { .kind = LOAD_PHASE_RAMP, .duration_s = 4, .from = -1, .to = 0 },
        };
        LoadStep st = { .name = "s", .model = LOADGEN_OPEN, .phases = phases, .n_phases = ELEMENTSOF(phases) };
        LoadPlan p;
        assert_int_equal(load_plan_build(&st, 0, 0, &p), 0);
        assert_int_equal(p.first, 0);
        assert_int_equal(p.last, 4);
        assert_null(p.until);
        assert_int_equal(p.n_pieces, 1 + 1 + 1 + 3 + 1);
        assert_true(fabs(p.duration_s - (10 + 5 + 2 + 12 + 4)) < 1e-9);
        /* ramp 0 -> 100 (0..10 s), hold (..15), spike 3x (..17), back: steps 50, 75, 100 (..29), ramp to 0. */
        double want[][2] = { { 5, 50 }, { 12, 100 }, { 16, 300 }, { 17.5, 50 }, { 23, 75 }, { 27, 100 }, { 31, 50 },
                             { 33, 0 } };
        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                double v = load_plan_value(&p, want[i][0]);
                if (fabs(v - want[i][1]) > 1e-9)
                        print_message("t %.1f: %.3f, want %.3f\n", want[i][0], v, want[i][1]);
                assert_true(fabs(v - want[i][1]) < 1e-9);
        }
        assert_true(fabs(p.phase_start_s[3] - 17) < 1e-9);
        assert_true(load_step_peak(&st) == 300);
        LoadgenSchedule s = { .model = LOADGEN_OPEN, .shape = LOADGEN_PIECES, .pieces = p.pieces, .n_pieces = p.n_pieces };
        assert_int_equal(loadgen_schedule_check(&s), 0);
        /* The requests of the whole plan: 500 + 500 + 600 + (200 + 300 + 400) + 200. */
        assert_true(fabs(loadgen_schedule_integral(&s, p.duration_s) - 2700) < 1e-6);
        load_plan_done(&p);

        /* A stepping phase with `until` ends its plan; the next plan starts after it. */
        Threshold until = { .text = "p99 < 100ms", .metric = THRESHOLD_P99, .op = THRESHOLD_LT, .value = 100000 };
        phases[3].until = &until;
        phases[3].max_steps = 0;
        assert_int_equal(load_plan_build(&st, 0, 0, &p), 0);
        assert_int_equal(p.last, 3);
        assert_ptr_equal(p.until, &until);
        assert_true(fabs(p.until_from_s - 17) < 1e-9);
        assert_int_equal(p.n_pieces, 3 + 1000);
        load_plan_done(&p);
        assert_int_equal(load_plan_build(&st, 4, 80, &p), 0);
        assert_true(load_plan_value(&p, 0) == 80);      /* from the value the cut phase reached */
        assert_true(load_plan_value(&p, 2) == 40);
        load_plan_done(&p);
        phases[3].until = NULL;
        phases[0].duration_s = 0;
        assert_int_equal(load_plan_build(&st, 0, 0, &p), -EINVAL);
}

/* An interval's results: n answers of latency lat_us, `errors` of them 503. */
static void fill(LoadgenResults *r, uint64_t n, uint64_t lat_us, uint64_t errors) {
        loadgen_results_reset(r);
        r->c.sent = r->c.done = n;
        r->c.ok = n - errors;
        for (uint64_t i = 0; i < n; i++)
                histogram_record(r->h[LOADGEN_H_LATENCY], lat_us);
}

static void test_threshold_windows(void **state) {
        LoadgenResults r;
        assert_int_equal(loadgen_results_init(&r), 0);
        Threshold t = { .text = "p99 < 10ms for 3s abort", .metric = THRESHOLD_P99, .op = THRESHOLD_LT, .value = 10000,
                        .for_s = 3, .abort = true };
        LoadThresholdRun tr = { .t = &t, .passed = true, .failed_at_s = NAN, .broken_since_s = NAN };
        /* Broken 2 s, held 1 s, broken 2 s: no window of 3 s. */
        uint64_t lat[] = { 20000, 20000, 1000, 20000, 20000, 1000 };
        for (size_t i = 0; i < ELEMENTSOF(lat); i++) {
                fill(&r, 100, lat[i], 0);
                assert_false(load_threshold_interval(&tr, &r, (double) i, (double) i + 1));
        }
        assert_true(isnan(tr.failed_at_s));
        /* Then 3 broken intervals in a row: fails at the end of the third, with abort. */
        bool aborted = false;
        for (size_t i = 6; i < 9; i++) {
                fill(&r, 100, 30000, 0);
                aborted = load_threshold_interval(&tr, &r, (double) i, (double) i + 1);
                assert_true(aborted == (i == 8));
        }
        assert_true(aborted);
        assert_true(tr.failed_at_s == 9);
        fill(&r, 100, 1000, 0);
        assert_false(load_threshold_interval(&tr, &r, 9, 10));  /* failed for good */
        load_threshold_final(&tr, &r, 10);
        assert_false(tr.passed);
        /* Without `for`: judged once on the whole. */
        Threshold e = { .text = "error_rate < 1%", .metric = THRESHOLD_ERROR_RATE, .op = THRESHOLD_LT, .value = 0.01 };
        LoadThresholdRun er = { .t = &e, .passed = true, .failed_at_s = NAN, .broken_since_s = NAN };
        fill(&r, 1000, 1000, 20);
        assert_false(load_threshold_interval(&er, &r, 0, 1));
        load_threshold_final(&er, &r, 10);
        assert_false(er.passed);
        assert_true(fabs(er.observed - 0.02) < 1e-12);
        fill(&r, 1000, 1000, 5);
        load_threshold_final(&er, &r, 10);
        assert_true(er.passed);
        /* rps over the span; no data meets no threshold. */
        assert_true(load_metric(&r, 4, THRESHOLD_RPS) == 250);
        loadgen_results_reset(&r);
        assert_true(isnan(load_metric(&r, 4, THRESHOLD_P99)));
        assert_true(isnan(load_metric(&r, 4, THRESHOLD_ERROR_RATE)));
        loadgen_results_done(&r);
}

typedef struct Seen {
        LoadgenResults by_step[3], total;
        unsigned n[3], n_total;
        double last_end[3];
        double max_planned_until;
        unsigned ticks;
        double last_tick, last_total_end;
        unsigned backwards;             /* hooks run on step threads: no cmocka assert there */
        LoadDocWriter writer;
} Seen;

static void on_tick(double t_s, void *userdata) {
        Seen *s = userdata;
        s->backwards += t_s < s->last_tick;
        s->last_tick = t_s;
        s->ticks++;
}

static const char *const names[] = { "first", "second", "beside" };

static void on_interval(const LoadInterval *iv, void *userdata) {
        Seen *s = userdata;
        load_doc_writer_add(&s->writer, iv);
        if (!iv->step) {
                s->backwards += iv->start_s < s->last_total_end - 1e-9 || iv->end_s < iv->start_s;
                s->last_total_end = iv->end_s;
                loadgen_results_merge(&s->total, iv->results);
                s->n_total++;
                return;
        }
        for (size_t i = 0; i < 3; i++)
                if (!strcmp(iv->step, names[i])) {
                        s->backwards += iv->start_s < s->last_end[i] - 1e-9;
                        s->last_end[i] = iv->end_s;
                        loadgen_results_merge(&s->by_step[i], iv->results);
                        s->n[i]++;
                        if (i == 1)
                                s->max_planned_until = fmax(s->max_planned_until, iv->planned);
                }
}

static void assert_counters_equal(const LoadgenCounters *a, const LoadgenCounters *b) {
        assert_int_equal(a->sent, b->sent);
        assert_int_equal(a->done, b->done);
        assert_int_equal(a->ok, b->ok);
        assert_int_equal(a->status[200], b->status[200]);
}

/* The document written with its intervals spliced in reads back whole. */
static void check_document(const LoadRun *run, Seen *seen) {
        json_t *doc = load_doc_build(run);
        assert_non_null(doc);
        char path[] = "/tmp/test-load-run-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        FILE *f = fdopen(fd, "w");
        assert_non_null(f);
        assert_int_equal(load_doc_write(&seen->writer, doc, f, true), 0);
        fclose(f);
        json_decref(doc);
        load_doc_writer_close(&seen->writer);
        _cleanup_(error_done) Error e = ERROR_NULL;
        json_t *back = NULL;
        assert_int_equal(load_doc_read(path, &back, &e), 0);
        unlink(path);
        size_t n = json_array_size(json_object_get(back, "intervals"));
        assert_int_equal(n, seen->n_total + seen->n[0] + seen->n[1] + seen->n[2]);
        uint64_t sum = 0;
        size_t i;
        json_t *iv;
        json_array_foreach(json_object_get(back, "intervals"), i, iv)
                if (json_is_null(json_object_get(iv, "step")))
                        sum += (uint64_t) json_integer_value(json_object_get(iv, "completed"));
        assert_int_equal(sum, run->total.c.done);
        json_t *total = json_object_get(back, "total");
        assert_int_equal(json_integer_value(json_object_get(total, "completed")), run->total.c.done);
        assert_int_equal(json_array_size(json_object_get(back, "steps")), 3);
        assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(back, "steps"), 2), "name")),
                            "beside");
        json_decref(back);
        /* Not a load document: refused, with the file named. */
        _cleanup_(error_done) Error e2 = ERROR_NULL;
        assert_int_equal(load_doc_read(SKYTUNE_FIXTURES "/profiles/idle.json", &back, &e2), -EINVAL);
        assert_non_null(strstr(e2.message, "skytune.load/1"));
}

/* Three steps: "first" (closed, 2 users, 0.8 s), then "second" (open, steps of 100/s + 100 every
 * 0.5 s until p99 < 1 us, which the first step breaks) beside "beside" (closed, 1 user, 1 s). */
static void test_scenario_steps(void **state) {
        char url[128];
        int k = nginx_fixture_start("test-load-run", NULL, 100, url, sizeof(url));
        if (k == 1)
                skip();
        assert_int_equal(k, 0);
        Threshold until = { .text = "p99 < 1us", .metric = THRESHOLD_P99, .op = THRESHOLD_LT, .value = 1 };
        LoadPhase p1 = { .kind = LOAD_PHASE_HOLD, .duration_s = 0.8, .value = 2 };
        LoadPhase p2[] = { { .kind = LOAD_PHASE_STEP, .duration_s = 0.5, .start = 100, .increment = 100, .until = &until },
                           { .kind = LOAD_PHASE_HOLD, .duration_s = 0.3, .value = 50 } };
        LoadPhase p3 = { .kind = LOAD_PHASE_HOLD, .duration_s = 1, .value = 1 };
        LoadEndpoint ep[] = { { .name = "index", .path = "/", .weight = 3 }, { .name = "missing", .path = "/none", .weight = 1 } };
        Threshold tt = { .text = "rps > 1", .metric = THRESHOLD_RPS, .op = THRESHOLD_GT, .value = 1 };
        LoadStep steps[] = {
                { .name = "first", .url = url, .model = LOADGEN_CLOSED, .phases = &p1, .n_phases = 1, .endpoints = ep,
                  .n_endpoints = 2 },
                { .name = "second", .url = url, .model = LOADGEN_OPEN, .phases = p2, .n_phases = 2, .endpoints = ep,
                  .n_endpoints = 1 },
                { .name = "beside", .url = url, .parallel = true, .model = LOADGEN_CLOSED, .phases = &p3, .n_phases = 1,
                  .endpoints = ep, .n_endpoints = 1, .thresholds = &tt, .n_thresholds = 1 },
        };
        Scenario sc = { .name = "t", .interval_s = 0.25, .steps = steps, .n_steps = 3 };
        Seen seen = { 0 };
        for (size_t i = 0; i < 3; i++)
                assert_int_equal(loadgen_results_init(&seen.by_step[i]), 0);
        assert_int_equal(loadgen_results_init(&seen.total), 0);
        assert_int_equal(load_doc_writer_open(&seen.writer, NULL, NULL), 0);
        LoadRunConfig cfg = { .scenario = &sc, .hooks = { .on_interval = on_interval, .on_tick = on_tick, .userdata = &seen } };
        LoadRun *run = NULL;
        _cleanup_(error_done) Error e = ERROR_NULL;
        assert_int_equal(load_run(&cfg, &run, &e), 0);
        /* Every step's intervals and the total's run forward, the total's without overlap. */
        assert_int_equal(seen.backwards, 0);
        for (size_t i = 0; i < 3; i++) {
                assert_true(seen.n[i] >= 2);
                assert_true(run->steps[i].results.c.done > 0);
                assert_counters_equal(&seen.by_step[i].c, &run->steps[i].results.c);
        }
        assert_counters_equal(&seen.total.c, &run->total.c);
        /* The system-metrics hook: once per total interval, on the run's time axis. */
        assert_int_equal(seen.ticks, seen.n_total);
        assert_int_equal(seen.ticks, run->intervals);
        assert_true(seen.last_tick <= run->duration_s + 1e-6);
        assert_int_equal(seen.total.c.done,
                         run->steps[0].results.c.done + run->steps[1].results.c.done + run->steps[2].results.c.done);
        /* One after the other, then side by side. */
        assert_true(run->steps[1].start_s >= run->steps[0].end_s - 1e-6);
        assert_true(run->steps[2].start_s < run->steps[1].end_s);
        assert_true(fabs(run->steps[1].start_s - run->steps[2].start_s) < 0.2);
        /* Endpoints by weight: 3 to 1; /none is nginx's 404. */
        const LoadgenResults *r0 = &run->steps[0].results;
        assert_int_equal(r0->entries[0].done + r0->entries[1].done, r0->c.done);
        assert_int_equal(r0->entries[1].status[404], r0->entries[1].done);
        assert_int_equal(r0->entries[0].ok, r0->c.ok);
        /* `until` broke in the first interval of the stepping phase: it never went past 100/s, and
         * the hold after it ran. */
        assert_true(seen.max_planned_until <= 100 + 1e-9);
        const LoadPhaseRun *ph = run->steps[1].phases;
        assert_true(ph[0].end_s - ph[0].start_s < 0.45);
        assert_true(ph[1].end_s > ph[1].start_s);
        assert_true(ph[1].planned_from == 50);
        assert_int_equal(run->n_thresholds, 1);
        assert_true(run->thresholds[0].passed);
        assert_int_equal(load_run_exit(run), 0);
        check_document(run, &seen);
        load_run_free(run);
        for (size_t i = 0; i < 3; i++)
                loadgen_results_done(&seen.by_step[i]);
        loadgen_results_done(&seen.total);
}

/* docs/load.md's exit codes, in their order of precedence. */
static void test_exit_codes(void **state) {
        Threshold t = { .text = "p99 < 1ms" };
        LoadThresholdRun tr = { .t = &t, .passed = true };
        LoadRun run = { .thresholds = &tr, .n_thresholds = 1 };
        assert_int_equal(load_run_exit(&run), 0);
        tr.passed = false;
        assert_int_equal(load_run_exit(&run), 4);
        run.client_bound = true;
        assert_int_equal(load_run_exit(&run), 5);
        run.failed = true;
        assert_int_equal(load_run_exit(&run), 1);
        run.interrupted = true;
        assert_int_equal(load_run_exit(&run), 130);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_phases_to_schedule),
                cmocka_unit_test(test_threshold_windows),
                cmocka_unit_test(test_scenario_steps),
                cmocka_unit_test(test_exit_codes),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

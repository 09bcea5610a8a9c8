/* SPDX-License-Identifier: MIT */
/* The stress patterns (load/stress.h) on synthetic interval series with known answers and seeded
 * noise: each pattern's schedule; a spike's recovery time and degradation; a surge whose recovery
 * worsens and one whose does not; the Kneedle knee of a hinge and of an exponential curve, and none
 * on a straight line; the breakpoint search against a simulated server of known capacity (errors
 * past it, a growing queue past it, a client that falls behind); drift slope and change point over
 * hours, in fixed memory. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "stats.h"
#include "stress.h"
#include "support.h"

static StatsRng rng;

/* Uniform noise of +- frac around v. */
static double noisy(double v, double frac)
{
        return v * (1 + frac * (2 * stats_rng_uniform(&rng) - 1));
}

static void test_schedules(void **state)
{
        StressOptions o = { .pattern = STRESS_SURGE, .rate = 100 };
        stress_options_defaults(&o);
        LoadPhase *p;
        size_t n;
        Error e = ERROR_NULL;
        assert_int_equal(stress_phases(&o, &p, &n, &e), 0);
        assert_int_equal(n, 7);
        assert_int_equal(p[0].kind, LOAD_PHASE_HOLD);
        assert_true(p[0].value == 100 && p[0].duration_s == 60);
        for (size_t i = 1; i < n; i += 2) {
                assert_int_equal(p[i].kind, LOAD_PHASE_SPIKE);
                assert_true(p[i].factor == 5 && p[i].duration_s == 30);
                assert_int_equal(p[i + 1].kind, LOAD_PHASE_HOLD);
                assert_true(p[i + 1].value == 100);
        }
        free(p);

        o = (StressOptions) { .pattern = STRESS_BREAKPOINT, .start = 200 };
        stress_options_defaults(&o);
        assert_int_equal(stress_phases(&o, &p, &n, &e), 0);
        assert_int_equal(n, 1);
        assert_int_equal(p[0].kind, LOAD_PHASE_STEP);
        assert_true(p[0].start == 200 && p[0].increment == 200 && p[0].duration_s == 30 && !p[0].until);
        free(p);

        o = (StressOptions) { .pattern = STRESS_GRADUAL, .to = 2000 };
        stress_options_defaults(&o);
        assert_int_equal(stress_phases(&o, &p, &n, &e), 0);
        assert_true(n == 1 && p[0].kind == LOAD_PHASE_RAMP && p[0].from == 0 && p[0].to == 2000);
        free(p);

        o = (StressOptions) { .pattern = STRESS_SPIKE, .rate = 100, .factor = 0.5 };
        stress_options_defaults(&o);
        assert_int_equal(stress_phases(&o, &p, &n, &e), -EINVAL);
        assert_non_null(strstr(error_message(&e), "--factor"));
        error_done(&e);
        o = (StressOptions) { .pattern = STRESS_ENDURANCE };
        stress_options_defaults(&o);
        assert_int_equal(stress_phases(&o, &p, &n, &e), -EINVAL);
        assert_non_null(strstr(error_message(&e), "--rate"));
        error_done(&e);

        assert_int_equal(stress_pattern_from_string("breakpoint"), STRESS_BREAKPOINT);
        assert_int_equal(stress_pattern_from_string("soak"), -EINVAL);
}

/* A run at 1 s intervals: base p99 20 ms (+-10 %), error rate 0.1 %; spikes of `spike_s` from each
 * start in `starts`, during which p99 is 300 ms and 20 % fail; after each, p99 falls linearly back
 * to the base over recover[i] seconds. */
static size_t spike_series(StressInterval *iv, size_t max, const double *starts, const double *recover, size_t spikes,
                           double spike_s)
{
        size_t n = 0;
        for (double t = 0; n < max; t += 1, n++) {
                double p99 = 20000, err = 0.001, planned = 100;
                for (size_t s = 0; s < spikes; s++) {
                        double end = starts[s] + spike_s;
                        if (t >= starts[s] && t < end)
                                p99 = 300000, err = 0.2, planned = 500;
                        else if (t >= end && t < end + recover[s])
                                p99 = 20000 + 280000 * (1 - (t - end) / recover[s]);
                }
                iv[n] = (StressInterval) { .t_s = t, .planned = planned, .sent_rps = planned,
                                           .completed_rps = planned * 0.8, .p99_us = noisy(p99, 0.1),
                                           .error_rate = noisy(err, 0.5), .lateness_p99_us = 50,
                                           .server_rss_bytes = NAN, .over = NAN };
        }
        return n;
}

static void test_spike(void **state)
{
        StressInterval iv[300];
        StressOptions o = { .pattern = STRESS_SPIKE, .rate = 100, .interval_s = 1 };
        stress_options_defaults(&o);
        double start = 60, rec = 12;
        size_t n = spike_series(iv, 150, &start, &rec, 1, o.spike_s);
        StressSurgeResult r;
        assert_int_equal(stress_surge_analyse(&o, NULL, iv, n, &r), 0);
        assert_int_equal(r.n_spikes, 1);
        assert_true(fabs(r.band.p99_med - 20000) < 1500);
        const StressSpikeResult *s = &r.spikes[0];
        assert_true(s->recovered);
        /* Back within the band (20 ms + 25 %) at about 11 s of the 12 s linear fall. */
        assert_true(s->recovery_s >= 10 && s->recovery_s <= 13);
        assert_true(s->p99_factor > 13 && s->p99_factor < 18);
        assert_true(s->peak_error_rate > 0.2 && s->peak_error_rate <= 0.3);
        assert_true(fabs(s->served_fraction - 0.8) < 1e-9);

        /* A spike that never recovers within the run. */
        rec = 1000;
        n = spike_series(iv, 150, &start, &rec, 1, o.spike_s);
        assert_int_equal(stress_surge_analyse(&o, NULL, iv, n, &r), 0);
        assert_false(r.spikes[0].recovered);
        assert_true(isnan(r.spikes[0].recovery_s));

        /* No base before the spike: no band. */
        o.before_s = 2;
        assert_int_equal(stress_surge_analyse(&o, NULL, iv, n, &r), -ENODATA);
}

/* A queue that drains: 0.1 s intervals of a 300/s server after a spike that left 1.5 s of work at
 * 100/s base; completions at 300/s are all above the band's edge until `drain_s`, then 100/s within
 * it (one in a hundred above, as a p99 band allows). The recovery is found to the interval, where
 * 1 s intervals could only say 2 s. */
static size_t drain_series(StressInterval *iv, size_t max, double end_s, double drain_s, double step)
{
        size_t n = 0;
        for (double t = 0; n < max; t += step, n++) {
                double rel = t - end_s, done = 100 * step, over = n % 100 == 0;
                if (rel >= 0 && rel < drain_s)
                        done = 300 * step, over = done;
                iv[n] = (StressInterval) { .t_s = t, .planned = 100, .completed_rps = done / step, .p99_us = over ? 9e5 : 1e4,
                                           .error_rate = 0, .done = done, .ok = done, .over = over, .server_rss_bytes = NAN };
        }
        return n;
}

static void test_spike_fine(void **state)
{
        static StressInterval iv[400];
        StressOptions o = { .pattern = STRESS_SPIKE, .rate = 100, .before_s = 10, .spike_s = 3, .after_s = 10 };
        stress_options_defaults(&o);
        assert_true(fabs(o.interval_s - 0.1) < 1e-12);
        assert_int_equal(stress_window_n(o.interval_s), 10);
        assert_int_equal(stress_window_n(0.3), 3);
        assert_int_equal(stress_window_n(2), 1);
        StressBand band = { .p99_med = 1e4, .p99_hi = 1.25e4, .err_med = 0, .err_hi = 0.005, .n = 9 };
        for (double drain = 0.75; drain < 3; drain += 0.35) {
                size_t n = drain_series(iv, 230, 13, drain, 0.1);
                StressSurgeResult r;
                assert_int_equal(stress_surge_analyse(&o, &band, iv, n, &r), 0);
                assert_true(r.spikes[0].recovered);
                assert_true(fabs(r.spikes[0].recovery_s - drain) <= 0.1 + 1e-9);
        }
        /* One window of 10 with 1 of 100 requests above the edge is within; 2 are not. */
        size_t n = drain_series(iv, 230, 13, 1, 0.1);
        iv[200].over = 1, iv[201].over = 0;
        assert_true(stress_window_holds(&band, iv, 200, 10));
        iv[201].over = 1;
        assert_false(stress_window_holds(&band, iv, 200, 10));
        /* Errors over the window's requests: 1 of 100 is above a 0.5 % band. */
        iv[201].over = 0, iv[202].ok -= 1;
        assert_false(stress_window_holds(&band, iv, 200, 10));
        (void) n;
}

static void test_surge(void **state)
{
        StressInterval iv[400];
        StressOptions o = { .pattern = STRESS_SURGE, .rate = 100, .interval_s = 1 };
        stress_options_defaults(&o);
        const double starts[] = { 60, 150, 240 };
        const double worse[] = { 5, 10, 20 }, same[] = { 8, 8, 8 };
        size_t n = spike_series(iv, 330, starts, worse, 3, o.spike_s);
        StressSurgeResult r;
        assert_int_equal(stress_surge_analyse(&o, NULL, iv, n, &r), 0);
        assert_int_equal(r.n_spikes, 3);
        for (size_t i = 0; i < 3; i++) {
                assert_true(r.spikes[i].recovered);
                assert_true(fabs(r.spikes[i].recovery_s - worse[i]) <= 0.15 * worse[i] + 1);
        }
        assert_true(r.worsens);

        n = spike_series(iv, 330, starts, same, 3, o.spike_s);
        assert_int_equal(stress_surge_analyse(&o, NULL, iv, n, &r), 0);
        assert_false(r.worsens);
}

static void test_knee(void **state)
{
        double x[200], y[200];
        StressKnee k;
        /* A hinge: flat 2 ms (+-5 %) up to 600/s, then rising 0.2 ms per request per second. */
        for (size_t i = 0; i < 200; i++) {
                x[i] = 5.0 * (double) i;
                y[i] = noisy(2000 + (x[i] > 600 ? 200 * (x[i] - 600) : 0), 0.05);
        }
        stress_knee(x, y, 200, &k);
        assert_true(k.found);
        assert_true(k.rate >= 560 && k.rate <= 660);

        /* An exponential hockey stick y = e^(x/100): Kneedle's knee of the normalised curve lies
         * where its slope equals the chord's, x = 100 ln((e^10 - 1) / 10) = 769.7. */
        for (size_t i = 0; i < 200; i++)
                y[i] = exp(x[i] / 100);
        stress_knee(x, y, 200, &k);
        assert_true(k.found);
        assert_true(fabs(k.rate - 769.7) <= 20);

        /* A straight line has no knee. */
        for (size_t i = 0; i < 200; i++)
                y[i] = noisy(1000 + 3 * x[i], 0.01);
        stress_knee(x, y, 200, &k);
        assert_false(k.found);
        stress_knee(x, y, 4, &k);
        assert_false(k.found);

        /* Through the intervals of a ramp. */
        StressInterval iv[200];
        for (size_t i = 0; i < 200; i++)
                iv[i] = (StressInterval) { .t_s = (double) i, .planned = x[i],
                                           .p99_us = noisy(2000 + (x[i] > 600 ? 200 * (x[i] - 600) : 0), 0.05) };
        iv[7].p99_us = NAN;
        assert_int_equal(stress_gradual_analyse(iv, 200, &k), 0);
        assert_true(k.found && k.rate >= 560 && k.rate <= 660);
}

typedef enum SimKind { SIM_ERRORS, SIM_QUEUE, SIM_CLIENT } SimKind;

/* A hold of `secs` at `rate` against a server of capacity cap: below it p99 5 ms; above it, SIM_ERRORS
 * answers the excess with 503, SIM_QUEUE queues it (p99 grows by the backlog's wait); SIM_CLIENT's
 * server is fine but the client's sends are late above 800/s. Noise: a 1-s error burst now and then. */
static size_t sim_hold(StressInterval *iv, double rate, double secs, double cap, SimKind kind)
{
        size_t n = 0;
        for (double t = 0; t < secs; t += 1, n++) {
                double p99 = noisy(5000, 0.1), err = stats_rng_uniform(&rng) < 0.05 ? 0.3 : 0.001, late = 100;
                if (rate > cap && kind == SIM_ERRORS)
                        err = (rate - cap) / rate, p99 = noisy(50000, 0.1);
                if (rate > cap && kind == SIM_QUEUE)
                        p99 = 5000 + 1e6 * (rate - cap) * (t + 1) / cap;
                if (rate > 800 && kind == SIM_CLIENT)
                        late = 50000;
                iv[n] = (StressInterval) { .t_s = t, .planned = rate, .sent_rps = rate, .completed_rps = MIN(rate, cap),
                                           .p99_us = p99, .error_rate = err, .lateness_p99_us = late };
        }
        return n;
}

static void search(StressBreakpoint *bp, double cap, SimKind kind)
{
        StressBreakpointConfig c = { .start = 200, .step_s = 20 };
        assert_int_equal(stress_breakpoint_init(bp, &c), 0);
        StressInterval iv[64];
        for (unsigned guard = 0; guard < 200; guard++) {
                StressAction a = stress_breakpoint_next(bp);
                if (a.done)
                        return;
                assert_true(a.rate > 0 && a.hold_s == 20);
                stress_breakpoint_feed(bp, iv, sim_hold(iv, a.rate, a.hold_s, cap, kind));
        }
        fail_msg("the search did not end");
}

static void test_breakpoint(void **state)
{
        StressBreakpoint bp;
        const double caps[] = { 1000, 1130, 1370, 310 };
        for (size_t i = 0; i < ELEMENTSOF(caps); i++) {
                search(&bp, caps[i], SIM_ERRORS);
                assert_int_equal(bp.state, STRESS_BP_DONE);
                assert_false(bp.client_bound);
                assert_int_equal(bp.trip, STRESS_TRIP_ERROR_RATE);
                /* The SLO (5 % errors) breaks where the excess is 5 % of the rate: cap / 0.95. */
                double slo = caps[i] / 0.95;
                assert_true(bp.last_good <= slo && bp.last_good >= 0.9 * caps[i]);
                assert_true(bp.first_bad > slo && bp.first_bad <= 1.1 * caps[i]);
                assert_true(bp.first_bad - bp.last_good <= 0.05 * bp.last_good + 1e-9);
                assert_true(bp.trip_value > 0.05);
        }
        /* The knee of the stepping holds: the p99 jumps past capacity. */
        search(&bp, 1000, SIM_ERRORS);
        assert_true(bp.knee.found);
        assert_true(bp.knee.rate >= 800 && bp.knee.rate <= 1200);

        /* A queue without errors: p99 keeps rising, the holds are extended, then judged bad. */
        search(&bp, 1000, SIM_QUEUE);
        assert_false(bp.client_bound);
        assert_true(bp.last_good <= 1000 && bp.last_good >= 900);
        assert_true(bp.first_bad > 1000 && bp.first_bad <= 1100);
        assert_int_equal(bp.trip, STRESS_TRIP_UNSTEADY);

        /* The client falls behind: no capacity, "client-bound". */
        search(&bp, 5000, SIM_CLIENT);
        assert_true(bp.client_bound);
        assert_int_equal(bp.trip, STRESS_TRIP_LATENESS);
        assert_true(bp.last_good == 800 && bp.first_bad == 1000);

        /* A hold judged on its own: a 4-s error burst is not sustained for 5 s, a 6-s one is. */
        StressBreakpointConfig c = { .start = 1 };
        stress_breakpoint_defaults(&c);
        c.warmup_s = 0;
        StressInterval iv[20];
        StressHold h;
        double v;
        for (size_t burst = 4; burst <= 6; burst += 2) {
                for (size_t i = 0; i < 20; i++)
                        iv[i] = (StressInterval) { .t_s = (double) i, .planned = 100, .sent_rps = 100,
                                                   .p99_us = 5000, .error_rate = i >= 8 && i < 8 + burst ? 0.5 : 0 };
                StressTrip t = stress_hold_judge(&c, 100, iv, 20, &h, &v);
                assert_int_equal(t, burst == 4 ? STRESS_TRIP_NONE : STRESS_TRIP_ERROR_RATE);
                assert_int_equal(h.good, burst == 4);
        }
        StressBreakpointConfig bad = { .start = 0 };
        assert_int_equal(stress_breakpoint_init(&bp, &bad), -EINVAL);
}

/* hours at 1-s intervals of f(t) with +-5 % noise into a series. */
static void fill(StressSeries *s, double hours, double (*f)(double))
{
        stress_series_init(s, 60);
        for (double t = 0; t < hours * 3600; t += 1)
                stress_series_add(s, t, noisy(f(t), 0.05));
}

static double flat(double t)
{
        return 20000;
}

static double rising(double t)
{
        return 20000 + 10000 * t / 3600;        /* 10 ms per hour */
}

static double shifted(double t)
{
        return t < 3000 ? 20000 : 30000;
}

static void test_drift(void **state)
{
        StressSeries *s = malloc(sizeof(*s));
        StressDrift d;
        fill(s, 2, flat);
        assert_int_equal(stress_series_drift(s, &d), 0);
        assert_int_equal(d.windows, 120);
        assert_true(fabs(d.relative) < 0.01);
        assert_true(fabs(d.slope_per_h) < 200);
        assert_false(d.change);

        fill(s, 2, rising);
        assert_int_equal(stress_series_drift(s, &d), 0);
        assert_true(fabs(d.slope_per_h - 10000) < 500);
        assert_true(d.slope_t > 10);

        fill(s, 2, shifted);
        assert_int_equal(stress_series_drift(s, &d), 0);
        assert_true(d.change);
        assert_true(fabs(d.change_s - 3000) <= 60);
        assert_true(fabs(d.before - 20000) < 300 && fabs(d.after - 30000) < 300);

        /* 20 hours: the window doubles twice (1200 minutes > 512 windows), memory stays the same. */
        fill(s, 20, rising);
        assert_int_equal(stress_series_drift(s, &d), 0);
        assert_true(s->window_s == 240 && d.windows <= STRESS_DRIFT_MAX);
        assert_true(fabs(d.slope_per_h - 10000) < 500);

        stress_series_init(s, 60);
        stress_series_add(s, 0, 1);
        stress_series_add(s, 61, 1);
        assert_int_equal(stress_series_drift(s, &d), -ENODATA);

        StressEndurance *en = malloc(sizeof(*en));
        stress_endurance_init(en, 60);
        for (double t = 0; t < 1800; t += 1)
                stress_endurance_add(en, &(StressInterval) { .t_s = t, .p99_us = noisy(20000, 0.05), .error_rate = 0.01,
                                                             .server_rss_bytes = 1e8 + 1e4 * t });
        assert_int_equal(stress_series_drift(&en->rss, &d), 0);
        assert_true(fabs(d.slope_per_h - 3.6e7) < 1e5);
        assert_int_equal(stress_series_drift(&en->errors, &d), 0);
        assert_true(fabs(d.slope_per_h) < 1e-9 && !d.change);
        free(en);
        free(s);
}

static void test_options(void **state)
{
        StressConfig c = { .o.pattern = STRESS_BREAKPOINT };
        Error e = ERROR_NULL;
        const char *const good[][3] = {
                { "start", "200", "" }, { "step", "2m", "" }, { "slo-error-rate", "2%", "" },
                { "slo-p99", "250ms", "" }, { "slo-lateness", "0.5s", "" }, { "sustain", "1500ms", "" },
                { "repeats", "3", "" }, { "factor", "4x", "" }, { "hold", "2h", "" }, { "resolution", "0.1", "" },
        };
        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                assert_int_equal(stress_config_set(&c, good[i][0], good[i][1], &e), 0);
        assert_true(c.o.start == 200 && c.o.step_s == 120 && c.slo.error_rate == 0.02 && c.slo.p99_us == 250000);
        assert_true(c.slo.lateness_us == 500000 && c.slo.sustain_s == 1.5 && c.repeats == 3 && c.o.factor == 4);
        assert_true(c.o.hold_s == 7200 && c.resolution == 0.1);
        stress_config_finish(&c);
        StressBreakpointConfig bp;
        stress_config_breakpoint(&c, &bp);
        assert_true(bp.start == 200 && bp.increment == 200 && bp.step_s == 120 && bp.warmup_s == 24);
        assert_true(bp.slo.error_rate == 0.02 && bp.repeats == 3 && bp.max_steps == 50);

        const char *const bad[][2] = {
                { "factor", "1" }, { "factor", "5y" }, { "slo-error-rate", "120%" }, { "repeats", "1.5" },
                { "repeats", "0" }, { "step", "-3s" }, { "rate", "fast" }, { "slo-p99", "" }, { "hold", "nan" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                assert_int_equal(stress_config_set(&c, bad[i][0], bad[i][1], &e), -EINVAL);
                assert_non_null(strstr(error_message(&e), bad[i][0]));
                error_done(&e);
        }
        assert_int_equal(stress_config_set(&c, "nosuch", "1", &e), -ENOENT);
        size_t n = 0;
        while (stress_option_info(n))
                n++;
        assert_int_equal(n, 24);
        assert_int_equal(stress_config_set(&c, "interval", "250ms", &e), 0);
        assert_true(fabs(c.o.interval_s - 0.25) < 1e-12);
        const char *const bad_interval[] = { "0", "10ms", "61s", "-1", "fast" };
        for (size_t i = 0; i < ELEMENTSOF(bad_interval); i++) {
                assert_int_equal(stress_config_set(&c, "interval", bad_interval[i], &e), -EINVAL);
                assert_non_null(strstr(error_message(&e), "--interval"));
                error_done(&e);
        }
}

static int setup(void **state)
{
        stats_rng_seed(&rng, 14);
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_schedules, setup),
                cmocka_unit_test_setup(test_spike, setup),
                cmocka_unit_test(test_spike_fine),
                cmocka_unit_test_setup(test_surge, setup),
                cmocka_unit_test_setup(test_knee, setup),
                cmocka_unit_test_setup(test_breakpoint, setup),
                cmocka_unit_test_setup(test_drift, setup),
                cmocka_unit_test(test_options),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

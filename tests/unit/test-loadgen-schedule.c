/* SPDX-License-Identifier: MIT */
/* The load engine's schedule: for each shape, the intended send times that the arrival streams give
 * are counted in windows and compared with the integral of the rate over each window (exactly, to a
 * request, when evenly spaced; within the Poisson spread otherwise); the integral and its inverse
 * agree; closed-model users follow value(t); bad schedules are refused. */
#include <math.h>
#include <stdlib.h>

#include "macro.h"
#include "schedule.h"
#include "support.h"

enum { WINDOWS = 40 };

static const LoadgenStep steps[] = { { 0.5, 200 }, { 0.25, 0 }, { 0.5, 1000 }, { 0.75, 50 } };
/* A scenario's phases: ramp 100 -> 1500, hold, nothing, a falling ramp, a spike (load/run.c). */
static LoadgenPiece pieces[] = { { 0.5, 100, 1500, 0, 0 }, { 0.5, 1500, 1500, 0, 0 }, { 0.25, 0, 0, 0, 0 },
                                 { 0.5, 1000, 200, 0, 0 }, { 0.25, 3000, 3000, 0, 0 }, { 1, 300, 300, 0, 0 } };

static LoadgenSchedule shape(LoadgenShape kind, bool poisson) {
        LoadgenSchedule s = { .model = LOADGEN_OPEN, .shape = kind, .poisson = poisson };
        switch (kind) {
        case LOADGEN_CONSTANT:
                s.value = 800;
                break;
        case LOADGEN_RAMP:
                s.from = 100;
                s.to = 1500;
                s.ramp_s = 1.5;
                break;
        case LOADGEN_PIECES:
                loadgen_pieces_prepare(pieces, ELEMENTSOF(pieces));
                s.pieces = pieces;
                s.n_pieces = ELEMENTSOF(pieces);
                break;
        default:
                s.steps = steps;
                s.n_steps = ELEMENTSOF(steps);
                break;
        }
        return s;
}

/* Counts the intended times of `streams` streams in WINDOWS windows over [0, span) seconds. */
static void count_windows(const LoadgenSchedule *s, unsigned streams, double span, uint64_t *counts) {
        const uint64_t t0 = UINT64_C(1000000000);
        for (unsigned i = 0; i < streams; i++) {
                StatsRng rng;
                stats_rng_seed(&rng, 77 + i);
                LoadgenArrivals a;
                loadgen_arrivals_init(&a, s, streams, i, t0, &rng);
                uint64_t prev = 0;
                for (uint64_t t; (t = loadgen_arrivals_next(&a)) < t0 + (uint64_t) (span * 1e9);) {
                        assert_true(t >= prev);         /* in order */
                        prev = t;
                        counts[(size_t) ((double) (t - t0) / 1e9 / span * WINDOWS)]++;
                }
        }
}

static void check_rate(LoadgenShape kind, bool poisson, unsigned streams) {
        LoadgenSchedule s = shape(kind, poisson);
        assert_int_equal(loadgen_schedule_check(&s), 0);
        double span = 2.0;
        uint64_t counts[WINDOWS] = { 0 };
        count_windows(&s, streams, span, counts);
        double total = 0, want_total = loadgen_schedule_integral(&s, span);
        for (size_t w = 0; w < WINDOWS; w++) {
                double a = span * (double) w / WINDOWS, b = span * (double) (w + 1) / WINDOWS;
                double want = loadgen_schedule_integral(&s, b) - loadgen_schedule_integral(&s, a);
                /* Even spacing: each stream is off by less than one request at each window edge. Poisson:
                 * a count has the variance of its mean; five standard deviations. */
                double tol = poisson ? 5 * sqrt(want) + 1 : streams + 0.001;
                if (!(fabs((double) counts[w] - want) <= tol))
                        print_message("shape %d poisson %d streams %u window %zu: %lu vs %.2f\n", kind, poisson, streams, w, (unsigned long) counts[w], want);
                assert_true(fabs((double) counts[w] - want) <= tol);
                total += (double) counts[w];
        }
        assert_true(fabs(total - want_total) <= (poisson ? 5 * sqrt(want_total) : streams + 0.001));
}

static void test_rate_constant(void **state) {
        check_rate(LOADGEN_CONSTANT, false, 1);
        check_rate(LOADGEN_CONSTANT, false, 3);
        check_rate(LOADGEN_CONSTANT, true, 1);
        check_rate(LOADGEN_CONSTANT, true, 4);
}

static void test_rate_ramp(void **state) {
        check_rate(LOADGEN_RAMP, false, 1);
        check_rate(LOADGEN_RAMP, false, 2);
        check_rate(LOADGEN_RAMP, true, 1);
        check_rate(LOADGEN_RAMP, true, 3);
        /* A falling ramp ends at zero: no request after it. */
        LoadgenSchedule down = { .model = LOADGEN_OPEN, .shape = LOADGEN_RAMP, .from = 400, .to = 0, .ramp_s = 1 };
        StatsRng rng;
        stats_rng_seed(&rng, 1);
        LoadgenArrivals a;
        loadgen_arrivals_init(&a, &down, 1, 0, 0, &rng);
        uint64_t n = 0, last = 0;
        for (uint64_t t; (t = loadgen_arrivals_next(&a)) != UINT64_MAX; n++)
                last = t;
        assert_true(llabs((long long) n - 200) <= 1);   /* the integral: 400 * 1 / 2 */
        assert_true(last <= UINT64_C(1000000000));
}

static void test_rate_steps(void **state) {
        check_rate(LOADGEN_STEPS, false, 1);
        check_rate(LOADGEN_STEPS, false, 4);
        check_rate(LOADGEN_STEPS, true, 1);
        check_rate(LOADGEN_STEPS, true, 2);
        LoadgenSchedule s = shape(LOADGEN_STEPS, false);
        /* Nothing is due in the zero-rate step (0.5 .. 0.75 s) but the request at its start. */
        uint64_t counts[WINDOWS] = { 0 };
        count_windows(&s, 1, 2.0, counts);
        assert_true(counts[10] <= 1);
        for (size_t w = 11; w < 15; w++)
                assert_int_equal(counts[w], 0);
}

/* Pieces (what scenario phases become): rate(t) matches the integral in every window, the value is
 * each piece's line, and the last piece holds. */
static void test_rate_pieces(void **state) {
        check_rate(LOADGEN_PIECES, false, 1);
        check_rate(LOADGEN_PIECES, false, 3);
        check_rate(LOADGEN_PIECES, true, 1);
        check_rate(LOADGEN_PIECES, true, 2);
        LoadgenSchedule s = shape(LOADGEN_PIECES, false);
        assert_true(fabs(loadgen_schedule_value(&s, 0.25) - 800) < 1e-9);
        assert_true(fabs(loadgen_schedule_value(&s, 0.75) - 1500) < 1e-9);
        assert_true(loadgen_schedule_value(&s, 1.1) == 0);
        assert_true(fabs(loadgen_schedule_value(&s, 1.5) - 600) < 1e-9);
        assert_true(loadgen_schedule_value(&s, 1.8) == 3000);
        assert_true(loadgen_schedule_value(&s, 9) == 300);
        assert_true(loadgen_schedule_peak(&s) == 3000);
        /* 0.5 * 800 + 0.5 * 1500 + 0 + 0.5 * 600 + 0.25 * 3000 + 1 * 300 */
        assert_true(fabs(loadgen_schedule_integral(&s, 3.0) - 2500) < 1e-6);
        /* Unprepared pieces are refused. */
        LoadgenPiece raw[] = { { 1, 1, 1, 0, 0 }, { 1, 2, 2, 0, 0 } };
        LoadgenSchedule u = { .model = LOADGEN_OPEN, .shape = LOADGEN_PIECES, .pieces = raw, .n_pieces = 2 };
        assert_int_equal(loadgen_schedule_check(&u), -EINVAL);
        loadgen_pieces_prepare(raw, 2);
        assert_int_equal(loadgen_schedule_check(&u), 0);
}

static int by_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return (x > y) - (x < y);
}

/* The intended times of `agents` agents of `threads` threads each (all seeded alike, as agents
 * must be) over [0, span), sorted; the count in *n. */
static uint64_t *segment_times(const LoadgenSchedule *s, unsigned agents, unsigned threads, double span, size_t *n) {
        size_t cap = 1 << 16;
        uint64_t *v = malloc(cap * sizeof(uint64_t));
        assert_non_null(v);
        *n = 0;
        for (unsigned g = 0; g < agents; g++)
                for (unsigned t = 0; t < threads; t++) {
                        StatsRng rng;
                        stats_rng_seed(&rng, 4242);
                        LoadgenArrivals a;
                        loadgen_arrivals_init_segment(&a, s, threads, t, g, agents, 0, &rng);
                        for (uint64_t x; (x = loadgen_arrivals_next(&a)) < (uint64_t) (span * 1e9);) {
                                assert_true(*n < cap);
                                v[(*n)++] = x;
                        }
                }
        qsort(v, *n, sizeof(uint64_t), by_u64);
        return v;
}

/* Agents i of N together send exactly the one schedule: the union of their intended times is the
 * single agent's, time for time (evenly spaced and Poisson, over every shape). */
static void test_segments_union(void **state) {
        for (int poisson = 0; poisson <= 1; poisson++)
                for (LoadgenShape k = 0; k < _LOADGEN_SHAPE_MAX; k++) {
                        LoadgenSchedule s = shape(k, poisson);
                        size_t n1, nn;
                        _cleanup_free_ uint64_t *one = segment_times(&s, 1, 1, 2.0, &n1);
                        _cleanup_free_ uint64_t *many = segment_times(&s, 3, 2, 2.0, &nn);
                        if (n1 != nn)
                                print_message("shape %d poisson %d: %zu vs %zu arrivals\n", k, poisson, n1, nn);
                        assert_int_equal(n1, nn);
                        assert_true(n1 > 500);
                        for (size_t i = 0; i < n1; i++)
                                assert_true(llabs((long long) one[i] - (long long) many[i]) <= 1000);    /* 1 us of rounding */
                }
        /* Closed model: the users of the agents add up to the schedule's. */
        for (unsigned users = 0; users < 40; users++)
                for (unsigned agents = 1; agents <= 5; agents++) {
                        unsigned sum = 0;
                        for (unsigned g = 0; g < agents; g++)
                                sum += loadgen_segment_users(users, g, agents);
                        assert_int_equal(sum, users);
                }
        assert_int_equal(loadgen_segment_users(10, 0, 3), 4);
        assert_int_equal(loadgen_segment_users(10, 2, 3), 3);
}

static int by_value(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

/* Max gap / mean gap of the merged intended times of `streams` even streams, measured in L (the
 * integral of the rate): 1 when they interleave, `streams` when they send together. */
static double merged_gap_ratio(const LoadgenSchedule *s, unsigned streams, double span, bool in_time) {
        enum { MAX = 8192 };
        static double v[MAX];
        size_t n = 0;
        for (unsigned i = 0; i < streams; i++) {
                LoadgenArrivals a;
                loadgen_arrivals_init(&a, s, streams, i, 0, NULL);
                for (uint64_t t; n < MAX && (t = loadgen_arrivals_next(&a)) < (uint64_t) (span * 1e9);)
                        v[n++] = in_time ? (double) t / 1e9 : loadgen_schedule_integral(s, (double) t / 1e9);
        }
        assert_true(n > 100 && n < MAX);
        qsort(v, n, sizeof(*v), by_value);
        double max = 0;
        for (size_t k = 1; k < n; k++)
                max = fmax(max, v[k] - v[k - 1]);
        return max / ((v[n - 1] - v[0]) / (double) (n - 1));
}

static void test_streams_interleave(void **state) {
        LoadgenSchedule c = shape(LOADGEN_CONSTANT, false);
        for (unsigned n = 1; n <= 4; n++) {
                double r = merged_gap_ratio(&c, n, 2.0, true);
                if (!(r < 1.01))
                        print_message("constant, %u streams: max gap / mean gap %.3f\n", n, r);
                assert_true(r < 1.01);
        }
        /* Every shape: evenly spaced in L, whatever the rate does. */
        for (LoadgenShape k = 0; k < _LOADGEN_SHAPE_MAX; k++) {
                LoadgenSchedule s = shape(k, false);
                double r = merged_gap_ratio(&s, 3, 2.0, false);
                if (!(r < 1.01))
                        print_message("shape %d, 3 streams: max gap / mean gap in L %.3f\n", k, r);
                assert_true(r < 1.01);
        }
}

static void test_integral_inverse(void **state) {
        for (LoadgenShape k = 0; k < _LOADGEN_SHAPE_MAX; k++) {
                LoadgenSchedule s = shape(k, false);
                for (double t = 0.01; t < 3; t += 0.037) {
                        if (loadgen_schedule_value(&s, t) == 0)
                                continue;       /* L is flat there: its inverse is the step's start */
                        double x = loadgen_schedule_integral(&s, t);
                        assert_true(fabs(loadgen_schedule_inverse(&s, x) - t) < 1e-9);
                }
                /* The integral's slope is the value. */
                for (double t = 0.13; t < 3; t += 0.2) {
                        double h = 1e-6, slope = (loadgen_schedule_integral(&s, t + h) - loadgen_schedule_integral(&s, t - h)) / (2 * h);
                        if (!(fabs(slope - loadgen_schedule_value(&s, t)) < 1e-3 * (1 + slope)))
                                print_message("shape %d t %.3f slope %.4f value %.4f\n", k, t, slope, loadgen_schedule_value(&s, t));
                        assert_true(fabs(slope - loadgen_schedule_value(&s, t)) < 1e-3 * (1 + slope));
                }
        }
}

static void test_closed_users(void **state) {
        static const LoadgenStep users[] = { { 1, 2 }, { 1, 8 }, { 1, 4 } };
        LoadgenSchedule s = { .model = LOADGEN_CLOSED, .shape = LOADGEN_STEPS, .steps = users, .n_steps = 3 };
        assert_int_equal(loadgen_schedule_check(&s), 0);
        assert_true(loadgen_schedule_value(&s, 0.5) == 2);
        assert_true(loadgen_schedule_value(&s, 1.5) == 8);
        assert_true(loadgen_schedule_value(&s, 2.5) == 4);
        assert_true(loadgen_schedule_value(&s, 99) == 4);       /* the last one holds */
        assert_true(loadgen_schedule_peak(&s) == 8);
        LoadgenSchedule r = { .model = LOADGEN_CLOSED, .shape = LOADGEN_RAMP, .from = 10, .to = 50, .ramp_s = 4 };
        assert_true(loadgen_schedule_value(&r, 1) == 20);
        assert_true(loadgen_schedule_value(&r, 5) == 50);
        assert_true(loadgen_schedule_peak(&r) == 50);
}

static void test_check_refuses(void **state) {
        static const LoadgenStep zero[] = { { 1, 0 } }, bad[] = { { 0, 5 } };
        const LoadgenSchedule refused[] = {
                { .model = LOADGEN_OPEN, .shape = LOADGEN_CONSTANT, .value = 0 },
                { .model = LOADGEN_OPEN, .shape = LOADGEN_CONSTANT, .value = NAN },
                { .model = LOADGEN_CLOSED, .shape = LOADGEN_CONSTANT, .value = -1 },
                { .model = LOADGEN_OPEN, .shape = LOADGEN_RAMP, .from = 1, .to = 2, .ramp_s = 0 },
                { .model = LOADGEN_OPEN, .shape = LOADGEN_STEPS, .steps = zero, .n_steps = 1 },
                { .model = LOADGEN_CLOSED, .shape = LOADGEN_STEPS, .steps = bad, .n_steps = 1 },
                { .model = LOADGEN_CLOSED, .shape = LOADGEN_STEPS, .steps = NULL, .n_steps = 0 },
                { .model = LOADGEN_OPEN, .shape = _LOADGEN_SHAPE_MAX, .value = 1 },
        };
        for (size_t i = 0; i < ELEMENTSOF(refused); i++)
                assert_int_equal(loadgen_schedule_check(&refused[i]), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rate_constant),
                cmocka_unit_test(test_rate_ramp),
                cmocka_unit_test(test_rate_steps),
                cmocka_unit_test(test_rate_pieces),
                cmocka_unit_test(test_segments_union),
                cmocka_unit_test(test_streams_interleave),
                cmocka_unit_test(test_integral_inverse),
                cmocka_unit_test(test_closed_users),
                cmocka_unit_test(test_check_refuses),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

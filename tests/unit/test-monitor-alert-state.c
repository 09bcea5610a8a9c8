/* SPDX-License-Identifier: MIT */
/* monitor/alert-state: series replayed on a synthetic clock through one rule, each event checked at
 * the second it must come: pending then firing after `for`, warn to crit and back with hysteresis,
 * `hits` before a level counts, keep_firing_for, each no-data policy (keep holds the state and its
 * timers), the direction "below", and flap damping (one flapping event, silence, then settled). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alert-state.h"
#include "macro.h"
#include "support.h"

static AlertRule rule(double warn, double crit) {
        AlertRule r = { .name = "T", .direction = ALERT_ABOVE, .hits = 1, .no_data = ALERT_NODATA_KEEP };
        r.level[ALERT_LEVEL_NONE] = NAN;
        r.level[ALERT_LEVEL_WARN] = warn;
        r.level[ALERT_LEVEL_CRIT] = crit;
        return r;
}

/* Steps s through values (NAN: no data) at 1 s from t0 = 0, expecting events[i] at second i. */
static void replay(const AlertRule *r, AlertState *s, const double *values, const AlertEventKind *events, size_t n,
                   int64_t t0) {
        for (size_t i = 0; i < n; i++) {
                AlertEventKind ev = alert_state_step(r, s, t0 + 1000 * (int64_t) i, !isnan(values[i]), values[i]);
                if (ev != events[i])
                        fail_msg("second %zu (value %g): event %s, want %s (phase %s)", i, values[i], alert_event_name(ev),
                                 alert_event_name(events[i]), alert_phase_name(s->phase));
        }
}

#define N ALERT_EVENT_NONE
#define P ALERT_EVENT_PENDING
#define F ALERT_EVENT_FIRING
#define L ALERT_EVENT_LEVEL
#define R ALERT_EVENT_RESOLVED

static void test_for_and_levels(void **state) {
        AlertRule r = rule(80, 95);
        r.for_ms = 3000;
        r.clear = 5;
        AlertState s;
        alert_state_init(&s);
        /* 0..2 quiet; 3 pending; firing once 3 s have passed (second 6); 97 crit; 91 still crit
         * (hysteresis 5); 89 warn; 76 still warn; 74 resolved. */
        const double v[] = { 10, 50, 79.9, 81, 82, 83, 84, 97, 91, 89, 76, 74, 74 };
        const AlertEventKind e[] = { N, N, N, P, N, N, F, L, N, L, N, R, N };
        replay(&r, &s, v, e, ELEMENTSOF(v), 0);
        assert_int_equal(s.phase, ALERT_RESOLVED);
        assert_int_equal(s.since_ms, 11000);
        /* Pending that ends before `for` passes: back to inactive, nothing to tell. */
        const double v2[] = { 85, 85, 10, 10 };
        const AlertEventKind e2[] = { P, N, N, N };
        replay(&r, &s, v2, e2, ELEMENTSOF(v2), 20000);
        assert_int_equal(s.phase, ALERT_INACTIVE);
}

static void test_hits_and_keep_firing(void **state) {
        AlertRule r = rule(80, NAN);
        r.hits = 3;
        r.keep_firing_ms = 2000;
        AlertState s;
        alert_state_init(&s);
        /* Two hits, a miss, then three: fires on the third. Below: kept firing 2 s, then resolved; a
         * value back above inside keep_firing_for cancels the end. */
        const double v[] = { 90, 90, 10, 90, 90, 90, 10, 10, 90, 10, 10, 10, 10 };
        const AlertEventKind e[] = { N, N, N, N, N, F, N, N, N, N, N, R, N };
        replay(&r, &s, v, e, ELEMENTSOF(v), 0);
        assert_int_equal(s.level, ALERT_LEVEL_NONE);
}

static void test_no_data(void **state) {
        AlertRule r = rule(80, 95);
        r.for_ms = 2000;
        AlertState s;
        alert_state_init(&s);
        /* keep: a gap changes nothing, the pending time included (it fires when data says so). */
        const double v[] = { 90, NAN, NAN, NAN, 90, 10 };
        const AlertEventKind e[] = { P, N, N, N, F, R };
        replay(&r, &s, v, e, ELEMENTSOF(v), 0);
        /* resolve: a gap ends a firing alert. */
        r.no_data = ALERT_NODATA_RESOLVE;
        r.for_ms = 0;
        alert_state_init(&s);
        const double v2[] = { 90, NAN };
        const AlertEventKind e2[] = { F, R };
        replay(&r, &s, v2, e2, ELEMENTSOF(v2), 0);
        /* alert: a gap fires at the top level. */
        r.no_data = ALERT_NODATA_ALERT;
        alert_state_init(&s);
        const double v3[] = { 10, NAN, NAN, 10 };
        const AlertEventKind e3[] = { N, F, N, R };
        replay(&r, &s, v3, e3, ELEMENTSOF(v3), 0);
        assert_true(isnan(s.value) == false && s.value == 10);
}

static void test_below(void **state) {
        AlertRule r = rule(20, 5);
        r.direction = ALERT_BELOW;
        r.clear = 2;
        AlertState s;
        alert_state_init(&s);
        const double v[] = { 50, 19, 4, 6, 8, 21, 23 };
        const AlertEventKind e[] = { N, F, L, N, L, N, R };
        replay(&r, &s, v, e, ELEMENTSOF(v), 0);
        assert_int_equal(alert_rule_level(&r, 4.9, ALERT_LEVEL_NONE), ALERT_LEVEL_CRIT);
        assert_int_equal(alert_rule_level(&r, 6.9, ALERT_LEVEL_CRIT), ALERT_LEVEL_CRIT);
        assert_int_equal(alert_rule_level(&r, 7.1, ALERT_LEVEL_CRIT), ALERT_LEVEL_WARN);
}

static void test_flapping(void **state) {
        AlertRule r = rule(80, NAN);
        r.flap_transitions = 3;
        r.flap_window_ms = 10000;
        AlertState s;
        alert_state_init(&s);
        /* F R F, then the fourth change is one too many: flapping once, then nothing until 10 s
         * without a change: settled (in the phase it is in). */
        const double v[] = { 90, 10, 90, 10, 90, 10, 90, 90, 90, 90, 90, 90, 90, 90, 90, 90, 90, 90 };
        const AlertEventKind e[] = { F, R, F, ALERT_EVENT_FLAPPING, N, N, N, N, N, N, N, N, N, N, N, N,
                                     ALERT_EVENT_SETTLED, N };
        replay(&r, &s, v, e, ELEMENTSOF(v), 0);
        assert_int_equal(s.phase, ALERT_FIRING);
        assert_false(s.flapping);
        /* Settled: changes are told again. */
        const double v2[] = { 10 };
        const AlertEventKind e2[] = { R };
        replay(&r, &s, v2, e2, 1, 30000);
}

/* Kept in the store and read back after a "reboot": the monotonic clock restarted at 0, the wall
 * clock went on; the pending time and the flap changes mean the same. */
static void test_kept(void **state) {
        AlertRule r = rule(80, 95);
        r.for_ms = 60000;
        r.flap_transitions = 3;
        r.flap_window_ms = 600000;
        AlertState s;
        alert_state_init(&s);
        int64_t mono = 5000000, wall = INT64_C(1796342400000);
        assert_int_equal(alert_state_step(&r, &s, mono, true, 90), P);
        json_t *j = alert_state_to_json(&s, wall - mono);
        assert_non_null(j);
        /* 10 s later, the new boot's monotonic clock is at 2 s. */
        AlertState back;
        alert_state_init(&back);
        int64_t mono2 = 2000, wall2 = wall + 10000;
        assert_int_equal(alert_state_from_json(j, wall2 - mono2, mono2, &back), 0);
        json_decref(j);
        assert_int_equal(back.phase, ALERT_PENDING);
        assert_int_equal(back.level, ALERT_LEVEL_WARN);
        assert_int_equal(back.since_ms, mono2 - 10000);
        assert_true(back.value == 90);
        /* The rest of the minute: firing 50 s later on the new clock. */
        assert_int_equal(alert_state_step(&r, &back, mono2 + 49000, true, 90), N);
        assert_int_equal(alert_state_step(&r, &back, mono2 + 50000, true, 90), F);
        /* A record from a clock ahead of now is clamped to now. */
        j = alert_state_to_json(&back, 0);
        AlertState later;
        assert_int_equal(alert_state_from_json(j, -1000000, 0, &later), 0);
        assert_int_equal(later.since_ms, 0);
        assert_int_equal(later.n_changes, 1);
        json_decref(j);
        /* Firing with keep_firing_for: cleared 120 s before a reboot, restored 20 s into the new
         * boot (its monotonic time then negative), it resolves when the 600 s are over, not 600 s
         * after the restore. */
        AlertRule k = rule(80, NAN);
        k.keep_firing_ms = 600000;
        AlertState f;
        alert_state_init(&f);
        assert_int_equal(alert_state_step(&k, &f, 1000000, true, 90), F);
        assert_int_equal(alert_state_step(&k, &f, 1001000, true, 10), N); /* cleared at 1001000 */
        json_t *kf = alert_state_to_json(&f, wall - 1000000 - 1000); /* wall at mono 1001000 */
        AlertState fb;
        int64_t wall3 = wall + 120000, mono3 = 20000;
        assert_int_equal(alert_state_from_json(kf, wall3 - mono3, mono3, &fb), 0);
        json_decref(kf);
        assert_int_equal(fb.cleared_ms, mono3 - 120000);
        assert_int_equal(alert_state_step(&k, &fb, mono3 + 479000, true, 10), N);
        assert_int_equal(alert_state_step(&k, &fb, mono3 + 480000, true, 10), R);
        /* Flapping without changes, and changes out of order: not a record this machine writes. */
        static const char *const flap_bad[] = {
                "{\"phase\": \"inactive\", \"level\": \"none\", \"since\": 1, \"cleared\": -1, \"value\": null,"
                " \"flapping\": true, \"changes\": []}",
                "{\"phase\": \"inactive\", \"level\": \"none\", \"since\": 1, \"cleared\": -1, \"value\": null,"
                " \"flapping\": false, \"changes\": [5, 3]}",
        };
        for (size_t i = 0; i < ELEMENTSOF(flap_bad); i++) {
                json_t *b = json_loads(flap_bad[i], 0, NULL);
                assert_int_equal(alert_state_from_json(b, 0, 10, &fb), -EBADMSG);
                json_decref(b);
        }
        /* Records that are not one: refused, the state untouched. */
        static const char *const bad[] = {
                "[]",
                "{\"phase\": \"firing\"}",
                "{\"phase\": \"firing\", \"level\": \"none\", \"since\": 1, \"cleared\": -1, \"value\": 1,"
                " \"flapping\": false, \"changes\": []}",
                "{\"phase\": \"gone\", \"level\": \"none\", \"since\": 1, \"cleared\": -1, \"value\": 1,"
                " \"flapping\": false, \"changes\": []}",
                "{\"phase\": \"inactive\", \"level\": \"none\", \"since\": -9223372036854775807, \"cleared\": -1,"
                " \"value\": null, \"flapping\": false, \"changes\": []}",
                "{\"phase\": \"inactive\", \"level\": \"none\", \"since\": 1, \"cleared\": -1, \"value\": \"x\","
                " \"flapping\": false, \"changes\": []}",
                "{\"phase\": \"inactive\", \"level\": \"none\", \"since\": 1, \"cleared\": -1, \"value\": null,"
                " \"flapping\": false, \"changes\": [\"1\"]}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                json_t *b = json_loads(bad[i], 0, NULL);
                assert_non_null(b);
                AlertState keep = later;
                assert_int_equal(alert_state_from_json(b, 0, 0, &later), -EBADMSG);
                assert_memory_equal(&keep, &later, sizeof(later));
                json_decref(b);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_for_and_levels),
                cmocka_unit_test(test_hits_and_keep_firing),
                cmocka_unit_test(test_no_data),
                cmocka_unit_test(test_below),
                cmocka_unit_test(test_flapping),
                cmocka_unit_test(test_kept),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

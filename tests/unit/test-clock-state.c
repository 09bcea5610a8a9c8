/* SPDX-License-Identifier: MIT */
/* load/clock-state: the host clock as adjtimex(2) reports it, read through an injected source with
 * known values: offsets in microseconds or (STA_NANO) nanoseconds, STA_UNSYNC or a TIME_ERROR return
 * make the clock unsynchronized, a failing call leaves it unknown; and the document of a run
 * carries the state in client.segment.clock, with clock_offset_s only when the clock is
 * synchronized. The real adjtimex answers too (whatever this machine's clock is). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock-state.h"
#include "json-util.h"
#include "load-doc.h"
#include "run.h"
#include "support.h"

static struct timex fake;
static int fake_ret, fake_errno;

static int fake_adjtimex(struct timex *tx) {
        if (fake_ret < 0) {
                errno = fake_errno;
                return -1;
        }
        *tx = fake;
        return fake_ret;
}

static ClockState read_fake(int ret, int status, long offset, long esterror, long maxerror) {
        fake = (struct timex) { .status = status, .offset = offset, .esterror = esterror, .maxerror = maxerror };
        fake_ret = ret;
        fake_errno = EPERM;
        clock_state_set_source(fake_adjtimex);
        ClockState c;
        int r = clock_state_read(&c);
        clock_state_set_source(NULL);
        assert_int_equal(r, ret < 0 ? -EPERM : 0);
        return c;
}

static double num(const json_t *o, const char *k) {
        const json_t *v = json_object_get(o, k);
        assert_true(json_is_number(v));
        return json_number_value(v);
}

static void test_units_and_sync(void **state) {
        ClockState c = read_fake(TIME_OK, STA_PLL | STA_NANO, 2500000, 1200, 35000); /* ns; us */
        assert_true(c.known && c.synchronized);
        assert_true(fabs(c.offset_s - 0.0025) < 1e-12);
        assert_true(fabs(c.esterror_s - 0.0012) < 1e-12);
        assert_true(fabs(c.maxerror_s - 0.035) < 1e-12);
        c = read_fake(TIME_OK, STA_PLL, -200000, 100, 1000); /* microseconds */
        assert_true(c.synchronized);
        assert_true(fabs(c.offset_s + 0.2) < 1e-12);
        /* Unsynchronized: the status bit, or the return value alone. */
        c = read_fake(TIME_ERROR, STA_UNSYNC, 0, 16000000, 16000000);
        assert_true(c.known && !c.synchronized);
        assert_true(fabs(c.maxerror_s - 16) < 1e-12);
        assert_false(read_fake(TIME_OK, STA_UNSYNC, 0, 0, 0).synchronized);
        assert_false(read_fake(TIME_ERROR, 0, 0, 0, 0).synchronized);
        c = read_fake(-1, 0, 0, 0, 0);
        assert_false(c.known);
        json_t *o = clock_state_json(&c);
        assert_false(json_is_true(json_object_get(o, "synchronized")));
        assert_true(json_is_null(json_object_get(o, "offset_s")) && json_is_null(json_object_get(o, "maxerror_s")));
        json_decref(o);
}

static void test_real_adjtimex(void **state) {
        ClockState c;
        assert_int_equal(clock_state_read(&c), 0);
        assert_true(c.known);
        assert_true(fabs(c.offset_s) < 1000 && c.esterror_s >= 0 && c.maxerror_s >= 0 && c.maxerror_s <= 16.1);
}

/* The document of an (empty) run whose clock was c at the start and end. */
static json_t *doc_with(ClockState c, ClockState end) {
        static Scenario sc = { .name = "s", .interval_s = 1 };
        LoadRun run = { .scenario = &sc, .clock_start = c, .clock_end = end, .segment_count = 2 };
        assert_int_equal(loadgen_results_init(&run.total), 0);
        json_t *doc = load_doc_build(&run);
        loadgen_results_done(&run.total);
        assert_non_null(doc);
        return doc;
}

static void test_document(void **state) {
        ClockState synced = read_fake(TIME_OK, STA_PLL, 1500, 200, 8000);
        ClockState unsynced = read_fake(TIME_ERROR, STA_UNSYNC, 300000, 16000000, 16000000);
        json_t *doc = doc_with(synced, unsynced);
        const json_t *seg = json_object_get(json_object_get(doc, "client"), "segment");
        const json_t *clock = json_object_get(seg, "clock"), *end = json_object_get(clock, "end");
        assert_string_equal(jstr(clock, "source"), "adjtimex");
        assert_true(json_is_true(json_object_get(clock, "synchronized")));
        assert_true(fabs(num(clock, "offset_s") - 0.0015) < 1e-12);
        assert_true(fabs(num(clock, "esterror_s") - 0.0002) < 1e-12);
        assert_true(fabs(num(clock, "maxerror_s") - 0.008) < 1e-12);
        assert_true(fabs(num(seg, "clock_offset_s") - 0.0015) < 1e-12);
        assert_false(json_is_true(json_object_get(end, "synchronized")));
        assert_true(fabs(num(end, "maxerror_s") - 16) < 1e-12);
        json_decref(doc);
        /* Unsynchronized at the start: no offset to give. */
        doc = doc_with(unsynced, synced);
        seg = json_object_get(json_object_get(doc, "client"), "segment");
        assert_true(json_is_null(json_object_get(seg, "clock_offset_s")));
        assert_true(fabs(num(json_object_get(seg, "clock"), "offset_s") - 0.3) < 1e-12);
        json_decref(doc);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_units_and_sync),
                cmocka_unit_test(test_real_adjtimex),
                cmocka_unit_test(test_document),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

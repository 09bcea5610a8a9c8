/* SPDX-License-Identifier: MIT */
/* load/load-merge: synthetic agents' documents with known histograms. The merged p99 is the p99 of
 * one histogram of every request (not the mean of the agents'), intervals meet on the global time
 * axis, thresholds are judged again, inconsistent segments and client-bound agents make the run
 * invalid (exit 5), documents that cannot be merged are refused naming the file, and agents whose
 * clocks or starts are off by more than a tenth of the interval are warned about. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hdr-codec.h"
#include "json-util.h"
#include "load-merge.h"
#include "macro.h"
#include "support.h"

#define HIGHEST UINT64_C(3600000000)

typedef struct Part {
        uint64_t value, n;
} Part;

/* The histogram of parts (value, count) ...; also recorded into all (may be NULL). */
static Histogram *hist(const Part *p, size_t n, Histogram *all) {
        Histogram *h;
        assert_int_equal(histogram_new(HIGHEST, 3, &h), 0);
        for (size_t i = 0; i < n; i++) {
                histogram_record_n(h, p[i].value, p[i].n);
                if (all)
                        histogram_record_n(all, p[i].value, p[i].n);
        }
        return h;
}

/* A SUMMARY or INTERVAL of h (every request answered 200). */
static json_t *summary(const Histogram *h) {
        char *b64;
        assert_int_equal(hdr_encode(h, &b64), 0);
        uint64_t n = histogram_count(h);
        json_t *o = json_pack("{sIsIsIsIs{sI}s{sIsI}s{sIsIsI}s{sI}s{sI}ss}", "attempted", (json_int_t) n, "sent",
                              (json_int_t) n, "completed", (json_int_t) n, "ok", (json_int_t) n, "status", "200",
                              (json_int_t) n, "errors", "timeout", (json_int_t) 0, "not_sent", (json_int_t) 0,
                              "latency_us", "count", (json_int_t) n, "p99", (json_int_t) histogram_percentile(h, 99),
                              "max", (json_int_t) histogram_max(h), "service_us", "p99", (json_int_t) 7, "lateness_us",
                              "p99", (json_int_t) 3, "hdr", b64);
        free(b64);
        assert_non_null(o);
        return o;
}

static json_t *interval(const char *step, double start, const Histogram *h) {
        json_t *o = summary(h);
        json_object_set_new(o, "step", step ? json_string(step) : json_null());
        json_object_set_new(o, "start_s", json_real(start));
        json_object_set_new(o, "end_s", json_real(start + 1));
        json_object_set_new(o, "planned", json_real(100));
        return o;
}

/* Agent index/count that started at started, whose 2 intervals held first and second. */
static json_t *agent(int index, int count, const char *started, const Part *first, size_t n1, const Part *second,
                     size_t n2, Histogram *all) {
        Histogram *a = hist(first, n1, all), *b = hist(second, n2, all), *t = hist(first, n1, NULL);
        histogram_merge(t, b);
        json_t *iv = json_array();
        for (int k = 0; k < 2; k++) {
                json_array_append_new(iv, interval("load", k, k ? b : a));
                json_array_append_new(iv, interval(NULL, k, k ? b : a));
        }
        json_t *doc = json_pack("{sssssssfsbsns{sbsis{sisi}}s{sssfs[{ss}]}sosos[{ssso}]s[{ssso}]}", "schema",
                                "skytune.load/1", "started", started, "ended", "2026-12-03T06:00:10Z", "duration_s",
                                2.0, "interrupted", 0, "aborted_by", "client", "client_bound", 0, "threads", 1,
                                "segment", "index", index, "count", count, "config", "scenario", "s", "interval_s", 1.0,
                                "steps", "name", "load", "total", summary(t), "intervals", iv, "steps", "name", "load",
                                "summary", summary(t), "thresholds", "text", "p99 < 10ms", "step", json_null());
        assert_non_null(doc);
        json_t *st = json_array_get(json_object_get(doc, "steps"), 0);
        json_object_set_new(st, "start_s", json_real(0));
        json_object_set_new(st, "end_s", json_real(2));
        json_object_set_new(st, "endpoints", json_array());
        histogram_free(a);
        histogram_free(b);
        histogram_free(t);
        return doc;
}

/* A: 1 ms throughout (p99 1 ms); B: mostly 2 ms, 15 of 1000 at 100 ms (p99 100 ms). Together the
 * top 1 % is 15 slow and 5 at 2 ms: p99 2 ms, far below the mean of the two p99 (50.5 ms). */
static const Part fast[] = { { 1000, 500 } };
static const Part slow1[] = { { 2000, 493 }, { 100000, 7 } }, slow2[] = { { 2000, 492 }, { 100000, 8 } };

static json_t *merged(json_t *a, json_t *b, Error *e, int *ret_r) {
        LoadMergeInput in[] = { { "a.json", a }, { "b.json", b } };
        json_t *m = NULL;
        *ret_r = load_merge(in, 2, &m, e);
        json_decref(a);
        json_decref(b);
        return m;
}

static void test_p99_of_the_union(void **state) {
        Histogram *all;
        assert_int_equal(histogram_new(HIGHEST, 3, &all), 0);
        json_t *a = agent(0, 2, "2026-12-03T06:00:00Z", fast, 1, fast, 1, all);
        json_t *b = agent(1, 2, "2026-12-03T06:00:00Z", slow1, 2, slow2, 2, all);
        double p99a = (double) json_integer_value(
                json_object_get(json_object_get(json_object_get(a, "total"), "latency_us"), "p99"));
        double p99b = (double) json_integer_value(
                json_object_get(json_object_get(json_object_get(b, "total"), "latency_us"), "p99"));
        /* Requests retried after a reset on a kept connection add up. */
        json_object_set_new(json_object_get(a, "total"), "retried", json_integer(3));
        json_object_set_new(json_object_get(b, "total"), "retried", json_integer(4));
        Error e = ERROR_NULL;
        int r;
        json_t *m = merged(a, b, &e, &r);
        assert_int_equal(r, 0);
        const json_t *total = json_object_get(m, "total"), *lat = json_object_get(total, "latency_us");
        assert_int_equal(json_integer_value(json_object_get(total, "retried")), 7);
        assert_int_equal(json_integer_value(json_object_get(total, "completed")), 2000);
        assert_int_equal(json_integer_value(json_object_get(lat, "count")), 2000);
        uint64_t want = histogram_percentile(all, 99);
        assert_true(want < 2100);
        assert_true(p99b >= 100000 && p99a <= 1001);
        assert_int_equal(json_integer_value(json_object_get(lat, "p99")), want);
        assert_true(fabs((double) want - (p99a + p99b) / 2) > 40000); /* not the mean */
        /* The merged histogram is the union's, bucket for bucket. */
        Histogram *h;
        assert_int_equal(hdr_decode(jstr(total, "hdr"), &h), 0);
        for (double p = 1; p <= 100; p += 0.5) /* at bucket resolution: the decoded max is its bucket's top */
                assert_int_equal(histogram_highest_equivalent(h, histogram_percentile(h, p)),
                                 histogram_highest_equivalent(all, histogram_percentile(all, p)));
        assert_int_equal(histogram_count(h), histogram_count(all));
        histogram_free(h);
        /* The threshold holds on the merged data (B alone, and the mean, break it). */
        const json_t *t = json_array_get(json_object_get(m, "thresholds"), 0);
        assert_true(json_is_true(json_object_get(t, "passed")));
        assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "verdict"), "exit")), 0);
        /* Rates over the merged span; service percentiles the largest of the agents'. */
        assert_true(fabs(json_number_value(json_object_get(total, "completed_per_s")) - 1000) < 1e-6);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(total, "service_us"), "p99")), 7);
        assert_int_equal(json_array_size(json_object_get(json_object_get(m, "client"), "agents")), 2);
        json_decref(m);
        histogram_free(all);
        error_done(&e);
}

/* B started 1 s after A: its first interval is A's second. */
static void test_global_time_axis(void **state) {
        json_t *a = agent(0, 2, "2026-12-03T06:00:00Z", fast, 1, fast, 1, NULL);
        json_t *b = agent(1, 2, "2026-12-03T06:00:01Z", slow1, 2, slow2, 2, NULL);
        Error e = ERROR_NULL;
        int r;
        json_t *m = merged(a, b, &e, &r);
        assert_int_equal(r, 0);
        const json_t *iv = json_object_get(m, "intervals");
        assert_int_equal(json_array_size(iv), 6); /* 3 times, the step and the total */
        static const int64_t want[] = { 500, 1000, 500 };
        for (size_t k = 0; k < 3; k++) {
                const json_t *s = json_array_get(iv, 2 * k), *t = json_array_get(iv, 2 * k + 1);
                assert_string_equal(jstr(s, "step"), "load");
                assert_true(json_is_null(json_object_get(t, "step")));
                assert_int_equal(json_integer_value(json_object_get(t, "completed")), want[k]);
                assert_int_equal(json_integer_value(json_object_get(t, "index")), k);
                assert_true(fabs(json_number_value(json_object_get(t, "start_s")) - (double) k) < 1e-9);
        }
        assert_string_equal(jstr(m, "started"), "2026-12-03T06:00:00.000000Z");
        assert_true(fabs(json_number_value(json_object_get(m, "duration_s")) - 3) < 1e-9);
        json_decref(m);
        error_done(&e);
}

static int exit_of(json_t *a, json_t *b, char **ret_reason) {
        Error e = ERROR_NULL;
        int r;
        json_t *m = merged(a, b, &e, &r);
        assert_int_equal(r, 0);
        const json_t *v = json_object_get(m, "verdict");
        int code = (int) json_integer_value(json_object_get(v, "exit"));
        *ret_reason = strdup(jstr(v, "reason"));
        json_decref(m);
        error_done(&e);
        return code;
}

static void test_invalid_agents(void **state) {
        const char *t0 = "2026-12-03T06:00:00Z";
        char *why;
        assert_int_equal(
                exit_of(agent(0, 2, t0, fast, 1, fast, 1, NULL), agent(0, 2, t0, fast, 1, fast, 1, NULL), &why), 5);
        assert_non_null(strstr(why, "a.json and b.json are both segment 0/2"));
        free(why);
        assert_int_equal(
                exit_of(agent(0, 3, t0, fast, 1, fast, 1, NULL), agent(1, 3, t0, fast, 1, fast, 1, NULL), &why), 5);
        assert_non_null(strstr(why, "a.json: the agent ran segment 0/3, but 2 documents were given"));
        free(why);
        json_t *b = agent(1, 2, t0, fast, 1, fast, 1, NULL);
        json_object_set_new(json_object_get(b, "client"), "client_bound", json_true());
        assert_int_equal(exit_of(agent(0, 2, t0, fast, 1, fast, 1, NULL), b, &why), 5);
        assert_non_null(strstr(why, "b.json: the agent was client-bound"));
        free(why);
        /* A threshold broken on the merged data: exit 4. */
        json_t *a = agent(0, 2, t0, slow1, 2, slow1, 2, NULL);
        b = agent(1, 2, t0, slow2, 2, slow2, 2, NULL);
        assert_int_equal(exit_of(a, b, &why), 4);
        free(why);
}

static void refused(json_t *b, const char *want) {
        Error e = ERROR_NULL;
        int r;
        json_t *m = merged(agent(0, 2, "2026-12-03T06:00:00Z", fast, 1, fast, 1, NULL), b, &e, &r);
        assert_int_equal(r, -EINVAL);
        assert_null(m);
        if (!strstr(error_message(&e), want))
                fail_msg("error '%s' does not say '%s'", error_message(&e), want);
        error_done(&e);
}

static void test_refused(void **state) {
        const char *t0 = "2026-12-03T06:00:00Z";
        json_t *b = agent(1, 2, t0, fast, 1, fast, 1, NULL);
        json_object_del(json_object_get(b, "total"), "hdr");
        refused(b, "b.json: total: no \"hdr\" latency histogram");
        b = agent(1, 2, t0, fast, 1, fast, 1, NULL);
        json_object_set_new(json_object_get(b, "config"), "scenario", json_string("other"));
        refused(b, "b.json: other scenario than a.json");
        b = agent(1, 2, t0, fast, 1, fast, 1, NULL);
        json_object_set_new(b, "schema", json_string("skytune.profile/1"));
        refused(b, "b.json: not a skytune.load/1 document");
        b = agent(1, 2, t0, fast, 1, fast, 1, NULL);
        json_object_set_new(json_array_get(json_object_get(b, "intervals"), 1), "hdr", json_string("HISTFAAAAgarbage"));
        refused(b, "b.json: the interval at 0.000 s: \"hdr\" is not an HdrHistogram");
        b = agent(1, 2, t0, fast, 1, fast, 1, NULL);
        json_object_set_new(json_object_get(b, "total"), "sent", json_integer(-4));
        refused(b, "b.json: total: \"sent\" is not a non-negative integer");
}

/* The agent's clock at the start and the end, as client.segment.clock gives it. */
static json_t *with_clock(json_t *doc, bool synchronized, double offset_s, double maxerror_s) {
        json_t *seg = json_object_get(json_object_get(doc, "client"), "segment");
        json_t *c = json_pack("{sbsfsfsfss}", "synchronized", synchronized, "offset_s", offset_s, "esterror_s",
                              maxerror_s / 2, "maxerror_s", maxerror_s, "source", "adjtimex");
        json_object_set_new(c, "end", json_deep_copy(c));
        json_object_set_new(seg, "clock", c);
        return doc;
}

/* The merged client.clock of a and b (exit code checked unchanged: 0). */
static json_t *clock_of(json_t *a, json_t *b) {
        Error e = ERROR_NULL;
        int r;
        json_t *m = merged(a, b, &e, &r);
        assert_int_equal(r, 0);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "verdict"), "exit")), 0);
        json_t *c = json_deep_copy(json_object_get(json_object_get(m, "client"), "clock"));
        assert_non_null(c);
        json_decref(m);
        error_done(&e);
        return c;
}

static void assert_one_warning(const json_t *c, const char *kind, double value_s, const char *text) {
        const json_t *w = json_object_get(c, "warnings"), *w0 = json_array_get(w, 0);
        assert_int_equal(json_array_size(w), 1);
        assert_string_equal(jstr(w0, "file"), "b.json");
        assert_string_equal(jstr(w0, "kind"), kind);
        assert_true(fabs(json_number_value(json_object_get(w0, "value_s")) - value_s) < 1e-9);
        if (!strstr(jstr(w0, "text"), text) || strncmp(jstr(w0, "text"), "b.json: ", 8) != 0)
                fail_msg("warning '%s' does not say '%s'", jstr(w0, "text"), text);
}

/* Synchronized clocks within a tenth of the interval: no warning; a 0.2 s offset at 1 s intervals,
 * an unsynchronized clock and a start 0.3 s after the other agent's: one warning naming the file
 * and the figure, the verdict unchanged. Documents without a clock (older) give no figure. */
static void test_clock_warnings(void **state) {
        const char *t0 = "2026-12-03T06:00:00Z";
        json_t *c = clock_of(with_clock(agent(0, 2, t0, fast, 1, fast, 1, NULL), true, 0.001, 0.01),
                             with_clock(agent(1, 2, t0, fast, 1, fast, 1, NULL), true, -0.002, 0.03));
        assert_int_equal(json_array_size(json_object_get(c, "warnings")), 0);
        assert_true(fabs(json_number_value(json_object_get(c, "max_clock_error_s")) - 0.03) < 1e-9);
        assert_true(fabs(json_number_value(json_object_get(c, "limit_s")) - 0.1) < 1e-9);
        assert_true(json_number_value(json_object_get(c, "start_spread_s")) == 0);
        json_decref(c);
        c = clock_of(with_clock(agent(0, 2, t0, fast, 1, fast, 1, NULL), true, 0.001, 0.01),
                     with_clock(agent(1, 2, t0, fast, 1, fast, 1, NULL), true, 0.2, 0.05));
        assert_one_warning(c, "clock_error", 0.2, "may be off by 0.200 s, 20 % of the 1 s interval");
        assert_true(fabs(json_number_value(json_object_get(c, "max_clock_error_s")) - 0.2) < 1e-9);
        json_decref(c);
        c = clock_of(with_clock(agent(0, 2, t0, fast, 1, fast, 1, NULL), true, 0.001, 0.01),
                     with_clock(agent(1, 2, t0, fast, 1, fast, 1, NULL), false, 0, 16));
        assert_one_warning(c, "unsynchronized", 16, "not synchronized (adjtimex: maximum error 16.000 s)");
        assert_non_null(strstr(jstr(json_array_get(json_object_get(c, "warnings"), 0), "text"), "run chrony or NTP"));
        json_decref(c);
        json_t *b = agent(1, 2, "2026-12-03T06:00:00.1Z", fast, 1, fast, 1, NULL);
        json_object_set_new(json_object_get(json_object_get(b, "client"), "segment"), "start_skew_s", json_real(0.2));
        c = clock_of(agent(0, 2, t0, fast, 1, fast, 1, NULL), b);
        assert_one_warning(c, "start", 0.3, "started 0.300 s after the earliest one, 30 % of the 1 s interval");
        assert_true(fabs(json_number_value(json_object_get(c, "start_spread_s")) - 0.3) < 1e-9);
        assert_true(json_is_null(json_object_get(c, "max_clock_error_s")));
        json_decref(c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_p99_of_the_union),
                cmocka_unit_test(test_global_time_axis),
                cmocka_unit_test(test_invalid_agents),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_clock_warnings),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* monitor/api*: the JSON API's bodies over a real store and ring. Times (unix ms, ISO, now, -SPAN)
 * and steps parse or are refused; a range aligns to its step and its default step keeps <= 1500
 * buckets; /query's buckets are the store's (sealed chunks, the rollups when aligned, the log) plus
 * the ring's unflushed samples, merged into the store's last bucket when they share it, the same as
 * the store's own query over everything once flushed; bad arguments are refused naming the argument;
 * /current keeps the latest tick's values; /series lists the store's and the ring's names. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api-args.h"
#include "api.h"
#include "support.h"

#define T0 INT64_C(1796342400000) /* 2026-12-04T00:00:00Z */

static void test_times(void **state) {
        static const struct {
                const char *text;
                int64_t want; /* -1: refused */
        } cases[] = {
                { "now", T0 },
                { "-24h", T0 - 86400000 },
                { "-90s", T0 - 90000 },
                { "-1w", T0 - 7 * 86400000 },
                { "1796342400000", T0 },
                { "0", 0 },
                { "2026-12-04T00:00:00Z", T0 },
                { "2026-12-04T00:00:00.250Z", T0 + 250 },
                { "-0h", -1 },
                { "-", -1 },
                { "-1y", -1 },
                { "+1h", -1 },
                { "1796342400000000000", -1 },
                { "2026-12-04 00:00:00", -1 },
                { "1969-12-31T23:59:59Z", -1 },
                { "", -1 },
                { "now ", -1 },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                int64_t t = -1;
                int r = api_parse_time(cases[i].text, T0, &t);
                if (cases[i].want < 0 ? r != -EINVAL : r != 0 || t != cases[i].want)
                        fail_msg("'%s': %d %lld, want %lld", cases[i].text, r, (long long) t,
                                 (long long) cases[i].want);
        }
        static const struct {
                const char *text;
                int64_t want;
        } steps[] = { { "1s", 1000 },     { "10s", 10000 }, { "1m", 60000 }, { "1h", 3600000 }, { "250", 250 },
                      { "1d", 86400000 }, { "0", -1 },      { "1w", -1 },    { "", -1 },        { "-1s", -1 },
                      { "1.5s", -1 },     { "367d", -1 },   { "1x", -1 } };
        for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
                int64_t s = -1;
                int r = api_parse_step(steps[i].text, &s);
                if (steps[i].want < 0 ? r != -EINVAL : r != 0 || s != steps[i].want)
                        fail_msg("step '%s': %d %lld", steps[i].text, r, (long long) s);
        }
}

static HttpRequest *request(const char *query) {
        HttpRequest *r = NULL;
        assert_int_equal(http_request_new(false, &r), 0);
        assert_int_equal(http_request_parse_query(r, query), 0);
        return r;
}

/* The refusal of query by f names key; NULL key: it is accepted. */
typedef int (*RouteFn)(const ApiSource *s, HttpRequest *r, char **ret, size_t *ret_len);
static json_t *answer(RouteFn f, const ApiSource *s, const char *query, const char *refused_key) {
        HttpRequest *r = request(query);
        char *body = NULL;
        size_t len = 0;
        int k = f(s, r, &body, &len);
        const char *key = NULL;
        const char *why = http_request_refusal(r, &key, NULL);
        json_t *doc = NULL;
        if (refused_key) {
                if (k != -EINVAL || !why || !key || strcmp(key, refused_key) != 0)
                        fail_msg("'%s': %d, refused %s (%s), want %s", query, k, key, why, refused_key);
        } else {
                if (k != 0)
                        fail_msg("'%s': %d %s %s", query, k, key, why);
                assert_int_equal(strlen(body), len);
                assert_int_equal(body[len - 1], '\n');
                json_error_t e;
                doc = json_loads(body, 0, &e);
                if (!doc)
                        fail_msg("'%s': not JSON: %s: %.200s", query, e.text, body);
        }
        free(body);
        http_request_free(r);
        return doc;
}

static void test_range(void **state) {
        ApiRange g;
        HttpRequest *r = request("from=1796342400500&to=1796342461000&step=1m");
        assert_int_equal(api_range(r, T0, 100000, &g), 0);
        assert_int_equal(g.from, T0);
        assert_int_equal(g.to, T0 + 120000);
        assert_int_equal(g.step, 60000);
        assert_int_equal(g.buckets, 2);
        http_request_free(r);
        static const struct {
                const char *from;
                int64_t step;
        } defaults[] = { { "-10m", 1000 },  { "-25m", 1000 },   { "-26m", 60000 },
                         { "-24h", 60000 }, { "-2d", 3600000 }, { "-70d", 86400000 } };
        for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
                char q[64];
                snprintf(q, sizeof(q), "from=%s", defaults[i].from);
                r = request(q);
                assert_int_equal(api_range(r, T0, INT64_MAX, &g), 0);
                if (g.step != defaults[i].step)
                        fail_msg("%s: step %lld", q, (long long) g.step);
                http_request_free(r);
        }
        static const char *const bad[][2] = {
                { "from=now&to=-1h", "from" }, { "from=soon", "from" },        { "to=x", "to" },
                { "step=1w", "step" },         { "from=-2d&step=1s", "step" }, { "step=1s&step=1m", "step" }
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                r = request(bad[i][0]);
                const char *key = NULL;
                if (api_range(r, T0, 100000, &g) != -EINVAL || !http_request_refusal(r, &key, NULL) ||
                    strcmp(key, bad[i][1]) != 0)
                        fail_msg("'%s' not refused as %s", bad[i][0], bad[i][1]);
                http_request_free(r);
        }
}

struct fixture {
        char *dir, path[512];
        struct tsdb *t;
        MonitorRing *ring;
        ApiSource src;
};

/* Two hours of 1 s samples of "a.x" (scale 2) and "a.y" (count, scale 0) from T0: the first hour
 * sealed, the second in the log, the last 30 s in the ring; "b.z" only in the ring. */
static int setup(void **state) {
        struct fixture *f = calloc(1, sizeof(*f));
        f->dir = test_tmpdir();
        snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
        assert_int_equal(tsdb_open(f->path, &f->t, NULL), 0);
        assert_int_equal(ring_new(f->t, 100, 4000, &f->ring), 0);
        for (int64_t s = 0; s < 7200; s++) {
                int64_t t = T0 + s * 1000;
                assert_int_equal(ring_add(f->ring, "a.x", "percent", t, 10 + (double) (s % 7) * 0.25), 0);
                assert_int_equal(ring_add(f->ring, "a.y", "count", t, (double) (s % 3)), 0);
                if (s % 600 == 599 && s < 7170)
                        assert_int_equal(ring_flush(f->ring), 0);
                if (s == 3600)
                        assert_int_equal(tsdb_seal(f->t, T0 + 3600000, NULL), 0);
        }
        assert_int_equal(ring_add(f->ring, "b.z", "bytes", T0 + 7199000, 42), 0);
        f->src = (ApiSource) {
                .ring = f->ring, .store = f->t, .now_ms = T0 + 7200000, .tick_ms = T0 + 7199000, .stale_ms = 7000
        };
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;
        ring_free(f->ring);
        tsdb_close(f->t);
        test_rm_rf(f->dir);
        free(f->dir);
        free(f);
        return 0;
}

/* The buckets of series in doc against the store's own query once everything is flushed. */
static void same_as_store(struct fixture *f, const json_t *doc, const char *name, int scale, int64_t id) {
        int64_t from = json_integer_value(json_object_get(doc, "from")),
                to = json_integer_value(json_object_get(doc, "to")),
                step = json_integer_value(json_object_get(doc, "step"));
        json_t *series = json_object_get(doc, "series"), *s, *points = NULL;
        size_t i;
        json_array_foreach(series, i, s)
                if (strcmp(json_string_value(json_object_get(s, "name")), name) == 0)
                        points = json_object_get(s, "points");
        assert_non_null(points);
        struct tsdb_bucket *b;
        size_t n;
        assert_int_equal(tsdb_query_array(f->t, id, from, to, step, 0, &b, &n), 0);
        assert_int_equal(json_array_size(points), n);
        double unit = pow(10, scale);
        for (i = 0; i < n; i++) {
                json_t *p = json_array_get(points, i);
                assert_int_equal(json_integer_value(json_array_get(p, 0)), b[i].t);
                assert_true(fabs(json_number_value(json_array_get(p, 1)) - (double) b[i].min / unit) < 1e-9);
                assert_true(fabs(json_number_value(json_array_get(p, 2)) - b[i].avg / unit) < 0.01 / unit);
                assert_true(fabs(json_number_value(json_array_get(p, 3)) - (double) b[i].max / unit) < 1e-9);
                assert_int_equal(json_integer_value(json_array_get(p, 4)), b[i].count);
        }
        free(b);
}

static void test_query(void **state) {
        struct fixture *f = *state;
        static const char *const queries[] = {
                "series=a.x&series=a.y&from=1796342400000&to=1796349600000&step=1m", /* r1m, log, ring */
                "series=a.x&series=a.y&from=1796342400000&to=1796349600000&step=1h", /* r1h */
                "series=a.x&series=a.y&from=-10m&step=7s",                           /* chunks, ring */
                "prefix=a.&from=-2h&step=10s",
        };
        json_t *docs[4];
        for (size_t i = 0; i < 4; i++) {
                docs[i] = answer(api_query, &f->src, queries[i], NULL);
                assert_string_equal(json_string_value(json_object_get(docs[i], "schema")), "skytune.monitor-range/1");
                assert_int_equal(json_array_size(json_object_get(docs[i], "series")), 2);
        }
        /* The last minute holds ring samples merged into the store's bucket. */
        json_t *x =
                json_array_get(json_object_get(json_array_get(json_object_get(docs[0], "series"), 0), "points"), 119);
        assert_int_equal(json_integer_value(json_array_get(x, 0)), T0 + 119 * 60000);
        assert_int_equal(json_integer_value(json_array_get(x, 4)), 60);
        assert_int_equal(ring_flush(f->ring), 0);
        int64_t idx, idy;
        int sx, sy;
        assert_int_equal(tsdb_series_find(f->t, "a.x", &idx, &sx), 0);
        assert_int_equal(tsdb_series_find(f->t, "a.y", &idy, &sy), 0);
        assert_int_equal(sx, 2);
        assert_int_equal(sy, 0);
        for (size_t i = 0; i < 4; i++) {
                same_as_store(f, docs[i], "a.x", sx, idx);
                same_as_store(f, docs[i], "a.y", sy, idy);
                json_decref(docs[i]);
        }
}

static void test_query_refused(void **state) {
        struct fixture *f = *state;
        static const char *const bad[][2] = {
                { "", "series" },
                { "series=nope", "series" },
                { "series=a.x&prefix=a", "prefix" },
                { "prefix=zz", "prefix" },
                { "series=a.x&from=-3d&step=1s", "step" },
                { "series=a.x&series=a.y&from=-2d&step=1s", "step" },
                { "series=a.x&setp=1s", "setp" },
                { "series=a.x&from=yesterday", "from" },
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                answer(api_query, &f->src, bad[i][0], bad[i][1]);
        /* 32 series at most: 33 names are refused, whatever they are. */
        char q[33 * 16] = "";
        for (int i = 0; i < 33; i++)
                strcat(q, i % 2 ? "series=a.x&" : "series=a.y&");
        json_t *doc = answer(api_query, &f->src, q, NULL); /* the same two, given again */
        json_decref(doc);
}

static void test_current_series(void **state) {
        struct fixture *f = *state;
        json_t *doc = answer(api_current, &f->src, "", NULL);
        json_t *v = json_object_get(doc, "values");
        assert_int_equal(json_integer_value(json_object_get(doc, "t")), T0 + 7199000);
        assert_true(fabs(json_number_value(json_object_get(v, "a.x")) - (10 + (7199 % 7) * 0.25)) < 1e-9);
        assert_int_equal(json_number_value(json_object_get(v, "b.z")), 42);
        json_decref(doc);
        doc = answer(api_current, &f->src, "prefix=b.", NULL);
        assert_int_equal(json_object_size(json_object_get(doc, "values")), 1);
        json_decref(doc);
        answer(api_current, &f->src, "prefix=a&prefix=b", "prefix");
        answer(api_current, &f->src, "series=a.x", "series");
        /* Stale: a tick far after the samples shows none. */
        ApiSource later = f->src;
        later.tick_ms += 60000;
        doc = answer(api_current, &later, "", NULL);
        assert_int_equal(json_object_size(json_object_get(doc, "values")), 0);
        json_decref(doc);

        doc = answer(api_series, &f->src, "", NULL);
        json_t *list = json_object_get(doc, "series");
        assert_int_equal(json_array_size(list), 3);
        assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "name")), "a.x");
        assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "scale")), 2);
        assert_string_equal(json_string_value(json_object_get(json_array_get(list, 2), "name")), "b.z");
        assert_string_equal(json_string_value(json_object_get(json_array_get(list, 2), "unit")), "bytes");
        json_decref(doc);
}

/* A name of a host's bytes that are not UTF-8 (a cgroup's) is listed escaped, never a 500. */
static void test_foreign_bytes(void **state) {
        struct fixture *f = *state;
        assert_int_equal(ring_add(f->ring, "cgroups.bad\xff.memory_bytes", "bytes", T0 + 7199000, 5), 0);
        json_t *doc = answer(api_current, &f->src, "prefix=cgroups.", NULL);
        assert_int_equal(
                json_number_value(json_object_get(json_object_get(doc, "values"), "cgroups.bad\\xff.memory_bytes")), 5);
        json_decref(doc);
        doc = answer(api_series, &f->src, "", NULL);
        assert_int_equal(json_array_size(json_object_get(doc, "series")), 4);
        json_decref(doc);
        doc = answer(api_query, &f->src, "prefix=cgroups.&from=-10s", NULL);
        json_t *s = json_array_get(json_object_get(doc, "series"), 0);
        assert_string_equal(json_string_value(json_object_get(s, "name")), "cgroups.bad\\xff.memory_bytes");
        assert_int_equal(json_array_size(json_object_get(s, "points")), 1);
        json_decref(doc);
        /* Negative values, written by hand: exact min and max, the mean to two more digits. */
        assert_int_equal(ring_add(f->ring, "n.neg", "percent", T0 + 7140000, -1.25), 0);
        assert_int_equal(ring_add(f->ring, "n.neg", "percent", T0 + 7141000, -0.05), 0);
        HttpRequest *r = request("series=n.neg&from=-2h&step=1m");
        char *body = NULL;
        size_t len;
        assert_int_equal(api_query(&f->src, r, &body, &len), 0);
        if (!strstr(body, "\"points\":[[1796349540000,-1.25,-0.65,-0.05,2]]"))
                fail_msg("%s", body);
        free(body);
        http_request_free(r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_times),
                cmocka_unit_test(test_range),
                cmocka_unit_test_setup_teardown(test_query, setup, teardown),
                cmocka_unit_test_setup_teardown(test_query_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_current_series, setup, teardown),
                cmocka_unit_test_setup_teardown(test_foreign_bytes, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

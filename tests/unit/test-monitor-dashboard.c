/* SPDX-License-Identifier: MIT */
/* monitor/dashboard-*.c: the dashboard's document over a real store. Patterns match as the panels
 * need (a star for one or more characters, an endpoint's dots included); the step follows the
 * store's tiers and a range aligns to it, with room past now when served live; each panel lists
 * the store's series it draws, in its patterns' order, and a panel without any says what is
 * missing; points are the store's buckets in the series' unit; the kept alert state and the events
 * of the range come along; transactions outside the range are left out and a verified one is
 * labelled with its decision and primary verdict; the renderer draws the document. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-state.h"
#include "dashboard-doc.h"
#include "render-dashboard.h"
#include "support.h"

#define T0 INT64_C(1796342400000) /* 2026-12-04T00:00:00Z */

static void test_match(void **state) {
        (void) state;
        assert_true(dashboard_match("cpu.utilization_pct", "cpu.utilization_pct"));
        assert_false(dashboard_match("cpu.utilization_pct", "cpu.utilization_pct2"));
        assert_true(dashboard_match("app.*.requests_per_s", "app.api.users.GET.requests_per_s"));
        assert_false(dashboard_match("app.*.requests_per_s", "app..requests_per_s"));
        assert_false(dashboard_match("app.*.requests_per_s", "app.x.errors_pct"));
        assert_true(dashboard_match("disk.devices.*.util_pct", "disk.devices.vda.util_pct"));
        assert_false(dashboard_match("disk.devices.*.util_pct", "disk.devices.util_pct"));
}

static void test_steps_and_ranges(void **state) {
        (void) state;
        assert_int_equal(dashboard_step(5 * TSDB_MINUTE_MS), 1000);
        assert_int_equal(dashboard_step(15 * TSDB_MINUTE_MS), 1000);
        assert_int_equal(dashboard_step(15 * TSDB_MINUTE_MS + 1000), TSDB_MINUTE_MS);
        assert_int_equal(dashboard_step(2 * TSDB_DAY_MS), TSDB_MINUTE_MS);
        assert_int_equal(dashboard_step(7 * TSDB_DAY_MS), TSDB_HOUR_MS);
        DashboardRange r;
        assert_int_equal(dashboard_range(TSDB_HOUR_MS, T0 + 90500, T0, &r), 0);
        assert_int_equal(r.to_ms, T0 + 120000); /* up to the next minute */
        assert_int_equal(r.from_ms, T0 + 120000 - TSDB_HOUR_MS);
        assert_int_equal(r.step_ms, TSDB_MINUTE_MS);
        assert_int_equal(dashboard_range(0, T0, T0, &r), -EINVAL);
        /* Served: 5 min reaches 25 s past now, 15 min 75 s; 1 h (1 min steps, not live) does not reach
         * past it, nor 6 h. */
        assert_int_equal(dashboard_range_served(5 * TSDB_MINUTE_MS, T0, &r), 0);
        assert_int_equal(r.to_ms, T0 + 25000);
        assert_int_equal(dashboard_range_served(15 * TSDB_MINUTE_MS, T0, &r), 0);
        assert_int_equal(r.to_ms, T0 + 75000);
        assert_int_equal(dashboard_range_served(TSDB_HOUR_MS, T0, &r), 0);
        assert_int_equal(r.to_ms, T0);
        assert_int_equal(dashboard_range_served(6 * TSDB_HOUR_MS, T0 + 1, &r), 0);
        assert_int_equal(r.to_ms, T0 + TSDB_MINUTE_MS);
        int64_t ms;
        assert_int_equal(dashboard_span("30d", &ms), 0);
        assert_int_equal(ms, 30 * TSDB_DAY_MS);
        assert_int_equal(dashboard_span("3m", &ms), -EINVAL);
        assert_int_equal(dashboard_span(NULL, &ms), -EINVAL);
}

static const json_t *panel(const json_t *doc, const char *id) {
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(doc, "panels"), i, p)
                if (strcmp(json_string_value(json_object_get(p, "id")), id) == 0)
                        return p;
        fail_msg("no panel %s", id);
        return NULL;
}

static void add_series(struct tsdb *t, const char *name, int scale, int64_t every_ms, int64_t v0) {
        int64_t id;
        struct store_point p[120];
        assert_int_equal(tsdb_series(t, name, scale, &id), 0);
        for (int i = 0; i < 120; i++)
                p[i] = (struct store_point) { T0 + i * every_ms, v0 + i };
        assert_int_equal(tsdb_append_chunk(t, id, p, 120), 0);
}

static void test_doc(void **state) {
        (void) state;
        char *dir = test_tmpdir(), path[512];
        snprintf(path, sizeof(path), "%s/store.db", dir);
        struct tsdb *t;
        assert_int_equal(tsdb_open(path, &t, NULL), 0);
        add_series(t, "cpu.utilization_pct", 2, 1000, 1000);
        add_series(t, "cpu.iowait_pct", 2, 1000, 0);
        add_series(t, "app.api.users.GET.latency_p99_ms", 3, 1000, 50000);
        add_series(t, "app.api.users.GET.latency_p50_ms", 3, 1000, 20000);
        add_series(t, "memory.available_bytes", 0, 1000, 1 << 20);
        const struct tsdb_event ev = { T0 + 30000, "cpu_busy", "firing", "warn", 91 };
        assert_int_equal(tsdb_event_add(t, &ev), 0);
        const struct tsdb_event old = { T0 - TSDB_HOUR_MS, "cpu_busy", "resolved", "warn", NAN };
        assert_int_equal(tsdb_event_add(t, &old), 0);
        AlertState s;
        alert_state_init(&s);
        s.phase = ALERT_FIRING, s.level = ALERT_LEVEL_WARN, s.since_ms = T0 + 30000, s.value = 91;
        json_t *j = alert_state_to_json(&s, 0);
        char *text = json_dumps(j, JSON_COMPACT);
        assert_int_equal(tsdb_state_put(t, "alert/cpu_busy", text), 0);
        free(text);
        json_decref(j);

        DashboardRange r;
        assert_int_equal(dashboard_range(2 * TSDB_MINUTE_MS, T0 + 2 * TSDB_MINUTE_MS, T0 + 3 * TSDB_MINUTE_MS, &r), 0);
        json_t *doc;
        assert_int_equal(dashboard_doc_build(t, &r, "h", &doc), 0);
        assert_string_equal(json_string_value(json_object_get(doc, "schema")), "skytune.dashboard/1");
        assert_int_equal(json_integer_value(json_object_get(doc, "step_ms")), 1000);
        /* The panel's order: the patterns', not the names'. */
        const json_t *cpu = json_object_get(panel(doc, "cpu"), "series");
        assert_int_equal(json_array_size(cpu), 2);
        assert_string_equal(json_string_value(json_array_get(cpu, 0)), "cpu.utilization_pct");
        assert_string_equal(json_string_value(json_array_get(cpu, 1)), "cpu.iowait_pct");
        const json_t *lat = json_object_get(panel(doc, "app-latency"), "series");
        assert_string_equal(json_string_value(json_array_get(lat, 0)), "app.api.users.GET.latency_p50_ms");
        assert_int_equal(json_array_size(json_object_get(panel(doc, "db"), "series")), 0);
        assert_non_null(strstr(json_string_value(json_object_get(panel(doc, "db"), "missing")), "no database"));
        /* Points in the unit: the 120 s of cpu.utilization_pct, 10.00 + i / 100. */
        const json_t *first = json_array_get(json_object_get(doc, "series"), 0);
        assert_string_equal(json_string_value(json_object_get(first, "name")), "cpu.utilization_pct");
        const json_t *pts = json_object_get(first, "points");
        assert_int_equal(json_array_size(pts), 120);
        const json_t *p = json_array_get(pts, 7);
        assert_int_equal(json_integer_value(json_array_get(p, 0)), T0 + 7000);
        assert_float_equal(json_number_value(json_array_get(p, 2)), 10.07, 1e-9);
        assert_int_equal(json_integer_value(json_array_get(p, 4)), 1);
        /* The alert and the event of the range only. */
        const json_t *a = json_array_get(json_object_get(doc, "alerts"), 0);
        assert_string_equal(json_string_value(json_object_get(a, "state")), "firing");
        assert_int_equal(json_integer_value(json_object_get(a, "since_ms")), T0 + 30000);
        assert_int_equal(json_array_size(json_object_get(doc, "alert_events")), 1);

        json_t *txl = json_loads(
                "{\"schema\":\"skytune.txlist/1\",\"transactions\":["
                "{\"id\":\"a\",\"state\":\"applied\",\"created\":\"2026-12-04T00:01:00.000000Z\",\"changes\":2},"
                "{\"id\":\"b\",\"state\":\"applied\",\"created\":\"2026-12-04T00:01:30.000000Z\",\"changes\":1,"
                "\"verification\":{\"decision\":\"kept\",\"metrics\":[{\"primary\":false,\"verdict\":\"regressed\"},"
                "{\"primary\":true,\"verdict\":\"improved\"}]}},"
                "{\"id\":\"c\",\"state\":\"rolled-back\",\"created\":\"2026-12-03T00:00:00.000000Z\"},"
                "{\"id\":\"d\",\"created\":\"not a time\"}]}",
                0, NULL);
        assert_non_null(txl);
        assert_int_equal(dashboard_doc_transactions(doc, txl, NULL), 0);
        const json_t *txs = json_object_get(doc, "transactions");
        assert_int_equal(json_array_size(txs), 2);
        assert_string_equal(json_string_value(json_object_get(json_array_get(txs, 0), "verdict")), "applied");
        assert_int_equal(json_integer_value(json_object_get(json_array_get(txs, 0), "t_ms")), T0 + 60000);
        assert_string_equal(json_string_value(json_object_get(json_array_get(txs, 1), "verdict")), "kept: improved");
        json_decref(txl);

        /* Drawn: every panel, the marker with its verdict, the missing panel's words. */
        char *html = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&html, &len);
        Error e = ERROR_NULL;
        assert_int_equal(render_dashboard_html(f, doc, &e), 0);
        fclose(f);
        assert_non_null(strstr(html, "id=\"panel-cpu-per-cpu\""));
        assert_non_null(strstr(html, ">kept: improved</text>"));
        assert_non_null(strstr(html, "no database configured"));
        assert_non_null(strstr(html, "connect-src 'none'"));
        assert_non_null(strstr(html, "; an offline file</p>"));
        assert_non_null(strstr(html, "<meta name=\"referrer\" content=\"no-referrer\">"));
        assert_null(strstr(html, "<a href=\"/dashboard"));
        free(html);
        /* Served: links to the ranges, its own origin allowed, live with the room to refresh in. */
        assert_int_equal(dashboard_doc_served(doc, "http://127.0.0.1:9677"), 0);
        assert_true(json_is_true(json_object_get(doc, "live")));
        /* Fetched again once a span (at least a minute), slid by the room in between. */
        assert_int_equal(json_integer_value(json_object_get(doc, "refresh_ms")), 2 * TSDB_MINUTE_MS);
        assert_int_equal(json_integer_value(json_object_get(doc, "slide_ms")), 10000);
        f = open_memstream(&html, &len);
        assert_int_equal(render_dashboard_html(f, doc, &e), 0);
        fclose(f);
        assert_non_null(strstr(html, "connect-src 'self'"));
        assert_non_null(strstr(html, "served by <span id=\"served-on\">http://127.0.0.1:9677</span>"));
        assert_non_null(strstr(html, "<a href=\"/dashboard?range=5m\">5m</a>"));
        free(html);
        error_done(&e);
        json_decref(doc);
        tsdb_close(t);
        test_rm_rf(dir);
        free(dir);
}

/* The page from a document's text: 0 and the page, or the error. */
static int render_text(const char *text, char **html) {
        json_t *doc = json_loads(text, 0, NULL);
        assert_non_null(doc);
        size_t len = 0;
        FILE *f = open_memstream(html, &len);
        Error e = ERROR_NULL;
        int r = render_dashboard_html(f, doc, &e);
        fclose(f);
        error_done(&e);
        json_decref(doc);
        return r;
}

/* A range of no whole step, or one whose span overflows, is refused before a grid is made; a panel
 * id is written escaped wherever it lands (the section's and the chart's id). */
static void test_render_refuses(void **state) {
        (void) state;
        static const char *const bad[] = {
                "{\"schema\":\"skytune.dashboard/1\",\"from_ms\":0,\"to_ms\":1000,\"step_ms\":60000}",
                "{\"schema\":\"skytune.dashboard/1\",\"from_ms\":-9000000000000000000,"
                "\"to_ms\":9000000000000000000,\"step_ms\":60000}",
                "{\"schema\":\"skytune.dashboard/1\",\"from_ms\":-60000,\"to_ms\":60000,\"step_ms\":60000}",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
                char *html = NULL;
                assert_int_equal(render_text(bad[i], &html), -EINVAL);
                free(html);
        }
        char *html = NULL;
        assert_int_equal(render_text("{\"schema\":\"skytune.dashboard/1\",\"from_ms\":0,\"to_ms\":60000,"
                                     "\"step_ms\":1000,\"panels\":[{\"id\":\"c\\\"pu><img src=x>\","
                                     "\"series\":[\"a\"]}],\"series\":[{\"name\":\"a\",\"points\":[[0,1,1,1,1]]}]}",
                                     &html),
                         0);
        assert_null(strstr(html, "<img"));
        assert_non_null(strstr(html, "<svg id=\"chart-c&quot;pu&gt;&lt;img src=x&gt;\""));
        free(html);
}

/* Eight lines: the eighth has the first one's colour, and so another dash. */
static void test_render_styles(void **state) {
        (void) state;
        char doc[2048] =
                "{\"schema\":\"skytune.dashboard/1\",\"from_ms\":0,\"to_ms\":60000,\"step_ms\":1000,"
                "\"panels\":[{\"id\":\"p\",\"series\":[\"a0\",\"a1\",\"a2\",\"a3\",\"a4\",\"a5\",\"a6\",\"a7\"]}],"
                "\"series\":[";
        for (int k = 0; k < 8; k++)
                snprintf(doc + strlen(doc), sizeof(doc) - strlen(doc), "%s{\"name\":\"a%d\",\"points\":[[0,1,1,1,1]]}",
                         k ? "," : "", k);
        strcat(doc, "]}");
        char *html = NULL;
        assert_int_equal(render_text(doc, &html), 0);
        assert_non_null(strstr(html,
                               "class=\"line l0\" fill=\"none\" stroke-width=\"1.5\" stroke=\"#1f77b4\" "
                               "stroke-dasharray=\"none\""));
        assert_non_null(strstr(html,
                               "class=\"line l7\" fill=\"none\" stroke-width=\"1.5\" stroke=\"#1f77b4\" "
                               "stroke-dasharray=\"7 3\""));
        free(html);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_match),         cmocka_unit_test(test_steps_and_ranges),
                cmocka_unit_test(test_doc),           cmocka_unit_test(test_render_refuses),
                cmocka_unit_test(test_render_styles),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* monitor's database metrics without a server: the series of two snapshots fed as JSON (gauges from
 * one, rates from their deltas over their spacing, none at the first snapshot, none negative across
 * a pg_stat_reset, cache hits over the interval's blocks), the `database` section of monitor.conf
 * (the DSN from a 0600 file beside it or in $CREDENTIALS_DIRECTORY, the interval's bounds, mistakes
 * at file:line, a 0644 file refused), and alert rules that name db.* series. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alert-rule.h"
#include "db-figures.h"
#include "monitor-config.h"
#include "profiler.h"
#include "support.h"

#include "monitor-conf-fixture.h" /* after support.h */

typedef struct Points {
        char names[32][48];
        double values[32];
        size_t n;
} Points;

static int collect(void *userdata, const char *name, const char *unit, double value) {
        Points *p = userdata;
        assert_true(p->n < 32);
        snprintf(p->names[p->n], sizeof(p->names[0]), "%s", name);
        p->values[p->n++] = value;
        return 0;
}

/* The value of name among the points, NAN when absent. */
static double point(const Points *p, const char *name) {
        for (size_t i = 0; i < p->n; i++)
                if (strcmp(p->names[i], name) == 0)
                        return p->values[i];
        return NAN;
}

static json_t *snap(const char *text) {
        json_error_t err;
        json_t *o = json_loads(text, 0, &err);
        if (!o)
                fail_msg("bad test JSON: %s", err.text);
        return o;
}

#define BASE                                                                                          \
        "\"numbackends\": 5, \"max_connections\": 100, \"stats_reset\": \"2026-12-01 00:00:00+00\", " \
        "\"longest_xact_s\": 1.5, \"longest_lock_wait_s\": 0, \"replication_lag_s\": null, "

static void test_rates(void **state) {
        json_t *a = snap("{" BASE "\"mono_s\": 100.0, \"xact_commit\": 1000, \"xact_rollback\": 10, \"blks_hit\": 900,"
                         " \"blks_read\": 100, \"deadlocks\": 0, \"temp_bytes\": 0, \"tup_inserted\": 50}");
        json_t *b = snap("{" BASE "\"mono_s\": 110.0, \"xact_commit\": 1500, \"xact_rollback\": 20, \"blks_hit\": 1890,"
                         " \"blks_read\": 110, \"deadlocks\": 1, \"temp_bytes\": 10240, \"tup_inserted\": 50}");
        Points p = {};
        /* The first snapshot: gauges only. */
        assert_int_equal(db_figures_emit(NULL, a, collect, &p), 0);
        assert_true(point(&p, "db.connections") == 5);
        assert_true(point(&p, "db.connections_max_pct") == 5);
        assert_true(point(&p, "db.longest_xact_s") == 1.5);
        assert_true(point(&p, "db.longest_lock_wait_s") == 0);
        assert_true(isnan(point(&p, "db.replication_lag_s"))); /* neither primary with standbys nor standby */
        assert_true(isnan(point(&p, "db.xact_commit_per_s")));
        assert_true(isnan(point(&p, "db.cache_hit_pct")));
        /* Ten seconds later: rates over the ten seconds, cache hits over the interval's blocks only. */
        p = (Points) {};
        assert_int_equal(db_figures_emit(a, b, collect, &p), 0);
        assert_true(point(&p, "db.xact_commit_per_s") == 50);
        assert_true(point(&p, "db.xact_rollback_per_s") == 1);
        assert_true(point(&p, "db.deadlocks_per_s") == 0.1);
        assert_true(point(&p, "db.temp_bytes_per_s") == 1024);
        assert_true(point(&p, "db.tup_inserted_per_s") == 0);
        assert_true(fabs(point(&p, "db.cache_hit_pct") - 99) < 1e-9); /* 990 of 1000 blocks */
        assert_true(isnan(point(&p, "db.tup_updated_per_s")));        /* not in the snapshots */
        json_decref(a);
        json_decref(b);
}

static void test_resets(void **state) {
        json_t *a = snap("{" BASE "\"mono_s\": 100.0, \"xact_commit\": 1000, \"blks_hit\": 900, \"blks_read\": 100}");
        /* pg_stat_reset(): counters back near 0 and a new stats_reset. */
        json_t *b = snap("{\"mono_s\": 110.0, \"numbackends\": 5, \"stats_reset\": \"2026-12-06 23:00:00+00\","
                         " \"xact_commit\": 3, \"blks_hit\": 1, \"blks_read\": 0}");
        Points p = {};
        assert_int_equal(db_figures_emit(a, b, collect, &p), 0);
        assert_true(isnan(point(&p, "db.xact_commit_per_s")));
        assert_true(isnan(point(&p, "db.cache_hit_pct")));
        assert_true(point(&p, "db.connections") == 5);
        /* The same stats_reset but one counter lower (a single counter reset): no rate for it alone. */
        json_t *c = snap("{" BASE "\"mono_s\": 120.0, \"xact_commit\": 900, \"blks_hit\": 1000, \"blks_read\": 100}");
        p = (Points) {};
        assert_int_equal(db_figures_emit(a, c, collect, &p), 0);
        assert_true(isnan(point(&p, "db.xact_commit_per_s")));
        assert_true(point(&p, "db.cache_hit_pct") == 100);
        /* No time between them, or an idle interval (no blocks): no rates, no hit ratio. */
        p = (Points) {};
        assert_int_equal(db_figures_emit(a, a, collect, &p), 0);
        assert_true(isnan(point(&p, "db.xact_commit_per_s")) && isnan(point(&p, "db.cache_hit_pct")));
        for (size_t i = 0; i < p.n; i++)
                assert_true(p.values[i] >= 0);
        json_decref(a);
        json_decref(b);
        json_decref(c);
}

static void dsn_file(const char *dir, const char *name, mode_t mode) {
        test_write_mode(dir, name, "host=db.example.org user=mon password=s3cret\n", mode);
}

static void assert_refused(const char *dir, const char *text, const char *want) {
        MonitorConfig c = {};
        char *msg = monitor_conf_error(dir, text, &c);
        if (!msg || !strstr(msg, want))
                fail_msg("want '%s' in: %s", want, msg ? msg : "(accepted)");
        free(msg);
        monitor_config_done(&c);
}

static void test_config(void **state) {
        char *dir = test_tmpdir();
        MonitorConfig c = {};
        assert_null(monitor_conf_error(dir, "interval = 1;\n", &c));
        assert_null(c.db.dsn);
        assert_int_equal(c.db.interval_ms, 10000);
        dsn_file(dir, "monitor-db", 0600);
        assert_null(monitor_conf_error(dir, "database = { dsn_file = \"monitor-db\"; };\n", &c));
        assert_string_equal(c.db.dsn, "host=db.example.org user=mon password=s3cret");
        assert_int_equal(c.db.interval_ms, 10000);
        assert_null(monitor_conf_error(dir, "database = { dsn_file = \"monitor-db\"; interval = \"1m\"; };\n", &c));
        assert_int_equal(c.db.interval_ms, 60000);
        /* $CREDENTIALS_DIRECTORY comes first for a relative name. */
        char *creds = test_tmpdir();
        test_write(creds, "monitor-db", "host=/run/postgresql\n");
        char p[4096];
        snprintf(p, sizeof(p), "%s/monitor-db", creds);
        assert_int_equal(chmod(p, 0400), 0);
        setenv("CREDENTIALS_DIRECTORY", creds, 1);
        assert_null(monitor_conf_error(dir, "database = { dsn_file = \"monitor-db\"; };\n", &c));
        assert_string_equal(c.db.dsn, "host=/run/postgresql");
        unsetenv("CREDENTIALS_DIRECTORY");
        monitor_config_done(&c);

        dsn_file(dir, "open-db", 0644);
        assert_refused(dir, "\n\ndatabase = { dsn_file = \"open-db\"; };",
                       "monitor.conf:3: 'dsn_file': the secret file");
        assert_refused(dir, "database = { dsn_file = \"open-db\"; };", "has mode 0644, so others may read it");
        assert_refused(dir, "database = {\n interval = \"10s\"; };", "monitor.conf:1: 'database' needs 'dsn_file'");
        assert_refused(dir, "database = { dsn_file = \"monitor-db\";\n interval = \"500ms\"; };",
                       "monitor.conf:2: 'interval' must be a period from 1 s to 3600 s");
        assert_refused(dir, "database = { dsn_file = \"monitor-db\"; interval = \"2h\"; };", "from 1 s to 3600 s");
        assert_refused(dir, "database = { dsn_file = \"monitor-db\";\n dsn = \"x\"; };", "monitor.conf:2: unknown");
        assert_refused(dir, "database = \"host=x\";", "'database' must be a group");
        assert_refused(dir, "database = { dsn_file = \"nope\"; };", "cannot read the secret file");
        free(creds);
        free(dir);
}

static void test_alert_rules(void **state) {
        MetricCatalog catalog = {};
        assert_int_equal(profiler_metric_catalog(&catalog), 0);
        char *dir = test_tmpdir();
        test_write(dir, "db.conf",
                   "rules = ( { name = \"DbDown\"; expr = \"monitor.db.up\"; direction = \"below\"; warn = 0.5; },\n"
                   "  { name = \"DbLag\"; expr = \"db.replication_lag_s + db.longest_xact_s\"; warn = 30; } );\n");
        char p[4096];
        snprintf(p, sizeof(p), "%s/db.conf", dir);
        AlertRules rules = {};
        Error e = ERROR_NULL;
        assert_int_equal(alert_rules_load_file(p, &catalog, &rules, &e), 0);
        assert_int_equal(rules.n, 2);
        alert_rules_done(&rules);
        /* A db.* name the monitor does not keep is refused as any unknown series. */
        test_write(dir, "db.conf", "rules = ( { name = \"X\"; expr = \"db.nonsense_per_s\"; warn = 1; } );\n");
        assert_int_equal(alert_rules_load_file(p, &catalog, &rules, &e), -EINVAL);
        char *msg = error_format(&e);
        assert_non_null(strstr(msg, "'db.nonsense_per_s' is no series the monitor keeps"));
        free(msg);
        error_done(&e);
        assert_true(db_figures_is_series("db.tup_deleted_per_s") && db_figures_is_series("db.cache_hit_pct"));
        assert_false(db_figures_is_series("db.") || db_figures_is_series("monitor.db.down"));
        alert_rules_done(&rules);
        metric_catalog_done(&catalog);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rates),
                cmocka_unit_test(test_resets),
                cmocka_unit_test(test_config),
                cmocka_unit_test(test_alert_rules),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

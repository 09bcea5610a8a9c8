/* SPDX-License-Identifier: MIT */
/* store/tsdb-events: alert events come back in time order within [from, to), of one alert or all,
 * a value without data as NaN; pruning drops the old ones and all but the newest; bad text is
 * refused; a store written before the table reads as having none, and the writer adds it. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "tsdb.h"

static int collect(const struct tsdb_event *ev, void *userdata) {
        char *acc = userdata;
        char line[128];
        snprintf(line, sizeof(line), "%lld %s %s %s %s;", (long long) ev->t_ms, ev->name, ev->event, ev->level,
                 isnan(ev->value) ? "nan" : "v");
        strcat(acc, line);
        return 0;
}

static void add(struct tsdb *t, int64_t ms, const char *name, const char *event, double v) {
        struct tsdb_event e = { ms, name, event, "warn", v };
        assert_int_equal(tsdb_event_add(t, &e), 0);
}

static void test_events(void **state) {
        char *dir = test_tmpdir(), path[512];
        snprintf(path, sizeof(path), "%s/store.db", dir);
        struct tsdb *t;
        assert_int_equal(tsdb_open(path, &t, NULL), 0);
        add(t, 3000, "A", "resolved", 1);
        add(t, 1000, "A", "firing", 2);
        add(t, 2000, "B", "firing", NAN);
        char acc[1024] = "";
        assert_int_equal(tsdb_event_each(t, 0, INT64_MAX, NULL, collect, acc), 0);
        assert_string_equal(acc, "1000 A firing warn v;2000 B firing warn nan;3000 A resolved warn v;");
        acc[0] = '\0';
        assert_int_equal(tsdb_event_each(t, 1000, 3000, "A", collect, acc), 0);
        assert_string_equal(acc, "1000 A firing warn v;");
        acc[0] = '\0';
        assert_int_equal(tsdb_event_newest(t, 0, INT64_MAX, NULL, 2, collect, acc), 0);
        assert_string_equal(acc, "2000 B firing warn nan;3000 A resolved warn v;");
        acc[0] = '\0';
        assert_int_equal(tsdb_event_newest(t, 0, 3000, "A", 0, collect, acc), 0);
        assert_string_equal(acc, "");
        struct tsdb_event bad = { 1, "", "firing", "warn", 0 };
        assert_int_equal(tsdb_event_add(t, &bad), -EINVAL);
        /* A reader beside the writer. */
        struct tsdb *rd;
        assert_int_equal(tsdb_open_reader(path, &rd), 0);
        acc[0] = '\0';
        assert_int_equal(tsdb_event_each(rd, 0, INT64_MAX, "B", collect, acc), 0);
        assert_string_equal(acc, "2000 B firing warn nan;");
        tsdb_close(rd);
        /* Older than 1500, then all but the newest one (by insertion). */
        int64_t dropped = -1;
        assert_int_equal(tsdb_event_prune(t, 1500, 100, &dropped), 0);
        assert_int_equal(dropped, 1);
        for (int i = 0; i < 5; i++)
                add(t, 4000 + i, "C", "firing", i);
        assert_int_equal(tsdb_event_prune(t, 0, 2, &dropped), 0);
        assert_int_equal(dropped, 5);
        acc[0] = '\0';
        assert_int_equal(tsdb_event_each(t, 0, INT64_MAX, NULL, collect, acc), 0);
        assert_string_equal(acc, "4003 C firing warn v;4004 C firing warn v;");
        tsdb_close(t);

        /* Written before the table: none to read; the writer makes it. */
        sqlite3 *db;
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, "DROP TABLE events; PRAGMA journal_mode = DELETE;", NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(db);
        assert_int_equal(tsdb_open_reader(path, &rd), 0);
        acc[0] = '\0';
        assert_int_equal(tsdb_event_each(rd, 0, INT64_MAX, NULL, collect, acc), 0);
        assert_string_equal(acc, "");
        tsdb_close(rd);
        assert_int_equal(tsdb_open(path, &t, NULL), 0);
        add(t, 5000, "D", "firing", 1);
        tsdb_close(t);
        test_rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_events),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* store/tsdb-state: named records put, replaced, read, listed by prefix in key order and removed; a
 * reader sees them beside the writer; a store written before the table existed reads as having
 * none; keys out of bounds are refused. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "tsdb.h"

static int collect(const char *key, const char *value, void *userdata) {
        char *acc = userdata;
        size_t n = strlen(acc);
        snprintf(acc + n, 512 - n, "%s=%s;", key, value);
        return strcmp(value, "stop") == 0 ? -ECANCELED : 0;
}

static void test_records(void **state) {
        char *dir = test_tmpdir(), path[512];
        snprintf(path, sizeof(path), "%s/store.db", dir);
        struct tsdb *t, *rd;
        assert_int_equal(tsdb_open(path, &t, NULL), 0);
        assert_int_equal(tsdb_state_put(t, "alert/B", "{\"phase\": 1}"), 0);
        assert_int_equal(tsdb_state_put(t, "alert/A", "one"), 0);
        assert_int_equal(tsdb_state_put(t, "alert/A", "two"), 0); /* replaced */
        assert_int_equal(tsdb_state_put(t, "other", "x"), 0);
        char *v = NULL;
        assert_int_equal(tsdb_state_get(t, "alert/A", &v), 0);
        assert_string_equal(v, "two");
        free(v);
        assert_int_equal(tsdb_state_get(t, "alert/C", &v), -ENOENT);
        char acc[512] = "";
        assert_int_equal(tsdb_state_each(t, "alert/", collect, acc), 0);
        assert_string_equal(acc, "alert/A=two;alert/B={\"phase\": 1};");
        /* A reader beside the writer sees them. */
        assert_int_equal(tsdb_open_reader(path, &rd), 0);
        assert_int_equal(tsdb_state_get(rd, "other", &v), 0);
        assert_string_equal(v, "x");
        free(v);
        tsdb_close(rd);
        assert_int_equal(tsdb_state_del(t, "alert/A"), 0);
        assert_int_equal(tsdb_state_del(t, "alert/A"), 0); /* gone already: fine */
        acc[0] = '\0';
        assert_int_equal(tsdb_state_put(t, "alert/D", "stop"), 0);
        assert_int_equal(tsdb_state_each(t, "alert/", collect, acc), -ECANCELED);
        assert_string_equal(acc, "alert/B={\"phase\": 1};alert/D=stop;");
        char key[300];
        memset(key, 'k', sizeof(key) - 1);
        key[sizeof(key) - 1] = '\0';
        assert_int_equal(tsdb_state_put(t, key, "x"), -EINVAL);
        assert_int_equal(tsdb_state_put(t, "", "x"), -EINVAL);
        assert_int_equal(tsdb_state_get(t, "", &v), -EINVAL);
        tsdb_close(t);
        test_rm_rf(dir);
        free(dir);
}

/* A store made before the table: the reader finds no records; the writer adds the table. */
static void test_older_store(void **state) {
        char *dir = test_tmpdir(), path[512];
        snprintf(path, sizeof(path), "%s/store.db", dir);
        struct tsdb *t;
        assert_int_equal(tsdb_open(path, &t, NULL), 0);
        tsdb_close(t);
        sqlite3 *db;
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, "DROP TABLE state; PRAGMA journal_mode = DELETE;", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
        assert_int_equal(tsdb_open_reader(path, &t), 0);
        char *v = NULL, acc[512] = "";
        assert_int_equal(tsdb_state_get(t, "alert/A", &v), -ENOENT);
        assert_int_equal(tsdb_state_each(t, "alert/", collect, acc), 0);
        tsdb_close(t);
        assert_int_equal(tsdb_open(path, &t, NULL), 0);
        assert_int_equal(tsdb_state_put(t, "alert/A", "back"), 0);
        tsdb_close(t);
        test_rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_records),
                cmocka_unit_test(test_older_store),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* The benchmark history (store/bench-history*.c): a run goes in and comes out the same (samples,
 * nulls, gates, repetition times, fingerprint), the newest runs are found per suite, retention by
 * age and count deletes what it says (never a baseline's run), baselines are set, accepted over the
 * one before and listed, a file that is not a history is moved aside (kept) and one
 * from a newer skytune is refused and left alone; one from an older skytune (user_version 1, no
 * histograms) is read as it is and brought forward when opened to write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench-fixture.h"
#include "bench-history.h"
#include "schema.h"
#include "support.h"

static json_t *run_doc(const char *suite, int64_t started_us, double base) {
        return json_pack("{s:s, s:s, s:I, s:I, s:s, s:{s:{s:s}, s:{s:s}}, s:[{s:s, s:s, s:s, s:[I, I, I], s:["
                         "{s:s, s:s, s:b, s:{s:f, s:f}, s:[f, n, f]}, {s:s, s:s, s:b, s:[f, f, f]}]}]}",
                         "suite", suite, "suite_digest", "00112233aabbccdd", "started_us", (json_int_t) started_us,
                         "finished_us", (json_int_t) started_us + 5, "skytune_version", "0.1.0", "fingerprint", "hard",
                         "cpu_model", "X", "soft", "thp", "madvise", "benchmarks", "name", "sleep", "kind", "command",
                         "config_digest", "feedfeedfeedfeed", "repetition_started_us", (json_int_t) 1, (json_int_t) 2,
                         (json_int_t) 3, "metrics", "name", "wall_s", "unit", "s", "higher_is_better", 0, "gate",
                         "max_regression", 0.05, "alpha", 0.01, "samples", base, base + 2, "name", "rps", "unit",
                         "req/s", "higher_is_better", 1, "samples", 1.0, 2.0, 3.0);
}

static void test_round_trip(void **state) {
        char *path = bench_fixture_path("rt.db");
        BenchHistory *h = NULL;
        char *moved = NULL;
        assert_int_equal(bench_history_open(path, &h, &moved), 0);
        assert_null(moved);
        json_t *in = run_doc("s1", 1000, 0.5);
        /* Histograms per repetition: the second kept none. */
        json_object_set_new(json_array_get(json_object_get(in, "benchmarks"), 0), "histograms",
                            json_pack("[{s:s}, n, {s:s, s:s}]", "latency_us", "HISTFAAAAB", "a", "x", "b", "y"));
        json_object_set_new(in, "transactions",
                            json_pack("[{s:s, s:s, s:s, s:[s]}]", "id", "20261127T060803-842781-5b8cd4", "state",
                                      "applied", "applied", "2026-11-27T06:08:03Z", "tunables", "vm.swappiness=10"));
        int64_t id = 0;
        assert_int_equal(bench_history_add(h, in, &id, NULL), 0);
        assert_true(id > 0);
        json_t *out = NULL;
        assert_int_equal(bench_history_get(h, id, &out), 0);
        json_object_set_new(in, "id", json_integer(id));
        json_object_set_new(in, "schema", json_string(BENCH_RUN_SCHEMA));
        if (!json_equal(in, out)) {
                char *a = json_dumps(in, JSON_SORT_KEYS), *b = json_dumps(out, JSON_SORT_KEYS);
                fail_msg("in:  %s\nout: %s", a, b);
        }
        json_decref(in);
        json_decref(out);
        out = NULL;
        assert_int_equal(bench_history_get(h, id + 1, &out), -ENOENT);
        assert_null(out);
        json_t *bad = json_pack("{s:s}", "suite", "x");
        assert_int_equal(bench_history_add(h, bad, &id, NULL), -EINVAL);
        json_decref(bad);
        bench_history_close(h);
        free(path);
}

/* A metric without one sample per repetition is refused and nothing of the run is kept: import
 * would refuse its export. */
static void test_samples_per_repetition(void **state) {
        char *path = bench_fixture_path("mismatch.db");
        BenchHistory *h = NULL;
        assert_int_equal(bench_history_open(path, &h, NULL), 0);
        json_t *in = run_doc("s1", 1000, 0.5);
        json_t *m = json_array_get(json_object_get(json_array_get(json_object_get(in, "benchmarks"), 0), "metrics"), 1);
        json_array_append_new(json_object_get(m, "samples"), json_real(4.0));
        int64_t id = 0, ids[1];
        size_t n = 1;
        Error e = ERROR_NULL;
        assert_int_equal(bench_history_add(h, in, &id, &e), -EINVAL);
        assert_non_null(strstr(error_message(&e), "benchmark sleep, metric rps: 4 samples for 3 repetitions"));
        error_done(&e);
        assert_int_equal(bench_history_last(h, NULL, 1, ids, &n), 0);
        assert_int_equal(n, 0);
        json_array_remove(json_object_get(m, "samples"), 3);
        assert_int_equal(bench_history_add(h, in, &id, &e), 0);
        assert_false(error_is_set(&e));
        json_decref(in);
        bench_history_close(h);
        free(path);
}

static void test_last_and_prune(void **state) {
        char *path = bench_fixture_path("prune.db");
        BenchHistory *h = NULL;
        assert_int_equal(bench_history_open(path, &h, NULL), 0);
        int64_t ids[8], id;
        for (int i = 0; i < 5; i++) {
                json_t *d = run_doc(i % 2 ? "odd" : "even", 1000 * (i + 1), i);
                assert_int_equal(bench_history_add(h, d, &id, NULL), 0);
                json_decref(d);
        }
        size_t n;
        assert_int_equal(bench_history_last(h, "even", 8, ids, &n), 0);
        assert_int_equal(n, 3); /* runs at 1000, 3000, 5000: newest first */
        assert_true(ids[0] > ids[1] && ids[1] > ids[2]);
        assert_int_equal(bench_history_last(h, NULL, 2, ids, &n), 0);
        assert_int_equal(n, 2);
        unsigned deleted = 0;
        assert_int_equal(bench_history_prune(h, "even", 2000, 0, &deleted), 0);
        assert_int_equal(deleted, 1); /* the one at 1000 */
        assert_int_equal(bench_history_prune(h, "even", 0, 1, &deleted), 0);
        assert_int_equal(deleted, 1); /* 3000 goes, 5000 stays */
        assert_int_equal(bench_history_last(h, "even", 8, ids, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(bench_history_last(h, "odd", 8, ids, &n), 0);
        assert_int_equal(n, 2);
        bench_history_close(h);
        free(path);
}

/* The window of bench trends: the newest max runs since a time, oldest first, and whether older
 * ones in the window were left out. */
static void test_window(void **state) {
        char *path = bench_fixture_path("window.db");
        BenchHistory *h = NULL;
        assert_int_equal(bench_history_open(path, &h, NULL), 0);
        for (int i = 1; i <= 5; i++) {
                json_t *d = run_doc("w", 1000 * i, i);
                assert_int_equal(bench_history_add(h, d, NULL, NULL), 0);
                json_decref(d);
        }
        json_t *other = run_doc("other", 9000, 1);
        assert_int_equal(bench_history_add(h, other, NULL, NULL), 0);
        json_decref(other);
        static const struct {
                int64_t since;
                size_t max, n;
                bool capped;
                int64_t first;
        } cases[] = { { 0, 3, 3, true, 3000 },
                      { 3000, 3, 3, false, 3000 },
                      { 0, 10, 5, false, 1000 },
                      { 2500, 2, 2, true, 4000 } };
        for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
                json_t *runs = json_array();
                bool capped = !cases[c].capped;
                assert_int_equal(bench_history_window(h, "w", cases[c].since, cases[c].max, runs, &capped), 0);
                assert_int_equal(json_array_size(runs), cases[c].n);
                assert_true(capped == cases[c].capped);
                assert_int_equal(json_integer_value(json_object_get(json_array_get(runs, 0), "started_us")),
                                 cases[c].first);
                assert_int_equal(
                        json_integer_value(json_object_get(json_array_get(runs, cases[c].n - 1), "started_us")), 5000);
                json_decref(runs);
        }
        bench_history_close(h);
        free(path);
}

static void test_baselines(void **state) {
        char *path = bench_fixture_path("baseline.db");
        BenchHistory *h = NULL;
        assert_int_equal(bench_history_open(path, &h, NULL), 0);
        int64_t ids[4], got;
        for (int i = 0; i < 4; i++) {
                json_t *d = run_doc("s", 1000 * (i + 1), i);
                assert_int_equal(bench_history_add(h, d, &ids[i], NULL), 0);
                json_decref(d);
        }
        assert_int_equal(bench_history_baseline_get(h, "s", "main", &got), -ENOENT);
        assert_int_equal(bench_history_baseline_set(h, "main", 999, false, 1), -ENOENT);
        assert_int_equal(bench_history_baseline_set(h, "main", ids[0], false, 1), 0);
        assert_int_equal(bench_history_baseline_get(h, "s", "main", &got), 0);
        assert_int_equal(got, ids[0]);
        assert_int_equal(bench_history_baseline_set(h, "main", ids[2], true, 2), 0);
        assert_int_equal(bench_history_baseline_get(h, "s", "main", &got), 0);
        assert_int_equal(got, ids[2]);
        assert_int_equal(bench_history_baseline_set(h, "old", ids[0], false, 3), 0);
        json_t *list = NULL;
        assert_int_equal(bench_history_baselines(h, &list), 0);
        assert_int_equal(json_array_size(list), 2);
        const json_t *main_b = json_array_get(list, 0); /* by name: main, old */
        assert_true(json_is_true(json_object_get(main_b, "accepted")));
        assert_int_equal(json_integer_value(json_object_get(main_b, "previous")), ids[0]);
        json_decref(list);
        /* Retention keeping one run spares the baselines' runs: 1 and 3 stay beside the newest, 4. */
        unsigned deleted = 0;
        assert_int_equal(bench_history_prune(h, "s", 0, 1, &deleted), 0);
        assert_int_equal(deleted, 1);
        size_t n;
        assert_int_equal(bench_history_last(h, "s", 4, ids, &n), 0);
        assert_int_equal(n, 3);
        bench_history_close(h);
        free(path);
}

static void test_foreign_moved_newer_refused(void **state) {
        char *path = bench_fixture_path("foreign.db");
        test_write(bench_dir, "foreign.db",
                   "SQLite format 3 - no: this is not a database, just text that starts like one....");
        BenchHistory *h = NULL;
        char *moved = NULL;
        assert_int_equal(bench_history_open(path, &h, &moved), 0);
        assert_non_null(moved);
        struct stat st;
        assert_int_equal(stat(moved, &st), 0); /* kept, not deleted */
        bench_history_close(h);
        free(moved);
        char *cmd;
        assert_true(asprintf(&cmd, "sqlite3 '%s' 'PRAGMA user_version = %d' 2>/dev/null", path,
                             BENCH_HISTORY_USER_VERSION + 1) > 0);
        assert_int_equal(system(cmd), 0); /* sqlite3(1): scripts/install-deps.sh --test */
        assert_int_equal(bench_history_open(path, &h, &moved), -EPROTO);
        assert_null(moved);
        free(cmd);
        char *missing = bench_fixture_path("none.db");
        assert_int_equal(bench_history_open_reader(missing, &h), -ENOENT);
        free(missing);
        free(path);
}

static int sqlite_cli(const char *path, const char *sql) {
        char *cmd;
        assert_true(asprintf(&cmd, "sqlite3 '%s' '%s' 2>/dev/null", path, sql) > 0);
        int r = system(cmd); /* sqlite3(1): scripts/install-deps.sh --test */
        free(cmd);
        return r;
}

static void test_older_version(void **state) {
        char *path = bench_fixture_path("v1.db");
        BenchHistory *h = NULL;
        int64_t id;
        assert_int_equal(bench_history_open(path, &h, NULL), 0);
        json_t *in = run_doc("s1", 1000, 0.5);
        assert_int_equal(bench_history_add(h, in, &id, NULL), 0);
        bench_history_close(h);
        /* What a user_version 1 file is: no histogram table, no transactions column. */
        assert_int_equal(sqlite_cli(path,
                                    "DROP TABLE histogram; ALTER TABLE run DROP COLUMN transactions;"
                                    " PRAGMA user_version = 1;"),
                         0);
        json_t *out = NULL;
        assert_int_equal(bench_history_open_reader(path, &h), 0);
        assert_int_equal(bench_history_get(h, id, &out), 0);
        assert_null(json_object_get(json_array_get(json_object_get(out, "benchmarks"), 0), "histograms"));
        json_decref(out);
        bench_history_close(h);
        /* Another writer migrates it first, holding its transaction while we open: we wait for it
         * and find the file already brought forward (not "table exists", not moved aside). */
        char *cmd;
        assert_true(asprintf(&cmd,
                             "python3 -c 'import sqlite3, time; c = sqlite3.connect(\"%s\", isolation_level=None); "
                             "c.execute(\"BEGIN IMMEDIATE\"); c.execute(\"CREATE TABLE histogram(run INTEGER, bench "
                             "INTEGER, idx INTEGER, name TEXT, data TEXT)\"); c.execute(\"PRAGMA user_version = 2\"); "
                             "open(\"%s.held\", \"w\").close(); time.sleep(1); c.execute(\"COMMIT\")' &",
                             path, path) > 0);
        assert_int_equal(system(cmd), 0);
        free(cmd);
        char *held = NULL;
        assert_true(asprintf(&held, "%s.held", path) > 0);
        for (int i = 0; i < 100 && access(held, F_OK) != 0; i++)
                usleep(50000);
        free(held);
        char *moved = NULL;
        assert_int_equal(bench_history_open(path, &h, &moved), 0);
        assert_null(moved); /* brought forward, not moved aside */
        json_object_set_new(json_array_get(json_object_get(in, "benchmarks"), 0), "histograms",
                            json_pack("[n, n, {s:s}]", "latency_us", "HISTFAAAAC"));
        int64_t id2;
        assert_int_equal(bench_history_add(h, in, &id2, NULL), 0);
        assert_int_equal(bench_history_get(h, id, &out), 0);
        assert_int_equal(
                json_array_size(json_object_get(json_array_get(json_object_get(out, "benchmarks"), 0), "histograms")),
                3);
        json_decref(out);
        assert_int_equal(bench_history_get(h, id2, &out), 0);
        assert_string_equal(
                json_string_value(json_object_get(
                        json_array_get(
                                json_object_get(json_array_get(json_object_get(out, "benchmarks"), 0), "histograms"),
                                2),
                        "latency_us")),
                "HISTFAAAAC");
        json_decref(out);
        /* A histogram of a repetition that is not there, or not a string: refused. */
        json_object_set_new(json_array_get(json_object_get(in, "benchmarks"), 0), "histograms",
                            json_pack("[n, n, n, {s:s}]", "x", "y"));
        assert_int_equal(bench_history_add(h, in, &id2, NULL), -EINVAL);
        json_object_set_new(json_array_get(json_object_get(in, "benchmarks"), 0), "histograms",
                            json_pack("[{s:i}]", "x", 1));
        assert_int_equal(bench_history_add(h, in, &id2, NULL), -EINVAL);
        bench_history_close(h);
        json_decref(in);
        free(path);
}

static json_t *get_transactions(BenchHistory *h, int64_t id) {
        json_t *out = NULL;
        assert_int_equal(bench_history_get(h, id, &out), 0);
        json_t *txs = json_incref(json_object_get(out, "transactions"));
        json_decref(out);
        assert_non_null(txs);
        return txs;
}

/* The active transactions (version 3): a list, [] (none) and null (unknown) stay apart; a version 2
 * file reads its runs as unknown, as it is and after it was brought forward. */
static void test_transactions(void **state) {
        char *path = bench_fixture_path("v2.db");
        BenchHistory *h = NULL;
        int64_t id_none, id_unknown, id_old, id_new;
        json_t *in = run_doc("s1", 1000, 0.5), *txs;
        assert_int_equal(bench_history_open(path, &h, NULL), 0);
        assert_int_equal(bench_history_add(h, in, &id_old, NULL), 0);
        bench_history_close(h);
        assert_int_equal(sqlite_cli(path, "ALTER TABLE run DROP COLUMN transactions; PRAGMA user_version = 2;"), 0);
        assert_int_equal(bench_history_open_reader(path, &h), 0);
        txs = get_transactions(h, id_old);
        assert_true(json_is_null(txs));
        json_decref(txs);
        bench_history_close(h);
        assert_int_equal(bench_history_open(path, &h, NULL), 0); /* brought forward */
        json_object_set_new(in, "transactions", json_array());
        assert_int_equal(bench_history_add(h, in, &id_none, NULL), 0);
        json_object_set_new(in, "transactions", json_null());
        assert_int_equal(bench_history_add(h, in, &id_unknown, NULL), 0);
        json_object_set_new(in, "transactions", json_pack("[{s:s}]", "id", "tx-1"));
        assert_int_equal(bench_history_add(h, in, &id_new, NULL), 0);
        txs = get_transactions(h, id_old);
        assert_true(json_is_null(txs));
        json_decref(txs);
        txs = get_transactions(h, id_none);
        assert_true(json_is_array(txs) && json_array_size(txs) == 0);
        json_decref(txs);
        txs = get_transactions(h, id_unknown);
        assert_true(json_is_null(txs));
        json_decref(txs);
        txs = get_transactions(h, id_new);
        assert_string_equal(json_string_value(json_object_get(json_array_get(txs, 0), "id")), "tx-1");
        json_decref(txs);
        bench_history_close(h);
        char *cmd;
        assert_true(asprintf(&cmd, "test \"$(sqlite3 '%s' 'PRAGMA user_version')\" = %d", path,
                             BENCH_HISTORY_USER_VERSION) > 0);
        assert_int_equal(system(cmd), 0);
        free(cmd);
        json_decref(in);
        free(path);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),     cmocka_unit_test(test_samples_per_repetition),
                cmocka_unit_test(test_last_and_prune), cmocka_unit_test(test_window),
                cmocka_unit_test(test_baselines),      cmocka_unit_test(test_foreign_moved_newer_refused),
                cmocka_unit_test(test_older_version),  cmocka_unit_test(test_transactions),
        };
        return cmocka_run_group_tests(tests, bench_fixture_setup, bench_fixture_teardown);
}

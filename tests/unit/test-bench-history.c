/* SPDX-License-Identifier: MIT */
/* The benchmark history (store/bench-history*.c): a run goes in and comes out the same (samples,
 * nulls, gates, repetition times, fingerprint), the newest runs are found per suite, retention by
 * age and count deletes what it says (never a baseline's run), baselines are set, accepted over the
 * one before and listed, a file that is not a history is moved aside (kept) and one
 * from a newer skytune is refused and left alone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench-history.h"
#include "schema.h"
#include "support.h"

static char *dir;

static char *path_of(const char *name) {
        char *p;
        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

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
        char *path = path_of("rt.db");
        BenchHistory *h = NULL;
        char *moved = NULL;
        assert_int_equal(bench_history_open(path, &h, &moved), 0);
        assert_null(moved);
        json_t *in = run_doc("s1", 1000, 0.5);
        int64_t id = 0;
        assert_int_equal(bench_history_add(h, in, &id), 0);
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
        assert_int_equal(bench_history_add(h, bad, &id), -EINVAL);
        json_decref(bad);
        bench_history_close(h);
        free(path);
}

static void test_last_and_prune(void **state) {
        char *path = path_of("prune.db");
        BenchHistory *h = NULL;
        assert_int_equal(bench_history_open(path, &h, NULL), 0);
        int64_t ids[8], id;
        for (int i = 0; i < 5; i++) {
                json_t *d = run_doc(i % 2 ? "odd" : "even", 1000 * (i + 1), i);
                assert_int_equal(bench_history_add(h, d, &id), 0);
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

static void test_baselines(void **state) {
        char *path = path_of("baseline.db");
        BenchHistory *h = NULL;
        assert_int_equal(bench_history_open(path, &h, NULL), 0);
        int64_t ids[4], got;
        for (int i = 0; i < 4; i++) {
                json_t *d = run_doc("s", 1000 * (i + 1), i);
                assert_int_equal(bench_history_add(h, d, &ids[i]), 0);
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
        char *path = path_of("foreign.db");
        test_write(dir, "foreign.db",
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
        char *missing = path_of("none.db");
        assert_int_equal(bench_history_open_reader(missing, &h), -ENOENT);
        free(missing);
        free(path);
}

static int setup(void **state) {
        dir = test_tmpdir();
        return 0;
}

static int teardown(void **state) {
        test_rm_rf(dir);
        free(dir);
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_last_and_prune),
                cmocka_unit_test(test_baselines),
                cmocka_unit_test(test_foreign_moved_newer_refused),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}

/* SPDX-License-Identifier: MIT */
/* The helper's journal (helper/journal.c, in the core library): durable and progress records,
 * which one a reader gets, corrupt files moved aside (never deleted), the cheap "finished" filter of the start-up
 * scan, the private modes, and verification records (AnnotateTransaction): round trip, and the
 * records and transactions refused. */
#include <sys/stat.h>
#include <unistd.h>

#include "helper-core.h"
#include "log.h"
#include "support.h"

typedef struct Fixture {
        char *dir;
        Helper h;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(*f));
        f->dir = test_tmpdir();
        assert_true(asprintf(&f->h.state_dir, "%s/state", f->dir) > 0);
        f->h.state_fd = f->h.tx_fd = f->h.lock_fd = -1;
        assert_int_equal(journal_open(&f->h), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        close(f->h.tx_fd);
        close(f->h.state_fd);
        close(f->h.lock_fd);
        test_rm_rf(f->dir);
        free(f->h.state_dir);
        free(f->dir);
        free(f);
        return 0;
}

static json_t *tx_with(const char *id, const char *state) {
        return json_pack("{s:s, s:s, s:s, s:[{s:s, s:s, s:s}], s:[]}", "schema", HELPER_TX_SCHEMA, "id", id, "state", state,
                         "changes", "kind", "sysctl", "key", "vm.swappiness", "status", "pending", "files");
}

static char *path_in(Fixture *f, const char *rel) {
        char *p;
        assert_true(asprintf(&p, "%s/%s", f->h.state_dir, rel) > 0);
        return p;
}

static void test_modes_and_durable(void **state) {
        Fixture *f = *state;
        struct stat st;
        assert_int_equal(fstat(f->h.state_fd, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0700);
        assert_int_equal(fstat(f->h.tx_fd, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0700);
        json_t *tx = tx_with("20260101T000000-000001-aaaaaa", "applying");
        assert_int_equal(journal_save(&f->h, tx, true), 0);
        char *p = path_in(f, "tx/20260101T000000-000001-aaaaaa.json");
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        json_t *back = NULL;
        assert_int_equal(journal_load(&f->h, "20260101T000000-000001-aaaaaa", &back), 0);
        assert_string_equal(json_string_value(json_object_get(back, "state")), "applying");
        assert_non_null(json_object_get(back, "updated"));
        json_decref(back);
        json_decref(tx);
        free(p);
        assert_int_equal(journal_load(&f->h, "20260101T000000-000009-aaaaaa", &back), -ENOENT);
        assert_int_equal(journal_load(&f->h, "../../etc/passwd", &back), -EINVAL);
}

static void test_progress_preferred_then_superseded(void **state) {
        Fixture *f = *state;
        const char *id = "20260101T000000-000002-bbbbbb";
        json_t *tx = tx_with(id, "applying");
        assert_int_equal(journal_save(&f->h, tx, true), 0);
        json_object_set_new(json_array_get(json_object_get(tx, "changes"), 0), "status", json_string("applied"));
        assert_int_equal(journal_save(&f->h, tx, false), 0);
        json_t *back = NULL;
        assert_int_equal(journal_load(&f->h, id, &back), 0);
        assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(back, "changes"), 0), "status")), "applied");
        json_decref(back);
        /* An unreadable progress record: the durable one is used. */
        char *prog = path_in(f, "tx/20260101T000000-000002-bbbbbb.progress");
        FILE *w = fopen(prog, "we");
        fputs("{\"id\": \"2026", w);
        fclose(w);
        assert_int_equal(journal_load(&f->h, id, &back), 0);
        assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(back, "changes"), 0), "status")), "pending");
        json_decref(back);
        /* A final durable save drops the progress record. */
        json_object_set_new(tx, "state", json_string("applied"));
        assert_int_equal(journal_save(&f->h, tx, true), 0);
        assert_int_equal(access(prog, F_OK), -1);
        free(prog);
        json_decref(tx);
}

/* A progress record that outlived a good final save (its unlink failed) never outranks it. */
static void test_stale_progress_ignored(void **state) {
        Fixture *f = *state;
        const char *id = "20260101T000000-000012-bbbbbb";
        json_t *tx = tx_with(id, "applying");
        assert_int_equal(journal_save(&f->h, tx, true), 0);
        assert_int_equal(journal_save(&f->h, tx, false), 0);
        char *prog = path_in(f, "tx/20260101T000000-000012-bbbbbb.progress"), *keep = path_in(f, "keep");
        assert_int_equal(link(prog, keep), 0);        /* as if the unlink after the final save had failed */
        json_object_set_new(tx, "state", json_string("applied"));
        assert_int_equal(journal_save(&f->h, tx, true), 0);
        assert_int_equal(rename(keep, prog), 0);
        json_t *back = NULL;
        assert_int_equal(journal_load(&f->h, id, &back), 0);
        assert_string_equal(json_string_value(json_object_get(back, "state")), "applied");
        json_decref(back);
        json_t *un = NULL;
        assert_int_equal(journal_list_filtered(&f->h, true, &un), 0);
        /* Parsed (the progress file is there) but read as applied: not "left applying", no recovery. */
        for (size_t i = 0; i < json_array_size(un); i++)
                assert_string_equal(json_string_value(json_object_get(json_array_get(un, i), "state")), "applied");
        json_decref(un);
        free(prog);
        free(keep);
        json_decref(tx);
}

static void test_corrupt_moved_aside(void **state) {
        Fixture *f = *state;
        json_t *good = tx_with("20260101T000000-000003-cccccc", "applied");
        assert_int_equal(journal_save(&f->h, good, true), 0);
        json_decref(good);
        static const char *const bad[][2] = {
                { "tx/20260101T000000-000004-dddddd.json", "{\"schema\": \"skytune.tx/1\", \"id\": \"20" },
                { "tx/20260101T000000-000005-eeeeee.json", "[1, 2, 3]\n" },
                { "tx/20260101T000000-000006-ffffff.json", "{\"schema\": \"skytune.tx/1\", \"id\": \"20260101T000000-000007-000000\", "
                                                           "\"state\": \"applied\", \"changes\": [], \"files\": []}\n" },
                { "tx/20260101T000000-000008-aaaaaa.json", "" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *p = path_in(f, bad[i][0]);
                FILE *w = fopen(p, "we");
                fputs(bad[i][1], w);
                fclose(w);
                free(p);
        }
        json_t *all = NULL;
        assert_int_equal(journal_list(&f->h, &all), 0);
        assert_int_equal(json_array_size(all), 1);
        json_decref(all);
        /* All four kept in corrupt/, none left in tx/. */
        char *cdir = path_in(f, "corrupt");
        DIR *d = opendir(cdir);
        assert_non_null(d);
        int n = 0;
        for (struct dirent *de; (de = readdir(d));)
                n += de->d_name[0] != '.';
        closedir(d);
        assert_int_equal(n, 4);
        free(cdir);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *p = path_in(f, bad[i][0]);
                assert_int_equal(access(p, F_OK), -1);
                free(p);
        }
}

static void test_unfinished_filter(void **state) {
        Fixture *f = *state;
        const char *states[] = { "applied", "rolled-back", "applying", "rolling-back", "recovered", "failed" };
        for (size_t i = 0; i < ELEMENTSOF(states); i++) {
                char id[64];
                snprintf(id, sizeof(id), "20260101T000000-00001%zu-abcdef", i);
                json_t *tx = tx_with(id, states[i]);
                assert_int_equal(journal_save(&f->h, tx, true), 0);
                json_decref(tx);
        }
        /* An applied transaction whose rollback was interrupted: its progress says rolling-back. */
        json_t *tx = tx_with("20260101T000000-000019-abcdef", "applied");
        assert_int_equal(journal_save(&f->h, tx, true), 0);
        json_object_set_new(tx, "state", json_string("rolling-back"));
        assert_int_equal(journal_save(&f->h, tx, false), 0);
        json_decref(tx);
        json_t *un = NULL;
        assert_int_equal(journal_list_filtered(&f->h, true, &un), 0);
        assert_int_equal(json_array_size(un), 3);
        assert_string_equal(json_string_value(json_object_get(json_array_get(un, 0), "state")), "applying");
        assert_string_equal(json_string_value(json_object_get(json_array_get(un, 1), "state")), "rolling-back");
        assert_string_equal(json_string_value(json_object_get(json_array_get(un, 2), "state")), "rolling-back");
        json_decref(un);
        json_t *all = NULL;
        assert_int_equal(journal_list(&f->h, &all), 0);
        assert_int_equal(json_array_size(all), 7);
        json_decref(all);
}

/* A verification record as apply --verify sends it (compact JSON), with `extra` spliced into the
 * first metric and `top` into the record. */
static char *record(const char *extra, const char *top) {
        char *s;
        assert_true(asprintf(&s,
                             "{\"schema\":\"skytune.verify/1\",\"rounds\":{\"baseline\":7,\"candidate\":7},"
                             "\"metrics\":[{\"probe\":\"http\",\"metric\":\"successful_rps\",\"unit\":\"req/s\","
                             "\"higher_is_better\":true,\"primary\":true,\"baseline_median\":160.5,\"candidate_median\":830.25,"
                             "\"ratio\":5.17,\"ci\":[4.9,5.4],\"p\":0.0006,\"p_adjusted\":0.0006,\"threshold\":0.02,"
                             "\"verdict\":\"improved\",\"contaminated\":[0,0]%s},"
                             "{\"probe\":\"http\",\"metric\":\"latency_p99_ms\",\"baseline_median\":null,\"candidate_median\":null,"
                             "\"ratio\":null,\"ci\":[null,null],\"p\":null,\"verdict\":\"inconclusive\",\"more_rounds\":3,"
                             "\"unreliable\":true}],"
                             "\"primary_regressed\":false,\"decision\":\"kept\",\"order\":\"alternating\",\"noise\":0.02,"
                             "\"round_duration_s\":0.2,\"transactions\":[\"20260101T000000-000001-aaaaaa\","
                             "\"20260101T000000-000003-cccccc\"]%s}",
                             extra, top) > 0);
        return s;
}

static void test_verification_round_trip(void **state) {
        Fixture *f = *state;
        const char *id = "20260101T000000-000003-cccccc";
        json_t *tx = tx_with(id, "applied");
        assert_int_equal(journal_save(&f->h, tx, true), 0);
        json_decref(tx);
        _cleanup_free_ char *text = record("", "");
        json_t *rec = NULL, *saved = NULL, *back = NULL;
        _cleanup_(error_done) Error why = ERROR_NULL;
        assert_int_equal(verification_parse(text, strlen(text), &rec, &why), 0);
        assert_null(why.message);
        assert_int_equal(journal_set_verification(&f->h, id, rec, 0, &saved), 0);
        assert_string_equal(json_string_value(json_object_get(json_object_get(saved, "verification"), "decision")), "kept");

        /* Durable: the .json itself holds it, and a later load (rollback, GetTransaction) keeps it. */
        _cleanup_free_ char *progress = path_in(f, "tx/20260101T000000-000003-cccccc.progress");
        assert_int_equal(access(progress, F_OK), -1);
        assert_int_equal(journal_load(&f->h, id, &back), 0);
        json_t *v = json_object_get(back, "verification");
        assert_string_equal(json_string_value(json_object_get(v, "schema")), "skytune.verify/1");
        assert_int_equal(json_integer_value(json_object_get(v, "recorded_by_uid")), 0);
        assert_non_null(json_string_value(json_object_get(v, "recorded")));
        json_t *m = json_array_get(json_object_get(v, "metrics"), 0);
        assert_string_equal(json_string_value(json_object_get(m, "verdict")), "improved");
        assert_true(json_number_value(json_object_get(m, "candidate_median")) == 830.25);
        assert_true(json_is_null(json_object_get(json_array_get(json_object_get(v, "metrics"), 1), "ratio")));
        assert_int_equal(json_array_size(json_object_get(v, "transactions")), 2);
        assert_string_equal(json_string_value(json_object_get(back, "state")), "applied");

        /* A second record replaces the first; the listing carries it. */
        json_object_set_new(rec, "decision", json_string("rolled-back"));
        json_decref(saved);
        assert_int_equal(journal_set_verification(&f->h, id, rec, 1000, &saved), 0);
        json_t *all = NULL;
        assert_int_equal(journal_list(&f->h, &all), 0);
        v = json_object_get(json_array_get(all, 0), "verification");
        assert_string_equal(json_string_value(json_object_get(v, "decision")), "rolled-back");
        assert_int_equal(json_integer_value(json_object_get(v, "recorded_by_uid")), 1000);
        json_decref(all);
        json_decref(back);
        json_decref(saved);
        json_decref(rec);
}

static void test_verification_refused(void **state) {
        Fixture *f = *state;
        struct {
                const char *extra, *top, *why;
        } bad[] = {
                { ",\"verdict\":\"better\"", "", "duplicate" },     /* duplicate key: refused by the parser */
                { "", ",\"state\":\"applied\"", "unknown member \"state\"" },
                { ",\"colour\":1", "", "verification.metrics[0]: unknown member \"colour\"" },
                { "", ",\"decision\":\"maybe\"", "duplicate" },
                { "", ",\"error\":\"a\\u001b[31mred\"", "verification.error: not printable" },
                { ",\"p_adjusted2\":1", "", "unknown member" },
                { "", ",\"transactions2\":[]", "unknown member" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *text = record(bad[i].extra, bad[i].top);
                _cleanup_(error_done) Error why = ERROR_NULL;
                json_t *rec = NULL;
                assert_int_equal(verification_parse(text, strlen(text), &rec, &why), -EINVAL);
                assert_null(rec);
                if (!strstr(why.message, bad[i].why))
                        fail_msg("case %zu: '%s' does not say '%s'", i, why.message, bad[i].why);
        }
        /* Whole documents: not an object, not JSON, wrong schema, missing members, bad values. */
        const char *docs[][2] = {
                { "[]", "not a JSON object" },
                { "\"kept\"", "not a JSON object" },
                { "17", "not a JSON object" },
                { "{\"schema\":", "not JSON" },
                { "{\"schema\":\"skytune.verify/2\",\"rounds\":{\"baseline\":1,\"candidate\":1},\"metrics\":[],"
                  "\"primary_regressed\":false,\"decision\":\"kept\"}", "verification.schema: not \"skytune.verify/1\"" },
                { "{\"schema\":\"skytune.verify/1\",\"rounds\":{\"baseline\":1,\"candidate\":1},\"metrics\":[],"
                  "\"primary_regressed\":false}", "\"decision\" is missing" },
                { "{\"schema\":\"skytune.verify/1\",\"rounds\":{\"baseline\":-1,\"candidate\":1},\"metrics\":[],"
                  "\"primary_regressed\":false,\"decision\":\"kept\"}", "verification.rounds.baseline: not a whole number" },
                { "{\"schema\":\"skytune.verify/1\",\"rounds\":{\"baseline\":1,\"candidate\":1},\"metrics\":[{\"probe\":\"ht\\ntp\","
                  "\"metric\":\"x\",\"verdict\":\"improved\"}],\"primary_regressed\":false,\"decision\":\"kept\"}",
                  "verification.metrics[0].probe: not a name" },
                { "{\"schema\":\"skytune.verify/1\",\"rounds\":{\"baseline\":1,\"candidate\":1},\"metrics\":[{\"probe\":\"http\","
                  "\"metric\":\"x\",\"verdict\":\"improved\",\"p\":1.5}],\"primary_regressed\":false,\"decision\":\"kept\"}",
                  "verification.metrics[0].p: not a number from 0 to 1" },
                { "{\"schema\":\"skytune.verify/1\",\"rounds\":{\"baseline\":1,\"candidate\":1},\"metrics\":[{\"probe\":\"http\","
                  "\"metric\":\"x\",\"verdict\":\"better\"}],\"primary_regressed\":false,\"decision\":\"kept\"}",
                  "verification.metrics[0].verdict: not improved" },
                { "{\"schema\":\"skytune.verify/1\",\"rounds\":{\"baseline\":1,\"candidate\":1},\"metrics\":[],"
                  "\"primary_regressed\":false,\"decision\":\"kept\",\"transactions\":[\"../../etc/passwd\"]}",
                  "verification.transactions: holds something that is not a transaction id" },
                { "{\"schema\":\"skytune.verify/1\",\"rounds\":{\"baseline\":1,\"candidate\":1},\"metrics\":[],"
                  "\"primary_regressed\":\"no\",\"decision\":\"kept\"}", "verification.primary_regressed: not true or false" },
                { "{\"schema\":\"skytune.verify/1\",\"rounds\":{\"baseline\":1,\"candidate\":1},\"metrics\":[],"
                  "\"primary_regressed\":false,\"decision\":\"maybe\"}", "verification.decision: not kept or rolled-back" },
                { "{\"schema\":\"skytune.verify/1\",\"rounds\":{\"baseline\":1,\"candidate\":1},\"metrics\":[],"
                  "\"primary_regressed\":false,\"decision\":\"kept\",\"ci\":\"\\u0000\"}", "not JSON" },
        };
        for (size_t i = 0; i < ELEMENTSOF(docs); i++) {
                _cleanup_(error_done) Error why = ERROR_NULL;
                json_t *rec = NULL;
                assert_int_equal(verification_parse(docs[i][0], strlen(docs[i][0]), &rec, &why), -EINVAL);
                if (!strstr(why.message, docs[i][1]))
                        fail_msg("document %zu: '%s' does not say '%s'", i, why.message, docs[i][1]);
                /* The one error carrier (common/error.h): the errno and where it was set. */
                assert_int_equal(why.code, -EINVAL);
                assert_non_null(strstr(why.place, "verification.c:"));
        }
        /* Oversized: a valid record padded past 64 KiB with spaces, and 513 metrics. */
        _cleanup_free_ char *ok = record("", "");
        _cleanup_(error_done) Error why = ERROR_NULL;
        size_t n = strlen(ok);
        char *big = malloc(HELPER_VERIFICATION_MAX + 2);
        memset(big, ' ', HELPER_VERIFICATION_MAX + 1);
        memcpy(big, ok, n - 1);
        big[HELPER_VERIFICATION_MAX] = '}';
        big[HELPER_VERIFICATION_MAX + 1] = '\0';
        json_t *rec = NULL;
        assert_int_equal(verification_parse(big, strlen(big), &rec, &why), -EINVAL);
        assert_non_null(strstr(why.message, "more than 65536"));
        big[HELPER_VERIFICATION_MAX - 1] = '}';
        big[HELPER_VERIFICATION_MAX] = '\0';
        error_done(&why);
        assert_int_equal(verification_parse(big, strlen(big), &rec, &why), 0);        /* exactly the limit is fine */
        json_decref(rec);
        free(big);
        json_t *many = json_pack("{s:s, s:{s:i, s:i}, s:[], s:b, s:s}", "schema", "skytune.verify/1", "rounds", "baseline", 1,
                                 "candidate", 1, "metrics", "primary_regressed", 0, "decision", "kept");
        for (int i = 0; i < 513; i++)
                json_array_append_new(json_object_get(many, "metrics"), json_pack("{s:s, s:s, s:s}", "probe", "a", "metric", "b",
                                                                                   "verdict", "unchanged"));
        _cleanup_free_ char *text = json_dumps(many, JSON_COMPACT);
        error_done(&why);
        assert_int_equal(verification_parse(text, strlen(text), &rec, &why), -EINVAL);
        assert_non_null(strstr(why.message, "at most 512"));
        json_decref(many);
        (void) f;
}

static void test_verification_unknown_or_running(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *text = record("", "");
        _cleanup_(error_done) Error why = ERROR_NULL;
        json_t *rec = NULL, *saved = NULL, *back = NULL;
        assert_int_equal(verification_parse(text, strlen(text), &rec, &why), 0);
        assert_int_equal(journal_set_verification(&f->h, "20260101T000000-000009-ffffff", rec, 0, &saved), -ENOENT);
        assert_int_equal(journal_set_verification(&f->h, "../x", rec, 0, &saved), -EINVAL);
        const char *states[] = { "applying", "rolling-back" };
        for (size_t i = 0; i < ELEMENTSOF(states); i++) {
                const char *id = i ? "20260101T000000-000005-eeeeee" : "20260101T000000-000004-dddddd";
                json_t *tx = tx_with(id, states[i]);
                assert_int_equal(journal_save(&f->h, tx, true), 0);
                assert_int_equal(journal_set_verification(&f->h, id, rec, 0, &saved), -EBUSY);
                assert_int_equal(journal_load(&f->h, id, &back), 0);
                assert_null(json_object_get(back, "verification"));
                assert_string_equal(json_string_value(json_object_get(back, "state")), states[i]);
                json_decref(back);
                json_decref(tx);
        }
        assert_null(saved);
        json_decref(rec);
}

static void test_ids(void **state) {
        char *a = NULL, *b = NULL;
        assert_int_equal(journal_new_id(&a), 0);
        usleep(2);
        assert_int_equal(journal_new_id(&b), 0);
        assert_true(tx_id_valid(a) && tx_id_valid(b));
        assert_true(strcmp(a, b) < 0);
        free(a);
        free(b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_modes_and_durable, setup, teardown),
                cmocka_unit_test_setup_teardown(test_progress_preferred_then_superseded, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stale_progress_ignored, setup, teardown),
                cmocka_unit_test_setup_teardown(test_corrupt_moved_aside, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unfinished_filter, setup, teardown),
                cmocka_unit_test_setup_teardown(test_verification_round_trip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_verification_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_verification_unknown_or_running, setup, teardown),
                cmocka_unit_test(test_ids),
        };
        log_set_level(LOG_LEVEL_ERR - 1);        /* the quarantine messages are expected */
        return cmocka_run_group_tests(tests, NULL, NULL);
}

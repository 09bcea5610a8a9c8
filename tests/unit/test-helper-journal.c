/* SPDX-License-Identifier: MIT */
/* The helper's journal (helper/journal.c, compiled in): durable and progress records, which one a
 * reader gets, corrupt files moved aside (never deleted), the cheap "finished" filter of the start-up
 * scan, and the private modes. */
#include "../../helper/journal.c"
#include "../../helper/plan.c"

#include <sys/stat.h>

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
                cmocka_unit_test_setup_teardown(test_corrupt_moved_aside, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unfinished_filter, setup, teardown),
                cmocka_unit_test(test_ids),
        };
        log_set_level(LOG_LEVEL_ERR - 1);        /* the quarantine messages are expected */
        return cmocka_run_group_tests(tests, NULL, NULL);
}

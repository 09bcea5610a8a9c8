/* SPDX-License-Identifier: MIT */
/* The helper's transaction engine (helper/, the core library) on a fixture sysroot, without root,
 * bus or polkit: apply writes the values and a durable journal, rollback puts back what it found,
 * a value someone else changed since is a conflict (left alone unless forced), and --persist writes
 * the owned file below the sysroot and takes it back (with the directories it created). */
#include "helper-core-fixture.h"

#define SWAPPINESS "proc/sys/vm/swappiness"
#define READ_AHEAD "sys/block/vda/queue/read_ahead_kb"
#define TWO_CHANGES                                                                 \
        "{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"proposed\":\"10\"},"      \
        "{\"kind\":\"read_ahead_kb\",\"key\":\"vda\",\"proposed\":\"4096\"}"

static json_t *apply_ok(CoreFixture *f, bool persist, const char *changes) {
        Plan *plan = core_plan(f, persist, changes);
        Error e = ERROR_NULL;
        json_t *tx = NULL;
        int r = tx_apply(&f->h, plan, persist, 1000, &tx, &e);
        if (r < 0)
                fail_msg("apply failed: %s", error_message(&e));
        plan_free(plan);
        error_done(&e);
        return tx;
}

static void test_apply_then_rollback(void **state) {
        CoreFixture *f = *state;
        json_t *tx = apply_ok(f, false, TWO_CHANGES);
        assert_string_equal(core_str(tx, "state"), "applied");
        core_assert_file(f, SWAPPINESS, "10");
        core_assert_file(f, READ_AHEAD, "4096");
        const char *id = core_str(tx, "id");
        assert_true(tx_id_valid(id));

        /* The journal says so durably, with the old values a rollback needs. */
        json_t *rec = core_record(f, id);
        assert_string_equal(core_str(rec, "state"), "applied");
        json_t *c0 = json_array_get(json_object_get(rec, "changes"), 0);
        assert_string_equal(core_str(c0, "old"), "60");
        assert_string_equal(core_str(c0, "new"), "10");
        assert_string_equal(core_str(c0, "status"), "applied");
        json_decref(rec);

        Error e = ERROR_NULL;
        json_t *rb = NULL;
        assert_int_equal(tx_rollback(&f->h, "last", false, &rb, &e), 0);
        assert_string_equal(core_str(rb, "state"), "rolled-back");
        assert_int_equal(json_integer_value(json_object_get(rb, "conflicts")), 0);
        core_assert_file(f, SWAPPINESS, "60");
        core_assert_file(f, READ_AHEAD, "128");
        rec = core_record(f, id);
        assert_string_equal(core_str(rec, "state"), "rolled-back");
        assert_string_equal(core_str(json_array_get(json_object_get(rec, "changes"), 0), "rollback"), "restored");

        /* Nothing applied is left: a second rollback is refused as NotFound, a named one as not applied. */
        assert_int_equal(tx_rollback(&f->h, "last", false, &rb, &e), -ENOENT);
        assert_int_equal(tx_rollback(&f->h, id, false, &rb, &e), -EBUSY);
        assert_non_null(strstr(error_message(&e), "only an applied transaction"));
        assert_int_equal(tx_rollback(&f->h, "../x", false, &rb, &e), -EINVAL);
        error_done(&e);
        json_decref(rec);
        json_decref(rb);
        json_decref(tx);
}

static void test_nothing_to_change(void **state) {
        CoreFixture *f = *state;
        json_t *tx = apply_ok(f, false, "{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"proposed\":\"60\"}");
        assert_string_equal(core_str(tx, "state"), "unchanged");
        assert_true(json_is_null(json_object_get(tx, "id")));
        const json_t *all;
        assert_int_equal(journal_summaries(&f->h, &all), 0);
        assert_int_equal(json_array_size(all), 0);        /* no journal file */
        json_decref(tx);
}

static void test_conflict_left_alone_unless_forced(void **state) {
        CoreFixture *f = *state;
        json_t *tx = apply_ok(f, false, TWO_CHANGES);
        test_write(f->root, SWAPPINESS, "33\n");        /* someone else, after skytune */
        Error e = ERROR_NULL;
        json_t *rb = NULL;
        assert_int_equal(tx_rollback(&f->h, core_str(tx, "id"), false, &rb, &e), 0);
        assert_string_equal(core_str(rb, "state"), "partially-rolled-back");
        assert_int_equal(json_integer_value(json_object_get(rb, "conflicts")), 1);
        core_assert_file(f, SWAPPINESS, "33");
        core_assert_file(f, READ_AHEAD, "128");
        json_t *c0 = json_array_get(json_object_get(rb, "changes"), 0);
        assert_string_equal(core_str(c0, "rollback"), "conflict");
        assert_string_equal(core_str(c0, "found"), "33");
        json_decref(rb);

        assert_int_equal(tx_rollback(&f->h, core_str(tx, "id"), true, &rb, &e), 0);
        assert_string_equal(core_str(rb, "state"), "rolled-back");
        assert_string_equal(core_str(json_array_get(json_object_get(rb, "changes"), 0), "rollback"), "forced");
        core_assert_file(f, SWAPPINESS, "60");
        error_done(&e);
        json_decref(rb);
        json_decref(tx);
}

static void test_persist_owned_files(void **state) {
        CoreFixture *f = *state;
        json_t *tx = apply_ok(f, true, TWO_CHANGES);
        assert_string_equal(core_str(tx, "state"), "applied");
        /* sysctl.d exists in the fixture (with an administrator's file); udev's rules.d does not. */
        char *conf = core_read(f, "etc/sysctl.d/90-skytune.conf");
        assert_non_null(conf);
        free(conf);
        json_t *files = json_object_get(tx, "files");
        assert_int_equal(json_array_size(files), 2);
        bool udev_dirs = false;
        size_t i;
        json_t *file;
        json_array_foreach(files, i, file) {
                assert_string_equal(core_str(file, "status"), "written");
                if (strcmp(core_str(file, "path"), "etc/udev/rules.d/90-skytune.rules") == 0)
                        udev_dirs = json_array_size(json_object_get(file, "created_dirs")) == 2;
        }
        assert_true(udev_dirs);        /* etc/udev and etc/udev/rules.d */
        char *rules = NULL;
        bool exists = false;
        assert_int_equal(persist_read_file(&f->h, "etc/udev/rules.d/90-skytune.rules", &rules, &exists), 0);
        assert_true(exists);
        assert_non_null(strstr(rules, "4096"));
        free(rules);

        Error e = ERROR_NULL;
        json_t *rb = NULL;
        assert_int_equal(tx_rollback(&f->h, "", false, &rb, &e), 0);
        assert_string_equal(core_str(rb, "state"), "rolled-back");
        core_assert_file(f, "etc/sysctl.d/90-skytune.conf", NULL);
        core_assert_file(f, "etc/udev/rules.d/90-skytune.rules", NULL);
        char *udev = NULL;
        assert_true(asprintf(&udev, "%s/etc/udev", f->root) > 0);
        assert_int_equal(access(udev, F_OK), -1);        /* the directories it created are gone */
        free(udev);
        core_assert_file(f, "etc/sysctl.d/10-admin.conf", "# an administrator's own file: skytune never touches it");
        core_assert_file(f, SWAPPINESS, "60");
        error_done(&e);
        json_decref(rb);
        json_decref(tx);
}

static void test_host_check_refuses(void **state) {
        CoreFixture *f = *state;
        /* Valid when checked, then the host changed: the scheduler is no longer offered. */
        Plan *plan = core_plan(f, false, "{\"kind\":\"io_scheduler\",\"key\":\"vda\",\"proposed\":\"kyber\"}");
        test_write(f->root, "sys/block/vda/queue/scheduler", "[none] mq-deadline\n");
        Error e = ERROR_NULL;
        json_t *tx = NULL;
        assert_int_equal(tx_apply(&f->h, plan, false, 0, &tx, &e), -EINVAL);
        assert_null(tx);
        assert_non_null(e.message);
        assert_non_null(e.place);
        const json_t *all;
        assert_int_equal(journal_summaries(&f->h, &all), 0);
        assert_int_equal(json_array_size(all), 0);        /* refused before the intent record */
        error_done(&e);
        plan_free(plan);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_apply_then_rollback, core_setup, core_teardown),
                cmocka_unit_test_setup_teardown(test_nothing_to_change, core_setup, core_teardown),
                cmocka_unit_test_setup_teardown(test_conflict_left_alone_unless_forced, core_setup, core_teardown),
                cmocka_unit_test_setup_teardown(test_persist_owned_files, core_setup, core_teardown),
                cmocka_unit_test_setup_teardown(test_host_check_refuses, core_setup, core_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

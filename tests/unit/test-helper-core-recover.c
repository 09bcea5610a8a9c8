/* SPDX-License-Identifier: MIT */
/* The helper's transaction engine after things went wrong, on a fixture sysroot without root: a
 * journal left half applied by a crash is rolled back at the next start (by the live values: a change
 * still "pending" may or may not have landed), after a reboot only its owned files are, and an owned
 * file that cannot be written makes the apply roll back what it had written (never half applied). */
#include "helper-core-fixture.h"

#define SWAPPINESS "proc/sys/vm/swappiness"
#define CACHE_PRESSURE "proc/sys/vm/vfs_cache_pressure"
#define ID "20260101T000000-000001-abcdef"

/* What a helper killed between its first and second write leaves: the intent record saved
 * durably, the first change applied (and its progress saved), the second still pending. */
static void write_half_applied(CoreFixture *f, const char *boot_id, const char *file_state) {
        json_t *tx = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:[{s:s, s:s, s:s, s:s, s:s, s:s, s:s}, "
                               "{s:s, s:s, s:s, s:s, s:s, s:s, s:s}], s:[], s:[]}",
                               "schema", HELPER_TX_SCHEMA, "id", ID, "state", "applying", "boot_id", boot_id, "created",
                               "2026-01-01T00:00:00.000001Z", "persist", false, "changes", "kind", "sysctl", "key", "vm.swappiness",
                               "proposed", "10", "mechanism", "live", "old", "60", "new", "10", "status", "applied", "kind", "sysctl",
                               "key", "vm.vfs_cache_pressure", "proposed", "50", "mechanism", "live", "old", "100", "new", "50",
                               "status", "pending", "files", "notes");
        assert_non_null(tx);
        if (file_state) {
                /* An owned file whose write had begun: no such file before, this one's line in it now. */
                json_t *file = json_pack("{s:s, s:b, s:s, s:s, s:[]}", "path", "etc/sysctl.d/90-skytune.conf", "existed", false,
                                         "new_content", "vm.swappiness = 10\n", "status", file_state, "created_dirs");
                json_array_append_new(json_object_get(tx, "files"), file);
                test_write(f->root, "etc/sysctl.d/90-skytune.conf", "vm.swappiness = 10\n");
        }
        assert_int_equal(journal_save(&f->h, tx, true), 0);
        json_decref(tx);
        test_write(f->root, SWAPPINESS, "10\n");        /* landed */
        char *pressure = core_read(f, CACHE_PRESSURE);
        assert_string_equal(pressure, "100");            /* never written */
        free(pressure);
}

static void test_recover_half_applied(void **state) {
        CoreFixture *f = *state;
        write_half_applied(f, f->h.boot_id, NULL);
        assert_int_equal(tx_recover_all(&f->h), 0);
        core_assert_file(f, SWAPPINESS, "60");
        core_assert_file(f, CACHE_PRESSURE, "100");
        json_t *rec = core_record(f, ID);
        assert_string_equal(core_str(rec, "state"), "recovered");
        assert_string_equal(core_str(rec, "interrupted_state"), "applying");
        json_t *changes = json_object_get(rec, "changes");
        assert_string_equal(core_str(json_array_get(changes, 0), "rollback"), "restored");
        assert_string_equal(core_str(json_array_get(changes, 1), "rollback"), "unchanged");
        json_decref(rec);

        /* Recovered is finished: the next start has nothing to do and changes nothing. */
        test_write(f->root, SWAPPINESS, "20\n");
        assert_int_equal(tx_recover_all(&f->h), 0);
        core_assert_file(f, SWAPPINESS, "20");
}

static void test_recover_after_reboot_files_only(void **state) {
        CoreFixture *f = *state;
        write_half_applied(f, "ffffffffffffffffffffffffffffffff", "pending");
        assert_int_equal(tx_recover_all(&f->h), 0);
        /* Live values reset at boot: not touched (here the fixture keeps "10"); the file is undone. */
        core_assert_file(f, SWAPPINESS, "10");
        core_assert_file(f, "etc/sysctl.d/90-skytune.conf", NULL);
        core_assert_file(f, "etc/sysctl.d/10-admin.conf", "# an administrator's own file: skytune never touches it");
        json_t *rec = core_record(f, ID);
        assert_string_equal(core_str(rec, "state"), "recovered");
        assert_string_equal(core_str(json_array_get(json_object_get(rec, "changes"), 0), "rollback"), "obsolete");
        json_decref(rec);
}

static void test_failed_owned_file_rolls_back(void **state) {
        CoreFixture *f = *state;
        /* The udev rule needs etc/udev/rules.d, which the fixture lacks: its first mkdir fails. */
        TestFault fault;
        assert_int_equal(test_fault_parse("mkdir:1:ENOSPC", &fault), 0);
        test_fault_enable(&fault);
        Plan *plan = core_plan(f, true,
                               "{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"proposed\":\"10\"},"
                               "{\"kind\":\"read_ahead_kb\",\"key\":\"vda\",\"proposed\":\"4096\"}");
        Error e = ERROR_NULL;
        json_t *tx = NULL;
        assert_int_equal(tx_apply(&f->h, plan, true, 0, &tx, &e), -ENOSPC);
        fileio_set_fault_hook(NULL, NULL);
        assert_null(tx);
        assert_non_null(strstr(error_message(&e), "what this transaction had changed was rolled back"));
        core_assert_file(f, SWAPPINESS, "60");
        core_assert_file(f, "sys/block/vda/queue/read_ahead_kb", "128");
        core_assert_file(f, "etc/sysctl.d/90-skytune.conf", NULL);

        const json_t *all;
        assert_int_equal(journal_summaries(&f->h, &all), 0);
        assert_int_equal(json_array_size(all), 1);
        assert_string_equal(core_str(json_array_get(all, 0), "state"), "failed");
        json_t *rec = core_record(f, core_str(json_array_get(all, 0), "id"));
        assert_true(rollback_complete(rec));
        json_decref(rec);
        error_done(&e);
        plan_free(plan);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_recover_half_applied, core_setup, core_teardown),
                cmocka_unit_test_setup_teardown(test_recover_after_reboot_files_only, core_setup, core_teardown),
                cmocka_unit_test_setup_teardown(test_failed_owned_file_rolls_back, core_setup, core_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

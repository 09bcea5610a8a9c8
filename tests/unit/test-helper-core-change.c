/* SPDX-License-Identifier: MIT */
/* The typed change record of the helper's core (helper/change.c): the view reads a journal change's
 * members (the coupled sysctl pair, the processes of a ulimit), and its setters write them where a
 * later reader of the journal finds them again; rollback_check_live re-validates it with its reason in an
 * Error. */
#include <string.h>

#include "helper-core.h"
#include "support.h"

static void test_view_of_a_journal_change(void **state) {
        json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}}", "kind", "sysctl", "key", "vm.dirty_ratio", "proposed",
                              "30", "old", "20", "new", "30", "pair", "key", "vm.dirty_bytes", "old", "0");
        ChangeRecord rec;
        change_record_view(c, &rec);
        assert_int_equal(rec.kind, TUNABLE_SYSCTL);
        assert_string_equal(rec.key, "vm.dirty_ratio");
        assert_string_equal(rec.proposed, "30");
        assert_string_equal(rec.old, "20");
        assert_string_equal(rec.new, "30");
        assert_null(rec.old_raw);
        assert_true(rec.has_pair);
        assert_string_equal(rec.pair_key, "vm.dirty_bytes");
        assert_string_equal(rec.pair_old, "0");
        assert_int_equal(rec.processes, 0);

        /* An unknown kind and an empty pair object, as a hostile journal may hold them. */
        json_object_set_new(c, "kind", json_string("nosuchkind"));
        json_object_set_new(c, "pair", json_object());
        change_record_view(c, &rec);
        assert_true(rec.kind < 0);
        assert_true(rec.has_pair);
        assert_null(rec.pair_key);
        json_decref(c);
}

static void test_setters_write_the_journal(void **state) {
        json_t *c = json_pack("{s:s, s:s, s:s, s:s}", "kind", "sysctl", "key", "net.ipv4.tcp_rmem", "old", "4096 131072 6291456",
                              "proposed", "4096 262144 16777216");
        ChangeRecord rec;
        change_record_view(c, &rec);
        assert_int_equal(change_set_old_raw(&rec, "4096\t131072\t6291456"), 0);
        assert_string_equal(rec.old_raw, "4096\t131072\t6291456");
        assert_int_equal(change_set_pair(&rec, "vm.dirty_bytes", "0"), 0);
        assert_string_equal(json_string_value(json_object_get(json_object_get(c, "pair"), "key")), "vm.dirty_bytes");
        assert_string_equal(json_string_value(json_object_get(c, "old_raw")), "4096\t131072\t6291456");

        assert_int_equal(change_start_processes(&rec), 0);
        assert_int_equal(change_add_process(&rec, 4242, 123456789ULL, "1024:4096"), 0);
        assert_int_equal(change_add_process(&rec, 4343, 987654321ULL, "unlimited:unlimited"), 0);
        change_set_process_status(&rec, 1, "gone");
        /* A fresh view of the document (as after a reload of the journal) sees the same. */
        ChangeRecord again;
        change_record_view(c, &again);
        assert_int_equal(again.processes, 2);
        ProcessRecord p = change_process(&again, 0);
        assert_int_equal(p.pid, 4242);
        assert_true(p.start == 123456789ULL);
        assert_string_equal(p.old, "1024:4096");
        json_t *p1 = json_array_get(json_object_get(c, "processes"), 1);
        assert_string_equal(json_string_value(json_object_get(p1, "status")), "gone");
        assert_null(json_object_get(json_array_get(json_object_get(c, "processes"), 0), "status"));
        json_decref(c);
}

/* The reason a journal's change is refused comes back in the Error, with its errno and place. */
static void check_live(const char *json, const char *want) {
        json_error_t jerr;
        json_t *c = json_loads(json, 0, &jerr);
        assert_non_null(c);
        ChangeRecord rec;
        change_record_view(c, &rec);
        Error e = ERROR_NULL;
        int r = rollback_check_live(&rec, &e);
        if (!want) {
                if (r < 0)
                        fail_msg("%s refused: %s", json, error_message(&e));
                assert_false(error_is_set(&e));
        } else {
                assert_int_equal(r, -EINVAL);
                assert_true(error_is_set(&e));
                assert_non_null(e.place);
                if (!e.message || !strstr(e.message, want))
                        fail_msg("%s: got \"%s\", want \"%s\"", json, e.message ? e.message : "(none)", want);
        }
        error_done(&e);
        json_decref(c);
}

static void test_check_live_reasons(void **state) {
        check_live("{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"old\":\"60\"}", NULL);
        /* Out of skytune's range but a value the kernel held: tolerated for a live restore. */
        check_live("{\"kind\":\"sysctl\",\"key\":\"net.core.somaxconn\",\"old\":\"1\"}", NULL);
        check_live("{\"kind\":\"nosuchkind\",\"key\":\"vm.swappiness\",\"old\":\"60\"}",
                   "the journal's key is not in skytune's allowlist");
        check_live("{\"kind\":\"sysctl\",\"key\":\"vm/swappiness\",\"old\":\"60\"}",
                   "the journal's key is not in skytune's allowlist");
        check_live("{\"kind\":\"sysctl\",\"key\":\"kernel.core_pattern\",\"old\":\"core\"}",
                   "key is not in skytune's allowlist");
        check_live("{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"old\":\"6 0\"}", "grammar");
        check_live("{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"old\":\"60\",\"old_raw\":\"61\"}",
                   "the journal's old_raw is not its old value");
        check_live("{\"kind\":\"sysctl\",\"key\":\"vm.dirty_ratio\",\"old\":\"20\","
                   "\"pair\":{\"key\":\"vm.swappiness\",\"old\":\"0\"}}",
                   "the journal's coupled key is not this key's partner");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_view_of_a_journal_change),
                cmocka_unit_test(test_setters_write_the_journal),
                cmocka_unit_test(test_check_live_reasons),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

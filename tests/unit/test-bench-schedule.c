/* SPDX-License-Identifier: MIT */
/* suite/bench-schedule*.c: the user's units as written (the template with this skytune and the
 * history, the suite's timer, a history drop-in with its path quoted and '%' escaped), 0644,
 * written again in place; another's file refused before anything is written; --remove takes only
 * schedule's files (the template with the last timer) and the enable link; --list's calendars; a
 * control character never reaches a unit; the calendar as systemd-analyze judges it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench-schedule.h"
#include "fileio.h"
#include "support.h"

static char *slurp(const char *dir, const char *rel) {
        char path[4096], *text = NULL;
        size_t len;
        snprintf(path, sizeof path, "%s/%s", dir, rel);
        return fileio_read_regular(path, 1 << 20, &text, &len) < 0 ? NULL : text;
}

static bool exists(const char *dir, const char *rel) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, rel);
        return access(path, F_OK) == 0;
}

static BenchSchedule user_schedule(const char *name, const char *calendar, const char *history) {
        return (BenchSchedule) { .name = name,
                                 .calendar = calendar,
                                 .history = history,
                                 .skytune = "/usr/bin/skytune",
                                 .user_history = "/home/u/.local/state/skytune/bench.db",
                                 .user = true };
}

static void test_write_user(void **state) {
        (void) state;
        char *dir = test_tmpdir();
        BenchSchedule s = user_schedule("perf", "Mon *-*-* 03:00", "/srv/my bench%1.db");
        json_t *w = NULL;
        Error e = ERROR_NULL;
        for (int round = 0; round < 2; round++) {
                assert_int_equal(bench_schedule_write(&s, dir, &w, &e), 0);
                assert_int_equal(json_array_size(w), 3);
                json_decref(w);
        }
        char *t = slurp(dir, "skytune-bench@.service");
        assert_non_null(strstr(t,
                               "\nExecStart=/usr/bin/skytune bench run %i --history "
                               "/home/u/.local/state/skytune/bench.db\n"));
        assert_memory_equal(t, BENCH_SCHEDULE_MARK, strlen(BENCH_SCHEDULE_MARK));
        free(t);
        t = slurp(dir, "skytune-bench@perf.timer");
        assert_non_null(strstr(t, "\nOnCalendar=Mon *-*-* 03:00\nPersistent=true\n"));
        assert_non_null(strstr(t, "\nWantedBy=timers.target\n"));
        free(t);
        t = slurp(dir, "skytune-bench@perf.service.d/skytune-schedule.conf");
        assert_non_null(
                strstr(t, "\nExecStart=\nExecStart=/usr/bin/skytune bench run %i --history \"/srv/my bench%%1.db\"\n"));
        free(t);
        struct stat st;
        char path[4096];
        snprintf(path, sizeof path, "%s/skytune-bench@perf.timer", dir);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0644);
        /* Again without --history: the drop-in and its directory go. */
        s.history = NULL;
        assert_int_equal(bench_schedule_write(&s, dir, &w, &e), 0);
        json_decref(w);
        assert_false(exists(dir, "skytune-bench@perf.service.d"));
        test_rm_rf(dir);
        free(dir);
}

static void test_system_dropin(void **state) {
        (void) state;
        char *dir = test_tmpdir();
        BenchSchedule s = user_schedule("perf", "weekly", NULL);
        s.user = false;
        json_t *w = NULL;
        assert_int_equal(bench_schedule_write(&s, dir, &w, NULL), 0);
        assert_int_equal(json_array_size(w), 1);
        json_decref(w);
        char *t = slurp(dir, "skytune-bench@perf.timer.d/skytune-schedule.conf");
        assert_non_null(strstr(t, "\n[Timer]\nOnCalendar=\nOnCalendar=weekly\n"));
        free(t);
        assert_false(exists(dir, "skytune-bench@.service"));
        json_t *l = NULL;
        assert_int_equal(bench_schedule_list(false, dir, &l, NULL), 0);
        assert_int_equal(json_array_size(l), 1);
        assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "calendar")), "weekly");
        json_decref(l);
        assert_int_equal(bench_schedule_remove("perf", false, dir, &w, NULL), 0);
        json_decref(w);
        assert_false(exists(dir, "skytune-bench@perf.timer.d"));
        test_rm_rf(dir);
        free(dir);
}

static void test_foreign_and_remove(void **state) {
        (void) state;
        char *dir = test_tmpdir();
        test_write(dir, "skytune-bench@mine.timer", "[Timer]\nOnCalendar=hourly\n");
        BenchSchedule s = user_schedule("mine", "daily", NULL);
        json_t *w = NULL, *l = NULL;
        Error e = ERROR_NULL;
        assert_int_equal(bench_schedule_write(&s, dir, &w, &e), -EEXIST);
        assert_non_null(strstr(error_message(&e), "skytune-bench@mine.timer exists"));
        error_done(&e);
        assert_false(exists(dir, "skytune-bench@.service")); /* refused before anything was written */
        assert_int_equal(bench_schedule_remove("mine", true, dir, &w, &e), -ENOENT);
        error_done(&e);
        assert_true(exists(dir, "skytune-bench@mine.timer"));
        const char *names[] = { "a", "b" };
        for (size_t i = 0; i < 2; i++) {
                s = user_schedule(names[i], i ? "weekly" : "daily", NULL);
                assert_int_equal(bench_schedule_write(&s, dir, &w, NULL), 0);
                json_decref(w);
        }
        assert_int_equal(bench_schedule_list(true, dir, &l, NULL), 0);
        assert_int_equal(json_array_size(l), 2); /* not mine: another's */
        json_decref(l);
        test_write(dir, "timers.target.wants/.keep", "");
        char link[4096];
        snprintf(link, sizeof link, "%s/timers.target.wants/skytune-bench@a.timer", dir);
        assert_int_equal(symlink("/home/u/.config/systemd/user/skytune-bench@a.timer", link), 0);
        assert_int_equal(bench_schedule_remove("a", true, dir, &w, NULL), 0);
        assert_int_equal(json_array_size(w), 2); /* the timer and its link; the template stays for b */
        json_decref(w);
        assert_true(exists(dir, "skytune-bench@.service"));
        assert_int_equal(bench_schedule_remove("b", true, dir, &w, NULL), 0);
        json_decref(w);
        assert_false(exists(dir, "skytune-bench@.service"));
        assert_true(exists(dir, "skytune-bench@mine.timer"));
        test_rm_rf(dir);
        free(dir);
}

static void test_no_control_characters(void **state) {
        (void) state;
        char *dir = test_tmpdir();
        BenchSchedule s = user_schedule("perf", "daily", "/srv/a\nExecStartPre=/bin/evil");
        json_t *w = NULL;
        Error e = ERROR_NULL;
        assert_int_equal(bench_schedule_write(&s, dir, &w, &e), -EINVAL);
        error_done(&e);
        assert_false(exists(dir, "skytune-bench@.service"));
        assert_false(exists(dir, "skytune-bench@perf.timer"));
        s = user_schedule("perf", "daily", NULL);
        s.skytune = "/usr/bin/sky\ttune"; /* the template's path: nothing is written either */
        assert_int_equal(bench_schedule_write(&s, dir, &w, &e), -EINVAL);
        error_done(&e);
        assert_false(exists(dir, "skytune-bench@perf.timer"));
        assert_int_equal(bench_schedule_check_calendar("daily\nExecStartPre=/bin/evil", &e), -EINVAL);
        error_done(&e);
        assert_int_equal(bench_schedule_check_calendar("", &e), -EINVAL);
        error_done(&e);
        test_rm_rf(dir);
        free(dir);
}

static void test_calendar(void **state) {
        (void) state;
        char *argv[] = { (char *) "systemd-analyze", (char *) "--version", NULL };
        if (bench_schedule_exec(argv, NULL) != 0)
                skip(); /* no systemd-analyze here */
        Error e = ERROR_NULL;
        assert_int_equal(bench_schedule_check_calendar("daily", &e), 0);
        assert_int_equal(bench_schedule_check_calendar("Mon *-*-* 03:00", &e), 0);
        assert_int_equal(bench_schedule_check_calendar("-daily", &e), -EINVAL); /* not an option */
        error_done(&e);
        assert_int_equal(bench_schedule_check_calendar("Mon *-*-* 25:00", &e), -EINVAL);
        assert_non_null(strstr(error_message(&e), "Failed to parse calendar"));
        error_done(&e);
        char *missing[] = { (char *) "/nonexistent/skytune-test-binary", NULL };
        char *out = NULL;
        assert_int_equal(bench_schedule_exec(missing, &out), 127);
        free(out);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_write_user),         cmocka_unit_test(test_system_dropin),
                cmocka_unit_test(test_foreign_and_remove), cmocka_unit_test(test_no_control_characters),
                cmocka_unit_test(test_calendar),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

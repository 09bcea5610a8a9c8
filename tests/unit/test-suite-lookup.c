/* SPDX-License-Identifier: MIT */
/* suite/suite-lookup.c: the places in order (XDG_CONFIG_HOME over HOME, none without either, none for
 * a system service, all under a root), a name found in the first place that has it, a path taken as
 * given, a missing name's message listing every place, and the list with shadowed names marked. */
#include <stdlib.h>
#include <string.h>

#include "suite-lookup.h"
#include "support.h"

static void test_places(void **state) {
        (void) state;
        SuitePlaces p;
        setenv("XDG_CONFIG_HOME", "/x", 1);
        setenv("HOME", "/h", 1);
        assert_int_equal(suite_places_init(&p, NULL, true), 0);
        assert_int_equal(p.n, 3);
        assert_string_equal(p.dirs[0], "/x/skytune/suites");
        assert_string_equal(p.dirs[1], "/etc/skytune/suites.d");
        assert_non_null(strstr(p.dirs[2], "/skytune/suites"));
        suite_places_done(&p);
        unsetenv("XDG_CONFIG_HOME");
        assert_int_equal(suite_places_init(&p, "/r", true), 0);
        assert_string_equal(p.dirs[0], "/r/h/.config/skytune/suites");
        assert_string_equal(p.dirs[1], "/r/etc/skytune/suites.d");
        assert_memory_equal(p.dirs[2], "/r/", 3);
        suite_places_done(&p);
        assert_int_equal(suite_places_init(&p, "/", false), 0);
        assert_int_equal(p.n, 2);
        assert_string_equal(p.dirs[0], "/etc/skytune/suites.d");
        suite_places_done(&p);
        unsetenv("HOME");
        assert_int_equal(suite_places_init(&p, NULL, true), 0);
        assert_int_equal(p.n, 2);
        char *text = suite_places_text(&p);
        assert_non_null(strstr(text, "/etc/skytune/suites.d and /"));
        free(text);
        suite_places_done(&p);
}

/* A tree with a.conf in all three places, b.conf in /etc's and the data dir's, c.conf in the data
 * dir's, and files that are not suites. */
static char *tree(SuitePlaces *p) {
        char *dir = test_tmpdir();
        setenv("HOME", "/home/u", 1);
        unsetenv("XDG_CONFIG_HOME");
        assert_int_equal(suite_places_init(p, dir, true), 0);
        const char *files[] = { "0/a.conf", "1/a.conf",    "2/a.conf",        "1/b.conf", "2/b.conf",
                                "2/c.conf", "2/notes.txt", "2/bad name.conf", "0/.conf" };
        for (size_t i = 0; i < sizeof files / sizeof *files; i++)
                test_write(p->dirs[files[i][0] - '0'], files[i] + 2, "name = \"x\";\n");
        return dir;
}

static void test_lookup(void **state) {
        (void) state;
        SuitePlaces p;
        char *dir = tree(&p), *path = NULL;
        Error e = ERROR_NULL;
        const struct {
                const char *name;
                size_t place;
        } found[] = { { "a", 0 }, { "b", 1 }, { "c", 2 } };
        for (size_t i = 0; i < 3; i++) {
                assert_int_equal(suite_lookup(&p, found[i].name, &path, &e), 0);
                assert_memory_equal(path, p.dirs[found[i].place], strlen(p.dirs[found[i].place]));
                free(path);
        }
        assert_int_equal(suite_lookup(&p, "d", &path, &e), -ENOENT);
        for (size_t i = 0; i < p.n; i++)
                assert_non_null(strstr(error_message(&e), p.dirs[i]));
        error_done(&e);
        assert_int_equal(suite_lookup(&p, "x/y", &path, &e), 0);
        assert_string_equal(path, "x/y");
        free(path);
        assert_int_equal(suite_lookup(&p, "a.conf", &path, &e), 0);
        assert_string_equal(path, "a.conf");
        free(path);
        assert_int_equal(suite_lookup(&p, "bad name", &path, &e), -EINVAL);
        error_done(&e);
        char longname[SUITE_NAME_MAX + 2];
        memset(longname, 'n', sizeof longname - 1);
        longname[sizeof longname - 1] = '\0';
        assert_false(suite_name_valid(longname));
        assert_true(suite_name_valid(longname + 1));
        assert_false(suite_name_valid(""));
        assert_false(suite_name_valid("a\\x2db"));
        suite_places_done(&p);
        test_rm_rf(dir);
        free(dir);
}

static void test_find_all(void **state) {
        (void) state;
        SuitePlaces p;
        char *dir = tree(&p);
        SuiteFound *f = NULL;
        size_t n = 0;
        assert_int_equal(suite_find_all(&p, &f, &n), 0);
        const char *want[] = { "a0", "a1s", "a2s", "b1", "b2s", "c2" };
        assert_int_equal(n, 6);
        for (size_t i = 0; i < n; i++) {
                char got[8];
                snprintf(got, sizeof got, "%s%zu%s", f[i].name, f[i].place, f[i].shadowed ? "s" : "");
                assert_string_equal(got, want[i]);
                assert_memory_equal(f[i].path, p.dirs[f[i].place], strlen(p.dirs[f[i].place]));
        }
        suite_found_free(f, n);
        test_rm_rf(dir);
        free(dir);
        /* Places that do not exist hold no suites. */
        assert_int_equal(suite_find_all(&p, &f, &n), 0);
        assert_int_equal(n, 0);
        suite_found_free(f, n);
        suite_places_done(&p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_places),
                cmocka_unit_test(test_lookup),
                cmocka_unit_test(test_find_all),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

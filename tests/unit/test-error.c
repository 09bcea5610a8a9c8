/* SPDX-License-Identifier: MIT */
/* One error carrier (common/error.h) for the libraries: the optimizer's OptError is that carrier, and
 * the plan validator fills it instead of a malloc'ed string; each says the errno, the message, the
 * place in the source and, for inputs, the file and line. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "opt-error.h"
#include "plan-validate.h"
#include "policy.h"

_Static_assert(__builtin_types_compatible_p(OptError, Error), "the optimizer's errors are common/error.h's");

static void test_input_errors_first_wins(void **state) {
        Error e = ERROR_NULL;
        assert_int_equal(error_set_input(&e, -EINVAL, "/etc/skytune/web.conf", 12, "'%s' must be an integer", "cap"), -EINVAL);
        assert_int_equal(error_set_input(&e, -ENOENT, "other.conf", 1, "later"), -ENOENT);
        assert_int_equal(e.code, -EINVAL);
        assert_string_equal(e.message, "'cap' must be an integer");
        assert_non_null(strstr(e.place, "test-error.c:"));
        char *s = error_format(&e);
        assert_string_equal(s, "/etc/skytune/web.conf:12: 'cap' must be an integer");
        free(s);
        e.line = 0;
        s = error_format(&e);
        assert_string_equal(s, "/etc/skytune/web.conf: 'cap' must be an integer");
        free(s);
        error_done(&e);
        assert_null(e.file);
        /* Without a message: the errno speaks. */
        e.code = -ENOENT;
        s = error_format(&e);
        assert_string_equal(s, strerror(ENOENT));
        free(s);
        assert_int_equal(error_set_input(NULL, -EIO, NULL, 0, "x"), -EIO);
}

static void test_policy_error_has_errno_and_place(void **state) {
        char *dirs[] = { (char *) "/nonexistent" };
        PolicySearch s = { .dirs = dirs, .n_dirs = 1 };
        Policy *p = NULL;
        OptError e = OPT_ERROR_INIT;
        assert_true(policy_load(&s, "nope", &p, &e) < 0);
        assert_int_equal(e.code, -ENOENT);
        assert_non_null(strstr(error_message(&e), "not found"));
        assert_non_null(e.place);
        assert_non_null(strstr(e.place, "policy"));
        opt_error_clear(&e);
        assert_null(e.message);
}

static void test_plan_refusal_in_the_carrier(void **state) {
        static const char text[] = "{\"schema\":\"skytune.plan/1\",\"persist\":false,\"changes\":[{\"kind\":\"sysctl\"}]}";
        Error e = ERROR_NULL;
        Plan *p = NULL;
        assert_int_equal(plan_validate(text, strlen(text), NULL, &p, &e), -EINVAL);
        assert_null(p);
        assert_int_equal(e.code, -EINVAL);
        assert_string_equal(e.message, "changes[0]: kind, key and proposed must be strings");
        assert_non_null(strstr(e.place, "plan-validate.c:"));
        error_done(&e);
        /* NULL: only the errno. */
        assert_int_equal(plan_validate(text, strlen(text), NULL, NULL, NULL), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_input_errors_first_wins),
                cmocka_unit_test(test_policy_error_has_errno_and_place),
                cmocka_unit_test(test_plan_refusal_in_the_carrier),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

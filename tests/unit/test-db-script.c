/* SPDX-License-Identifier: MIT */
/* skytune db's parts that need no server: scripts into statement templates (variables become $k,
 * ::casts and quoted text stay, $N are --param slots), \set expressions evaluated (random within
 * its bounds, overflow refused), malformed scripts refused at file:line, the built-ins parse,
 * SQLSTATE classes, the DSN's password redacted in URIs and connection strings, messages scrubbed,
 * and a password file that others can read refused. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db-script.h"
#include "db.h"
#include "macro.h"
#include "support.h"

static DbScript *parse_ok(const char *text) {
        DbScript *s = NULL;
        Error e = ERROR_NULL;
        int r = db_script_parse(text, "t.sql", &s, &e);
        if (r < 0)
                fail_msg("parse failed: %s", error_message(&e));
        error_done(&e);
        return s;
}

static void test_template(void **state) {
        DbScript *s = parse_ok("\\set aid random(1, 10 * :scale)\n"
                               "select ':aid', :aid::int, \"x:aid\", :aid + $2\n"
                               "  from t where c = :client_id;\n"
                               "select 1;\n");
        assert_int_equal(s->n_stmts, 2);
        assert_int_equal(s->n_cmds, 3);
        assert_true(s->uses_scale);
        assert_int_equal(s->max_user_param, 2);
        assert_string_equal(s->stmts[0].text, "select ':aid', $1::int, \"x:aid\", $1 + $2\nfrom t where c = $3;");
        assert_int_equal(s->stmts[0].n_params, 3);
        assert_int_equal(s->stmts[0].param_slot[1], DB_SCRIPT_MAX_VARS + 1);
        assert_int_equal(s->stmts[0].param_slot[2], DB_VAR_CLIENT_ID);
        assert_int_equal(s->stmts[0].line, 2);
        assert_int_equal(s->stmts[1].line, 4);
        db_script_free(s);
}

static void test_expressions(void **state) {
        DbScript *s =
                parse_ok("\\set a (7 + :scale) * -2 % 5\n\\set b random(-3, 3)\n\\set c :a / 2 - :b\nselect 1;\n");
        int64_t vars[DB_SCRIPT_MAX_VARS] = { [DB_VAR_SCALE] = 3 };
        StatsRng rng;
        stats_rng_seed(&rng, 7);
        for (int i = 0; i < 200; i++)
                for (size_t k = 0; k < 3; k++)
                        assert_int_equal(db_expr_eval(s->cmds[k].expr, vars, &rng, &vars[s->cmds[k].var]), 0);
        int a = db_script_var(s, "a", 1, false), b = db_script_var(s, "b", 1, false);
        assert_int_equal(vars[a], (7 + 3) * -2 % 5);
        assert_true(vars[b] >= -3 && vars[b] <= 3);
        db_script_free(s);
        s = parse_ok("\\set big 9223372036854775807 + 1\nselect 1;\n");
        int64_t v;
        assert_int_equal(db_expr_eval(s->cmds[0].expr, vars, &rng, &v), -ERANGE);
        db_script_free(s);
}

static void expect_error(const char *text, const char *want) {
        DbScript *s = NULL;
        Error e = ERROR_NULL;
        assert_true(db_script_parse(text, "bad.sql", &s, &e) < 0);
        assert_null(s);
        char *m = error_format(&e);
        if (!strstr(m, want))
                fail_msg("'%s': got '%s', want '%s'", text, m, want);
        free(m);
        error_done(&e);
}

static void test_malformed(void **state) {
        expect_error("select 1;\n\\set x random(1,\n", "bad.sql:2: ");
        expect_error("select :nope;\n", "used before");
        expect_error("\\sleep 1\n", "unknown meta-command");
        expect_error("\\set scale 2\nselect 1;\n", "built-in :scale");
        expect_error("\\set x 1 2\nselect 1;\n", "after the \\set expression");
        expect_error("-- nothing\n", "no SQL statement");
        expect_error("select $0;\n", "out of range");
        expect_error("\\set x random\n", "random needs '('");
}

static void test_builtins(void **state) {
        static const char *const names[] = { "tpcb-like", "select-only", "suite" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                DbScript *s = parse_ok(db_builtin_script(names[i]));
                assert_true(s->uses_scale);
                db_script_free(s);
        }
        assert_null(db_builtin_script("nosuch"));
        char *sql = db_init_sql(3);
        assert_non_null(strstr(sql, "generate_series(1, 100000 * 3)"));
        free(sql);
}

static void test_sqlstate(void **state) {
        assert_int_equal(db_sqlstate_class("40001"), DB_ERR_SERIALIZATION);
        assert_int_equal(db_sqlstate_class("40P01"), DB_ERR_DEADLOCK);
        assert_int_equal(db_sqlstate_class("57014"), DB_ERR_CANCELED);
        assert_int_equal(db_sqlstate_class("08006"), DB_ERR_CONNECTION);
        assert_int_equal(db_sqlstate_class(NULL), DB_ERR_CONNECTION);
        assert_int_equal(db_sqlstate_class("42P01"), DB_ERR_OTHER);
        assert_string_equal(db_err_class_name(DB_ERR_DEADLOCK), "deadlock");
}

static void redacts(const char *dsn, const char *want) {
        char *shown = db_dsn_redact(dsn);
        assert_string_equal(shown, want);
        free(shown);
}

static void test_redact(void **state) {
        redacts("postgresql://app:s3cr%40t@db1:5432/shop?sslmode=require",
                "postgresql://app:***@db1:5432/shop?sslmode=require");
        redacts("postgres://app@db1/shop?password=s3cret&sslmode=verify-full",
                "postgres://app@db1/shop?password=***&sslmode=verify-full");
        redacts("host=db1 password = 's3 c\\'ret' dbname=shop", "host=db1 password = *** dbname=shop");
        redacts("host=db1 password='x'port=5", "host=db1 password=*** port=5");
        redacts("host=db1 user=app", "host=db1 user=app");
        redacts("host=db1 sslpassword=keysecret sslkey=k", "host=db1 sslpassword=*** sslkey=k");
        redacts("postgresql://app:pa?ss#w@db1/shop", "postgresql://app:***@db1/shop");
        redacts("postgresql://db1/a&password=x/b?password=y", "postgresql://db1/a&password=x/b?password=***");
        redacts("postgresql://db1/shop?sslpassword=keysecret&sslmode=require",
                "postgresql://db1/shop?sslpassword=***&sslmode=require");
        redacts("host='db1 password=x", "(a connection string skytune cannot read)");
        const char *secrets[] = { "s3cret", NULL, "" };
        char *m = db_scrub("auth for s3cret failed: s3cret", secrets, ELEMENTSOF(secrets));
        assert_string_equal(m, "auth for *** failed: ***");
        free(m);
}

static void test_password_file(void **state) {
        char path[] = "/tmp/skytune-test-pw-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "pw-line\nsecond\n", 15), 15);
        close(fd);
        char *pw = NULL;
        Error e = ERROR_NULL;
        assert_int_equal(chmod(path, 0600), 0);
        assert_int_equal(db_read_password_file(path, &pw, &e), 0);
        assert_string_equal(pw, "pw-line");
        free(pw);
        assert_int_equal(chmod(path, 0640), 0);
        assert_int_equal(db_read_password_file(path, &pw, &e), -EPERM);
        assert_non_null(strstr(error_message(&e), "chmod 600"));
        error_done(&e);
        unlink(path);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_template),      cmocka_unit_test(test_expressions),
                cmocka_unit_test(test_malformed),     cmocka_unit_test(test_builtins),
                cmocka_unit_test(test_sqlstate),      cmocka_unit_test(test_redact),
                cmocka_unit_test(test_password_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

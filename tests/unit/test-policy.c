/* SPDX-License-Identifier: MIT */
/* Policies: every shipped one loads; includes, later-wins, disable; malformed files give the
 * documented file:line messages and no policy. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "support.h"

/* Tables below leave trailing fields out. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static char *dir;

/* libconfig 1.5 leaks its string buffer when a file ends inside a string or list: not ours to fix. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) {
        return "leak:libconfig.so\n";
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

static void test_shipped_policies_load(void **state) {
        char *dirs[] = { (char *) SKYTUNE_SOURCE_POLICY_DIR };
        PolicySearch s = { .dirs = dirs, .n_dirs = 1 };
        static const char *const names[] = { "balanced", "throughput-performance", "latency-performance",
                                             "network-throughput", "network-latency", "database", "web-server",
                                             "virtual-guest", "powersave" };
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                Policy *p = NULL;
                OptError e = OPT_ERROR_INIT;
                if (policy_load(&s, names[i], &p, &e) < 0)
                        fail_msg("%s: %s:%u: %s", names[i], e.file ? e.file : "", e.line, e.message);
                assert_string_equal(p->name, names[i]);
                assert_non_null(p->description);
                assert_true(p->n_rules > 0);
                /* Every entry cites its source. */
                for (size_t j = 0; j < p->n_rules; j++)
                        if (!p->rules[j].source)
                                fail_msg("%s: %s has no source", names[i], p->rules[j].id);
                /* show gives text that loads again to the same entries. */
                char *text = NULL, *path = NULL;
                assert_int_equal(policy_format(p, &text), 0);
                assert_true(asprintf(&path, "%s/shown-%s.conf", dir, names[i]) > 0);
                test_write(dir, strrchr(path, '/') + 1, text);
                Policy *q = NULL;
                if (policy_load(&s, path, &q, &e) < 0)
                        fail_msg("%s shown: %s:%u: %s", names[i], e.file, e.line, e.message);
                assert_int_equal(q->n_rules, p->n_rules);
                for (size_t j = 0; j < p->n_rules; j++) {
                        bool found = false;
                        for (size_t k = 0; k < q->n_rules; k++)
                                if (strcmp(q->rules[k].id, p->rules[j].id) == 0) {
                                        assert_string_equal(q->rules[k].value_text, p->rules[j].value_text);
                                        assert_int_equal(q->rules[k].setting, p->rules[j].setting);
                                        found = true;
                                }
                        assert_true(found);
                }
                policy_free(q);
                free(text);
                free(path);
                policy_free(p);
        }
        PolicyListEntry *l = NULL;
        size_t n = 0;
        assert_int_equal(policy_list(&s, &l, &n), 0);
        assert_true(n >= 9);
        for (size_t i = 0; i < n; i++)
                if (l[i].error)
                        fail_msg("listed %s: %s", l[i].name, l[i].error);
        policy_list_free(l, n);
}

typedef struct Bad {
        const char *name;
        const char *text;
        unsigned line;
        const char *message;    /* substring */
        const char *file;       /* the file the error names, when not the loaded one */
} Bad;

#define RULE(body) "rules = (\n{\n id = \"r1\";\n kind = \"sysctl\";\n key = \"vm.swappiness\";\n" body "\n});\n"
#define OK_FIELDS " reason = \"x\";\n effect = \"y\";\n"

static const Bad bad[] = {
        { "syntax", "name = \"x\"\nrules = (\n", 3, "syntax error" },
        { "syntax-mid", "name = \"x\";\ndescription \"y\";\nallow_risk = \"low\";\n", 2, "syntax error" },
        { "unknown-top", "name = \"x\";\ncolour = \"red\";\n", 2, "unknown setting 'colour'" },
        { "unknown-field", RULE(" value = \"10\";\n when = \"memory.swap_in_per_s > 0\";\n" OK_FIELDS " colour = 1;"), 10,
          "unknown field 'colour'" },
        { "unknown-kind", "rules = (\n{\n id = \"r1\";\n kind = \"sysctll\";\n key = \"vm.swappiness\";\n value = \"1\";\n"
                          " when = \"memory.swap_in_per_s > 0\";\n" OK_FIELDS "});\n", 4, "unknown kind 'sysctll'" },
        { "out-of-range", RULE(" value = \"300\";\n when = \"memory.swap_in_per_s > 0\";\n" OK_FIELDS), 6,
          "out of the allowed range" },
        { "raise-out-of-range", RULE(" value = \">=201\";\n when = \"memory.swap_in_per_s > 0\";\n" OK_FIELDS), 6,
          "out of the allowed range" },
        { "not-allowlisted", "rules = (\n{\n id = \"r1\";\n kind = \"sysctl\";\n key = \"kernel.modprobe\";\n"
                             " value = \"/tmp/x\";\n when = \"memory.swap_in_per_s > 0\";\n" OK_FIELDS "});\n", 5,
          "allowlist" },
        { "bad-condition", RULE(" value = \"10\";\n when = \"memory.swap_in_per_s >\";\n" OK_FIELDS), 7, "at column" },
        { "single-equals", RULE(" value = \"10\";\n when = \"memory.swap_in_per_s = 1\";\n" OK_FIELDS), 7, "'=='" },
        { "unknown-path", RULE(" value = \"10\";\n when = \"memroy.swap_in_per_s > 0\";\n" OK_FIELDS), 7,
          "unknown metric path 'memroy.swap_in_per_s'" },
        { "rule-without-when", RULE(" value = \"10\";\n" OK_FIELDS), 2, "lacks 'when'" },
        { "setting-with-when", "settings = (\n{\n id = \"s1\";\n kind = \"sysctl\";\n key = \"vm.swappiness\";\n"
                               " value = \"10\";\n when = \"memory.swap_in_per_s > 0\";\n" OK_FIELDS "});\n", 7,
          "move an entry with 'when' to rules" },
        { "missing-reason", RULE(" value = \"10\";\n when = \"memory.swap_in_per_s > 0\";\n effect = \"y\";"), 2,
          "lacks 'reason'" },
        { "bad-risk", RULE(" value = \"10\";\n when = \"memory.swap_in_per_s > 0\";\n" OK_FIELDS " risk = \"extreme\";"), 10,
          "risk 'extreme'" },
        { "dollar-without-foreach", "rules = (\n{\n id = \"r1\";\n kind = \"io_scheduler\";\n key = \"$\";\n value = \"none\";\n"
                                    " when = \"disk.psi_full_pct > 0\";\n" OK_FIELDS "});\n", 5, "has no foreach" },
        { "word-raise", "rules = (\n{\n id = \"r1\";\n kind = \"io_scheduler\";\n key = \"sda\";\n value = \">=5\";\n"
                        " when = \"disk.psi_full_pct > 0\";\n" OK_FIELDS "});\n", 6, "numeric" },
        { "duplicate-id", "settings = (\n{ id = \"a\"; kind = \"sysctl\"; key = \"vm.swappiness\"; value = \"1\"; reason = \"x\"; effect = \"y\"; },\n"
                          "{ id = \"a\"; kind = \"sysctl\"; key = \"vm.swappiness\"; value = \"2\"; reason = \"x\"; effect = \"y\"; }\n);\n",
          3, "used twice" },
        { "disable-unknown", "disable = [ \"nope\" ];\n", 1, "disable names 'nope'" },
        { "at-include", "@include \"other.conf\"\n", 1, "'@include' is not supported" },
        { "missing-include", "name = \"x\";\ninclude = [ \"does-not-exist\" ];\n", 2,
          "included policy 'does-not-exist' not found" },
        { "loop-a", "include = [ \"loop-b\" ];\n", 1, "include loop", "loop-b.conf" },
        { "string-expected", "name = 5;\n", 1, "must be a string" },
        { "bad-target", "targets = [ \"../etc\" ];\n", 1, "target '../etc'" },
};

static void test_malformed_policies(void **state) {
        test_write(dir, "loop-b.conf", "include = [ \"loop-a\" ];\n");
        char *dirs[] = { dir };
        PolicySearch s = { .dirs = dirs, .n_dirs = 1 };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char rel[64];
                snprintf(rel, sizeof(rel), "%s.conf", bad[i].name);
                test_write(dir, rel, bad[i].text);
                char *path = NULL;
                assert_true(asprintf(&path, "%s/%s", dir, rel) > 0);
                Policy *p = NULL;
                OptError e = OPT_ERROR_INIT;
                int r = policy_load(&s, path, &p, &e);
                if (r >= 0)
                        fail_msg("%s: loaded, want an error", bad[i].name);
                assert_null(p);
                assert_non_null(e.message);
                if (!strstr(e.message, bad[i].message))
                        fail_msg("%s: message '%s' lacks '%s'", bad[i].name, e.message, bad[i].message);
                if (e.line != bad[i].line)
                        fail_msg("%s: line %u, want %u (%s)", bad[i].name, e.line, bad[i].line, e.message);
                assert_non_null(e.file);
                const char *want_file = bad[i].file ? bad[i].file : rel;
                if (!strstr(e.file, want_file))
                        fail_msg("%s: file %s, want %s", bad[i].name, e.file, want_file);
                char *formatted = opt_error_format(&e);
                assert_non_null(strstr(formatted, ".conf:"));
                free(formatted);
                opt_error_clear(&e);
                free(path);
        }
}

static void test_include_merge(void **state) {
        char *sub = NULL;
        assert_true(asprintf(&sub, "%s/merge", dir) > 0);
        test_write(sub, "base.conf",
                   "name = \"base\";\ndescription = \"base policy\";\ntargets = [ \"nginx\" ];\n"
                   "settings = (\n"
                   "{ id = \"a\"; kind = \"sysctl\"; key = \"vm.swappiness\"; value = \"10\"; reason = \"x\"; effect = \"y\"; },\n"
                   "{ id = \"b\"; kind = \"sysctl\"; key = \"net.core.somaxconn\"; value = \">=4096\"; reason = \"x\"; effect = \"y\"; },\n"
                   "{ id = \"c\"; kind = \"sysctl\"; key = \"fs.file-max\"; value = \">=100000\"; reason = \"x\"; effect = \"y\"; }\n);\n");
        test_write(sub, "child.conf",
                   "include = \"base\";\nallow_risk = \"medium\";\ntargets = [ \"postgres\", \"nginx\" ];\n"
                   "disable = [ \"c\" ];\n"
                   "settings = (\n"
                   "{ id = \"a\"; kind = \"sysctl\"; key = \"vm.swappiness\"; value = 30; reason = \"x\"; effect = \"y\"; }\n);\n");
        /* A local policy may include the shipped one of the same name. */
        char *local = NULL;
        assert_true(asprintf(&local, "%s/local", dir) > 0);
        test_write(local, "base.conf", "include = [ \"base\" ];\ndescription = \"local override\";\n");
        char *dirs[] = { local, sub };
        PolicySearch s = { .dirs = dirs, .n_dirs = 2 };
        Policy *p = NULL;
        OptError e = OPT_ERROR_INIT;
        char *child = NULL;
        assert_true(asprintf(&child, "%s/child.conf", sub) > 0);
        if (policy_load(&s, child, &p, &e) < 0)
                fail_msg("%s:%u: %s", e.file, e.line, e.message);
        assert_string_equal(p->name, "child");
        assert_string_equal(p->description, "local override");   /* inherited from base (the local one) */
        assert_int_equal(p->allow_risk, RISK_MEDIUM);
        assert_int_equal(p->n_rules, 2);
        assert_string_equal(p->rules[0].id, "a");
        assert_string_equal(p->rules[0].value_text, "30");       /* later wins, in place */
        assert_string_equal(p->rules[1].id, "b");
        assert_int_equal(p->n_targets, 2);
        assert_int_equal(p->n_files, 3);
        policy_free(p);

        /* By name, the local directory wins and reaches the other one's base. */
        assert_int_equal(policy_load(&s, "base", &p, &e), 0);
        assert_string_equal(p->description, "local override");
        assert_int_equal(p->n_rules, 3);
        policy_free(p);
        assert_true(policy_load(&s, "nope", &p, &e) < 0);
        assert_non_null(strstr(e.message, "not found"));
        opt_error_clear(&e);
        free(child);
        free(local);
        free(sub);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_shipped_policies_load),
                cmocka_unit_test(test_malformed_policies),
                cmocka_unit_test(test_include_merge),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}

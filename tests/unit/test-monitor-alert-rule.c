/* SPDX-License-Identifier: MIT */
/* monitor/alert-rule: a file that sets every key; each kind of mistake at its file:line with its hint
 * (series checked against the metric catalogue, with the nearest name); a failed file leaves the
 * rules loaded so far as they were; a rule named twice across files; the directories' order, a
 * later directory's file replacing an earlier one of the same name; the shipped rules; levels with
 * hysteresis; annotation templates. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert-rule.h"
#include "macro.h"
#include "profiler.h"
#include "support.h"

static MetricCatalog catalog;

static int setup(void **state) {
        return profiler_metric_catalog(&catalog) < 0 ? -1 : 0;
}

static int teardown(void **state) {
        metric_catalog_done(&catalog);
        return 0;
}

static char *path_in(const char *dir, const char *name) {
        char *p = NULL;
        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

static void test_every_key(void **state) {
        char *dir = test_tmpdir();
        test_write(dir, "r.conf", "rules = (\n"
                                  "  { name = \"Busy\"; expr = \"cpu.user_pct + cpu.system_pct\"; direction = \"above\";\n"
                                  "    warn = 80; crit = 95.5; clear = 5; for = \"2m\"; hits = 3; keep_firing_for = 30;\n"
                                  "    no_data = \"resolve\"; flap = { transitions = 4; window = \"5m\"; };\n"
                                  "    labels = { team = \"sre\"; }; annotations = { summary = \"at {{value}} %\"; }; },\n"
                                  "  { name = \"LowMem\"; expr = \"memory.used_pct\"; direction = \"below\"; warn = 20; }\n"
                                  ");\n");
        char *p = path_in(dir, "r.conf");
        AlertRules rules = {};
        Error e = ERROR_NULL;
        assert_int_equal(alert_rules_load_file(p, &catalog, &rules, &e), 0);
        assert_int_equal(rules.n, 2);
        const AlertRule *r = &rules.rules[0];
        assert_string_equal(r->name, "Busy");
        assert_int_equal(r->line, 2);
        assert_int_equal(r->n_paths, 2);
        assert_string_equal(r->paths[0], "cpu.user_pct");
        assert_true(r->level[ALERT_LEVEL_WARN] == 80 && r->level[ALERT_LEVEL_CRIT] == 95.5 && r->clear == 5);
        assert_int_equal(r->for_ms, 120000);
        assert_int_equal(r->hits, 3);
        assert_int_equal(r->keep_firing_ms, 30000);
        assert_int_equal(r->no_data, ALERT_NODATA_RESOLVE);
        assert_int_equal(r->flap_transitions, 4);
        assert_int_equal(r->flap_window_ms, 300000);
        assert_int_equal(r->n_labels, 1);
        assert_string_equal(r->labels[0].value, "sre");
        assert_string_equal(r->annotations[0].name, "summary");
        r = &rules.rules[1];
        assert_int_equal(r->direction, ALERT_BELOW);
        assert_true(isnan(r->level[ALERT_LEVEL_CRIT]));
        assert_int_equal(r->hits, 1);
        assert_int_equal(r->no_data, ALERT_NODATA_KEEP);
        /* The same file again: every name is taken. */
        assert_int_equal(alert_rules_load_file(p, &catalog, &rules, &e), -EEXIST);
        char *msg = error_format(&e);
        assert_non_null(strstr(msg, "r.conf:2: a second rule named 'Busy' (the first: "));
        free(msg);
        assert_int_equal(rules.n, 2);
        error_done(&e);
        alert_rules_done(&rules);
        free(p);
        test_rm_rf(dir);
        free(dir);
}

static void test_mistakes(void **state) {
        static const struct {
                const char *text, *where, *hint;
        } cases[] = {
                { "rules = ({ name = \"A\"; expr = \"cpu.utilisation_pct\"; warn = 1; });", ":1:",
                  "did you mean 'cpu.utilization_pct'" },
                { "rules = ({ name = \"A\"; expr = \"cpu.utilization_pct > 3\"; warn = 1; });", ":1:", "must be a number" },
                { "rules = ({ name = \"A\"; expr = \"cpu.(\"; warn = 1; });", ":1:", "'expr': at column" },
                { "rules = ({ name = \"A\"; expr = \"3\"; warn = 1; });", ":1:", "names no series" },
                { "rules = ({ name = \"A\"; expr = \"disk.devices.$.util_pct\"; warn = 1; });", ":1:", "'$'" },
                { "rules = (\n{ name = \"A\"; expr = \"cpu.utilization_pct\"; });", ":2:", "neither 'warn' nor 'crit'" },
                { "rules = ({ name = \"A\"; expr = \"cpu.utilization_pct\";\n warn = 9; crit = 3; });", ":2:",
                  "'crit' (3) is below 'warn' (9)" },
                { "rules = ({ name = \"9A\"; expr = \"cpu.utilization_pct\"; warn = 1; });", ":1:", "letters, digits" },
                { "rules = ({ expr = \"cpu.utilization_pct\"; warn = 1; });", ":1:", "needs a 'name'" },
                { "rules = ({ name = \"A\"; expr = \"cpu.utilization_pct\"; warn = 1; fro = \"1m\"; });", ":1:",
                  "did you mean 'for'" },
                { "rules = ({ name = \"A\"; expr = \"cpu.utilization_pct\"; warn = 1; no_data = \"ignore\"; });", ":1:",
                  "\"keep\", \"alert\", \"resolve\"" },
                { "rules = ({ name = \"A\"; expr = \"cpu.utilization_pct\"; warn = 1; labels = { severity = \"x\"; }; });",
                  ":1:", "set by the monitor" },
                { "rules = ({ name = \"A\"; expr = \"cpu.utilization_pct\"; warn = 1; hits = 0; });", ":1:", "'hits'" },
                { "rules = ({ name = \"A\"; expr = \"cpu.utilization_pct\"; warn = 1; for = \"-1s\"; });", ":1:",
                  "duration" },
                { "alerts = ();", ":1:", "unknown key 'alerts'" },
                { "rules = ({ name = \"A\"; expr = \"exists(cpu.utilization_pct)\"; warn = 1; });", ":1:",
                  "never gives a number" },
                { "rules = ({ name = \"A\"; expr = \"cpu.utilization_pct / 0\"; warn = 1; });", ":1:",
                  "never gives a number" },
                { "rules = ({ name = \"A\"; expr = \"cpu.utilization_pct\"; warn = 1; flap = { transitions = 64; }; });",
                  ":1:", "'transitions' is 64: give a number from 0 to 63" },
                { "rules = ({ name = \"A\"; expr = \"cpu.utilization_pct\"; warn = 1; hits = 2.5; });", ":1:",
                  "whole number" },
                { "rules = ({ name = \"A\"; expr = \"cpu.utilization_pct\"; warn = 1; labels = { a-b = \"x\"; }; });",
                  ":1:", "label 'a-b': letters, digits and '_'" },
                { "rules = ({ name = \"A\"; expr = \"monitor.cpu_usec\"; warn = 1; });", ":1:", "no series" },
                { "rules = ({ name = \"A\"; expr = \"cpu.utilization_pct\"; warn = 1; labels = { x = 3; }; });",
                  ":1:", "printable text" },
                { "rules = { };", ":1:", "a list in parentheses" },
                { "rules = ({ name = \"A\"; expr = \"cpu.utilization_pct\"; warn = 1; },\n"
                  "{ name = \"A\"; expr = \"cpu.utilization_pct\"; warn = 2; });",
                  ":2:", "a second rule named 'A'" },
        };
        char *dir = test_tmpdir();
        AlertRules rules = {};
        Error e = ERROR_NULL;
        /* Generated cases: a name past 128 bytes, 17 series, an expression past 4096 bytes. */
        char long_name[400], many[2048], huge[9000];
        snprintf(long_name, sizeof(long_name), "rules = ({ name = \"%0200d\"; expr = \"cpu.utilization_pct\"; warn = 1; });", 0);
        long_name[19] = 'N'; /* a letter first: only the length is wrong */
        int k = snprintf(many, sizeof(many), "rules = ({ name = \"M\"; expr = \"cpu.utilization_pct");
        for (int i = 0; i < 17; i++)
                k += snprintf(many + k, sizeof(many) - (size_t) k, " + disk.devices.d%d.util_pct", i);
        snprintf(many + k, sizeof(many) - (size_t) k, "\"; warn = 1; });");
        k = snprintf(huge, sizeof(huge), "rules = ({ name = \"H\"; expr = \"cpu.utilization_pct");
        while (k < 8000)
                k += snprintf(huge + k, sizeof(huge) - (size_t) k, " + 1");
        snprintf(huge + k, sizeof(huge) - (size_t) k, "\"; warn = 1; });");
        const struct {
                const char *text, *hint;
        } generated[] = { { long_name, "letters, digits" }, { many, "more than 16 series" }, { huge, "longer than 4096" } };
        for (size_t i = 0; i < ELEMENTSOF(generated); i++) {
                test_write(dir, "gen.conf", generated[i].text);
                char *p = path_in(dir, "gen.conf");
                assert_int_equal(alert_rules_load_file(p, &catalog, &rules, &e), -EINVAL);
                char *msg = error_format(&e);
                if (!strstr(msg, generated[i].hint))
                        fail_msg("generated case %zu: '%s' lacks '%s'", i, msg, generated[i].hint);
                free(msg);
                free(p);
                error_done(&e);
        }
        test_write(dir, "ok.conf", "rules = ({ name = \"Kept\"; expr = \"monitor.cpu_us\"; warn = 1000; });\n");
        char *ok = path_in(dir, "ok.conf");
        assert_int_equal(alert_rules_load_file(ok, &catalog, &rules, &e), 0);
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                test_write(dir, "bad.conf", cases[i].text);
                char *p = path_in(dir, "bad.conf");
                assert_true(alert_rules_load_file(p, &catalog, &rules, &e) < 0);
                char *msg = error_format(&e), where[600];
                snprintf(where, sizeof(where), "%s%s", p, cases[i].where);
                if (!strstr(msg, where) || !strstr(msg, cases[i].hint))
                        fail_msg("case %zu: '%s' lacks '%s' or '%s'", i, msg, where, cases[i].hint);
                assert_int_equal(rules.n, 1); /* what was loaded stays */
                free(msg);
                free(p);
                error_done(&e);
        }
        alert_rules_done(&rules);
        free(ok);
        test_rm_rf(dir);
        free(dir);
}

static void test_dirs(void **state) {
        char *dir = test_tmpdir();
        test_write(dir, "shipped/a.conf", "rules = ({ name = \"A\"; expr = \"cpu.utilization_pct\"; warn = 1; });\n");
        test_write(dir, "shipped/b.conf", "rules = ({ name = \"B\"; expr = \"cpu.utilization_pct\"; warn = 1; });\n");
        test_write(dir, "shipped/notes.txt", "not a rule file\n");
        test_write(dir, "etc/b.conf", "rules = ({ name = \"B2\"; expr = \"cpu.utilization_pct\"; warn = 2; });\n");
        test_write(dir, "etc/c.conf", "rules = ({ name = \"C\"; expr = \"memory.used_pct\"; crit = 3; });\n");
        char *shipped = path_in(dir, "shipped"), *etc = path_in(dir, "etc"), *none = path_in(dir, "none");
        const char *dirs[] = { shipped, none, etc };
        AlertRules rules = {};
        Error e = ERROR_NULL;
        assert_int_equal(alert_rules_load_dirs(dirs, 3, false, &catalog, &rules, &e), 0);
        assert_int_equal(rules.n, 3);
        assert_string_equal(rules.rules[0].name, "A");
        assert_string_equal(rules.rules[1].name, "B2");
        assert_string_equal(rules.rules[2].name, "C");
        /* An empty file, or a link to /dev/null, turns a shipped file off. */
        test_write(dir, "etc/a.conf", "");
        char *masked = path_in(dir, "etc/b.conf");
        assert_int_equal(unlink(masked), 0);
        assert_int_equal(symlink("/dev/null", masked), 0);
        assert_int_equal(alert_rules_load_dirs(dirs, 3, false, &catalog, &rules, &e), 0);
        assert_int_equal(rules.n, 1);
        assert_string_equal(rules.rules[0].name, "C");
        /* A directory that must be there. */
        assert_int_equal(alert_rules_load_dirs(dirs, 3, true, &catalog, &rules, &e), -ENOENT);
        char *msg = error_format(&e);
        assert_non_null(strstr(msg, "cannot read the alert rule directory"));
        free(msg);
        error_done(&e);
        free(masked);
        /* A broken file: the rules in use stay. */
        test_write(dir, "etc/c.conf", "rules = ({ name = \"C\"; });\n");
        assert_int_equal(alert_rules_load_dirs(dirs, 3, false, &catalog, &rules, &e), -EINVAL);
        assert_int_equal(rules.n, 1);
        assert_string_equal(rules.rules[0].expr_text, "memory.used_pct");
        error_done(&e);
        alert_rules_done(&rules);
        free(shipped);
        free(etc);
        free(none);
        test_rm_rf(dir);
        free(dir);
}

static void test_shipped(void **state) {
        const char *dirs[] = { SKYTUNE_FIXTURES "/../../alerts" };
        AlertRules rules = {};
        Error e = ERROR_NULL;
        assert_int_equal(alert_rules_load_dirs(dirs, 1, false, &catalog, &rules, &e), 0);
        assert_true(rules.n >= 2);
        /* The seed's levels: CPU 80 / 95 %, memory 85 / 95 %. */
        bool cpu = false, mem = false;
        for (size_t i = 0; i < rules.n; i++) {
                const AlertRule *r = &rules.rules[i];
                cpu |= strcmp(r->expr_text, "cpu.utilization_pct") == 0 && r->level[ALERT_LEVEL_WARN] == 80 &&
                       r->level[ALERT_LEVEL_CRIT] == 95;
                mem |= strcmp(r->expr_text, "memory.used_pct") == 0 && r->level[ALERT_LEVEL_WARN] == 85 &&
                       r->level[ALERT_LEVEL_CRIT] == 95;
        }
        assert_true(cpu && mem);
        alert_rules_done(&rules);
}

static void test_expand(void **state) {
        char *s = alert_expand("CPU {{ value }} % ({{value}}), {{ other }} {{", 97.25);
        assert_string_equal(s, "CPU 97.25 % (97.25), {{ other }} {{");
        free(s);
        s = alert_expand("{{ value }}", NAN);
        assert_string_equal(s, "no data");
        free(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_key), cmocka_unit_test(test_mistakes), cmocka_unit_test(test_dirs),
                cmocka_unit_test(test_shipped),   cmocka_unit_test(test_expand),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}

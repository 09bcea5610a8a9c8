/* SPDX-License-Identifier: MIT */
/* Issue 11, point 8: a rule names the probe metrics its change should move (effect_metrics); the
 * loader checks them against the catalogue (file:line and the nearest name), every shipped rule
 * names them, policy show keeps them, and probe_verify judges exactly those as primary. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "effect-metrics.h"
#include "policy.h"
#include "probe.h"
#include "verify.h"
#include "support.h"

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) {
        return "leak:libconfig.so\n";
}

/* The catalogue is the probes' own metric tables, name for name. */
static void test_catalogue(void **state) {
        size_t n = 0;
        for (size_t i = 0; i < probe_table_size; i++)
                for (size_t m = 0; m < probe_table[i]->n_metrics; m++) {
                        char name[128];
                        snprintf(name, sizeof(name), "%s.%s", probe_table[i]->name, probe_table[i]->metrics[m].name);
                        if (!effect_metric_known(name))
                                fail_msg("%s is a probe metric missing from common/effect-metrics.c", name);
                        n++;
                }
        assert_int_equal(n, effect_metric_count);
        assert_string_equal(effect_metric_nearest("net.connect_per_s"), "net.connects_per_s");
        assert_string_equal(effect_metric_nearest("sched.wakeup_p99"), "sched.wakeup_p99_us");
}

static void test_shipped_rules_name_effects(void **state) {
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
                for (size_t j = 0; j < p->n_rules; j++) {
                        const PolicyRule *r = &p->rules[j];
                        if (!r->has_effect_metrics)
                                fail_msg("%s: rule %s (%s:%u) has no effect_metrics", names[i], r->id, r->file, r->line);
                        if (strcmp(r->key, "net.core.somaxconn") == 0)
                                assert_string_equal(r->effect_metrics[0], "net.connects_per_s");
                        if (r->kind == TUNABLE_CPU_GOVERNOR) {
                                assert_string_equal(r->effect_metrics[0], "sched.wakeup_p99_us");
                                assert_string_equal(r->effect_metrics[1], "cpu.int_ops_per_s_1thread");
                        }
                }
                policy_free(p);
        }
}

static const char rule_head[] = "rules = ( { id = \"x\"; kind = \"sysctl\"; key = \"net.core.somaxconn\";\n"
                                "value = \"4096\"; when = \"cpu.count > 0\"; reason = \"r\"; effect = \"e\";\n";

static int load_text(const char *dir, const char *em, Policy **ret, OptError *e) {
        char text[1024];
        snprintf(text, sizeof(text), "%s%s\n} );\n", rule_head, em);
        test_write(dir, "em.conf", text);
        char path[512];
        snprintf(path, sizeof(path), "%s/em.conf", dir);
        char *dirs[] = { (char *) dir };
        PolicySearch s = { .dirs = dirs, .n_dirs = 1 };
        return policy_load(&s, path, ret, e);
}

static void test_parse(void **state) {
        char *dir = test_tmpdir();
        Policy *p = NULL;
        OptError e = OPT_ERROR_INIT;
        assert_int_equal(load_text(dir, "effect_metrics = [ \"net.connects_per_s\", \"net.rr_p99_us\" ];", &p, &e), 0);
        assert_int_equal(p->rules[0].n_effect_metrics, 2);
        assert_string_equal(p->rules[0].effect_metrics[1], "net.rr_p99_us");
        json_t *j = policy_to_json(p);
        char *dump = json_dumps(j, JSON_COMPACT);
        assert_non_null(strstr(dump, "\"effect_metrics\":[\"net.connects_per_s\",\"net.rr_p99_us\"]"));
        free(dump);
        json_decref(j);
        char *shown = NULL;
        assert_int_equal(policy_format(p, &shown), 0);
        assert_non_null(strstr(shown, "effect_metrics = [ \"net.connects_per_s\", \"net.rr_p99_us\" ];"));
        free(shown);
        p = policy_free(p);

        /* An empty list: no probe measures the change (allowed, and recorded as given). */
        assert_int_equal(load_text(dir, "effect_metrics = [ ];", &p, &e), 0);
        assert_true(p->rules[0].has_effect_metrics);
        assert_int_equal(p->rules[0].n_effect_metrics, 0);
        p = policy_free(p);

        /* A typo: file:line of the name and the nearest one. */
        assert_int_equal(load_text(dir, "effect_metrics = [\n \"net.conects_per_s\" ];", &p, &e), -EINVAL);
        assert_null(p);
        assert_int_equal(e.line, 4);
        assert_non_null(strstr(e.file, "em.conf"));
        assert_non_null(strstr(e.message, "unknown probe metric 'net.conects_per_s'"));
        assert_non_null(strstr(e.message, "did you mean 'net.connects_per_s'"));
        opt_error_clear(&e);
        assert_int_equal(load_text(dir, "effect_metrics = \"net.connects_per_s\";", &p, &e), -EINVAL);
        assert_non_null(strstr(e.message, "must be a list"));
        opt_error_clear(&e);
        test_rm_rf(dir);
        free(dir);
}

static const ProbeMetricDef defs[] = { { "rate", "op/s", true }, { "latency", "us", false } };

static int steady_round(void *state, const ProbeConfig *cfg, ProbeRoundOut *out) {
        out->values[0] = 100;
        out->values[1] = 5;
        return 0;
}

static const ProbeBackend steady = { .name = "steady", .metrics = defs, .n_metrics = 2, .round = steady_round };

static int no_switch(bool candidate, void *userdata) {
        return 0;
}

static void test_primary_follows_effects(void **state) {
        const ProbeBackend *probes[] = { &steady };
        const char *const primary[] = { "steady.latency" };
        VerifyOptions o = { .probes = probes, .n_probes = 1, .cfg = { .duration_s = 0.01, .rounds = 5 } };
        VerifyResult *r = NULL;
        assert_int_equal(probe_verify(&o, no_switch, NULL, &r), 0);
        assert_true(r->metrics[0].primary);             /* no effects named: the probe's own primary */
        assert_false(r->metrics[1].primary);
        verify_result_free(r);
        o.primary = primary;
        o.n_primary = 1;
        assert_int_equal(probe_verify(&o, no_switch, NULL, &r), 0);
        assert_false(r->metrics[0].primary);
        assert_true(r->metrics[1].primary);
        verify_result_free(r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_catalogue),
                cmocka_unit_test(test_shipped_rules_name_effects),
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_primary_follows_effects),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

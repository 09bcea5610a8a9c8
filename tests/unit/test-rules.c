/* SPDX-License-Identifier: MIT */
/* The rulebook of the shipped balanced policy: each rule fires on its evidence, with that evidence in
 * the change, and stays silent on the idle profile. Current values come from the opt-host fixture. */
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "policy.h"
#include "support.h"

/* Tables below leave trailing fields out. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

typedef struct Patch {
        const char *path;       /* below resources, or host./tunables. */
        json_t *(*make)(void);
        double value;
        const char *str;
} Patch;

typedef struct RuleCase {
        const char *rule;
        Patch patches[4];
        const char *kind, *key, *proposed;
        const char *evidence;   /* one evidence path that must be present */
        const char *targets[2];
} RuleCase;

#define NUM(p, v) { .path = p, .value = v }
#define STR(p, s) { .path = p, .str = s }

static const RuleCase cases[] = {
        { "swap.low", { NUM("resources.memory.swap_in_per_s.p95", 20) }, "sysctl", "vm.swappiness", "10",
          "memory.swap_in_per_s.p95" },
        { "swap.low", { NUM("resources.memory.psi_some_pct.avg", 12) }, "sysctl", "vm.swappiness", "10",
          "memory.psi_some_pct.avg" },
        { "dirty.latency.ratio",
          { NUM("resources.memory.dirty_pct_of_threshold.max", 95), NUM("resources.disk.psi_full_pct.avg", 4) },
          "sysctl", "vm.dirty_ratio", "10", "memory.dirty_pct_of_threshold.max" },
        { "dirty.latency.background-ratio",
          { NUM("resources.memory.dirty_pct_of_threshold.max", 95), NUM("resources.cpu.procs_blocked.avg", 2) },
          "sysctl", "vm.dirty_background_ratio", "5", "cpu.procs_blocked.avg" },
        { "dirty.latency.bytes",
          { NUM("resources.memory.dirty_pct_of_threshold.max", 95), NUM("resources.disk.psi_full_pct.avg", 4),
            NUM("host.memory_bytes", 68719476736.0) },
          "sysctl", "vm.dirty_bytes", "536870912", "host.memory_bytes" },
        { "dirty.latency.background-bytes",
          { NUM("resources.memory.dirty_pct_of_threshold.max", 95), NUM("resources.disk.psi_full_pct.avg", 4),
            NUM("host.memory_bytes", 68719476736.0) },
          "sysctl", "vm.dirty_background_bytes", "67108864", "disk.psi_full_pct.avg" },
        { "net.somaxconn", { NUM("resources.network.tcp.listen_overflows_per_s.max", 3) }, "sysctl",
          "net.core.somaxconn", "4096", "network.tcp.listen_overflows_per_s.max" },
        { "net.synbacklog", { NUM("resources.network.tcp.syncookies_sent_per_s.max", 1) }, "sysctl",
          "net.ipv4.tcp_max_syn_backlog", "4096", "network.tcp.syncookies_sent_per_s.max" },
        { "net.synbacklog", { NUM("resources.network.tcp.req_q_full_drops_per_s.max", 1) }, "sysctl",
          "net.ipv4.tcp_max_syn_backlog", "4096", "network.tcp.req_q_full_drops_per_s.max" },
        { "net.portrange", { NUM("resources.network.tcp.time_wait_pct_of_port_range.max", 64) }, "sysctl",
          "net.ipv4.ip_local_port_range", "10000 65535", "network.tcp.time_wait_pct_of_port_range.max" },
        { "net.twreuse", { NUM("resources.network.tcp.time_wait_pct_of_port_range.max", 64) }, "sysctl",
          "net.ipv4.tcp_tw_reuse", "1", "network.tcp.time_wait_pct_of_port_range.max" },
        { "net.backlog", { NUM("resources.interrupts.softnet_dropped_per_s.max", 9) }, "sysctl",
          "net.core.netdev_max_backlog", "2000", "interrupts.softnet_dropped_per_s.max" },
        { "net.budget", { NUM("resources.interrupts.softnet_time_squeeze_per_s.max", 9) }, "sysctl",
          "net.core.netdev_budget", "600", "interrupts.softnet_time_squeeze_per_s.max" },
        { "fs.filemax", { NUM("resources.files.used_pct.value", 85) }, "sysctl", "fs.file-max", "200000",
          "files.used_pct" },
        { "ulimit.nofile", { NUM("resources.cpu.run_queue.value", 1) }, "ulimit", "process:nginx:nofile", "65536:65536",
          "targets.nginx.nofile.pct", { "nginx" } },
        { "ulimit.nofile", { NUM("resources.cpu.run_queue.value", 1) }, "ulimit", "unit:nginx.service:nofile",
          "65536:65536", "targets.nginx.nofile.used", { "nginx" } },
        { "io.sched.nvme", { NUM("resources.disk.devices.nvme0n1.aqu_sz.avg", 4) }, "io_scheduler", "nvme0n1", "none",
          "disk.devices.nvme0n1.aqu_sz.avg" },
        { "io.sched.ssd", { NUM("resources.disk.devices.sdb.util_pct.p95", 97) }, "io_scheduler", "sdb", "none",
          "disk.devices.sdb.util_pct.p95" },
        { "io.sched.hdd", { NUM("resources.disk.devices.sda.aqu_sz.avg", 4) }, "io_scheduler", "sda", "mq-deadline",
          "disk.devices.sda.type" },
        { "io.sched.virtual", { NUM("resources.disk.devices.vda.aqu_sz.avg", 4) }, "io_scheduler", "vda", "none",
          "disk.devices.vda.type" },
        { "io.readahead",
          { NUM("resources.disk.devices.sdb.read_iops.avg", 100), NUM("resources.disk.devices.sdb.read_bytes_per_s.avg", 26214400) },
          "read_ahead_kb", "sdb", "4096", "disk.devices.sdb.read_bytes_per_s.avg" },
        { "cpu.governor",
          { NUM("resources.cpu.psi_some_pct.avg", 25), NUM("resources.cpu.utilization_pct.avg", 30) },
          "cpu_governor", "policy0", "performance", "cpu.psi_some_pct.avg" },
        { "cpu.epp",
          { NUM("resources.cpu.psi_some_pct.avg", 25), NUM("resources.cpu.utilization_pct.avg", 30) },
          "cpu_epp", "policy0", "performance", "host.cpufreq.policies.policy0.epp" },
};

static json_t *load_idle(void) {
        json_error_t e;
        json_t *p = json_load_file(SKYTUNE_FIXTURES "/profiles/idle.json", 0, &e);
        if (!p)
                fail_msg("idle.json: %s", e.text);
        return p;
}

/* Set a number or string at a dotted path whose every component is a plain key. */
static void set_path(json_t *doc, const char *path, json_t *v) {
        char *copy = strdup(path), *save = NULL, *next;
        json_t *o = doc;
        char *k = strtok_r(copy, ".", &save);
        while ((next = strtok_r(NULL, ".", &save))) {
                o = json_object_get(o, k);
                assert_non_null(o);
                k = next;
        }
        json_object_set_new(o, k, v);
        free(copy);
}

static Policy *load_policy(const char *name) {
        char *dirs[] = { (char *) SKYTUNE_SOURCE_POLICY_DIR };
        PolicySearch s = { .dirs = dirs, .n_dirs = 1 };
        Policy *p = NULL;
        OptError e = OPT_ERROR_INIT;
        if (policy_load(&s, name, &p, &e) < 0)
                fail_msg("policy %s: %s:%u: %s", name, e.file ? e.file : "", e.line, e.message ? e.message : "");
        opt_error_clear(&e);
        return p;
}

static json_t *plan_for(const Policy *pol, const json_t *profile, char *const *targets, size_t nt) {
        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(SKYTUNE_FIXTURES "/opt-host", &root), 0);
        PlanOptions o = { .policy = pol, .profile = profile, .root = root, .allow_risk = RISK_HIGH, .targets = targets,
                          .n_targets = nt };
        json_t *plan = NULL;
        OptError e = OPT_ERROR_INIT;
        if (plan_build(&o, &plan, &e) < 0)
                fail_msg("plan: %s", e.message ? e.message : "");
        sysroot_free(root);
        return plan;
}

static json_t *change_of_rule(const json_t *plan, const char *rule, const char *key) {
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(plan, "changes"), i, c)
                if (strcmp(json_string_value(json_object_get(c, "rule")), rule) == 0 &&
                    (!key || strcmp(json_string_value(json_object_get(c, "key")), key) == 0))
                        return c;
        return NULL;
}

static void test_each_rule_fires_on_evidence(void **state) {
        Policy *pol = load_policy("balanced");
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                const RuleCase *rc = &cases[i];
                json_t *profile = load_idle();
                for (size_t j = 0; j < 4 && rc->patches[j].path; j++)
                        set_path(profile, rc->patches[j].path,
                                 rc->patches[j].str ? json_string(rc->patches[j].str) : json_real(rc->patches[j].value));
                size_t nt = rc->targets[0] ? 1 : 0;
                json_t *plan = plan_for(pol, profile, (char *const *) rc->targets, nt);
                json_t *c = change_of_rule(plan, rc->rule, rc->key);
                if (!c)
                        fail_msg("case %zu: rule %s did not fire for %s", i, rc->rule, rc->key);
                assert_string_equal(json_string_value(json_object_get(c, "kind")), rc->kind);
                if (strcmp(json_string_value(json_object_get(c, "proposed")), rc->proposed) != 0)
                        fail_msg("case %zu: rule %s proposed %s, want %s", i, rc->rule,
                                 json_string_value(json_object_get(c, "proposed")), rc->proposed);
                if (!json_object_get(json_object_get(c, "evidence"), rc->evidence))
                        fail_msg("case %zu: rule %s: evidence lacks %s", i, rc->rule, rc->evidence);
                assert_non_null(json_string_value(json_object_get(c, "reason")));
                assert_non_null(json_string_value(json_object_get(c, "expected_effect")));
                assert_non_null(json_string_value(json_object_get(c, "mechanism")));
                json_decref(plan);

                /* The same profile without the evidence: the rule is silent. */
                json_t *idle = load_idle();
                plan = plan_for(pol, idle, (char *const *) rc->targets, 0);
                if (change_of_rule(plan, rc->rule, NULL))
                        fail_msg("case %zu: rule %s fired on the idle profile", i, rc->rule);
                json_decref(plan);
                json_decref(idle);
                json_decref(profile);
        }
        policy_free(pol);
}

static void test_idle_profile_empty_plan(void **state) {
        Policy *pol = load_policy("balanced");
        json_t *idle = load_idle();
        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(SKYTUNE_FIXTURES "/opt-host", &root), 0);
        PlanOptions o = { .policy = pol, .profile = idle, .root = root, .allow_risk = _RISK_INVALID };
        json_t *plan = NULL;
        OptError e = OPT_ERROR_INIT;
        assert_int_equal(plan_build(&o, &plan, &e), 0);
        assert_int_equal(json_array_size(json_object_get(plan, "changes")), 0);
        assert_int_equal(json_array_size(json_object_get(plan, "held_back")), 0);
        assert_true(json_is_false(json_object_get(plan, "changed")));
        assert_string_equal(json_string_value(json_object_get(plan, "schema")), "skytune.plan/1");
        json_decref(plan);
        sysroot_free(root);
        json_decref(idle);
        policy_free(pol);
}

/* A virtual disk already on an acceptable scheduler keeps it (vdb: mq-deadline of none|mq-deadline). */
static void test_alternatives_keep_acceptable(void **state) {
        Policy *pol = load_policy("balanced");
        json_t *profile = load_idle();
        set_path(profile, "resources.disk.devices.vdb.aqu_sz.avg", json_real(5));
        json_t *plan = plan_for(pol, profile, NULL, 0);
        assert_null(change_of_rule(plan, "io.sched.virtual", "vdb"));
        json_decref(plan);
        json_decref(profile);
        policy_free(pol);
}

/* A condition on a metric the profile lacks is false, never an error. */
static void test_missing_metric_is_silent(void **state) {
        Policy *pol = load_policy("balanced");
        json_t *profile = load_idle();
        json_object_del(json_object_get(profile, "resources"), "network");
        json_object_del(json_object_get(profile, "resources"), "disk");
        json_t *plan = plan_for(pol, profile, NULL, 0);
        assert_int_equal(json_array_size(json_object_get(plan, "changes")), 0);
        json_decref(plan);
        json_decref(profile);
        policy_free(pol);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_each_rule_fires_on_evidence),
                cmocka_unit_test(test_idle_profile_empty_plan),
                cmocka_unit_test(test_alternatives_keep_acceptable),
                cmocka_unit_test(test_missing_metric_is_silent),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* The rulebook of the shipped balanced policy: each rule fires on its evidence, with that evidence in
 * the change, and stays silent on the idle profile. Current values come from the opt-host fixture, and
 * for the nproc and memlock rules from ulimit-host (its README.md lists its processes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dryrun.h"
#include "plan.h"
#include "policy.h"
#include "support.h"
#include "tunable.h"
#include "ulimit.h"

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
        const char *root;       /* fixture sysroot, NULL: opt-host */
        const char *policy;     /* NULL: balanced */
        const char *quiet_root; /* sysroot of the run without evidence, NULL: root */
} RuleCase;

#define ULIMIT_HOST "ulimit-host"

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
        /* SYN cookies mean a full SYN queue, capped by min(backlog, somaxconn): somaxconn moves it. */
        { "net.somaxconn", { NUM("resources.network.tcp.syncookies_sent_per_s.max", 1) }, "sysctl",
          "net.core.somaxconn", "4096", "network.tcp.syncookies_sent_per_s.max" },
        /* tcp_max_syn_backlog only with SYN cookies off. */
        { "net.synbacklog",
          { NUM("resources.network.tcp.req_q_full_drops_per_s.max", 1), STR("tunables.sysctl.net.ipv4.tcp_syncookies", "0") },
          "sysctl", "net.ipv4.tcp_max_syn_backlog", "4096", "network.tcp.req_q_full_drops_per_s.max" },
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
        /* nproc: the threads of the target's uid (webd: 40 + 30, and cached 20, of www-data) against
         * RLIMIT_NPROC, through each mechanism: prlimit, the unit's drop-in, limits.d for a login
         * session's user, DefaultLimitNPROC= for a transient unit. At least 4096 (floor), at most
         * min(threads-max, pid_max) = 15000. */
        { "ulimit.nproc", {}, "ulimit", "process:webd:nproc", "4096:4096", "targets.webd.nproc.used", { "webd" },
          ULIMIT_HOST },
        { "ulimit.nproc", {}, "ulimit", "unit:webd.service:nproc", "4096:4096", "targets.webd.nproc.pct", { "webd" },
          ULIMIT_HOST },
        { "ulimit.nproc", {}, "ulimit", "login:carol:nproc", "7000:7000", "targets.builder.nproc.used", { "builder" },
          ULIMIT_HOST },
        { "ulimit.nproc", {}, "ulimit", "process:jobd:nproc", "15000:15000", "limits.nproc_max", { "jobd" }, ULIMIT_HOST },
        { "ulimit.nproc.services", {}, "ulimit", "default:*:nproc", "15000:15000", "targets.jobd.transient", { "jobd" },
          ULIMIT_HOST },
        /* memlock: VmLck against Max locked memory, both bytes; at least 8 MiB (floor), 2 x used above. */
        { "ulimit.memlock", {}, "ulimit", "process:webd:memlock", "8388608:8388608", "targets.webd.memlock.used",
          { "webd" }, ULIMIT_HOST },
        { "ulimit.memlock", {}, "ulimit", "unit:webd.service:memlock", "8388608:8388608", "targets.webd.memlock.pct",
          { "webd" }, ULIMIT_HOST },
        { "ulimit.memlock", {}, "ulimit", "login:alice:memlock", "8388608:8388608", "targets.batchd.memlock.pct",
          { "batchd" }, ULIMIT_HOST },
        { "ulimit.memlock", {}, "ulimit", "process:jobd:memlock", "14336000:14336000", "targets.jobd.memlock.used",
          { "jobd" }, ULIMIT_HOST },
        { "ulimit.memlock.services", {}, "ulimit", "default:*:memlock", "14336000:14336000", "targets.jobd.transient",
          { "jobd" }, ULIMIT_HOST },
        /* database: postgres may lock the huge page pool (64 x 2 MiB); its unit is a template instance. */
        { "db.memlock.hugepages", {}, "ulimit", "process:postgres:memlock", "134217728:134217728",
          "limits.hugepages_bytes", { "postgres" }, ULIMIT_HOST, "database", "opt-host" },
        { "db.memlock.hugepages", {}, "ulimit", "unit:postgresql@15-main.service:memlock", "134217728:134217728",
          "targets.postgres.memlock.soft", { "postgres" }, ULIMIT_HOST, "database", "opt-host" },
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
        if (strncmp(path, "tunables.sysctl.", 16) == 0) {     /* sysctl names have dots */
                json_object_set_new(json_object_get(json_object_get(doc, "tunables"), "sysctl"), path + 16, v);
                return;
        }
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

static json_t *plan_in(const char *fixture, const Policy *pol, const json_t *profile, char *const *targets, size_t nt) {
        Sysroot *root = NULL;
        char path[512];
        if (fixture && fixture[0] == '/')
                snprintf(path, sizeof(path), "%s", fixture);
        else
                snprintf(path, sizeof(path), "%s/%s", SKYTUNE_FIXTURES, fixture ? fixture : "opt-host");
        assert_int_equal(sysroot_open(path, &root), 0);
        PlanOptions o = { .policy = pol, .profile = profile, .root = root, .allow_risk = RISK_HIGH, .targets = targets,
                          .n_targets = nt };
        json_t *plan = NULL;
        OptError e = OPT_ERROR_INIT;
        if (plan_build(&o, &plan, &e) < 0)
                fail_msg("plan: %s", e.message ? e.message : "");
        sysroot_free(root);
        return plan;
}

static json_t *plan_for(const Policy *pol, const json_t *profile, char *const *targets, size_t nt) {
        return plan_in(NULL, pol, profile, targets, nt);
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
        Policy *balanced = load_policy("balanced");
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                const RuleCase *rc = &cases[i];
                Policy *own = rc->policy ? load_policy(rc->policy) : NULL, *pol = own ? own : balanced;
                json_t *profile = load_idle();
                for (size_t j = 0; j < 4 && rc->patches[j].path; j++)
                        set_path(profile, rc->patches[j].path,
                                 rc->patches[j].str ? json_string(rc->patches[j].str) : json_real(rc->patches[j].value));
                size_t nt = rc->targets[0] ? 1 : 0;
                json_t *plan = plan_in(rc->root, pol, profile, (char *const *) rc->targets, nt);
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

                /* The same profile without the evidence (for the database policy, whose own target is
                 * postgres: a host without a huge page pool): the rule is silent. */
                json_t *idle = load_idle();
                plan = plan_in(rc->quiet_root ? rc->quiet_root : rc->root, pol, idle, (char *const *) rc->targets, 0);
                if (change_of_rule(plan, rc->rule, NULL))
                        fail_msg("case %zu: rule %s fired on the idle profile", i, rc->rule);
                json_decref(plan);
                json_decref(idle);
                json_decref(profile);
                policy_free(own);
        }
        policy_free(balanced);
}

/* Targets of ulimit-host below their limits stay silent through every mechanism: a unit with its file
 * (quietd), a login session (bash of alice), a transient unit (idled), uid 0 whose threads exceed
 * RLIMIT_NPROC but which the kernel exempts (rootd) as it exempts CAP_SYS_RESOURCE (capd), a process whose own threads are few while its
 * uid's are not counted twice (cached: 20 of 4096), and postgres under balanced (no huge page rule). */
static void test_ulimit_silent_below_limits(void **state) {
        static const char *const quiet[] = { "quietd", "bash", "idled", "rootd", "capd", "cached", "postgres" };
        Policy *pol = load_policy("balanced");
        json_t *idle = load_idle();
        for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
                json_t *plan = plan_in(ULIMIT_HOST, pol, idle, (char *const *) &quiet[i], 1);
                size_t j;
                json_t *c;
                json_array_foreach(json_object_get(plan, "changes"), j, c) {
                        const char *rule = json_string_value(json_object_get(c, "rule"));
                        if (strncmp(rule, "ulimit.", 7) == 0 || strncmp(rule, "db.memlock", 10) == 0)
                                fail_msg("target %s: rule %s fired for %s", quiet[i], rule,
                                         json_string_value(json_object_get(c, "key")));
                }
                assert_int_equal(json_array_size(json_object_get(plan, "held_back")), 0);
                assert_non_null(json_object_get(json_object_get(plan, "targets"), quiet[i]));
                json_decref(plan);
        }
        policy_free(pol);
        /* postgres with 8 MiB of memlock on a host without a huge page pool: silent under database. */
        pol = load_policy("database");
        json_t *plan = plan_in("opt-host", pol, idle, NULL, 0);
        assert_non_null(json_object_get(json_object_get(plan, "targets"), "postgres"));
        assert_null(change_of_rule(plan, "db.memlock.hugepages", NULL));
        json_decref(plan);
        json_decref(idle);
        policy_free(pol);
}

/* RLIMIT_NPROC counts the threads of the real uid over all its processes (getrlimit(2)). */
static void test_ulimit_nproc_counts_uid_threads(void **state) {
        static const char *const names[] = { "webd", "rootd", "builder" };
        Policy *pol = load_policy("balanced");
        json_t *idle = load_idle();
        json_t *plan = plan_in(ULIMIT_HOST, pol, idle, (char *const *) names, 3);
        json_t *t = json_object_get(plan, "targets");
        assert_int_equal(test_num(t, "webd.nproc.used"), 90);            /* 40 + 30 (webd) + 20 (cached) */
        assert_int_equal(test_num(t, "webd.nproc.uid"), 33);
        assert_int_equal(test_num(t, "webd.nproc.soft"), 100);
        assert_int_equal(test_num(t, "webd.processes"), 2);
        assert_int_equal(test_num(t, "rootd.nproc.used"), 5000);
        assert_true(json_is_true(test_path(t, "rootd.nproc.exempt")));
        assert_null(test_path(t, "rootd.nproc.pct"));                    /* not enforced for uid 0 */
        assert_true(json_is_true(test_path(t, "builder.session")));
        assert_string_equal(json_string_value(test_path(t, "builder.user")), "carol");
        json_t *c = change_of_rule(plan, "ulimit.nproc", "process:webd:nproc");
        assert_non_null(c);
        assert_non_null(strstr(json_string_value(json_object_get(c, "reason")), "every process of that uid"));
        json_decref(plan);
        static const char *const capd[] = { "capd" };
        plan = plan_in(ULIMIT_HOST, pol, idle, (char *const *) capd, 1);
        t = json_object_get(plan, "targets");
        assert_int_equal(test_num(t, "capd.nproc.used"), 950);
        assert_true(json_is_true(test_path(t, "capd.nproc.exempt")));   /* CAP_SYS_RESOURCE in CapEff */
        assert_null(change_of_rule(plan, "ulimit.nproc", NULL));
        json_decref(plan);
        json_decref(idle);
        policy_free(pol);
}

static json_t *live_entry(const json_t *effects, const char *key) {
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(effects, "live"), i, x)
                if (strcmp(json_string_value(json_object_get(x, "key")), key) == 0)
                        return x;
        return NULL;
}

static const char *file_diff(const json_t *effects, const char *path) {
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(effects, "files"), i, x)
                if (strcmp(json_string_value(json_object_get(x, "path")), path) == 0)
                        return json_string_value(json_object_get(x, "diff"));
        fail_msg("no file %s in the dry run", path);
        return NULL;
}

/* memlock is bytes in /proc/PID/limits, prlimit(2), the plan and systemd's LimitMEMLOCK=, and KiB in
 * limits.conf: the limits.d file's "64" reads as 65536 bytes, and 8 MiB is written as 8192. The dry
 * run names each change's mechanism and file. */
static void test_ulimit_units_and_dry_run(void **state) {
        static const char *const names[] = { "webd", "batchd", "jobd", "builder" };
        Policy *pol = load_policy("balanced");
        json_t *idle = load_idle();
        json_t *plan = plan_in(ULIMIT_HOST, pol, idle, (char *const *) names, 4);
        json_t *c = change_of_rule(plan, "ulimit.memlock", "login:alice:memlock");
        assert_non_null(c);
        assert_string_equal(json_string_value(json_object_get(c, "current")), "65536:65536");
        assert_string_equal(json_string_value(json_object_get(c, "mechanism")), "limits.d");
        assert_string_equal(json_string_value(json_object_get(c, "persist_file")), "/etc/security/limits.d/90-skytune.conf");
        assert_int_equal(test_num(json_object_get(plan, "targets"), "batchd.memlock.soft"), 65536);
        c = change_of_rule(plan, "ulimit.memlock", "unit:webd.service:memlock");
        assert_string_equal(json_string_value(json_object_get(c, "mechanism")), "systemd-dropin");
        c = change_of_rule(plan, "ulimit.nproc.services", "default:*:nproc");
        assert_string_equal(json_string_value(json_object_get(c, "mechanism")), "system.conf.d");
        c = change_of_rule(plan, "ulimit.nproc", "process:webd:nproc");
        assert_string_equal(json_string_value(json_object_get(c, "mechanism")), "prlimit");
        assert_true(json_is_null(json_object_get(c, "persist_file")));
        /* A transient unit gets no drop-in of its own. */
        assert_null(change_of_rule(plan, "ulimit.nproc", "unit:run-u42.service:nproc"));

        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(SKYTUNE_FIXTURES "/" ULIMIT_HOST, &root), 0);
        json_t *effects = NULL;
        OptError e = OPT_ERROR_INIT;
        assert_int_equal(dryrun_effects(root, plan, false, &effects, &e), 0);
        json_t *x = live_entry(effects, "login:alice:memlock");
        assert_string_equal(json_string_value(json_object_get(x, "mechanism")), "limits.d");
        assert_string_equal(json_string_value(json_object_get(x, "file")), "/etc/security/limits.d/90-skytune.conf");
        assert_string_equal(json_string_value(json_object_get(x, "from")), "65536:65536");
        x = live_entry(effects, "process:webd:memlock");
        assert_string_equal(json_string_value(json_object_get(x, "mechanism")), "prlimit");
        assert_null(json_object_get(x, "file"));
        const char *d = file_diff(effects, "/etc/security/limits.d/90-skytune.conf");
        assert_non_null(strstr(d, "-alice soft memlock 64\n"));
        assert_non_null(strstr(d, "+alice soft memlock 8192\n"));
        assert_non_null(strstr(d, "+alice hard memlock 8192\n"));
        assert_non_null(strstr(d, "+carol soft nproc 7000\n"));
        d = file_diff(effects, "/etc/systemd/system/webd.service.d/90-skytune.conf");
        assert_non_null(strstr(d, "+LimitMEMLOCK=8388608:8388608\n"));
        assert_non_null(strstr(d, "+LimitNPROC=4096:4096\n"));
        d = file_diff(effects, "/etc/systemd/system.conf.d/90-skytune.conf");
        assert_non_null(strstr(d, "+DefaultLimitNPROC=15000:15000\n"));
        assert_non_null(strstr(d, "+DefaultLimitMEMLOCK=14336000:14336000\n"));
        /* What the helper re-validates (common/tunable-ulimit.c) accepts every proposed value. */
        size_t i;
        json_array_foreach(json_object_get(plan, "changes"), i, c)
                assert_int_equal(tunable_check(TUNABLE_ULIMIT, json_string_value(json_object_get(c, "key")),
                                               json_string_value(json_object_get(c, "proposed")), NULL, NULL), 0);
        json_decref(effects);
        sysroot_free(root);
        json_decref(plan);
        json_decref(idle);
        policy_free(pol);
}

/* The ulimit value grammar shared with the helper: systemd's 1024-based suffixes for byte limits only,
 * limits.conf words in KiB, "unlimited"/"infinity" as each mechanism spells it. */
static void test_ulimit_value_grammar(void **state) {
        const UlimitResource *memlock = ulimit_resource("memlock"), *nproc = ulimit_resource("nproc"),
                             *nofile = ulimit_resource("nofile");
        long long s, h;
        assert_int_equal(ulimit_value_parse("64K", memlock, &s, &h), 0);
        assert_int_equal(s, 65536);
        assert_int_equal(h, 65536);
        assert_int_equal(ulimit_value_parse("8M:1G", memlock, &s, &h), 0);
        assert_int_equal(s, 8388608);
        assert_int_equal(h, 1073741824);
        assert_int_equal(ulimit_value_parse("64Q", memlock, &s, &h), -EINVAL);
        assert_int_equal(ulimit_value_parse("64KB", memlock, &s, &h), -EINVAL);
        assert_int_equal(ulimit_value_parse("16E", memlock, &s, &h), -ERANGE);
        assert_int_equal(ulimit_value_parse("4K", nproc, &s, &h), -EINVAL);   /* LimitNPROC= is a count */
        assert_int_equal(ulimit_value_parse("4194305", nproc, &s, &h), -ERANGE);
        assert_int_equal(ulimit_value_parse("-1", memlock, &s, &h), -ERANGE);
        assert_int_equal(ulimit_value_parse("8M:infinity", memlock, &s, &h), 0);
        assert_int_equal(h, -1);
        assert_int_equal(ulimit_value_parse("infinity", nofile, &s, &h), -ERANGE);
        char buf[24];
        assert_string_equal(ulimit_limits_conf_word(memlock, 65536, buf), "64");
        assert_string_equal(ulimit_limits_conf_word(memlock, 1000, buf), "1");        /* rounded up */
        assert_string_equal(ulimit_limits_conf_word(memlock, -1, buf), "unlimited");
        assert_string_equal(ulimit_limits_conf_word(nproc, 4096, buf), "4096");
        assert_int_equal(ulimit_limits_conf_parse(memlock, "64", &s), 0);
        assert_int_equal(s, 65536);
        assert_int_equal(ulimit_limits_conf_parse(memlock, "-1", &s), 0);
        assert_int_equal(s, -1);
        assert_int_equal(ulimit_limits_conf_parse(nproc, "7000", &s), 0);
        assert_int_equal(s, 7000);
        assert_int_equal(ulimit_limits_conf_parse(memlock, "8M", &s), -EINVAL);
        char *v = NULL;
        assert_int_equal(tunable_normalize(TUNABLE_ULIMIT, "unit:webd.service:memlock", "64K:8M", &v), 0);
        assert_string_equal(v, "65536:8388608");
        free(v);
        assert_true(tunable_check(TUNABLE_ULIMIT, "login:alice:memlock", "64Q", NULL, NULL) < 0);
        assert_int_equal(tunable_check(TUNABLE_ULIMIT, "default:*:memlock", "8M", NULL, NULL), 0);
}

/* A bad memlock value in a policy is an error at the line of the value, never a plan. */
static void test_ulimit_bad_policy_value(void **state) {
        char *dir = test_tmpdir();
        test_write(dir, "bad.conf",
                   "name = \"bad\";\n"
                   "rules = (\n"
                   "        {\n"
                   "                id = \"m\";\n"
                   "                kind = \"ulimit\";\n"
                   "                foreach = \"targets\";\n"
                   "                key = \"$:memlock\";\n"
                   "                value = \">=64Q\";\n"
                   "                when = \"targets.$.memlock.pct >= 80\";\n"
                   "                reason = \"r\";\n"
                   "                effect = \"e\";\n"
                   "        }\n"
                   ");\n");
        char path[512];
        snprintf(path, sizeof(path), "%s/bad.conf", dir);
        PolicySearch s = {};
        Policy *p = NULL;
        OptError e = OPT_ERROR_INIT;
        assert_true(policy_load(&s, path, &p, &e) < 0);
        assert_null(p);
        assert_non_null(e.file);
        assert_non_null(strstr(e.file, "bad.conf"));
        assert_int_equal(e.line, 8);
        assert_non_null(strstr(e.message, "64Q"));
        assert_non_null(strstr(e.message, "suffix"));
        opt_error_clear(&e);
        test_rm_rf(dir);
        free(dir);
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

/* A virtual disk already on an acceptable scheduler keeps it (vdb: mq-deadline of none|mq-deadline),
 * while the same load on one that is not (vda: bfq) changes it, in the same plan. */
static void test_alternatives_keep_acceptable(void **state) {
        Policy *pol = load_policy("balanced");
        json_t *profile = load_idle();
        set_path(profile, "resources.disk.devices.vdb.aqu_sz.avg", json_real(5));
        set_path(profile, "resources.disk.devices.vda.aqu_sz.avg", json_real(5));
        json_t *plan = plan_for(pol, profile, NULL, 0);
        assert_null(change_of_rule(plan, "io.sched.virtual", "vdb"));
        json_t *vda = change_of_rule(plan, "io.sched.virtual", "vda");
        assert_non_null(vda);
        assert_string_equal(json_string_value(json_object_get(vda, "kind")), "io_scheduler");
        const char *proposed = json_string_value(json_object_get(vda, "proposed"));
        assert_non_null(proposed);
        assert_true(strcmp(proposed, "none") == 0 || strcmp(proposed, "mq-deadline") == 0);
        json_decref(plan);
        json_decref(profile);
        policy_free(pol);
}

/* A condition on a metric the profile lacks is false, never an error, and never a zero: a rule whose
 * other operand is there and would fire stays silent. Each case is checked firing first (control). */
static void test_missing_metric_is_silent(void **state) {
        static const struct {
                const char *rule, *key;
                Patch fire[3];          /* evidence that fires the rule */
                const char *drop;       /* then this object is deleted: one operand goes missing */
        } missing[] = {
                /* dirty >= 80, and "disk.psi_full_pct.avg > 1 || cpu.procs_blocked.avg >= 1" without disk */
                { "dirty.latency.ratio", "vm.dirty_ratio",
                  { NUM("resources.memory.dirty_pct_of_threshold.max", 95), NUM("resources.disk.psi_full_pct.avg", 4) },
                  "resources.disk" },
                /* "listen_drops_per_s.max > listen_overflows_per_s.max": 5 > missing is not 5 > 0 */
                { "net.synbacklog", "net.ipv4.tcp_max_syn_backlog",
                  { NUM("resources.network.tcp.listen_drops_per_s.max", 5),
                    STR("tunables.sysctl.net.ipv4.tcp_syncookies", "0") },
                  "resources.network.tcp.listen_overflows_per_s" },
        };
        Policy *pol = load_policy("balanced");
        for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
                json_t *profile = load_idle();
                for (size_t k = 0; k < 3 && missing[i].fire[k].path; k++) {
                        const Patch *f = &missing[i].fire[k];
                        set_path(profile, f->path, f->str ? json_string(f->str) : json_real(f->value));
                }
                json_t *plan = plan_for(pol, profile, NULL, 0);
                if (!change_of_rule(plan, missing[i].rule, missing[i].key))
                        fail_msg("%s: does not fire on its evidence (the control)", missing[i].rule);
                json_decref(plan);

                char *parent = strdup(missing[i].drop), *leaf = strrchr(parent, '.');
                *leaf++ = '\0';
                assert_int_equal(json_object_del(test_path(profile, parent), leaf), 0);
                plan = plan_for(pol, profile, NULL, 0);
                if (change_of_rule(plan, missing[i].rule, missing[i].key))
                        fail_msg("%s: fires with %s missing", missing[i].rule, missing[i].drop);
                free(parent);
                json_decref(plan);
                json_decref(profile);
        }
        policy_free(pol);
}

/* Targets that share a key (default:* for two transient units; the same user or unit): one rule's
 * proposals merge into the largest, whatever the order of the targets; the keys of a resource follow
 * the process it was measured on; and a rule meant for one program (db.memlock.hugepages: postgres)
 * leaves the other targets alone. */
/* SYN cookies sent with tcp_syncookies 1: raising tcp_max_syn_backlog would change nothing, so
 * only somaxconn is proposed. */
static void test_synbacklog_needs_cookies_off(void **state) {
        Policy *pol = load_policy("balanced");
        json_t *profile = load_idle();
        set_path(profile, "resources.network.tcp.syncookies_sent_per_s.max", json_real(70));
        set_path(profile, "resources.network.tcp.req_q_full_drops_per_s.max", json_real(3));
        set_path(profile, "tunables.sysctl.net.ipv4.tcp_syncookies", json_string("1"));
        json_t *plan = plan_for(pol, profile, NULL, 0);
        assert_null(change_of_rule(plan, "net.synbacklog", NULL));
        json_t *c = change_of_rule(plan, "net.somaxconn", NULL);
        assert_non_null(c);
        assert_non_null(strstr(json_string_value(json_object_get(c, "reason")), "min(its listen() backlog"));
        json_decref(plan);
        json_decref(profile);
        policy_free(pol);
}

static void test_ulimit_shared_keys(void **state) {
        json_t *idle = load_idle();
        Policy *pol = load_policy("balanced");
        const char *const orders[2][2] = { { "jobd", "spoold" }, { "spoold", "jobd" } };
        for (size_t i = 0; i < 2; i++) {
                json_t *plan = plan_in(ULIMIT_HOST, pol, idle, (char *const *) orders[i], 2);
                json_t *c = change_of_rule(plan, "ulimit.nproc.services", "default:*:nproc");
                assert_non_null(c);
                /* jobd: 9000 threads of 10000 -> 15000 (threads-max cap); spoold: 3500 of 4096 -> 7000. */
                assert_string_equal(json_string_value(json_object_get(c, "proposed")), "15000:15000");
                assert_non_null(change_of_rule(plan, "ulimit.nproc", "process:spoold:nproc"));
                json_decref(plan);
        }
        policy_free(pol);

        /* A second "builder", alice's (uid 1000, session 3), nearer its open-files limit than carol's
         * (9 fds of 10): the target reports alice's process, but nproc is carol's threads (3500 of
         * 4000), so the limits.d line is carol's. */
        char *tree = test_tmpdir();
        test_copy_fixture(ULIMIT_HOST, tree);
        test_write(tree, "proc/23/comm", "builder\n");
        test_write(tree, "proc/23/cgroup", "0::/user.slice/user-1000.slice/session-3.scope\n");
        test_write(tree, "proc/23/status", "Name:\tbuilder\nPid:\t23\nUid:\t1000\t1000\t1000\t1000\nVmLck:\t0 kB\nThreads:\t1\n");
        test_write(tree, "proc/23/limits", "Limit                     Soft Limit           Hard Limit           Units     \n"
                                           "Max processes             4096                 4096                 processes \n"
                                           "Max open files            10                   10                   files     \n"
                                           "Max locked memory         8388608              8388608              bytes     \n");
        for (int fd = 0; fd < 9; fd++) {
                char rel[32];
                snprintf(rel, sizeof(rel), "proc/23/fd/%d", fd);
                test_write(tree, rel, "");
        }
        pol = load_policy("balanced");
        const char *const builder[] = { "builder" };
        json_t *plan = plan_in(tree, pol, idle, (char *const *) builder, 1);
        assert_string_equal(json_string_value(test_path(plan, "targets.builder.user")), "alice");
        assert_non_null(change_of_rule(plan, "ulimit.nproc", "login:carol:nproc"));
        assert_null(change_of_rule(plan, "ulimit.nproc", "login:alice:nproc"));
        json_decref(plan);
        policy_free(pol);
        test_rm_rf(tree);
        free(tree);

        pol = load_policy("database");
        const char *const webd[] = { "webd" };
        plan = plan_in(ULIMIT_HOST, pol, idle, (char *const *) webd, 1);
        assert_non_null(change_of_rule(plan, "db.memlock.hugepages", "process:postgres:memlock"));
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(plan, "changes"), i, c)
                if (strcmp(json_string_value(json_object_get(c, "rule")), "db.memlock.hugepages") == 0 &&
                    strstr(json_string_value(json_object_get(c, "key")), "webd"))
                        fail_msg("db.memlock.hugepages fired for webd: %s", json_string_value(json_object_get(c, "key")));
        json_decref(plan);
        policy_free(pol);
        json_decref(idle);
}

/* A target named as a template instance finds its processes under system-TEMPLATE.slice. */
static void test_ulimit_template_unit(void **state) {
        json_t *idle = load_idle();
        Policy *pol = load_policy("balanced");
        char *tree = test_tmpdir();
        test_copy_fixture(ULIMIT_HOST, tree);
        test_write(tree, "sys/fs/cgroup/system.slice/system-postgresql.slice/postgresql@15-main.service/cgroup.procs", "60\n");
        const char *const unit[] = { "postgresql@15-main.service" };
        json_t *plan = plan_in(tree, pol, idle, (char *const *) unit, 1);
        json_t *t = json_object_get(json_object_get(plan, "targets"), unit[0]);
        assert_non_null(t);
        assert_true(json_is_true(json_object_get(t, "running")));
        assert_int_equal(json_integer_value(json_object_get(t, "pid")), 60);
        json_decref(plan);
        policy_free(pol);
        json_decref(idle);
        test_rm_rf(tree);
        free(tree);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_each_rule_fires_on_evidence),
                cmocka_unit_test(test_idle_profile_empty_plan),
                cmocka_unit_test(test_alternatives_keep_acceptable),
                cmocka_unit_test(test_missing_metric_is_silent),
                cmocka_unit_test(test_ulimit_silent_below_limits),
                cmocka_unit_test(test_ulimit_nproc_counts_uid_threads),
                cmocka_unit_test(test_ulimit_units_and_dry_run),
                cmocka_unit_test(test_ulimit_value_grammar),
                cmocka_unit_test(test_ulimit_shared_keys),
                cmocka_unit_test(test_synbacklog_needs_cookies_off),
                cmocka_unit_test(test_ulimit_template_unit),
                cmocka_unit_test(test_ulimit_bad_policy_value),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* Plans: the JSON contract, idempotence, the dirty pair, conflicts with later sysctl.d files, keys the
 * kernel lacks, risk, targets and the fs.nr_open cap. Trees are copies of the opt-host fixture. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cond.h"
#include "digest.h"
#include "owned-file.h"
#include "plan.h"
#include "policy.h"
#include "support.h"
#include "ulimit.h"
#include "valop.h"

static char *dir;

static int setup(void **state) {
        dir = test_tmpdir();
        test_copy_fixture("opt-host", dir);
        return 0;
}

static int teardown(void **state) {
        test_rm_rf(dir);
        free(dir);
        return 0;
}

static json_t *load_profile(const char *name) {
        char path[512];
        json_error_t e;
        snprintf(path, sizeof(path), "%s/profiles/%s", SKYTUNE_FIXTURES, name);
        json_t *p = json_load_file(path, 0, &e);
        if (!p)
                fail_msg("%s: %s", name, e.text);
        return p;
}

static Policy *load_policy(const char *name) {
        char *dirs[] = { (char *) SKYTUNE_SOURCE_POLICY_DIR };
        PolicySearch s = { .dirs = dirs, .n_dirs = 1 };
        Policy *p = NULL;
        OptError e = OPT_ERROR_INIT;
        if (policy_load(&s, name, &p, &e) < 0)
                fail_msg("policy %s: %s", name, e.message);
        return p;
}

static json_t *plan_in(const char *root_dir, const char *policy, const char *profile, Risk allow, char *const *targets,
                       size_t nt) {
        Policy *pol = load_policy(policy);
        json_t *prof = load_profile(profile);
        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(root_dir, &root), 0);
        PlanOptions o = { .policy = pol, .profile = prof, .root = root, .allow_risk = allow, .targets = targets,
                          .n_targets = nt, .profile_source = profile };
        json_t *plan = NULL;
        OptError e = OPT_ERROR_INIT;
        if (plan_build(&o, &plan, &e) < 0)
                fail_msg("plan: %s", e.message);
        sysroot_free(root);
        json_decref(prof);
        policy_free(pol);
        return plan;
}

static json_t *find(const json_t *plan, const char *array, const char *key) {
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(plan, array), i, c)
                if (strcmp(json_string_value(json_object_get(c, "key")), key) == 0)
                        return c;
        return NULL;
}

static const char *s(const json_t *o, const char *k) {
        return json_string_value(json_object_get(o, k));
}

static void test_json_contract(void **state) {
        json_t *plan = plan_in(dir, "balanced", "busy-web.json", _RISK_INVALID, NULL, 0);
        assert_string_equal(s(plan, "schema"), "skytune.plan/1");
        assert_true(json_is_true(json_object_get(plan, "changed")));
        assert_true(json_is_boolean(json_object_get(plan, "persist")));
        assert_string_equal(s(json_object_get(plan, "policy"), "name"), "balanced");
        assert_non_null(strstr(s(json_object_get(plan, "profile"), "digest"), "fnv1a64:"));
        assert_true(json_is_array(json_object_get(plan, "warnings")));
        assert_true(json_is_array(json_object_get(plan, "unsupported")));
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(plan, "changes"), i, c) {
                static const char *const fields[] = { "kind", "key", "current", "proposed", "rule", "reason", "evidence",
                                                      "expected_effect", "risk", "mechanism", "persist_file" };
                for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
                        if (!json_object_get(c, fields[f]))
                                fail_msg("change %zu lacks %s", i, fields[f]);
                /* What the helper will accept. */
                TunableKind k = tunable_kind_from_string(s(c, "kind"));
                assert_true(k >= 0);
                assert_int_equal(tunable_check(k, s(c, "key"), s(c, "proposed"), NULL, NULL), 0);
        }
        json_t *somax = find(plan, "changes", "net.core.somaxconn");
        assert_non_null(somax);
        assert_string_equal(s(somax, "current"), "128");
        assert_string_equal(s(somax, "proposed"), "4096");
        assert_string_equal(s(somax, "mechanism"), "sysctl");
        assert_string_equal(s(somax, "persist_file"), "/etc/sysctl.d/90-skytune.conf");
        /* tcp_tw_reuse is medium risk: held back under balanced, proposed with allow_risk medium. */
        assert_null(find(plan, "changes", "net.ipv4.tcp_tw_reuse"));
        assert_non_null(find(plan, "held_back", "net.ipv4.tcp_tw_reuse"));
        json_decref(plan);
        plan = plan_in(dir, "balanced", "busy-web.json", RISK_MEDIUM, NULL, 0);
        assert_non_null(find(plan, "changes", "net.ipv4.tcp_tw_reuse"));
        json_decref(plan);
}

/* Conflicts: /etc/sysctl.d/99-sysctl.conf -> ../sysctl.conf sets somaxconn and swappiness, and it
 * sorts after 90-skytune.conf; 10-local.conf sorts before and is no conflict. */
static void test_conflicts(void **state) {
        json_t *plan = plan_in(dir, "balanced", "busy-web.json", _RISK_INVALID, NULL, 0);
        json_t *c = find(plan, "changes", "net.core.somaxconn");
        json_t *conf = json_object_get(c, "conflicts");
        assert_int_equal(json_array_size(conf), 1);
        assert_string_equal(s(json_array_get(conf, 0), "file"), "/etc/sysctl.d/99-sysctl.conf");
        assert_int_equal(json_integer_value(json_object_get(json_array_get(conf, 0), "line")), 2);
        bool warned = false;
        size_t i;
        json_t *w;
        json_array_foreach(json_object_get(plan, "warnings"), i, w)
                warned = warned || (strstr(s(w, "message"), "99-sysctl.conf:2") && strstr(s(w, "message"), "wins at boot"));
        assert_true(warned);
        json_decref(plan);
        /* Without the Debian link, /etc/sysctl.conf itself is the conflict (read last by sysctl --system). */
        char *link = NULL;
        assert_true(asprintf(&link, "%s/etc/sysctl.d/99-sysctl.conf", dir) > 0);
        assert_int_equal(unlink(link), 0);
        plan = plan_in(dir, "balanced", "busy-web.json", _RISK_INVALID, NULL, 0);
        conf = json_object_get(find(plan, "changes", "net.core.somaxconn"), "conflicts");
        assert_int_equal(json_array_size(conf), 1);
        assert_string_equal(s(json_array_get(conf, 0), "file"), "/etc/sysctl.conf");
        json_decref(plan);
        free(link);
}

/* A host that already matches: the same plan again after writing its proposals is empty, with values
 * written in other (equivalent) forms: tabs in multi-value sysctls, the scheduler list with [x]. */
static void test_idempotence(void **state) {
        char *targets[] = { (char *) "nginx" };
        json_t *plan = plan_in(dir, "balanced", "busy-web.json", RISK_HIGH, targets, 1);
        assert_true(json_array_size(json_object_get(plan, "changes")) > 10);
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(plan, "changes"), i, c) {
                const char *kind = s(c, "kind"), *key = s(c, "key"), *v = s(c, "proposed");
                if (strcmp(kind, "sysctl") == 0) {
                        char *path = NULL, *val = NULL;
                        assert_int_equal(sysctl_key_to_path(key, &path), 0);
                        /* As the kernel prints it: tab separated. */
                        val = strdup(v);
                        for (char *p = val; *p; p++)
                                if (*p == ' ')
                                        *p = '\t';
                        test_writef(dir, path, "%s\n", val);
                        free(path);
                        free(val);
                } else if (strcmp(kind, "io_scheduler") == 0) {
                        char rel[128];
                        snprintf(rel, sizeof(rel), "sys/block/%s/queue/scheduler", key);
                        test_writef(dir, rel, "%s [%s] kyber\n", strcmp(v, "none") ? "none" : "mq-deadline", v);
                } else if (strcmp(kind, "read_ahead_kb") == 0) {
                        char rel[128];
                        snprintf(rel, sizeof(rel), "sys/block/%s/queue/read_ahead_kb", key);
                        test_writef(dir, rel, "%s\n", v);
                } else if (strcmp(kind, "cpu_governor") == 0 || strcmp(kind, "cpu_epp") == 0) {
                        char rel[128];
                        snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpufreq/%s/%s", key,
                                 strcmp(kind, "cpu_governor") == 0 ? "scaling_governor" : "energy_performance_preference");
                        test_writef(dir, rel, "%s\n", v);
                } else if (strcmp(key, "process:nginx:nofile") == 0) {
                        test_write(dir, "proc/100/limits",
                                   "Limit                     Soft Limit           Hard Limit           Units     \n"
                                   "Max open files            65536                65536                files     \n");
                } else if (strcmp(key, "unit:nginx.service:nofile") == 0) {
                        test_write(dir, "etc/systemd/system/nginx.service.d/90-skytune.conf",
                                   "[Service]\nLimitNOFILE=65536\n");
                } else
                        fail_msg("unexpected change %s %s", kind, key);
        }
        json_decref(plan);
        /* The evidence is unchanged (scaling rules would fire again on the same evidence: use the
         * set/raise rules only), so the plan for an idle profile and the host is empty too. */
        plan = plan_in(dir, "balanced", "idle.json", RISK_HIGH, targets, 1);
        assert_int_equal(json_array_size(json_object_get(plan, "changes")), 0);
        json_decref(plan);
        plan = plan_in(dir, "throughput-performance", "idle.json", RISK_HIGH, NULL, 0);
        json_t *tp = json_object_get(plan, "changes");
        /* throughput-performance's static values that the busy plan did not cover remain; those it did
         * (swappiness <= 10, somaxconn >= 2048, read-ahead >= 4096) are already met. */
        assert_null(find(plan, "changes", "vm.swappiness"));
        assert_null(find(plan, "changes", "net.core.somaxconn"));
        assert_non_null(find(plan, "changes", "policy0"));      /* governor: balanced had no evidence for it */
        assert_non_null(find(plan, "changes", "vm.dirty_ratio"));
        (void) tp;
        json_decref(plan);
}

/* Setting vm.dirty_bytes records vm.dirty_ratio's current value for rollback. */
static void test_dirty_pair(void **state) {
        json_t *plan = plan_in(dir, "database", "idle.json", _RISK_INVALID, NULL, 0);
        json_t *c = find(plan, "changes", "vm.dirty_bytes");
        assert_non_null(c);
        assert_string_equal(s(c, "current"), "0");
        assert_string_equal(s(c, "proposed"), "536870912");
        json_t *pair = json_object_get(c, "pair");
        assert_string_equal(s(pair, "key"), "vm.dirty_ratio");
        assert_string_equal(s(pair, "current"), "20");
        /* throughput-performance's ratio is disabled in database: no plan sets both forms. */
        assert_null(find(plan, "changes", "vm.dirty_ratio"));
        c = find(plan, "changes", "vm.dirty_background_bytes");
        assert_string_equal(s(json_object_get(c, "pair"), "current"), "10");
        json_decref(plan);
}

/* A key this kernel lacks is listed as unsupported, never a failure; cpufreq-less hosts likewise. */
static void test_unsupported(void **state) {
        char *p = NULL;
        assert_true(asprintf(&p, "%s/proc/sys/net/core/busy_read", dir) > 0);
        assert_int_equal(unlink(p), 0);
        free(p);
        assert_true(asprintf(&p, "rm -rf '%s/sys/devices/system/cpu/cpufreq'", dir) > 0);
        assert_int_equal(system(p), 0);
        free(p);
        json_t *plan = plan_in(dir, "network-latency", "idle.json", _RISK_INVALID, NULL, 0);
        json_t *u = find(plan, "unsupported", "net.core.busy_read");
        assert_non_null(u);
        assert_string_equal(s(u, "rule"), "nl.busy_read");
        assert_null(find(plan, "changes", "net.core.busy_read"));
        assert_non_null(find(plan, "unsupported", "policy0"));    /* the profile lists it, the host lacks it */
        assert_non_null(find(plan, "changes", "net.core.busy_poll"));
        json_decref(plan);
        /* No cpufreq in the profile either: the governor settings say so. */
        Policy *pol = load_policy("latency-performance");
        json_t *prof = load_profile("idle.json");
        json_object_del(json_object_get(prof, "host"), "cpufreq");
        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(dir, &root), 0);
        PlanOptions o = { .policy = pol, .profile = prof, .root = root, .allow_risk = _RISK_INVALID };
        OptError e = OPT_ERROR_INIT;
        assert_int_equal(plan_build(&o, &plan, &e), 0);
        assert_non_null(find(plan, "unsupported", "*"));     /* every element of the missing object */
        json_decref(plan);
        sysroot_free(root);
        json_decref(prof);
        policy_free(pol);
}

/* nofile never exceeds fs.nr_open. */
static void test_nofile_cap(void **state) {
        test_write(dir, "proc/sys/fs/nr_open", "50000\n");
        char *targets[] = { (char *) "nginx" };
        json_t *plan = plan_in(dir, "balanced", "idle.json", _RISK_INVALID, targets, 1);
        json_t *c = find(plan, "changes", "process:nginx:nofile");
        assert_non_null(c);
        assert_string_equal(s(c, "proposed"), "50000:50000");
        assert_string_equal(s(c, "mechanism"), "prlimit");
        assert_true(json_is_null(json_object_get(c, "persist_file")));
        c = find(plan, "changes", "unit:nginx.service:nofile");
        assert_string_equal(s(c, "mechanism"), "systemd-dropin");
        assert_string_equal(s(c, "persist_file"), "/etc/systemd/system/nginx.service.d/90-skytune.conf");
        json_t *t = json_object_get(json_object_get(plan, "targets"), "nginx");
        assert_int_equal(json_integer_value(json_object_get(json_object_get(t, "nofile"), "used")), 10);
        json_decref(plan);
        /* Without --target: the profile's files.top_processes names nginx at 83% of its limit. */
        plan = plan_in(dir, "balanced", "nofile-near-limit.json", _RISK_INVALID, NULL, 0);
        assert_non_null(find(plan, "changes", "process:nginx:nofile"));
        assert_null(json_object_get(json_object_get(plan, "targets"), "bash"));  /* 0.3%: not a target */
        json_decref(plan);
        /* A bad profile is an error, not a plan. */
        Policy *pol = load_policy("balanced");
        json_t *notprof = json_pack("{s:s}", "schema", "something/1");
        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(dir, &root), 0);
        PlanOptions o = { .policy = pol, .profile = notprof, .root = root, .allow_risk = _RISK_INVALID };
        OptError e = OPT_ERROR_INIT;
        plan = NULL;
        assert_int_equal(plan_build(&o, &plan, &e), -EINVAL);
        assert_null(plan);
        assert_non_null(strstr(e.message, "skytune.profile/1"));
        opt_error_clear(&e);
        sysroot_free(root);
        json_decref(notprof);
        policy_free(pol);
}

/* Set one resource's line of DIR/proc/PID/limits, as prlimit(2) would. */
static void set_proc_limit(const char *root_dir, int pid, const char *resource, const char *value) {
        const UlimitResource *res = ulimit_resource(resource);
        long long soft, hard;
        assert_int_equal(ulimit_value_parse(value, res, &soft, &hard), 0);
        char rel[64], *text = NULL, line[160];
        snprintf(rel, sizeof(rel), "proc/%d/limits", pid);
        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(root_dir, &root), 0);
        assert_int_equal(sysroot_read_file(root, rel, &text, NULL), 0);
        sysroot_free(root);
        char *at = strstr(text, res->proc_label), *eol = strchr(at, '\n');
        snprintf(line, sizeof(line), "%-25s %-20lld %-20lld %s", res->proc_label, soft, hard, res->bytes ? "bytes" : "processes");
        test_writef(root_dir, rel, "%.*s%s%s", (int) (at - text), text, line, eol);
        free(text);
}

/* ulimit-host after its nproc and memlock proposals are applied (prlimit on each process, the owned
 * files rendered as the helper writes them: KiB in limits.d, bytes in the drop-ins) plans nothing. */
static void test_ulimit_idempotence(void **state) {
        static const struct {
                const char *comm;
                int pids[2];
        } procs[] = { { "webd", { 10, 11 } }, { "batchd", { 20 } }, { "jobd", { 30 } }, { "builder", { 22 } } };
        char *tree = test_tmpdir(), *targets[] = { (char *) "webd", (char *) "batchd", (char *) "jobd", (char *) "builder" };
        test_copy_fixture("ulimit-host", tree);
        json_t *plan = plan_in(tree, "balanced", "idle.json", RISK_HIGH, targets, 4);
        json_t *changes = json_object_get(plan, "changes");
        assert_int_equal(json_array_size(changes), 12);
        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(tree, &root), 0);
        size_t i;
        json_t *c;
        json_array_foreach(changes, i, c) {
                UlimitKey k;
                assert_int_equal(ulimit_key_parse(s(c, "key"), &k), 0);
                if (strcmp(k.scope, "process") == 0) {
                        for (size_t p = 0; p < sizeof(procs) / sizeof(procs[0]); p++)
                                for (size_t j = 0; strcmp(procs[p].comm, k.target) == 0 && j < 2 && procs[p].pids[j]; j++)
                                        set_proc_limit(tree, procs[p].pids[j], k.resource->name, s(c, "proposed"));
                        continue;
                }
                char *old = NULL, *new = NULL;
                (void) sysroot_read_file(root, s(c, "persist_file"), &old, NULL);
                assert_int_equal(owned_file_render(s(c, "persist_file"), old, changes, &new), 0);
                test_write(tree, s(c, "persist_file") + 1, new);
                free(old);
                free(new);
        }
        sysroot_free(root);
        json_decref(plan);
        plan = plan_in(tree, "balanced", "idle.json", RISK_HIGH, targets, 4);
        json_array_foreach(json_object_get(plan, "changes"), i, c)
                fail_msg("after applying: %s %s -> %s", s(c, "key"), s(c, "current"), s(c, "proposed"));
        assert_int_equal(json_array_size(json_object_get(plan, "held_back")), 0);
        json_decref(plan);
        test_rm_rf(tree);
        free(tree);
}

static void check_op(const char *op, TunableKind kind, const char *key, const char *current, double ref, const char *want) {
        ValOp v;
        char *out = NULL;
        Error why = ERROR_NULL;
        assert_int_equal(valop_parse(op, &v, &why), 0);
        ValInput in = { .kind = kind, .key = key, .current = current, .has_ref = true, .ref = ref };
        int r = valop_compute(&v, &in, &out, &why);
        if (want) {
                if (r < 0)
                        fail_msg("%s on %s: %s", op, current, error_message(&why));
                assert_string_equal(out, want);
        } else {
                assert_int_equal(r, -ENODATA);
                assert_int_equal(why.code, -ENODATA);
                assert_non_null(why.message);
        }
        error_done(&why);
        free(out);
        valop_done(&v);
}

static void test_value_operators(void **state) {
        check_op("10", TUNABLE_SYSCTL, "vm.swappiness", "60", 0, "10");
        check_op("<=10", TUNABLE_SYSCTL, "vm.swappiness", "60", 0, "10");
        check_op("<=10", TUNABLE_SYSCTL, "vm.swappiness", "5", 0, "5");
        check_op(">=4096", TUNABLE_SYSCTL, "net.core.somaxconn", "8192", 0, "8192");
        /* Element by element: never lowers the kernel's larger receive maximum. */
        check_op(">=4096 131072 16777216", TUNABLE_SYSCTL, "net.ipv4.tcp_rmem", "4096\t87380\t33554432", 0,
                 "4096 131072 33554432");
        check_op("2*current", TUNABLE_SYSCTL, "net.core.netdev_max_backlog", "1000", 1000, "2000");
        check_op(">=2*current", TUNABLE_SYSCTL, "fs.file-max", "100000", 100000, "200000");
        check_op(">=65536", TUNABLE_ULIMIT, "process:x:nofile", "1024:524288", 0, "65536:524288");
        check_op(">=65536", TUNABLE_ULIMIT, "process:x:nproc", "1024:infinity", 0, "65536:infinity");
        check_op("<=4096", TUNABLE_ULIMIT, "process:x:nofile", "1024:524288", 0, "1024:4096");
        check_op("none|mq-deadline", TUNABLE_IO_SCHEDULER, "sda", "bfq", 0, "none");
        check_op("none|mq-deadline", TUNABLE_IO_SCHEDULER, "sda", "mq-deadline", 0, "mq-deadline");
        check_op(">=10", TUNABLE_SYSCTL, "vm.swappiness", NULL, 0, NULL);     /* unknown current */
        ValOp v;
        Error err = ERROR_NULL;
        assert_int_equal(valop_parse(">10", &v, &err), -EINVAL);
        assert_non_null(strstr(err.message, ">="));
        assert_int_equal(valop_parse("x*current", &v, &err), -EINVAL);
        assert_non_null(strstr(err.message, "positive factor"));
        assert_int_equal(valop_parse("a||b", &v, &err), -EINVAL);
        assert_string_equal(err.message, "an alternative in 'a|b' is empty");
        error_done(&err);
}

static json_t *lookup_doc(const char *path, void *userdata) {
        return json_object_get(userdata, path);
}

static void test_conditions(void **state) {
        json_t *doc = json_pack("{s:f, s:s, s:b, s:f}", "a", 5.0, "s", "nvme", "t", 1, "n", 2.0);
        static const struct { const char *expr; int want; } cases[] = {
                { "a > 4", 1 }, { "a >= 5 && s == \"nvme\"", 1 }, { "a < 5 || t", 1 }, { "!(a == 5)", 0 },
                { "missing > 0", 0 }, { "missing != 0", 0 }, { "!(missing == 0)", 1 }, { "exists(a) && !exists(zz)", 1 },
                { "a / n == 2.5", 1 }, { "a * n > 9.5", 1 }, { "a / zero > 0", 0 }, { "s != \"ssd\"", 1 },
                { "t == true", 1 }, { "a > \"4\"", 1 },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                Cond *c = NULL;
                Error err = ERROR_NULL;
                if (cond_parse(cases[i].expr, &c, &err) < 0)
                        fail_msg("%s: %s", cases[i].expr, error_message(&err));
                json_t *ev = json_object();
                if (cond_eval(c, NULL, lookup_doc, doc, ev) != cases[i].want)
                        fail_msg("%s: want %d", cases[i].expr, cases[i].want);
                json_decref(ev);
                cond_free(c);
        }
        static const char *const bad[] = { "", "a >", "a = 1", "(a > 1", "a > 1 b", "a & b", "\"x", "exists a",
                                           "a..b > 1", "a. > 1" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                Cond *c = NULL;
                Error err = ERROR_NULL;
                if (cond_parse(bad[i], &c, &err) >= 0)
                        fail_msg("'%s' parsed", bad[i]);
                assert_int_equal(err.code, -EINVAL);
                assert_non_null(strstr(err.message, "at column"));
                error_done(&err);
        }
        json_decref(doc);
        assert_int_equal(fnv1a64("", 0), 0xcbf29ce484222325ULL);
        assert_int_equal(fnv1a64("a", 1), 0xaf63dc4c8601ec8cULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_json_contract, setup, teardown),
                cmocka_unit_test_setup_teardown(test_conflicts, setup, teardown),
                cmocka_unit_test_setup_teardown(test_idempotence, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dirty_pair, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unsupported, setup, teardown),
                cmocka_unit_test_setup_teardown(test_nofile_cap, setup, teardown),
                cmocka_unit_test(test_ulimit_idempotence),
                cmocka_unit_test(test_value_operators),
                cmocka_unit_test(test_conditions),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

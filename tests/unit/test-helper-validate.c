/* SPDX-License-Identifier: MIT */
/* The helper's plan validation (common/plan-validate.c, which the dry run runs too) and its transaction
 * ids (helper/plan.c, in the helper's core library): hostile plans are rejected with a message that names
 * the change, and valid ones come out canonical. */
#include "helper-core.h"

#include "support.h"

static const char *const hostile[] = {
        /* JSON shape and types */
        "not json",
        "[]",
        "{\"schema\":\"skytune.plan/2\",\"changes\":[]}",
        "{\"changes\":[]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":{}}",
        "{\"schema\":\"skytune.plan/1\",\"persist\":\"yes\",\"changes\":[]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[\"vm.swappiness=10\"]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":1,\"key\":\"vm.swappiness\",\"proposed\":\"10\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":[\"vm\"],\"proposed\":\"10\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"proposed\":10}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"proposed\":null}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"schema\":\"skytune.plan/1\",\"changes\":[]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"kind\":\"ulimit\",\"key\":\"vm.swappiness\",\"proposed\":\"1\"}]}",
        /* kinds, names and paths */
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"kernel_module\",\"key\":\"nf_conntrack\",\"proposed\":\"1\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"../../etc/shadow\",\"proposed\":\"1\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"vm/../../etc/passwd\",\"proposed\":\"1\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\\u0000x\",\"proposed\":\"1\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\\n\",\"proposed\":\"1\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"kernel.modprobe\",\"proposed\":\"/tmp/x\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"\",\"proposed\":\"1\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"io_scheduler\",\"key\":\"../sda\",\"proposed\":\"none\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"io_scheduler\",\"key\":\"vda/queue\",\"proposed\":\"none\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"io_scheduler\",\"key\":\"..\",\"proposed\":\"none\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"cpu_governor\",\"key\":\"policy0/../../x\",\"proposed\":\"performance\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"ulimit\",\"key\":\"process:../x:nofile\",\"proposed\":\"1024\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"ulimit\",\"key\":\"unit:a/b:nofile\",\"proposed\":\"1024\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"ulimit\",\"key\":\"default:nginx:nofile\",\"proposed\":\"1024\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"ulimit\",\"key\":\"login:*:rtprio\",\"proposed\":\"10\"}]}",
        /* values */
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"proposed\":\"10\\nvm.overcommit_memory=1\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"proposed\":\"201\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"proposed\":\"-1\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"proposed\":\"99999999999999999999999\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"proposed\":\"0x10\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"proposed\":\"\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"net.ipv4.tcp_rmem\",\"proposed\":\"4096 87380\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"net.ipv4.ip_local_port_range\",\"proposed\":\"60000 1024\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"net.core.default_qdisc\",\"proposed\":\"fq;reboot\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"io_scheduler\",\"key\":\"vda\",\"proposed\":\"kyber rm -rf\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"read_ahead_kb\",\"key\":\"vda\",\"proposed\":\"abc\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"nr_requests\",\"key\":\"vda\",\"proposed\":\"1\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"cpu_epp\",\"key\":\"policy0\",\"proposed\":\"256\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"ulimit\",\"key\":\"login:*:nofile\",\"proposed\":\"infinity\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"ulimit\",\"key\":\"login:*:nofile\",\"proposed\":\"100:50\"}]}",
        /* issue 12, 5-7: leading zeros and signs, floors, grammar gaps; keys refused up front */
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"net.core.somaxconn\",\"proposed\":\"0150\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"net.core.somaxconn\",\"proposed\":\"+150\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"nr_requests\",\"key\":\"vda\",\"proposed\":\"064\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"ulimit\",\"key\":\"login:*:nofile\",\"proposed\":\"0\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"ulimit\",\"key\":\"default:*:stack\",\"proposed\":\"0\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"ulimit\",\"key\":\"unit:sshd:nproc\",\"proposed\":\"0\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"ulimit\",\"key\":\"process:nginx:nofile\",\"proposed\":\"0:0\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"ulimit\",\"key\":\"login:0:65535:nofile\",\"proposed\":\"65536\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"net.ipv4.tcp_rmem\",\"proposed\":\"87380 4096 6291456\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"net.ipv4.tcp_wmem\",\"proposed\":\"4096 16384 8192\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"kernel.numa_balancing\",\"proposed\":\"0\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"ulimit\",\"key\":\"process:nginx:nofile\",\"proposed\":\"65536\",\"allow_critical_process\":1}]}",
        /* duplicates and couplings */
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"proposed\":\"1\"},"
        "{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"proposed\":\"2\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"proposed\":\"1\"},"
        "{\"kind\":\"sysctl\",\"key\":\"vm/swappiness\",\"proposed\":\"2\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"vm.dirty_bytes\",\"proposed\":\"100000000\"},"
        "{\"kind\":\"sysctl\",\"key\":\"vm.dirty_ratio\",\"proposed\":\"20\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"proposed\":\"1\",\"mechanism\":\"../x\"}]}",
        "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"proposed\":\"1\",\"persist_file\":7}]}",
};

static void test_hostile(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(hostile); i++) {
                Plan *p = NULL;
                Error why = ERROR_NULL;
                int r = plan_validate(hostile[i], strlen(hostile[i]), NULL, &p, &why);
                if (r != -EINVAL || p || !why.message || why.code != -EINVAL)
                        fail_msg("hostile plan %zu accepted (r=%d): %s", i, r, hostile[i]);
                error_done(&why);
        }
        assert_true(ELEMENTSOF(hostile) >= 30);
}

static void test_sizes(void **state) {
        /* 257 changes, and a plan over 1 MiB. */
        size_t cap = 300 * 80 + 100;
        char *s = malloc(cap), *o = s;
        o += sprintf(o, "{\"schema\":\"skytune.plan/1\",\"changes\":[");
        for (int i = 0; i < 257; i++)
                o += sprintf(o, "%s{\"kind\":\"io_scheduler\",\"key\":\"d%d\",\"proposed\":\"none\"}", i ? "," : "", i);
        strcpy(o, "]}");
        Plan *p = NULL;
        Error why = ERROR_NULL;
        assert_int_equal(plan_validate(s, strlen(s), NULL, &p, &why), -EINVAL);
        assert_non_null(strstr(why.message, "more than"));
        error_done(&why);
        free(s);
        size_t big = HELPER_PLAN_MAX + 10;
        s = malloc(big + 1);
        memset(s, ' ', big);
        s[big] = '\0';
        error_done(&why);
        assert_int_equal(plan_validate(s, big, NULL, &p, &why), -EINVAL);
        error_done(&why);
        free(s);
}

static void test_valid(void **state) {
        const char *text = "{\"schema\":\"skytune.plan/1\",\"persist\":true,\"policy\":\"x\",\"changes\":["
                           "{\"kind\":\"sysctl\",\"key\":\"net/ipv4/conf/eth0.1/rp_filter\",\"proposed\":\"2\",\"current\":\"1\"},"
                           "{\"kind\":\"sysctl\",\"key\":\"net.ipv4.tcp_rmem\",\"proposed\":\" 4096\\t87380   6291456 \"},"
                           "{\"kind\":\"ulimit\",\"key\":\"unit:nginx.service:nofile\",\"proposed\":\"65536\",\"mechanism\":\"systemd-dropin\"}]}";
        Plan *p = NULL;
        Error why = ERROR_NULL;
        assert_int_equal(plan_validate(text, strlen(text), NULL, &p, &why), 0);
        assert_true(p->persist);
        assert_int_equal(p->n_changes, 3);
        assert_string_equal(p->changes[0].key, "net.ipv4.conf.eth0/1.rp_filter");
        assert_string_equal(p->changes[1].proposed, "4096 87380 6291456");
        assert_string_equal(p->changes[2].proposed, "65536:65536");
        assert_string_equal(p->changes[2].mechanism, "systemd-dropin");
        plan_free(p);
        const char *empty = "{\"schema\":\"skytune.plan/1\",\"changes\":[]}";
        assert_int_equal(plan_validate(empty, strlen(empty), NULL, &p, &why), 0);
        assert_int_equal(p->n_changes, 0);
        plan_free(p);
}

static void test_error_names_change(void **state) {
        const char *text = "{\"schema\":\"skytune.plan/1\",\"changes\":[{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"proposed\":\"1\"},"
                           "{\"kind\":\"sysctl\",\"key\":\"vm.swappiness_x\",\"proposed\":\"1\"}]}";
        Plan *p = NULL;
        Error why = ERROR_NULL;
        assert_int_equal(plan_validate(text, strlen(text), NULL, &p, &why), -EINVAL);
        assert_non_null(strstr(why.message, "changes[1]"));
        assert_non_null(strstr(why.message, "vm.swappiness_x"));
        assert_non_null(strstr(why.message, "allowlist"));
        error_done(&why);
}

/* The host's part, run by the helper before polkit and by the dry run: offered values, PID 1 and the
 * helper's own process unless allow_critical_process. */
static void test_host_checks(void **state) {
        char *dir = test_tmpdir();
        test_copy_fixture("helper-host", dir);
        test_write(dir, "proc/1/comm", "systemd\n");
        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(dir, &root), 0);
        static const struct {
                const char *change, *want;
        } cases[] = {
                { "{\"kind\":\"cpu_governor\",\"key\":\"policy0\",\"proposed\":\"ondemand\"}", "scaling_available_governors" },
                { "{\"kind\":\"cpu_epp\",\"key\":\"policy0\",\"proposed\":\"turbo\"}", "energy_performance_available" },
                { "{\"kind\":\"io_scheduler\",\"key\":\"vda\",\"proposed\":\"bfq\"}", "not offered" },
                { "{\"kind\":\"ulimit\",\"key\":\"process:systemd:nofile\",\"proposed\":\"65536\"}", "PID 1" },
                { "{\"kind\":\"ulimit\",\"key\":\"process:skytune-helper:nofile\",\"proposed\":\"65536\"}", "skytune-helper itself" },
                { "{\"kind\":\"cpu_governor\",\"key\":\"policy0\",\"proposed\":\"performance\"}", NULL },
                { "{\"kind\":\"io_scheduler\",\"key\":\"nvme9n1\",\"proposed\":\"bfq\"}", NULL },   /* not on this host */
                { "{\"kind\":\"ulimit\",\"key\":\"process:systemd:nofile\",\"proposed\":\"65536\",\"allow_critical_process\":true}", NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *text = NULL;
                Error why = ERROR_NULL;
                assert_true(asprintf(&text, "{\"schema\":\"skytune.plan/1\",\"changes\":[%s]}", cases[i].change) > 0);
                /* Without a sysroot only the static checks: all of these pass them. */
                assert_int_equal(plan_validate(text, strlen(text), NULL, NULL, &why), 0);
                int r = plan_validate(text, strlen(text), root, NULL, &why);
                if (cases[i].want ? r != -EINVAL || !why.message || !strstr(why.message, cases[i].want) : r != 0)
                        fail_msg("case %zu: r=%d why=%s", i, r, why.message ? why.message : "-");
                error_done(&why);
                free(text);
        }
        sysroot_free(root);
        test_rm_rf(dir);
        free(dir);
}

static void test_tx_ids(void **state) {
        assert_true(tx_id_valid("20261127T060102-123456-abcdef"));
        assert_false(tx_id_valid("../x"));
        assert_false(tx_id_valid(""));
        assert_false(tx_id_valid("a/b"));
        assert_false(tx_id_valid("a.json"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_hostile),
                cmocka_unit_test(test_sizes),
                cmocka_unit_test(test_valid),
                cmocka_unit_test(test_error_names_change),
                cmocka_unit_test(test_host_checks),
                cmocka_unit_test(test_tx_ids),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "support.h"
#include "tunable.h"
#include "ulimit.h"

static void expect_canonical(const char *in, const char *want) {
        char *c = NULL;
        assert_int_equal(sysctl_key_canonical(in, &c), 0);
        assert_string_equal(c, want);
        free(c);
}

static void test_sysctl_names(void **state) {
        expect_canonical("vm.swappiness", "vm.swappiness");
        expect_canonical("vm/swappiness", "vm.swappiness");
        expect_canonical("/vm/swappiness", "vm.swappiness");
        /* VLAN eth0.1: a dot inside a component is '/' in the dotted form, as sysctl(8) prints it. */
        expect_canonical("net/ipv4/conf/eth0.1/rp_filter", "net.ipv4.conf.eth0/1.rp_filter");
        expect_canonical("net.ipv4.conf.eth0/1.rp_filter", "net.ipv4.conf.eth0/1.rp_filter");
        char *p = NULL;
        assert_int_equal(sysctl_key_to_path("net.ipv4.conf.eth0/1.rp_filter", &p), 0);
        assert_string_equal(p, "proc/sys/net/ipv4/conf/eth0.1/rp_filter");
        free(p);

        char *c = NULL;
        const char *bad[] = { "", "vm..swappiness", "vm.", ".vm", "net/ipv4/../../etc/passwd", "vm.swap piness",
                              "net.ipv4.conf.//.rp_filter", "vm.swappiness\n", "vm.$x" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_not_equal(sysctl_key_canonical(bad[i], &c), 0);
}

static void check_tunable(TunableKind k, const char *key, const char *value, int want) {
        char *canon = NULL;
        Error why = ERROR_NULL;
        int r = tunable_check(k, key, value, &canon, &why);
        if (r != want)
                fail_msg("%s %s=%s: got %d (%s), want %d", tunable_kind_to_string(k), key, value ? value : "(null)", r,
                         why.message ?: "-", want);
        if (r < 0) {
                assert_non_null(why.message);
                assert_int_equal(why.code, r);
                assert_non_null(why.place);
        } else
                assert_false(error_is_set(&why));
        error_done(&why);
        free(canon);
}

static void test_allowlist(void **state) {
        check_tunable(TUNABLE_SYSCTL, "vm.swappiness", "10", 0);
        check_tunable(TUNABLE_SYSCTL, "vm/swappiness", "200", 0);
        check_tunable(TUNABLE_SYSCTL, "vm.swappiness", "201", -ERANGE);
        check_tunable(TUNABLE_SYSCTL, "vm.swappiness", "-1", -ERANGE);
        check_tunable(TUNABLE_SYSCTL, "vm.swappiness", "1e3", -EINVAL);
        check_tunable(TUNABLE_SYSCTL, "vm.swappiness", "99999999999999999999999", -ERANGE);
        check_tunable(TUNABLE_SYSCTL, "kernel.modprobe", "/tmp/x", -EPERM);
        check_tunable(TUNABLE_SYSCTL, "net.ipv4.ip_local_port_range", "10000 65535", 0);
        check_tunable(TUNABLE_SYSCTL, "net.ipv4.ip_local_port_range", "  10000\t65535 ", 0);
        check_tunable(TUNABLE_SYSCTL, "net.ipv4.ip_local_port_range", "60000 10000", -ERANGE);
        check_tunable(TUNABLE_SYSCTL, "net.ipv4.ip_local_port_range", "10000", -EINVAL);
        check_tunable(TUNABLE_SYSCTL, "net.ipv4.tcp_rmem", "4096 131072 16777216", 0);
        check_tunable(TUNABLE_SYSCTL, "net.ipv4.tcp_rmem", "4096 131072 16777216 1", -EINVAL);
        check_tunable(TUNABLE_SYSCTL, "net.ipv4.conf.eth0/1.rp_filter", "1", 0);
        check_tunable(TUNABLE_SYSCTL, "net.ipv4.conf.all.rp_filter", "3", -ERANGE);
        check_tunable(TUNABLE_SYSCTL, "net.ipv4.tcp_congestion_control", "bbr", 0);
        check_tunable(TUNABLE_SYSCTL, "net.ipv4.tcp_congestion_control", "bbr;reboot", -EINVAL);
        check_tunable(TUNABLE_SYSCTL, "vm.swappiness", "1\n0", -EINVAL);
        check_tunable(TUNABLE_CPU_GOVERNOR, "policy0", "performance", 0);
        check_tunable(TUNABLE_CPU_GOVERNOR, "policy0/../x", "performance", -EINVAL);
        check_tunable(TUNABLE_CPU_GOVERNOR, "cpu0", "performance", -EINVAL);
        check_tunable(TUNABLE_CPU_EPP, "policy3", "balance_performance", 0);
        check_tunable(TUNABLE_CPU_EPP, "policy3", "256", -ERANGE);
        check_tunable(TUNABLE_IO_SCHEDULER, "nvme0n1", "none", 0);
        check_tunable(TUNABLE_IO_SCHEDULER, "vda", "mq-deadline", 0);
        check_tunable(TUNABLE_IO_SCHEDULER, "..", "none", -EINVAL);
        check_tunable(TUNABLE_IO_SCHEDULER, "sda/queue", "none", -EINVAL);
        check_tunable(TUNABLE_IO_SCHEDULER, "sda", "[none]", -EINVAL);
        check_tunable(TUNABLE_READ_AHEAD_KB, "sda", "4096", 0);
        check_tunable(TUNABLE_READ_AHEAD_KB, "sda", "65537", -ERANGE);
        check_tunable(TUNABLE_NR_REQUESTS, "sda", "2", -ERANGE);
        check_tunable(TUNABLE_ULIMIT, "process:nginx:nofile", "65536", 0);
        check_tunable(TUNABLE_ULIMIT, "unit:postgresql.service:nofile", "1024:65536", 0);
        check_tunable(TUNABLE_ULIMIT, "login:*:nofile", "infinity", -ERANGE);
        check_tunable(TUNABLE_ULIMIT, "login:*:nproc", "unlimited", 0);
        check_tunable(TUNABLE_ULIMIT, "login:@admins:nofile", "4096", 0);
        check_tunable(TUNABLE_ULIMIT, "default:*:nofile", "65536:524288", 0);
        check_tunable(TUNABLE_ULIMIT, "process:nginx:nofile", "70000:1024", -ERANGE);
        check_tunable(TUNABLE_ULIMIT, "process:*:nofile", "1024", -EINVAL);
        check_tunable(TUNABLE_ULIMIT, "unit:../../etc/x:nofile", "1024", -EINVAL);
        check_tunable(TUNABLE_ULIMIT, "process:nginx:cpu", "1024", -EPERM);
        check_tunable(TUNABLE_ULIMIT, "root:nginx:nofile", "1024", -EINVAL);
        check_tunable((TunableKind) 99, "x", "y", -EINVAL);
        /* A bare unit name is a service: one key, one drop-in directory. */
        const char *units[][2] = {
                { "unit:nginx:nofile", "unit:nginx.service:nofile" },
                { "unit:postgresql@15-main:memlock", "unit:postgresql@15-main.service:memlock" },
                { "unit:nginx.service:nofile", "unit:nginx.service:nofile" },
                { "unit:app.socket:nofile", "unit:app.socket:nofile" },
                { "unit:php7.4-fpm:nofile", "unit:php7.4-fpm.service:nofile" },
                { "process:nginx:nofile", "process:nginx:nofile" },
        };
        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                char *canon = NULL;
                assert_int_equal(tunable_check(TUNABLE_ULIMIT, units[i][0], NULL, &canon, NULL), 0);
                assert_string_equal(canon, units[i][1]);
                free(canon);
        }
        check_tunable(TUNABLE_ULIMIT, "unit:backup.timer:nofile", "1024", -EINVAL);
        /* limits.d keeps whole KiB: a byte limit off the boundary compares as written (rounded up). */
        assert_true(tunable_values_equal(TUNABLE_ULIMIT, "login:alice:memlock", "1000", "1024:1024"));
        assert_true(tunable_values_equal(TUNABLE_ULIMIT, "login:alice:memlock", "1500:3000", "2048:3072"));
        assert_false(tunable_values_equal(TUNABLE_ULIMIT, "unit:db.service:memlock", "1000", "1024"));
        char longunit[160] = "unit:";
        memset(longunit + 5, 'u', 125);
        strcpy(longunit + 130, ":nofile");
        check_tunable(TUNABLE_ULIMIT, longunit, "1024", -EINVAL);
        assert_int_equal(tunable_kind_from_string("io_scheduler"), TUNABLE_IO_SCHEDULER);
        assert_int_equal(tunable_kind_from_string("bogus"), _TUNABLE_KIND_INVALID);
        char longkey[300];
        memset(longkey, 'a', sizeof(longkey) - 1);
        longkey[sizeof(longkey) - 1] = '\0';
        check_tunable(TUNABLE_SYSCTL, longkey, "1", -EINVAL);
}

/* Issue 12, 5: the kernel reads sysctl numbers with base 0, so "0150" is octal 104. One parser refuses
 * what it would read otherwise than as decimal, for every numeric kind. */
static void test_decimal_only(void **state) {
        long long v = 0;
        assert_int_equal(tunable_parse_decimal("150", 3, &v), 0);
        assert_int_equal(v, 150);
        assert_int_equal(tunable_parse_decimal("0", 1, &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(tunable_parse_decimal("-5", 2, &v), 0);
        assert_int_equal(v, -5);
        assert_int_equal(tunable_parse_decimal("-9223372036854775808", 20, &v), 0);
        assert_true(v == INT64_MIN);
        assert_int_equal(tunable_parse_decimal("9223372036854775808", 19, &v), -ERANGE);
        assert_int_equal(tunable_parse_decimal("1500", 3, &v), 0);   /* exactly len bytes */
        assert_int_equal(v, 150);
        const char *lenient[] = { "0150", "00", "+150", "+0", "-0", "-0150", "007" };
        for (size_t i = 0; i < ELEMENTSOF(lenient); i++)
                assert_int_equal(tunable_parse_decimal(lenient[i], strlen(lenient[i]), &v), -EILSEQ);
        const char *bad[] = { "", "-", "+", "0x10", "1 ", " 1", "1e3", "15a" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(tunable_parse_decimal(bad[i], strlen(bad[i]), &v), -EINVAL);

        check_tunable(TUNABLE_SYSCTL, "net.core.somaxconn", "0150", -EILSEQ);
        check_tunable(TUNABLE_SYSCTL, "net.core.somaxconn", "+150", -EILSEQ);
        check_tunable(TUNABLE_SYSCTL, "net.core.somaxconn", "150", 0);
        check_tunable(TUNABLE_SYSCTL, "vm.swappiness", "010", -EILSEQ);
        check_tunable(TUNABLE_SYSCTL, "vm.swappiness", "-0", -EILSEQ);
        check_tunable(TUNABLE_SYSCTL, "net.ipv4.tcp_rmem", "4096 087380 6291456", -EILSEQ);
        check_tunable(TUNABLE_SYSCTL, "net.ipv4.ip_local_port_range", "01024 65535", -EILSEQ);
        check_tunable(TUNABLE_READ_AHEAD_KB, "vda", "0128", -EILSEQ);
        check_tunable(TUNABLE_NR_REQUESTS, "vda", "+64", -EILSEQ);
        check_tunable(TUNABLE_CPU_EPP, "policy0", "0128", -EILSEQ);
        check_tunable(TUNABLE_ULIMIT, "login:*:nofile", "065536", -EILSEQ);
        check_tunable(TUNABLE_ULIMIT, "login:*:nofile", "4096:+65536", -EILSEQ);
        check_tunable(TUNABLE_ULIMIT, "unit:nginx:memlock", "064M", -EILSEQ);
        Error why = ERROR_NULL;
        assert_int_equal(tunable_check(TUNABLE_SYSCTL, "net.core.somaxconn", "0150", NULL, &why), -EILSEQ);
        assert_non_null(strstr(why.message, "octal"));
        /* The bytes entry point (for a fuzzer): no NUL needed, an embedded one refused. */
        assert_int_equal(tunable_check_bytes(TUNABLE_SYSCTL, "net.core.somaxconn", "150xx", 3, &why), 0);
        assert_int_equal(tunable_check_bytes(TUNABLE_SYSCTL, "net.core.somaxconn", "15\0", 3, &why), -EINVAL);
        assert_non_null(strstr(why.message, "NUL byte"));
        error_done(&why);
}

/* Issue 12, 6 and 7: every ulimit resource and scope has a floor; tcp_rmem/tcp_wmem are ordered; a login
 * target with ':' (a uid range to pam_limits) is refused. */
static void test_ulimit_floors_and_order(void **state) {
        static const char *const scopes[] = { "process:nginx", "unit:sshd", "login:*", "default:*" };
        static const struct {
                const char *resource, *below, *at;
        } floors[] = {
                { "nofile", "1023", "1024" }, { "memlock", "65535", "64K" }, { "stack", "1048575", "1M" },
        };
        char key[64];
        for (size_t i = 0; i < ELEMENTSOF(scopes); i++) {
                for (size_t j = 0; j < ELEMENTSOF(floors); j++) {
                        snprintf(key, sizeof(key), "%s:%s", scopes[i], floors[j].resource);
                        check_tunable(TUNABLE_ULIMIT, key, "0", -ERANGE);
                        check_tunable(TUNABLE_ULIMIT, key, "0:0", -ERANGE);
                        check_tunable(TUNABLE_ULIMIT, key, floors[j].below, -ERANGE);
                        check_tunable(TUNABLE_ULIMIT, key, floors[j].at, 0);
                }
                snprintf(key, sizeof(key), "%s:nproc", scopes[i]);
                check_tunable(TUNABLE_ULIMIT, key, "0", -ERANGE);
                check_tunable(TUNABLE_ULIMIT, key, "1024", 0);
                check_tunable(TUNABLE_ULIMIT, key, i < 2 ? "256" : "1023", i < 2 ? 0 : -ERANGE);
                snprintf(key, sizeof(key), "%s:core", scopes[i]);
                check_tunable(TUNABLE_ULIMIT, key, "0", 0);      /* no core dumps: a floor of 0 */
        }
        check_tunable(TUNABLE_ULIMIT, "default:*:stack", "infinity", 0);
        Error why = ERROR_NULL;
        assert_int_equal(tunable_check(TUNABLE_ULIMIT, "unit:sshd:nproc", "0", NULL, &why), -ERANGE);
        assert_non_null(strstr(why.message, "floor"));

        check_tunable(TUNABLE_SYSCTL, "net.ipv4.tcp_rmem", "4096 4096 4096", 0);
        check_tunable(TUNABLE_SYSCTL, "net.ipv4.tcp_rmem", "87380 4096 6291456", -ERANGE);
        check_tunable(TUNABLE_SYSCTL, "net.ipv4.tcp_rmem", "4096 6291456 87380", -ERANGE);
        check_tunable(TUNABLE_SYSCTL, "net.ipv4.tcp_wmem", "4096 16384 8192", -ERANGE);
        assert_int_equal(tunable_check(TUNABLE_SYSCTL, "net.ipv4.tcp_wmem", "9000 4096 16384", NULL, &why), -ERANGE);
        assert_non_null(strstr(why.message, "min <= default <= max"));

        check_tunable(TUNABLE_ULIMIT, "login:0:65535:nofile", "65536", -EINVAL);
        check_tunable(TUNABLE_ULIMIT, "login:@100:200:nofile", "65536", -EINVAL);
        assert_int_equal(tunable_check(TUNABLE_ULIMIT, "login:0:65535:nofile", "65536", NULL, &why), -EINVAL);
        assert_non_null(strstr(why.message, "uid or gid range"));
        error_done(&why);
        check_tunable(TUNABLE_ULIMIT, "login:@adm:nofile", "65536", 0);

        char *msg = NULL;
        assert_int_equal(ulimit_lowered_hard_warning("process:nginx:nofile", "1024:524288", "4096:8192", &msg), 1);
        assert_non_null(strstr(msg, "CAP_SYS_RESOURCE"));
        free(msg);
        assert_int_equal(ulimit_lowered_hard_warning("process:nginx:nofile", "1024:4096", "4096:8192", &msg), 0);
        assert_int_equal(ulimit_lowered_hard_warning("unit:nginx.service:nofile", "1024:524288", "4096", &msg), 0);
}

static void test_normalize(void **state) {
        assert_true(tunable_values_equal(TUNABLE_IO_SCHEDULER, "vda", "none [mq-deadline] kyber bfq", "mq-deadline"));
        assert_false(tunable_values_equal(TUNABLE_IO_SCHEDULER, "vda", "[none] mq-deadline", "mq-deadline"));
        assert_true(tunable_values_equal(TUNABLE_SYSCTL, "net.ipv4.tcp_rmem", "4096\t131072  6291456\n", "4096 131072 6291456"));
        assert_true(tunable_values_equal(TUNABLE_ULIMIT, "process:nginx:nofile", "1024", "1024:1024"));
        assert_true(tunable_values_equal(TUNABLE_ULIMIT, "login:*:nproc", "unlimited", "infinity:infinity"));
        assert_false(tunable_values_equal(TUNABLE_ULIMIT, "process:nginx:nofile", "1024", "1024:4096"));
}

static void test_read_fixture(void **state) {
        char *dir = test_tmpdir();
        test_write(dir, "proc/sys/vm/swappiness", "60\n");
        test_write(dir, "proc/sys/net/ipv4/conf/eth0.1/rp_filter", "2\n");
        test_write(dir, "sys/block/vda/queue/scheduler", "none [mq-deadline] kyber bfq\n");
        test_write(dir, "proc/42/comm", "nginx\n");
        test_write(dir, "proc/42/limits",
                   "Limit                     Soft Limit           Hard Limit           Units     \n"
                   "Max open files            1024                 524288               files     \n"
                   "Max locked memory         unlimited            unlimited            bytes     \n");
        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(dir, &root), 0);
        static const struct {
                TunableKind kind;
                const char *key, *want;  /* want NULL: the read fails with err */
                int err;
        } reads[] = {
                { TUNABLE_SYSCTL, "vm.swappiness", "60", 0 },
                { TUNABLE_SYSCTL, "net/ipv4/conf/eth0.1/rp_filter", "2", 0 },
                { TUNABLE_IO_SCHEDULER, "vda", "mq-deadline", 0 },
                { TUNABLE_ULIMIT, "process:nginx:nofile", "1024:524288", 0 },
                { TUNABLE_ULIMIT, "process:nginx:memlock", "infinity:infinity", 0 },
                { TUNABLE_ULIMIT, "process:postgres:nofile", NULL, -ENOENT },
                { TUNABLE_SYSCTL, "vm.dirty_ratio", NULL, -ENOENT },
                { TUNABLE_SYSCTL, "kernel.modprobe", NULL, -EPERM },
        };
        for (size_t i = 0; i < ELEMENTSOF(reads); i++) {
                char *v = NULL;
                assert_int_equal(tunable_read(root, reads[i].kind, reads[i].key, &v), reads[i].want ? 0 : reads[i].err);
                if (reads[i].want)
                        assert_string_equal(v, reads[i].want);
                free(v);
        }
        sysroot_free(root);
        test_rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sysctl_names),
                cmocka_unit_test(test_allowlist),
                cmocka_unit_test(test_decimal_only),
                cmocka_unit_test(test_ulimit_floors_and_order),
                cmocka_unit_test(test_normalize),
                cmocka_unit_test(test_read_fixture),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

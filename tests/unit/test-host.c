/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host-facts.h"
#include "support.h"

static void test_cpulist(void **state) {
        unsigned n;
        assert_int_equal(cpulist_count("0-1\n", 4, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(cpulist_count("0-3,8,10-11\n", 12, &n), 0);
        assert_int_equal(n, 7);
        assert_int_equal(cpulist_count("5", 1, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(cpulist_count("\n", 1, &n), 0);
        assert_int_equal(n, 0);
        const char *bad[] = { "3-1", "0-", "-1", "0,,1", "0,", "a", "0-1-2", "1 2", "0-99999999999" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_true(cpulist_count(bad[i], strlen(bad[i]), &n) < 0);
        /* Truncated at every byte: never a crash, never more CPUs than the whole list. */
        const char list[] = "0-3,8,10-11\n";
        for (size_t k = 0; k <= strlen(list); k++) {
                char *copy = malloc(k ? k : 1);
                memcpy(copy, list, k);
                if (cpulist_count(copy, k, &n) == 0)
                        assert_true(n <= 7);
                free(copy);
        }
}

static const char cpuinfo_x86[] =
        "processor\t: 0\n"
        "vendor_id\t: AuthenticAMD\n"
        "model\t\t: 1\n"
        "model name\t: AMD EPYC\n"
        "flags\t\t: fpu vme hypervisor lahf_lm\n"
        "\n"
        "processor\t: 1\n"
        "model name\t: AMD EPYC\n";

static void test_cpuinfo(void **state) {
        char buf[64];
        assert_int_equal(cpuinfo_model(cpuinfo_x86, strlen(cpuinfo_x86), buf, sizeof(buf)), 0);
        assert_string_equal(buf, "AMD EPYC");
        assert_int_equal(cpuinfo_has_flag(cpuinfo_x86, strlen(cpuinfo_x86), "hypervisor"), 1);
        assert_int_equal(cpuinfo_has_flag(cpuinfo_x86, strlen(cpuinfo_x86), "hyper"), 0);
        /* "model" alone is not "model name". */
        const char only_model[] = "model\t\t: 1\n";
        assert_int_equal(cpuinfo_model(only_model, strlen(only_model), buf, sizeof(buf)), -ENOENT);
        /* arm64: no model name, no flags line; PowerPC: "cpu". */
        const char arm[] = "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd\nCPU part\t: 0xd0c\n";
        assert_int_equal(cpuinfo_model(arm, strlen(arm), buf, sizeof(buf)), 0);
        assert_string_equal(buf, "0xd0c");
        assert_int_equal(cpuinfo_has_flag(arm, strlen(arm), "hypervisor"), -ENOENT);
        const char ppc[] = "processor\t: 0\ncpu\t\t: POWER9 (architected), altivec supported\n";
        assert_int_equal(cpuinfo_model(ppc, strlen(ppc), buf, sizeof(buf)), 0);
        assert_string_equal(buf, "POWER9 (architected), altivec supported");
        char small[4];
        assert_int_equal(cpuinfo_model(cpuinfo_x86, strlen(cpuinfo_x86), small, sizeof(small)), -ENAMETOOLONG);
        assert_int_equal(cpuinfo_model("", 0, buf, sizeof(buf)), -ENOENT);
        for (size_t k = 0; k <= strlen(cpuinfo_x86); k++) {
                char *copy = malloc(k ? k : 1);
                memcpy(copy, cpuinfo_x86, k);
                if (cpuinfo_model(copy, k, buf, sizeof(buf)) == 0)
                        assert_true(strncmp(buf, "AMD EPYC", strlen(buf)) == 0);
                (void) cpuinfo_has_flag(copy, k, "hypervisor");
                free(copy);
        }
}

static void test_os_release_and_meminfo(void **state) {
        char buf[64];
        const char osr[] = "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n";
        assert_int_equal(os_release_pretty_name(osr, strlen(osr), buf, sizeof(buf)), 0);
        assert_string_equal(buf, "Debian GNU/Linux 12 (bookworm)");
        const char single[] = "PRETTY_NAME='Arch Linux'\n";
        assert_int_equal(os_release_pretty_name(single, strlen(single), buf, sizeof(buf)), 0);
        assert_string_equal(buf, "Arch Linux");
        const char escaped[] = "PRETTY_NAME=\"A \\\"quoted\\\" name\"";
        assert_int_equal(os_release_pretty_name(escaped, strlen(escaped), buf, sizeof(buf)), 0);
        assert_string_equal(buf, "A \"quoted\" name");
        const char bare[] = "PRETTY_NAME=Plain";
        assert_int_equal(os_release_pretty_name(bare, strlen(bare), buf, sizeof(buf)), 0);
        assert_string_equal(buf, "Plain");
        assert_int_equal(os_release_pretty_name("NAME=x\n", 7, buf, sizeof(buf)), -ENOENT);
        for (size_t k = 0; k <= strlen(osr); k++)
                if (os_release_pretty_name(osr, k, buf, sizeof(buf)) == 0)
                        assert_true(strncmp(buf, "Debian GNU/Linux 12 (bookworm)", strlen(buf)) == 0);

        const char mi[] = "MemTotal:       24683656 kB\nMemFree:  1 kB\nSwapTotal:             0 kB\nHugePages_Total:       4\n";
        uint64_t v;
        assert_int_equal(meminfo_bytes(mi, strlen(mi), "MemTotal", &v), 0);
        assert_int_equal(v, 24683656ull * 1024);
        assert_int_equal(meminfo_bytes(mi, strlen(mi), "SwapTotal", &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(meminfo_bytes(mi, strlen(mi), "HugePages_Total", &v), 0);
        assert_int_equal(v, 4);
        assert_int_equal(meminfo_bytes(mi, strlen(mi), "Mem", &v), -ENOENT);
        const char bad[] = "MemTotal: 12 MB\n";
        assert_int_equal(meminfo_bytes(bad, strlen(bad), "MemTotal", &v), -EBADMSG);
        const char huge[] = "MemTotal: 99999999999999999 kB\n";
        assert_int_equal(meminfo_bytes(huge, strlen(huge), "MemTotal", &v), -ERANGE);
        for (size_t k = 0; k <= strlen(mi); k++) {
                char *copy = malloc(k ? k : 1);
                memcpy(copy, mi, k);
                int r = meminfo_bytes(copy, k, "SwapTotal", &v);
                /* Absent until the key is there, then a prefix of the number (with or without kB). */
                assert_true(r == -ENOENT || r == -EBADMSG || (r == 0 && v == 0));
                free(copy);
        }
}

static void test_virt(void **state) {
        VirtEvidence e = { .cpu_hypervisor_flag = 0 };
        assert_string_equal(virt_detect(&e), "none");
        e.cpu_hypervisor_flag = 1;
        assert_string_equal(virt_detect(&e), "unknown");
        /* Firecracker: no DMI, but KVM's paravirtual clock. */
        e.clocksources = "tsc kvm-clock ";
        assert_string_equal(virt_detect(&e), "kvm");
        e = (VirtEvidence) { .sys_vendor = "QEMU", .product_name = "Standard PC (Q35 + ICH9, 2009)", .cpu_hypervisor_flag = 1 };
        assert_string_equal(virt_detect(&e), "qemu");
        e = (VirtEvidence) { .sys_vendor = "VMware, Inc.", .product_name = "VMware Virtual Platform", .cpu_hypervisor_flag = 1 };
        assert_string_equal(virt_detect(&e), "vmware");
        e = (VirtEvidence) { .sys_vendor = "Microsoft Corporation", .product_name = "Virtual Machine", .cpu_hypervisor_flag = 1 };
        assert_string_equal(virt_detect(&e), "microsoft");
        /* A Surface laptop is Microsoft hardware, not Hyper-V. */
        e = (VirtEvidence) { .sys_vendor = "Microsoft Corporation", .product_name = "Surface Laptop 5", .cpu_hypervisor_flag = 0 };
        assert_string_equal(virt_detect(&e), "none");
        e = (VirtEvidence) { .hypervisor_type = "xen", .cpu_hypervisor_flag = 1 };
        assert_string_equal(virt_detect(&e), "xen");
        e = (VirtEvidence) { .sys_vendor = "Dell Inc.", .product_name = "PowerEdge R640", .cpu_hypervisor_flag = -ENOENT };
        assert_string_equal(virt_detect(&e), "none");
        e = (VirtEvidence) { .cpu_hypervisor_flag = -ENOENT };
        assert_string_equal(virt_detect(&e), "unknown");
        e = (VirtEvidence) { .container = true, .cpu_hypervisor_flag = 1, .clocksources = "kvm-clock" };
        assert_string_equal(virt_detect(&e), "container");
}

static char *fixture_file(const char *rel) {
        char *path, *text = NULL;
        size_t n = 0;
        assert_true(asprintf(&path, "%s/captured-vm/%s", SKYTUNE_FIXTURES, rel) > 0);
        FILE *f = fopen(path, "re");
        assert_non_null(f);
        assert_true(getline(&text, &n, f) > 0);
        fclose(f);
        free(path);
        text[strcspn(text, "\n")] = '\0';
        return text;
}

static void test_captured_vm(void **state) {
        char *dir = test_tmpdir();
        test_copy_fixture("captured-vm", dir);
        json_t *doc = test_profile(dir, 2, NULL, NULL);
        json_t *host = json_object_get(doc, "host");
        char *hostname = fixture_file("proc/sys/kernel/hostname"), *kernel = fixture_file("proc/sys/kernel/osrelease");
        assert_string_equal(json_string_value(json_object_get(host, "hostname")), hostname);
        assert_string_equal(json_string_value(json_object_get(host, "kernel")), kernel);
        assert_string_equal(json_string_value(json_object_get(host, "os")), "Debian GNU/Linux 12 (bookworm)");
        assert_string_equal(json_string_value(json_object_get(host, "cpu_model")), "AMD EPYC");
        assert_int_equal(json_integer_value(json_object_get(host, "cpus")), 2);
        assert_int_equal(json_integer_value(json_object_get(host, "numa_nodes")), 1);
        assert_string_equal(json_string_value(json_object_get(host, "virtualization")), "kvm");
        assert_int_equal(json_integer_value(json_object_get(host, "memory_bytes")), 24683656ll * 1024);
        assert_int_equal(json_integer_value(json_object_get(host, "swap_bytes")), 0);
        assert_string_equal(json_string_value(test_path(host, "cgroup.mode")), "hybrid");
        assert_string_equal(json_string_value(test_path(host, "cgroup.cgroup2_mount")), "/sys/fs/cgroup/unified");
        assert_non_null(strstr(json_string_value(test_path(host, "cpufreq.unavailable")), "no policies"));
        assert_null(json_object_get(host, "unavailable"));
        /* The cpu controller is on cgroup v1 on this VM. */
        assert_non_null(strstr(json_string_value(test_path(doc, "resources.cpu.unavailable.cgroups")), "hugetlb"));
        json_decref(doc);
        free(hostname);
        free(kernel);
        test_rm_rf(dir);
        free(dir);
}

static void test_cpufreq_and_missing(void **state) {
        char *dir = test_tmpdir(), *path;
        test_copy_fixture("captured-vm", dir);
        test_writef(dir, "sys/devices/system/cpu/cpufreq/policy0/scaling_driver", "intel_pstate\n");
        test_writef(dir, "sys/devices/system/cpu/cpufreq/policy0/scaling_governor", "powersave\n");
        test_writef(dir, "sys/devices/system/cpu/cpufreq/policy0/scaling_available_governors", "performance powersave\n");
        test_writef(dir, "sys/devices/system/cpu/cpufreq/policy0/energy_performance_preference", "balance_performance\n");
        test_writef(dir, "sys/devices/system/cpu/cpufreq/policy10/scaling_governor", "performance\n");
        test_writef(dir, "sys/devices/system/cpu/cpufreq/policy2/scaling_governor", "powersave\n");
        /* Facts the host lacks: null with a reason, and the profile still succeeds. */
        assert_true(asprintf(&path, "%s/etc/os-release", dir) > 0);
        assert_int_equal(unlink(path), 0);
        test_write(dir, "sys/devices/system/cpu/online", "0-x\n");
        json_t *doc = test_profile(dir, 2, NULL, NULL);
        json_t *cf = test_path(doc, "host.cpufreq");
        assert_string_equal(json_string_value(json_object_get(cf, "driver")), "intel_pstate");
        assert_string_equal(json_string_value(test_path(cf, "policies.policy0.governor")), "powersave");
        assert_string_equal(json_string_value(test_path(cf, "policies.policy0.epp")), "balance_performance");
        json_t *avail = test_path(cf, "policies.policy0.available_governors");
        assert_int_equal(json_array_size(avail), 2);
        assert_string_equal(json_string_value(json_array_get(avail, 0)), "performance");
        assert_null(test_path(cf, "policies.policy2.epp"));
        /* Natural order of the policies. */
        const char *key;
        json_t *v;
        const char *order[3];
        size_t i = 0;
        json_object_foreach(json_object_get(cf, "policies"), key, v)
                if (i < 3)
                        order[i++] = key;
        assert_int_equal(i, 3);
        assert_string_equal(order[1], "policy2");
        assert_string_equal(order[2], "policy10");

        assert_true(json_is_null(test_path(doc, "host.os")));
        assert_non_null(strstr(json_string_value(test_path(doc, "host.unavailable.os")), "/etc/os-release"));
        assert_non_null(strstr(json_string_value(test_path(doc, "host.unavailable.os")), "does not provide"));
        assert_true(json_is_null(test_path(doc, "host.cpus")));
        assert_non_null(strstr(json_string_value(test_path(doc, "host.unavailable.cpus")), "/sys/devices/system/cpu/online"));

        /* Tunables: each policy's governor and EPP; a missing EPP file is unavailable for that key. */
        assert_string_equal(json_string_value(test_path(doc, "tunables.cpu_governor.policy0")), "powersave");
        assert_string_equal(json_string_value(test_path(doc, "tunables.cpu_governor.policy10")), "performance");
        assert_string_equal(json_string_value(test_path(doc, "tunables.cpu_epp.policy0")), "balance_performance");
        bool epp_missing = false;
        json_array_foreach(test_path(doc, "tunables.unavailable"), i, v)
                if (strcmp(json_string_value(json_object_get(v, "kind")), "cpu_epp") == 0 &&
                    strcmp(json_string_value(json_object_get(v, "key")), "policy2") == 0)
                        epp_missing = strstr(json_string_value(json_object_get(v, "reason")),
                                             "policy2/energy_performance_preference") != NULL;
        assert_true(epp_missing);
        json_decref(doc);
        free(path);
        test_rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cpulist),
                cmocka_unit_test(test_cpuinfo),
                cmocka_unit_test(test_os_release_and_meminfo),
                cmocka_unit_test(test_virt),
                cmocka_unit_test(test_captured_vm),
                cmocka_unit_test(test_cpufreq_and_missing),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "mountinfo.h"
#include "support.h"

/* This VM's mountinfo: systemd's hybrid layout, cgroup2 at /sys/fs/cgroup/unified. */
static const char hybrid[] =
        "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
        "23 27 0:22 / /sys rw,relatime - sysfs sysfs rw\n"
        "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard\n"
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
        "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
        "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

static const char unified[] =
        "24 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "30 24 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";

static const char legacy[] =
        "24 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
        "33 31 0:30 / /sys/fs/cgroup/memory rw,relatime shared:10 - cgroup cgroup rw,memory\n";

static void test_layouts(void **state) {
        CgroupLayout l;
        assert_int_equal(mountinfo_cgroup_layout(hybrid, strlen(hybrid), &l), 0);
        assert_int_equal(l.mode, CGROUP_HYBRID);
        assert_string_equal(l.cgroup2, "/sys/fs/cgroup/unified");
        assert_true(l.v1_cpu);
        assert_string_equal(cgroup_mode_to_string(l.mode), "hybrid");

        assert_int_equal(mountinfo_cgroup_layout(unified, strlen(unified), &l), 0);
        assert_int_equal(l.mode, CGROUP_UNIFIED);
        assert_string_equal(l.cgroup2, "/sys/fs/cgroup");
        assert_false(l.v1_cpu);

        assert_int_equal(mountinfo_cgroup_layout(legacy, strlen(legacy), &l), 0);
        assert_int_equal(l.mode, CGROUP_LEGACY);
        assert_string_equal(l.cgroup2, "");
        assert_true(l.v1_cpu);

        const char none[] = "24 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n";
        assert_int_equal(mountinfo_cgroup_layout(none, strlen(none), &l), 0);
        assert_int_equal(l.mode, CGROUP_NONE);
        assert_string_equal(cgroup_mode_to_string(l.mode), "none");
}

static void test_escapes_and_optional_fields(void **state) {
        /* A mount point with a space (\040) and several optional fields before the separator. */
        const char text[] = "50 24 0:40 / /run/my\\040cg rw shared:5 master:2 propagate_from:1 - cgroup2 none rw\n";
        CgroupLayout l;
        assert_int_equal(mountinfo_cgroup_layout(text, strlen(text), &l), 0);
        assert_string_equal(l.cgroup2, "/run/my cg");

        Scan s = scan_str(text);
        MountEntry e;
        assert_int_equal(mountinfo_next(&s, &e), 0);
        assert_true(scan_eq(e.fstype, "cgroup2"));
        assert_true(scan_eq(e.super_options, "rw"));
        assert_int_equal(mountinfo_next(&s, &e), -ENOENT);

        char small[4];
        assert_int_equal(mountinfo_unescape(e.mount_point, small, sizeof(small)), -ENAMETOOLONG);
        /* A backslash that does not start an octal escape is kept as is. */
        char buf[16];
        assert_int_equal(mountinfo_unescape(scan_str("a\\9b\\"), buf, sizeof(buf)), 0);
        assert_string_equal(buf, "a\\9b\\");
}

static void test_malformed(void **state) {
        CgroupLayout l;
        assert_int_equal(mountinfo_cgroup_layout("", 0, &l), -EBADMSG);
        assert_int_equal(mountinfo_cgroup_layout("\n\n", 2, &l), -EBADMSG);
        /* No separator, or nothing after it: those lines are skipped and counted. */
        const char bad[] =
                "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime cgroup2 cgroup2 rw\n"
                "42 31 0:38 / /x rw -\n"
                "30 24 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
        assert_int_equal(mountinfo_cgroup_layout(bad, strlen(bad), &l), 0);
        assert_int_equal(l.malformed, 2);
        assert_string_equal(l.cgroup2, "/sys/fs/cgroup");
        assert_int_equal(mountinfo_cgroup_layout(bad, strlen(bad) - strlen(strrchr(bad, '3')), &l), -EBADMSG);

        /* Truncated at every byte: no crash, never a cgroup2 path that is not a prefix of the real one. */
        for (size_t n = 0; n <= strlen(hybrid); n++) {
                char *copy = malloc(n ? n : 1);
                memcpy(copy, hybrid, n);
                int r = mountinfo_cgroup_layout(copy, n, &l);
                if (r == 0 && l.cgroup2[0])
                        assert_true(strncmp(l.cgroup2, "/sys/fs/cgroup/unified", strlen(l.cgroup2)) == 0);
                free(copy);
        }
        /* Cut inside the last line: that line loses its fields, so no cgroup2 is found. */
        assert_int_equal(mountinfo_cgroup_layout(hybrid, strlen(hybrid) - 12, &l), 0);
        assert_int_equal(l.mode, CGROUP_LEGACY);
        assert_int_equal(l.malformed, 1);
}

static void test_read_from_sysroot(void **state) {
        char *dir = test_tmpdir();
        Sysroot *root = NULL;
        CgroupLayout l;
        assert_int_equal(sysroot_open(dir, &root), 0);
        assert_int_equal(cgroup_layout_read(root, &l), -ENOENT);
        test_write(dir, "proc/self/mountinfo", unified);
        assert_int_equal(cgroup_layout_read(root, &l), 0);
        assert_int_equal(l.mode, CGROUP_UNIFIED);
        sysroot_free(root);
        test_rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_layouts),
                cmocka_unit_test(test_escapes_and_optional_fields),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_read_from_sysroot),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* /proc/diskstats parser and the disk collector against the disk-basic fixture (virtio, SATA HDD and
 * SSD, NVMe, ram, idle and backed loop devices, a partition) with counters rewritten between samples. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disk-by-device.h"
#include "diskstats.h"
#include "macro.h"
#include "scenario.h"

static const char diskstats_text[] =
        "   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
        " 254       0 vda 59478 9790 4930242 19034 27538 13082 1265856 11399 2 11788 32526 6128 85 242632 1539 1244 552\n"
        "\n"
        "   8       0 sda 1 2 3 4 5 6 7 8 9 10 11\n";

static void test_parse(void **state) {
        Scan s = scan_init(diskstats_text, strlen(diskstats_text));
        DiskStatLine l;
        assert_int_equal(diskstats_next(&s, &l), 1);
        assert_true(scan_eq(l.name, "loop0"));
        assert_int_equal(l.major, 7);
        assert_int_equal(diskstats_next(&s, &l), 1);
        assert_true(scan_eq(l.name, "vda"));
        assert_int_equal(l.major, 254);
        assert_int_equal(l.v[DISK_READS], 59478);
        assert_int_equal(l.v[DISK_SECTORS_READ], 4930242);
        assert_int_equal(l.v[DISK_READ_MS], 19034);
        assert_int_equal(l.v[DISK_WRITES], 27538);
        assert_int_equal(l.v[DISK_WRITE_MS], 11399);
        assert_int_equal(l.v[DISK_IN_FLIGHT], 2);
        assert_int_equal(l.v[DISK_IO_MS], 11788);
        assert_int_equal(l.v[DISK_WEIGHTED_MS], 32526);
        /* Kernels before 4.18: eleven counters only. */
        assert_int_equal(diskstats_next(&s, &l), 1);
        assert_true(scan_eq(l.name, "sda"));
        assert_int_equal(l.v[DISK_WEIGHTED_MS], 11);
        assert_int_equal(diskstats_next(&s, &l), 0);
}

static void test_malformed(void **state) {
        DiskStatLine l;
        Scan s = scan_init("", 0);
        assert_int_equal(diskstats_next(&s, &l), 0);
        const char bad[] = "8 0 sda 1 2 3\n8 x sdb 1 2 3 4 5 6 7 8 9 10 11\n8 16 sdc 1 2 3 4 5 6 7 8 9 10 11\n";
        s = scan_init(bad, strlen(bad));
        assert_int_equal(diskstats_next(&s, &l), -EBADMSG);   /* too few counters */
        assert_int_equal(diskstats_next(&s, &l), -EBADMSG);   /* minor not a number */
        assert_int_equal(diskstats_next(&s, &l), 1);
        assert_true(scan_eq(l.name, "sdc"));
        const char noname[] = "8 0\n";
        s = scan_init(noname, strlen(noname));
        assert_int_equal(diskstats_next(&s, &l), -EBADMSG);
        /* Truncated at every byte: a cut line is an error, whole lines still parse. */
        for (size_t n = 0; n < strlen(diskstats_text); n++) {
                s = scan_init(diskstats_text, n);
                int r = diskstats_next(&s, &l);
                /* "   7       0 loop0 " is 19 bytes, the eleven counters end at byte 40. */
                if (n < 4)
                        assert_int_equal(r, 0);           /* blanks only */
                else if (n < 40)
                        assert_int_equal(r, -EBADMSG);
                else
                        assert_int_equal(r, 1);
        }
}

/* One device line per sample: counter = base + i * inc, the ms fields kept to 32 bits as the kernel
 * prints them; a device is missing at sample gone_at and comes back with counters from zero. */
typedef struct DevScript {
        const char *name;
        unsigned major, minor;
        uint64_t base[_DISK_MAX], inc[_DISK_MAX];
        unsigned gone_at;
        bool keeps_counters;      /* back after gone_at with its counters running on, not reset */
        unsigned spike_at;        /* from this sample on, write_ms grows by spike_ms per sample more */
        uint64_t spike_ms;
        unsigned from, until; /* listed from sample `from` (its sys/block entry made then) to before
                                   * `until` (0: for good) */
} DevScript;

typedef struct DiskScenario {
        DevScript dev[8];
        size_t n;
} DiskScenario;

static void disk_step(const char *dir, unsigned i, void *userdata) {
        const DiskScenario *sc = userdata;
        char text[4096] = "", line[512];
        for (size_t d = 0; d < sc->n; d++) {
                const DevScript *ds = &sc->dev[d];
                if ((ds->gone_at && i == ds->gone_at) || i < ds->from || (ds->until && i >= ds->until))
                        continue;
                if (ds->from && i == ds->from) {
                        snprintf(line, sizeof(line), "sys/block/%s/stat", ds->name);
                        test_write(dir, line, "0\n");
                }
                bool reset = ds->gone_at && i > ds->gone_at && !ds->keeps_counters;
                uint64_t v[_DISK_MAX];
                for (int c = 0; c < _DISK_MAX; c++) {
                        uint64_t steps = reset ? i - ds->gone_at : i;
                        v[c] = (reset ? 0 : ds->base[c]) + steps * ds->inc[c];
                        if (c == DISK_IN_FLIGHT)
                                v[c] = ds->base[c];
                }
                if (ds->spike_at && i >= ds->spike_at)
                        v[DISK_WRITE_MS] += (i - ds->spike_at + 1) * ds->spike_ms;
                for (int c = DISK_READ_MS; c <= DISK_WEIGHTED_MS; c += 4)
                        v[c] &= 0xffffffffull;
                v[DISK_IO_MS] &= 0xffffffffull;
                v[DISK_WEIGHTED_MS] &= 0xffffffffull;
                snprintf(line, sizeof(line), "%4u %7u %s", ds->major, ds->minor, ds->name);
                strcat(text, line);
                for (int c = 0; c < _DISK_MAX; c++) {
                        snprintf(line, sizeof(line), " %llu", (unsigned long long) v[c]);
                        strcat(text, line);
                }
                strcat(text, " 0 0 0 0 0 0\n");
        }
        test_write(dir, "proc/diskstats", text);
}

static void test_idle_fixture_and_facts(void **state) {
        char *dir;
        json_t *doc = test_profile_fixture("disk-basic", 3, NULL, NULL, &dir);
        assert_null(test_find_finding(doc, "disk.*"));
        json_t *devs = test_path(doc, "resources.disk.devices");
        assert_non_null(devs);
        /* Whole devices only; the idle loop0 without a backing file is left out, loop1 and ram0 stay. */
        assert_null(json_object_get(devs, "vda1"));
        assert_null(json_object_get(devs, "loop0"));
        assert_non_null(json_object_get(devs, "loop1"));
        assert_non_null(json_object_get(devs, "ram0"));
        assert_int_equal(json_object_size(devs), 6);
        assert_string_equal(json_string_value(test_path(doc, "resources.disk.devices.vda.type")), "virtual");
        assert_true(json_is_true(test_path(doc, "resources.disk.devices.vda.rotational")));
        assert_true(json_is_true(test_path(doc, "resources.disk.devices.vda.virtual")));
        assert_string_equal(json_string_value(test_path(doc, "resources.disk.devices.vda.scheduler")), "mq-deadline");
        assert_string_equal(json_string_value(test_path(doc, "resources.disk.devices.sda.type")), "hdd");
        assert_string_equal(json_string_value(test_path(doc, "resources.disk.devices.sda.scheduler")), "bfq");
        assert_int_equal(json_array_size(test_path(doc, "resources.disk.devices.sda.schedulers_available")), 4);
        assert_true(json_is_false(test_path(doc, "resources.disk.devices.sda.virtual")));
        assert_int_equal(json_integer_value(test_path(doc, "resources.disk.devices.sda.read_ahead_kb")), 4096);
        assert_true(json_integer_value(test_path(doc, "resources.disk.devices.sda.size_bytes")) == 3907029168ll * 512);
        assert_string_equal(json_string_value(test_path(doc, "resources.disk.devices.sdb.type")), "ssd");
        assert_string_equal(json_string_value(test_path(doc, "resources.disk.devices.sdb.scheduler")), "none");
        assert_string_equal(json_string_value(test_path(doc, "resources.disk.devices.nvme0n1.type")), "nvme");
        assert_int_equal(json_integer_value(test_path(doc, "resources.disk.devices.nvme0n1.nr_requests")), 1023);
        /* ram0: no name rule, but its sysfs link points under devices/virtual. */
        assert_true(json_is_true(test_path(doc, "resources.disk.devices.ram0.virtual")));
        assert_null(test_path(doc, "resources.disk.devices.ram0.scheduler"));
        /* Counters that do not move: zero rates, no await (no I/O), in_flight as read. */
        assert_true(test_num(doc, "resources.disk.devices.vda.read_iops.max") == 0);
        assert_int_equal((int) test_num(doc, "resources.disk.devices.vda.util_pct.n"), 2);
        assert_null(test_path(doc, "resources.disk.devices.vda.r_await_ms"));
        test_profile_done(doc, dir);
}

static DevScript dev_line(const char *name, unsigned major, unsigned minor) {
        return (DevScript) { .name = name, .major = major, .minor = minor };
}

static void test_rates(void **state) {
        DiskScenario sc = { .n = 4 };
        sc.dev[0] = dev_line("vda", 254, 0);
        sc.dev[0].inc[DISK_READS] = 100;
        sc.dev[0].inc[DISK_SECTORS_READ] = 800;
        sc.dev[0].inc[DISK_READ_MS] = 150;            /* 1.5 ms per read */
        sc.dev[0].inc[DISK_WRITES] = 20;
        sc.dev[0].inc[DISK_SECTORS_WRITTEN] = 4096;
        sc.dev[0].inc[DISK_WRITE_MS] = 100;           /* 5 ms per write */
        sc.dev[0].inc[DISK_IO_MS] = 250;
        sc.dev[0].inc[DISK_WEIGHTED_MS] = 500;
        sc.dev[0].base[DISK_IN_FLIGHT] = 3;
        /* sda: io_ticks and the weighted time wrap at 2^32 between samples 1 and 2. */
        sc.dev[1] = dev_line("sda", 8, 0);
        sc.dev[1].base[DISK_IO_MS] = 4294967296ull - 1500;
        sc.dev[1].base[DISK_WEIGHTED_MS] = 4294967296ull - 1500;
        sc.dev[1].inc[DISK_IO_MS] = 600;
        sc.dev[1].inc[DISK_WEIGHTED_MS] = 700;
        sc.dev[1].inc[DISK_WRITES] = 5;
        sc.dev[1].inc[DISK_WRITE_MS] = 40;
        /* sdb: gone at sample 2, back at 3 with counters from zero. */
        sc.dev[2] = dev_line("sdb", 8, 16);
        sc.dev[2].base[DISK_READS] = 1000000;
        sc.dev[2].inc[DISK_READS] = 50;
        sc.dev[2].gone_at = 2;
        /* nvme0n1: missing from sample 2 only, counters running on: still no interval across the gap. */
        sc.dev[3] = dev_line("nvme0n1", 259, 0);
        sc.dev[3].inc[DISK_WRITES] = 30;
        sc.dev[3].gone_at = 2;
        sc.dev[3].keeps_counters = true;
        char *dir;
        json_t *doc = test_profile_fixture("disk-basic", 5, disk_step, &sc, &dir);
        assert_true(test_num(doc, "resources.disk.devices.vda.read_iops.value") == 100);
        assert_true(test_num(doc, "resources.disk.devices.vda.read_bytes_per_s.value") == 800 * 512);
        assert_true(test_num(doc, "resources.disk.devices.vda.write_bytes_per_s.value") == 4096 * 512);
        assert_true(test_num(doc, "resources.disk.devices.vda.r_await_ms.value") == 1.5);
        assert_true(test_num(doc, "resources.disk.devices.vda.w_await_ms.value") == 5);
        assert_true(test_num(doc, "resources.disk.devices.vda.util_pct.value") == 25);
        assert_true(test_num(doc, "resources.disk.devices.vda.aqu_sz.value") == 0.5);
        assert_true(test_num(doc, "resources.disk.devices.vda.in_flight.value") == 3);
        assert_int_equal((int) test_num(doc, "resources.disk.devices.vda.in_flight.n"), 5);
        /* The wrap is a wrap: every interval counts, at the same rate. */
        assert_int_equal((int) test_num(doc, "resources.disk.devices.sda.util_pct.n"), 4);
        assert_true(test_num(doc, "resources.disk.devices.sda.util_pct.min") == 60);
        assert_true(test_num(doc, "resources.disk.devices.sda.util_pct.max") == 60);
        assert_true(test_num(doc, "resources.disk.devices.sda.aqu_sz.max") == 0.7);
        assert_true(test_num(doc, "resources.disk.devices.sda.w_await_ms.value") == 8);
        /* The vanished device: only intervals 0-1 and 3-4, never a bogus rate across the gap. */
        assert_int_equal((int) test_num(doc, "resources.disk.devices.sdb.read_iops.n"), 2);
        assert_true(test_num(doc, "resources.disk.devices.sdb.read_iops.max") == 50);
        assert_true(test_num(doc, "resources.disk.devices.sdb.read_iops.min") == 50);
        assert_int_equal((int) test_num(doc, "resources.disk.devices.nvme0n1.write_iops.n"), 2);
        assert_true(test_num(doc, "resources.disk.devices.nvme0n1.write_iops.max") == 30);
        assert_null(test_find_finding(doc, "disk.*"));
        test_profile_done(doc, dir);
}

/* sdb leaves and sdc (a new sys/block entry) comes at the same sample, with sdb's device number
 * (as NVMe reuses 259:N): the line count stays, and sdc is found there. */
static void test_swap(void **state) {
        DiskScenario sc = { .n = 3 };
        sc.dev[0] = dev_line("vda", 254, 0);
        sc.dev[0].inc[DISK_READS] = 100;
        sc.dev[1] = dev_line("sdb", 8, 16);
        sc.dev[1].inc[DISK_READS] = 50;
        sc.dev[1].until = 3;
        sc.dev[2] = dev_line("sdc", 8, 16);
        sc.dev[2].inc[DISK_WRITES] = 70;
        sc.dev[2].from = 3;
        char *dir;
        json_t *doc = test_profile_fixture("disk-basic", 6, disk_step, &sc, &dir);
        assert_int_equal((int) test_num(doc, "resources.disk.devices.sdb.read_iops.n"), 2);
        assert_int_equal((int) test_num(doc, "resources.disk.devices.sdc.write_iops.n"), 2);
        assert_true(test_num(doc, "resources.disk.devices.sdc.write_iops.min") == 70);
        assert_int_equal((int) test_num(doc, "resources.disk.devices.vda.read_iops.n"), 5);
        test_profile_done(doc, dir);
}

static void test_util_findings(void **state) {
        DiskScenario sc = { .n = 3 };
        /* A saturated HDD: busy 90 %, 3 requests queued. */
        sc.dev[0] = dev_line("sda", 8, 0);
        sc.dev[0].inc[DISK_IO_MS] = 900;
        sc.dev[0].inc[DISK_WEIGHTED_MS] = 3000;
        /* NVMe equally "busy": parallel, so util is not the limit (info only). */
        sc.dev[1] = dev_line("nvme0n1", 259, 0);
        sc.dev[1].inc[DISK_IO_MS] = 950;
        sc.dev[1].inc[DISK_WEIGHTED_MS] = 4000;
        /* Busy but never queued: not saturated. */
        sc.dev[2] = dev_line("sdb", 8, 16);
        sc.dev[2].inc[DISK_IO_MS] = 900;
        sc.dev[2].inc[DISK_WEIGHTED_MS] = 900;
        char *dir;
        json_t *doc = test_profile_fixture("disk-basic", 4, disk_step, &sc, &dir);
        json_t *f = test_expect_finding(doc, "disk.devices.sda.util_pct", "saturation", "warning");
        assert_true(test_finding_value(f) == 90);
        assert_non_null(strstr(test_finding_str(f, "message"), "3.0 requests queued"));
        f = test_expect_finding(doc, "disk.devices.nvme0n1.util_pct", NULL, "info");
        assert_non_null(strstr(test_finding_str(f, "message"), "in parallel"));
        assert_null(test_find_finding(doc, "disk.devices.sdb.*"));
        test_profile_done(doc, dir);
}

static void test_await_spike(void **state) {
        DiskScenario sc = { .n = 2 };
        /* sda writes 50/s at 4 ms, then one second where they take 250 ms each. */
        sc.dev[0] = dev_line("sda", 8, 0);
        sc.dev[0].inc[DISK_WRITES] = 50;
        sc.dev[0].inc[DISK_WRITE_MS] = 200;
        sc.dev[0].spike_at = 4;
        sc.dev[0].spike_ms = 12300;
        /* vda: two reads a second at 500 ms: too few to call it a spike. */
        sc.dev[1] = dev_line("vda", 254, 0);
        sc.dev[1].inc[DISK_READS] = 2;
        sc.dev[1].inc[DISK_READ_MS] = 1000;
        char *dir;
        json_t *doc = test_profile_fixture("disk-basic", 5, disk_step, &sc, &dir);
        assert_true(test_num(doc, "resources.disk.devices.sda.w_await_ms.max") == 250);
        assert_true(test_num(doc, "resources.disk.devices.sda.w_await_ms.min") == 4);
        json_t *f = test_expect_finding(doc, "disk.devices.sda.w_await_ms", "saturation", NULL);
        assert_true(test_finding_value(f) == 250);
        assert_true(json_number_value(json_object_get(f, "threshold")) == 100);   /* HDD */
        assert_non_null(strstr(test_finding_str(f, "message"), "1 of 4 busy intervals"));
        assert_true(test_num(doc, "resources.disk.devices.vda.r_await_ms.value") == 500);
        assert_null(test_find_finding(doc, "disk.devices.vda.*"));
        test_profile_done(doc, dir);
}

static void test_missing_sources(void **state) {
        char *dir = test_tmpdir();
        test_write(dir, "proc/diskstats", "8 0 sda 1 2 3 4 5 6 7 8 9 10 11\n8 1 sda1 1 2 3 4 5 6 7 8 9 10 11\n");
        json_t *doc = test_profile(dir, 2, NULL, NULL);
        /* No /sys/block: no device can be told from a partition, and that is said. */
        assert_non_null(json_string_value(test_path(doc, "resources.disk.unavailable.sys_block")));
        assert_null(test_path(doc, "resources.disk.devices"));
        test_profile_done(doc, dir);

        dir = test_tmpdir();
        doc = test_profile(dir, 2, NULL, NULL);
        assert_non_null(json_string_value(test_path(doc, "resources.disk.unavailable.diskstats")));
        test_profile_done(doc, dir);
}

static void cciss_step(const char *dir, unsigned i, void *userdata) {
        test_writef(dir, "proc/diskstats", " 104 0 cciss/c0d0 %u 0 0 0 0 0 0 0 0 0 0\n 104 1 cciss/c0d0p1 %u 0 0 0 0 0 0 0 0 0 0\n",
                    10 * i, 10 * i);
}

/* sysfs spells the '/' of a diskstats name as '!'. */
static void test_slash_in_name(void **state) {
        char *dir = test_tmpdir();
        test_write(dir, "sys/block/cciss!c0d0/queue/rotational", "1\n");
        json_t *doc = test_profile(dir, 3, cciss_step, NULL);
        assert_true(test_num(doc, "resources.disk.devices.cciss!c0d0.read_iops.value") == 10);
        assert_string_equal(json_string_value(test_path(doc, "resources.disk.devices.cciss!c0d0.type")), "hdd");
        assert_int_equal(json_object_size(test_path(doc, "resources.disk.devices")), 1);
        test_profile_done(doc, dir);
}

/* Between full samples (0, 5, 10, 15 and the last, 18) the devices that counted I/O are read from
 * their own sys/block/NAME/stat. The step writes /proc/diskstats only where it is to be read, so a
 * read elsewhere gives a 0 rate and then a jump:
 *  - at full samples;
 *  - at 3 and 4: vda's file reads empty at 3 (as when a device goes away), so diskstats at 3 and
 *    nothing by device until the next full sample;
 *  - at 11 to 14: ram0 counts I/O from 7 on, is busy at 10 but has no read before it, is checked
 *    at 11 and disagrees there (its file lags a sample), so nothing by device until 15.
 * ram0 is held on the cadence of the reads of diskstats until it counts I/O, then read by device
 * at 16 and 17. With two busy devices and ram0 from 10 on, three of five lines are busy: diskstats
 * at every sample from 11, and the files, right only at full samples and 11, are never read by
 * device. HALF_RULE: two of three lines busy from the start, the files right only at full samples.
 * LXCFS: the files count something else, above or below diskstats. FULL_FAILS: as BY_DEVICE, but
 * the read of diskstats at 5 fails (too big): the plan is made at 6, and 7 to 9 go by device. */
typedef enum DiskMode {
        BY_DEVICE,
        HALF_RULE,
        LXCFS_ABOVE,
        LXCFS_BELOW,
        FULL_FAILS,
} DiskMode;

typedef struct ByDevice {
        DiskMode mode;
        unsigned busy; /* devices that count I/O: vda, and with 2 sda too */
} ByDevice;

#define BY_DEVICE_SAMPLES 19

static void by_device_step(const char *dir, unsigned i, void *userdata) {
        const ByDevice *b = userdata;
        bool full = i % 5 == 0 || i == BY_DEVICE_SAMPLES - 1;
        unsigned ram_i = i == 11 ? 10 : i;
        bool by_device = b->mode == BY_DEVICE || b->mode == FULL_FAILS;
        unsigned sys_base = b->mode == LXCFS_ABOVE ? 5000000 : b->mode == LXCFS_BELOW ? 500 : 1000;
        char vda[128], sda[128], ram[128], sys_vda[128], sys_ram[128];
        snprintf(vda, sizeof(vda), "%u 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0", 1000 + 100 * i);
        snprintf(sys_vda, sizeof(sys_vda), "%u 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0", sys_base + 100 * i);
        snprintf(sda, sizeof(sda), "%u 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0", b->busy > 1 ? 500 + 50 * i : 0);
        snprintf(ram, sizeof(ram), "0 0 0 0 %u 0 0 0 0 0 0 0 0 0 0 0 0", i >= 7 ? 10 * (i - 6) : 0);
        snprintf(sys_ram, sizeof(sys_ram), "0 0 0 0 %u 0 0 0 0 0 0 0 0 0 0 0 0", ram_i >= 7 ? 10 * (ram_i - 6) : 0);
        bool stats = full || i == 3 || i == 4 || (i >= 11 && i <= 14) || (b->busy > 1 && i > 10) || !by_device ||
                (b->mode == FULL_FAILS && i == 6);
        if (b->mode == FULL_FAILS && i == 5) {
                size_t big = 17u << 20; /* over the 16 MiB a read of the sysroot takes */
                char *junk = malloc(big + 1);
                assert_non_null(junk);
                memset(junk, 'x', big);
                junk[big] = '\0';
                test_write(dir, "proc/diskstats", junk);
                free(junk);
                stats = false;
        }
        if (b->mode == HALF_RULE)
                test_writef(dir, "proc/diskstats", "   1 0 ram0 %s\n 254 0 vda %s\n   8 0 sda %s\n", ram, vda, sda);
        else if (stats)
                test_writef(dir, "proc/diskstats",
                            "   7 0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n   1 0 ram0 %s\n 254 0 vda %s\n"
                            " 254 1 vda1 %s\n   8 0 sda %s\n",
                            ram, vda, vda, sda);
        if ((b->mode == HALF_RULE || (b->busy > 1 && i > 11)) && !full)
                return;
        test_writef(dir, "sys/block/vda/stat", "%s\n", by_device && i == 3 ? "" : sys_vda);
        test_writef(dir, "sys/block/sda/stat", "%s\n", sda);
        test_writef(dir, "sys/block/ram0/stat", "%s\n", sys_ram);
        test_write(dir, "sys/block/loop0/stat", "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
}

static json_t *by_device_profile(DiskMode mode, unsigned busy, char **ret_dir) {
        ByDevice b = { .mode = mode, .busy = busy };
        *ret_dir = test_tmpdir();
        return test_profile_cadence(*ret_dir, BY_DEVICE_SAMPLES, by_device_step, &b);
}

/* Every interval of vda at 100 reads a second: no read of a stale source anywhere. */
static void assert_vda_intervals(const json_t *doc, int intervals) {
        assert_int_equal((int) test_num(doc, "resources.disk.devices.vda.read_iops.n"), intervals);
        assert_true(test_num(doc, "resources.disk.devices.vda.read_iops.min") == 100);
        assert_true(test_num(doc, "resources.disk.devices.vda.read_iops.max") == 100);
}

static void assert_vda_exact(const json_t *doc) {
        assert_vda_intervals(doc, BY_DEVICE_SAMPLES - 1);
}

static void test_by_device(void **state) {
        char *dir;
        json_t *doc = by_device_profile(BY_DEVICE, 1, &dir);
        assert_vda_exact(doc);
        /* 0 -> 3 -> 4 -> 5 -> 10 -> 11 ... 18: twelve intervals. */
        assert_int_equal((int) test_num(doc, "resources.disk.devices.ram0.write_iops.n"), 12);
        assert_int_equal((int) test_num(doc, "resources.disk.devices.ram0.write_iops.longest_interval_s"), 5);
        assert_true(test_num(doc, "resources.disk.devices.ram0.write_iops.max") == 10);
        assert_true(test_num(doc, "resources.disk.devices.ram0.write_iops.min") == 0);
        assert_null(test_path(doc, "resources.disk.devices.loop0"));
        test_profile_done(doc, dir);

        doc = by_device_profile(BY_DEVICE, 2, &dir);
        assert_vda_exact(doc);
        assert_true(test_num(doc, "resources.disk.devices.sda.read_iops.min") == 50);
        assert_true(test_num(doc, "resources.disk.devices.sda.read_iops.max") == 50);
        assert_int_equal((int) test_num(doc, "resources.disk.devices.sda.read_iops.n"), BY_DEVICE_SAMPLES - 1);
        test_profile_done(doc, dir);

        for (DiskMode m = HALF_RULE; m <= LXCFS_BELOW; m++) {
                doc = by_device_profile(m, m == HALF_RULE ? 2 : 1, &dir);
                assert_vda_exact(doc);
                test_profile_done(doc, dir);
        }
        /* No row at 5: no interval from 4 to 5 or from 5 to 6. */
        doc = by_device_profile(FULL_FAILS, 1, &dir);
        assert_vda_intervals(doc, BY_DEVICE_SAMPLES - 3);
        test_profile_done(doc, dir);
}

/* More busy devices than DISK_BY_DEVICE_MAX (half the lines: the half rule alone would go by
 * device): diskstats at every sample, whose lines are right; the devices' files are right only at
 * full samples, so a read of them between would give a 0 rate. */
#define CAP_BUSY (DISK_BY_DEVICE_MAX + 6)

static void cap_step(const char *dir, unsigned i, void *userdata) {
        (void) userdata;
        bool full = i % 5 == 0 || i == BY_DEVICE_SAMPLES - 1;
        size_t cap = 256 * CAP_BUSY, len = 0;
        char *text = malloc(cap), path[64];
        assert_non_null(text);
        for (unsigned d = 0; d < 2 * CAP_BUSY; d++) {
                bool busy = d < CAP_BUSY;
                unsigned reads = busy ? 1000 + 100 * i : 0, file_reads = busy ? 1000 + 100 * (full ? i : 0) : 0;
                len += (size_t) snprintf(text + len, cap - len, "   8 %u sd%u %u 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
                                         16 * d, d, reads);
                snprintf(path, sizeof(path), "sys/block/sd%u/stat", d);
                test_writef(dir, path, "%u 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n", file_reads);
        }
        test_write(dir, "proc/diskstats", text);
        free(text);
}

static void test_by_device_cap(void **state) {
        char *dir = test_tmpdir();
        json_t *doc = test_profile_cadence(dir, BY_DEVICE_SAMPLES, cap_step, NULL);
        char key[64];
        for (unsigned d = 0; d < CAP_BUSY; d += CAP_BUSY - 1) {
                snprintf(key, sizeof(key), "resources.disk.devices.sd%u.read_iops.min", d);
                assert_true(test_num(doc, key) == 100);
        }
        test_profile_done(doc, dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_idle_fixture_and_facts),
                cmocka_unit_test(test_rates),
                cmocka_unit_test(test_swap),
                cmocka_unit_test(test_util_findings),
                cmocka_unit_test(test_await_spike),
                cmocka_unit_test(test_missing_sources),
                cmocka_unit_test(test_slash_in_name),
                cmocka_unit_test(test_by_device),
                cmocka_unit_test(test_by_device_cap),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

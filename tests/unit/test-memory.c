/* SPDX-License-Identifier: MIT */
/* /proc/meminfo and /proc/vmstat parsers, and the memory collector against the mem-idle fixture with
 * counters rewritten between samples. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc-mem.h"
#include "scenario.h"

static const char meminfo_text[] =
        "MemTotal:        1000000 kB\n"
        "MemFree:          200000 kB\n"
        "MemAvailable:     600000 kB\n"
        "Buffers:           10000 kB\n"
        "Cached:           300000 kB\n"
        "Active(file):     100000 kB\n"
        "SwapTotal:        500000 kB\n"
        "SwapFree:         400000 kB\n"
        "Dirty:              1000 kB\n"
        "Writeback:            20 kB\n"
        "CommitLimit:     1000000 kB\n"
        "Committed_AS:     250000 kB\n"
        "HugePages_Total:       0\n";

static void test_meminfo_parse(void **state) {
        uint64_t m[_MEMINFO_MAX];
        assert_int_equal(meminfo_parse(meminfo_text, strlen(meminfo_text), m), 0);
        assert_true(m[MEMINFO_TOTAL] == 1000000ull * 1024);
        assert_true(m[MEMINFO_AVAILABLE] == 600000ull * 1024);
        assert_true(m[MEMINFO_CACHED] == 300000ull * 1024);     /* not confused with SwapCached */
        assert_true(m[MEMINFO_SWAP_FREE] == 400000ull * 1024);
        assert_true(m[MEMINFO_WRITEBACK] == 20 * 1024);
        assert_true(m[MEMINFO_COMMITTED_AS] == 250000ull * 1024);

        /* Before 3.14 there is no MemAvailable: MemFree + Buffers + Cached stands in. */
        const char old[] = "MemTotal: 100 kB\nMemFree: 10 kB\nBuffers: 1 kB\nCached: 20 kB\nSwapCached: 7 kB\n";
        assert_int_equal(meminfo_parse(old, strlen(old), m), 0);
        assert_true(m[MEMINFO_AVAILABLE] == 31 * 1024);
}

static void test_meminfo_malformed(void **state) {
        uint64_t m[_MEMINFO_MAX];
        assert_int_equal(meminfo_parse("", 0, m), -EBADMSG);
        const char bad[] = "MemTotal: 12x kB\nMemFree: 1 kB\n";
        assert_int_equal(meminfo_parse(bad, strlen(bad), m), -EBADMSG);
        const char nofree[] = "MemTotal: 12 kB\n";
        assert_int_equal(meminfo_parse(nofree, strlen(nofree), m), -EBADMSG);
        const char huge[] = "MemTotal: 99999999999999999999 kB\nMemFree: 1 kB\n";
        assert_int_equal(meminfo_parse(huge, strlen(huge), m), -EBADMSG);
        const char overflow[] = "MemTotal: 18014398509481984 kB\nMemFree: 1 kB\n";   /* 2^54 kB > 2^64 B */
        assert_int_equal(meminfo_parse(overflow, strlen(overflow), m), -EBADMSG);
        /* Truncated at every byte: no crash (ASan), and without MemFree it is an error. */
        size_t free_at = (size_t) (strstr(meminfo_text, "MemFree") - meminfo_text);
        for (size_t n = 0; n < strlen(meminfo_text); n++) {
                int r = meminfo_parse(meminfo_text, n, m);
                if (n <= free_at + strlen("MemFree:"))
                        assert_int_equal(r, -EBADMSG);
        }
}

static const char vmstat_text[] =
        "nr_free_pages 12345\n"
        "workingset_refault_anon 3\n"
        "workingset_refault_file 40\n"
        "pswpin 7\n"
        "pswpout 9\n"
        "allocstall_dma 1\n"
        "allocstall_dma32 2\n"
        "allocstall_normal 4\n"
        "allocstall_movable 8\n"
        "pgmajfault 100\n"
        "pgscan_kswapd 500\n"
        "pgscan_direct 60\n"
        "pgscan_khugepaged 5000\n"
        "pgscan_direct_throttle 99999\n"
        "oom_kill 2\n";

static void test_vmstat_parse(void **state) {
        uint64_t v[_VMSTAT_MAX];
        assert_int_equal(vmstat_parse(vmstat_text, strlen(vmstat_text), v), 0);
        assert_int_equal(v[VMSTAT_PSWPIN], 7);
        assert_int_equal(v[VMSTAT_PSWPOUT], 9);
        assert_int_equal(v[VMSTAT_ALLOCSTALL], 15);
        assert_int_equal(v[VMSTAT_PGSCAN_DIRECT], 60);      /* throttle events are not pages */
        assert_int_equal(v[VMSTAT_PGSCAN_KSWAPD], 500);     /* khugepaged is not kswapd */
        assert_int_equal(v[VMSTAT_REFAULT], 43);
        assert_int_equal(v[VMSTAT_OOM_KILL], 2);
        assert_int_equal(v[VMSTAT_PGMAJFAULT], 100);

        /* Older kernels: per-zone scan counters, one allocstall, one workingset_refault, no oom_kill. */
        const char old[] = "pgscan_kswapd_dma 1\npgscan_kswapd_normal 10\npgscan_direct_dma 2\n"
                           "pgscan_direct_normal 20\npgscan_direct_throttle 7\nallocstall 3\nworkingset_refault 11\n";
        assert_int_equal(vmstat_parse(old, strlen(old), v), 0);
        assert_int_equal(v[VMSTAT_PGSCAN_KSWAPD], 11);
        assert_int_equal(v[VMSTAT_PGSCAN_DIRECT], 22);
        assert_int_equal(v[VMSTAT_ALLOCSTALL], 3);
        assert_int_equal(v[VMSTAT_REFAULT], 11);
        assert_int_equal(v[VMSTAT_OOM_KILL], 0);
}

static void test_vmstat_malformed(void **state) {
        uint64_t v[_VMSTAT_MAX];
        assert_int_equal(vmstat_parse("", 0, v), -EBADMSG);
        const char none[] = "nr_free_pages 1\nnr_zone_active_anon 2\n";
        assert_int_equal(vmstat_parse(none, strlen(none), v), -EBADMSG);
        const char bad[] = "pswpin -1\n";
        assert_int_equal(vmstat_parse(bad, strlen(bad), v), -EBADMSG);
        const char noval[] = "pswpin\n";
        assert_int_equal(vmstat_parse(noval, strlen(noval), v), -EBADMSG);
        for (size_t n = 0; n < strlen(vmstat_text); n++)
                (void) vmstat_parse(vmstat_text, n, v);
        /* Cut inside the first wanted line's name: nothing known yet. */
        assert_int_equal(vmstat_parse(vmstat_text, strlen("nr_free_pages 12345\nworkingset_refault_an"), v), -EBADMSG);
}

/* Memory scenarios on the mem-idle fixture: each sample rewrites meminfo and vmstat. */
typedef struct MemScenario {
        unsigned long long total_kb, avail_kb, swap_total_kb, swap_free_kb, dirty_kb, writeback_kb;
        unsigned long long pswpin_step, pswpout_step, allocstall_step, scan_step, oom_step;
} MemScenario;

static void mem_step(const char *dir, unsigned i, void *userdata) {
        const MemScenario *sc = userdata;
        test_writef(dir, "proc/meminfo",
                    "MemTotal:       %llu kB\nMemFree:        %llu kB\nMemAvailable:   %llu kB\nBuffers:  100 kB\n"
                    "Cached:  1000 kB\nSwapCached: 0 kB\nSwapTotal:      %llu kB\nSwapFree:       %llu kB\n"
                    "Dirty:          %llu kB\nWriteback:      %llu kB\nCommitLimit:  %llu kB\nCommitted_AS: %llu kB\n",
                    sc->total_kb, sc->avail_kb / 2, sc->avail_kb, sc->swap_total_kb, sc->swap_free_kb, sc->dirty_kb,
                    sc->writeback_kb, sc->total_kb, sc->total_kb / 4);
        test_writef(dir, "proc/vmstat",
                    "nr_free_pages 1000\npswpin %llu\npswpout %llu\nallocstall_dma32 0\nallocstall_normal %llu\n"
                    "pgmajfault %u\npgscan_kswapd 0\npgscan_direct %llu\npgscan_direct_throttle 0\n"
                    "workingset_refault_anon 0\nworkingset_refault_file 50\noom_kill %llu\n",
                    1000 + i * sc->pswpin_step, 2000 + i * sc->pswpout_step, i * sc->allocstall_step, 10 * i,
                    i * sc->scan_step, 3 + i * sc->oom_step);
}

static void assert_no_memory_findings(const json_t *doc) {
        assert_null(test_find_finding(doc, "memory.*"));
}

static void test_idle_fixture(void **state) {
        /* The fixture as captured: no swap, no reclaim, low dirty; nothing to report. */
        char *dir = test_tmpdir();
        test_copy_fixture("mem-idle", dir);
        json_t *doc = test_profile(dir, 3, NULL, NULL);
        assert_no_memory_findings(doc);
        assert_true(test_num(doc, "resources.memory.total_bytes.value") > 0);
        assert_true(test_num(doc, "resources.memory.swap_in_per_s.max") == 0);
        assert_int_equal((int) test_num(doc, "resources.memory.swap_in_per_s.n"), 2);
        assert_true(test_num(doc, "resources.memory.oom_kills.value") == 0);
        test_profile_done(doc, dir);

        /* Rewritten every sample, but with no activity: still nothing. */
        MemScenario sc = { .total_kb = 1000000, .avail_kb = 800000, .swap_total_kb = 100000, .swap_free_kb = 100000,
                           .dirty_kb = 100 };
        doc = test_profile_fixture("mem-idle", 4, mem_step, &sc, &dir);
        assert_no_memory_findings(doc);
        assert_true(test_num(doc, "resources.memory.used_pct.value") > 19.99 &&
                    test_num(doc, "resources.memory.used_pct.value") < 20.01);
        assert_true(test_num(doc, "resources.memory.major_faults_per_s.value") == 10);
        test_profile_done(doc, dir);
}

static void test_swap_finding(void **state) {
        MemScenario sc = { .total_kb = 1000000, .avail_kb = 500000, .swap_total_kb = 100000, .swap_free_kb = 50000,
                           .dirty_kb = 100, .pswpin_step = 30, .pswpout_step = 70 };
        char *dir;
        json_t *doc = test_profile_fixture("mem-idle", 5, mem_step, &sc, &dir);
        assert_true(test_num(doc, "resources.memory.swap_out_per_s.avg") == 70);
        assert_true(test_num(doc, "resources.memory.swap_in_per_s.avg") == 30);
        assert_true(test_num(doc, "resources.memory.swap_used_bytes.value") == 50000.0 * 1024);
        json_t *f = test_expect_finding(doc, "memory.swap_out_per_s", "saturation", NULL);
        assert_true(test_finding_value(f) == 100);
        assert_non_null(strstr(test_finding_str(f, "message"), "100.0 pages/s"));
        test_profile_done(doc, dir);

        /* The same activity without swap configured cannot be swapping: no finding. */
        sc.swap_total_kb = sc.swap_free_kb = 0;
        doc = test_profile_fixture("mem-idle", 5, mem_step, &sc, &dir);
        assert_null(test_find_finding(doc, "memory.swap_*"));
        test_profile_done(doc, dir);
}

/* Swap activity in one interval of four is a blip, not sustained. */
static void blip_step(const char *dir, unsigned i, void *userdata) {
        MemScenario *sc = userdata;
        sc->pswpin_step = i == 4 ? 25 : 0;   /* counters: i * step, so only the last interval moves */
        mem_step(dir, i, sc);
}

static void test_swap_blip(void **state) {
        MemScenario sc = { .total_kb = 1000000, .avail_kb = 500000, .swap_total_kb = 100000, .swap_free_kb = 50000 };
        char *dir = test_tmpdir();
        test_copy_fixture("mem-idle", dir);
        json_t *doc = test_profile(dir, 5, blip_step, &sc);
        assert_true(test_num(doc, "resources.memory.swap_in_per_s.max") == 100);
        assert_null(test_find_finding(doc, "memory.swap_*"));
        test_profile_done(doc, dir);
}

/* pswpin: +50 pages between the samples 2 and 3, still otherwise. */
static void burst_step(const char *dir, unsigned i, void *userdata) {
        mem_step(dir, i, userdata);
        test_writef(dir, "proc/vmstat", "nr_free_pages 1000\npswpin %u\npswpout 2000\npgmajfault 0\n", i >= 3 ? 1050 : 1000);
}

/* As `skytune profile` samples: meminfo at every sample, vmstat at the full samples only (the first,
 * 5 s later, and the last), so the rates are over 5 s and 2 s and their average is still exact. */
static void test_full_cadence(void **state) {
        MemScenario sc = { .total_kb = 1000000, .avail_kb = 500000, .swap_total_kb = 100000, .swap_free_kb = 50000,
                           .dirty_kb = 100, .pswpin_step = 30, .pswpout_step = 70 };
        char *dir = test_tmpdir();
        test_copy_fixture("mem-idle", dir);
        json_t *doc = test_profile_cadence(dir, 8, mem_step, &sc);
        assert_int_equal((int) test_num(doc, "window.samples"), 8);
        assert_int_equal((int) test_num(doc, "window.full_samples"), 3);
        assert_true(test_num(doc, "window.full_period_s") == 5);
        assert_int_equal((int) test_num(doc, "resources.memory.available_bytes.n"), 8);
        assert_int_equal((int) test_num(doc, "resources.memory.swap_out_per_s.n"), 2);
        assert_true(test_num(doc, "resources.memory.swap_out_per_s.avg") == 70);
        assert_true(test_num(doc, "resources.memory.major_faults_per_s.max") == 10);
        test_expect_finding(doc, "memory.swap_out_per_s", "saturation", NULL);
        json_decref(doc);

        /* A burst of 50 pages inside the first 5 s is averaged over them, not lost. */
        doc = test_profile_cadence(dir, 8, burst_step, &sc);
        assert_true(test_num(doc, "resources.memory.swap_in_per_s.max") == 10);
        assert_true(test_num(doc, "resources.memory.swap_in_per_s.min") == 0);
        test_profile_done(doc, dir);
}

static void test_oom_and_reclaim(void **state) {
        MemScenario sc = { .total_kb = 1000000, .avail_kb = 500000, .allocstall_step = 4, .scan_step = 320,
                           .oom_step = 1 };
        char *dir;
        json_t *doc = test_profile_fixture("mem-idle", 3, mem_step, &sc, &dir);
        json_t *f = test_expect_finding(doc, "memory.oom_kills", "errors", "critical");
        assert_true(test_finding_value(f) == 2);
        assert_int_equal(json_integer_value(json_object_get(f, "rank")), 1);     /* errors rank first */
        f = test_expect_finding(doc, "memory.allocstall_per_s", "saturation", "warning");
        assert_non_null(strstr(test_finding_str(f, "message"), "direct reclaim: allocations stall"));
        assert_true(test_num(doc, "resources.memory.direct_scan_per_s.value") == 320);
        assert_true(test_num(doc, "resources.memory.allocstall_per_s.value") == 4);
        test_profile_done(doc, dir);
}

/* The counter lines' end and count, which the next full sample's head read relies on. */
static void test_vmstat_lines(void **state) {
        uint64_t v[_VMSTAT_MAX];
        size_t end;
        unsigned lines;
        const char text[] = "nr_free_pages 1\npswpin 7\nnr_dirty 3\noom_kill 2\nnr_unstable 0\n";
        assert_int_equal(vmstat_parse_lines(text, strlen(text), v, &end, &lines), 0);
        assert_int_equal(lines, 2);
        assert_int_equal(end, strlen("nr_free_pages 1\npswpin 7\nnr_dirty 3\noom_kill 2\n"));
        assert_int_equal(v[VMSTAT_OOM_KILL], 2);
}

/* Counter lines that move past the head read of the previous full sample (a longer line before
 * oom_kill): the whole file is read again, so no counter reads as 0 (a reset, its delta lost). */
static void moved_step(const char *dir, unsigned i, void *userdata) {
        mem_step(dir, i, userdata);
        char pad[400];
        memset(pad, '1', sizeof(pad) - 1);
        pad[sizeof(pad) - 1] = '\0';
        test_writef(dir, "proc/vmstat", "pswpin 1000\nnr_free_pages %s\noom_kill %u\n", i >= 2 ? pad : "1", 3 + i);
}

static void test_vmstat_moved(void **state) {
        MemScenario sc = { .total_kb = 1000000, .avail_kb = 500000 };
        char *dir;
        json_t *doc = test_profile_fixture("mem-idle", 4, moved_step, &sc, &dir);
        assert_true(test_num(doc, "resources.memory.oom_kills.value") == 3);
        test_profile_done(doc, dir);
}

static void test_dirty_threshold(void **state) {
        /* Ratio form (fixture: dirty_ratio 20, background 10, bytes 0): 20% of MemAvailable. */
        MemScenario sc = { .total_kb = 1000000, .avail_kb = 500000, .dirty_kb = 60000, .writeback_kb = 25000 };
        char *dir;
        json_t *doc = test_profile_fixture("mem-idle", 2, mem_step, &sc, &dir);
        assert_true(test_num(doc, "resources.memory.dirty_threshold_bytes.value") == 100000.0 * 1024);
        assert_true(test_num(doc, "resources.memory.dirty_background_threshold_bytes.value") == 50000.0 * 1024);
        assert_true(test_num(doc, "resources.memory.dirty_pct_of_threshold.max") == 85);
        json_t *f = test_expect_finding(doc, "memory.dirty_pct_of_threshold", "saturation", "warning");
        assert_true(json_number_value(json_object_get(f, "threshold")) == 80);
        test_profile_done(doc, dir);

        /* Bytes form wins when non-zero: 1 GiB hard limit makes the same dirty pages harmless. */
        dir = test_tmpdir();
        test_copy_fixture("mem-idle", dir);
        test_write(dir, "proc/sys/vm/dirty_bytes", "1073741824\n");
        test_write(dir, "proc/sys/vm/dirty_background_bytes", "2147483648\n");   /* >= hard: halved */
        doc = test_profile(dir, 2, mem_step, &sc);
        assert_true(test_num(doc, "resources.memory.dirty_threshold_bytes.value") == 1073741824.0);
        assert_true(test_num(doc, "resources.memory.dirty_background_threshold_bytes.value") == 536870912.0);
        assert_null(test_find_finding(doc, "memory.dirty_pct_of_threshold"));
        test_profile_done(doc, dir);
}

static void test_used_and_missing(void **state) {
        MemScenario sc = { .total_kb = 1000000, .avail_kb = 50000 };
        char *dir;
        json_t *doc = test_profile_fixture("mem-idle", 2, mem_step, &sc, &dir);
        json_t *f = test_expect_finding(doc, "memory.used_pct", "utilization", "warning");
        assert_true(test_finding_value(f) == 95);
        test_profile_done(doc, dir);

        /* No /proc/vmstat, unreadable dirty settings, one sample: reported as unavailable, not an error. */
        dir = test_tmpdir();
        test_copy_fixture("mem-idle", dir);
        char *p;
        assert_true(asprintf(&p, "%s/proc/vmstat", dir) > 0);
        assert_int_equal(unlink(p), 0);
        free(p);
        assert_true(asprintf(&p, "%s/proc/sys/vm/dirty_ratio", dir) > 0);
        assert_int_equal(unlink(p), 0);
        free(p);
        doc = test_profile(dir, 1, NULL, NULL);
        assert_non_null(json_string_value(test_path(doc, "resources.memory.unavailable.vmstat")));
        assert_non_null(json_string_value(test_path(doc, "resources.memory.unavailable.dirty_threshold")));
        assert_null(test_path(doc, "resources.memory.dirty_threshold_bytes"));
        assert_true(test_num(doc, "resources.memory.used_pct.n") == 1);
        test_profile_done(doc, dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_meminfo_parse),
                cmocka_unit_test(test_meminfo_malformed),
                cmocka_unit_test(test_vmstat_parse),
                cmocka_unit_test(test_vmstat_lines),
                cmocka_unit_test(test_vmstat_moved),
                cmocka_unit_test(test_vmstat_malformed),
                cmocka_unit_test(test_idle_fixture),
                cmocka_unit_test(test_swap_finding),
                cmocka_unit_test(test_swap_blip),
                cmocka_unit_test(test_full_cadence),
                cmocka_unit_test(test_oom_and_reclaim),
                cmocka_unit_test(test_dirty_threshold),
                cmocka_unit_test(test_used_and_missing),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

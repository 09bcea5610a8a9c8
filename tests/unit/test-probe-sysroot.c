/* SPDX-License-Identifier: MIT */
/* The probe framework reads the host's busy time from <sysroot>/proc/stat, not from the real /proc:
 * a backend that adds known ticks to a fixture tree's proc/stat during its round sees exactly those
 * seconds as the round's host busy time (user+nice+system+steal; irq and softirq left out), and a
 * sysroot without proc/stat gives an unknown (NAN) busy time instead of the real host's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "probe.h"
#include "support.h"
#include "sysroot.h"

static char stat_path[4096];

static void write_stat(unsigned long long user, unsigned long long sys, unsigned long long irq) {
        FILE *f = fopen(stat_path, "we");
        assert_non_null(f);
        fprintf(f, "cpu  %llu 0 %llu 5000 0 %llu 0 0 0 0\ncpu0 %llu 0 %llu 5000 0 %llu 0 0 0 0\nctxt 1\n",
                user, sys, irq, user, sys, irq);
        assert_int_equal(fclose(f), 0);
}

static const ProbeMetricDef metric = { "x", "1", true };

typedef struct Ticks {
        unsigned k;
        unsigned long long user, sys, irq;
} Ticks;

static int tick_round(void *state, const ProbeConfig *cfg, ProbeRoundOut *out) {
        Ticks *t = state;
        if (t->k == 0)
                *t = (Ticks) { .user = 1000, .sys = 200 };
        t->k++;
        /* Round k moves user by 100 k ticks, system by 50 k and irq by 1000 (not busy time). */
        t->user += 100ull * t->k;
        t->sys += 50ull * t->k;
        t->irq += 1000;
        write_stat(t->user, t->sys, t->irq);
        out->values[0] = 1;
        usleep(1000);
        return 0;
}

static const ProbeBackend tick_backend = {
        .name = "tick", .summary = "writes ticks", .metrics = &metric, .n_metrics = 1,
        .state_size = sizeof(Ticks), .round = tick_round,
};

static void test_busy_from_sysroot(void **state) {
        char *dir = test_tmpdir();
        test_write(dir, "proc/stat", "cpu  1000 0 200 5000 0 0 0 0 0 0\n");
        snprintf(stat_path, sizeof(stat_path), "%s/proc/stat", dir);
        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(dir, &root), 0);
        ProbeConfig cfg = { .duration_s = 0.001, .rounds = 3, .sysroot = root };
        ProbeResult *r = NULL;
        assert_int_equal(probe_run(&tick_backend, &cfg, &r), 0);
        assert_int_equal(r->rounds, 3);
        long hz = sysconf(_SC_CLK_TCK);
        for (unsigned k = 1; k <= 3; k++)
                assert_true(fabs(r->info[k - 1].host_busy_s - 150.0 * k / (double) hz) < 1e-9);
        probe_result_free(r);
        sysroot_free(root);
        test_rm_rf(dir);
        free(dir);
}

static void test_no_proc_stat_is_unknown(void **state) {
        char *dir = test_tmpdir();
        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(dir, &root), 0);
        ProbeConfig cfg = { .duration_s = 0.001, .rounds = 1, .sysroot = root };
        ProbeResult *r = NULL;
        assert_int_equal(probe_run(probe_find("cpu"), &cfg, &r), 0);
        assert_true(isnan(r->info[0].host_busy_s));
        probe_result_free(r);
        sysroot_free(root);
        test_rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_busy_from_sysroot),
                cmocka_unit_test(test_no_proc_stat_is_unknown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

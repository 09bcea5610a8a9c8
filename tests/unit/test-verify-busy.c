/* SPDX-License-Identifier: MIT */
/* Verdicts on a busy host (issue 11, points 6 and 7): contamination widens the threshold by what the
 * paired rounds' foreign CPU differed, never forbids a verdict; a round that fails on a condition of
 * the host is a measurement (the worst of its side), one that fails on the probe's own error stops. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "probe.h"
#include "verify.h"
#include "stats.h"

static const ProbeMetricDef defs[] = { { "rate", "op/s", true }, { "latency", "us", false } };
static const ProbeBackend backend = { .name = "synthetic", .metrics = defs, .n_metrics = 2 };

/* 2 x 7 alternating rounds: baseline rate 100, candidate 100 x effect, +-1 % deterministic noise;
 * foreign share share_a / share_b per side. */
typedef struct Rounds {
        ProbeResult res;
        double values[28];
        ProbeRoundInfo info[14];
        bool side[14];
} Rounds;

static void make(Rounds *r, double effect, double share_a, double share_b) {
        static const double noise[] = { 0.99, 1.01, 1.0, 0.995, 1.005, 0.992, 1.008 };
        *r = (Rounds) { .res = { .backend = &backend, .rounds = 14, .ncpu = 2 } };
        r->res.values = r->values;
        r->res.info = r->info;
        for (unsigned i = 0; i < 14; i++) {
                bool cand = (i % 2) == (i / 2 % 2);     /* A B, B A, ... */
                r->side[i] = cand;
                double f = noise[i / 2] * (cand ? effect : 1);
                r->values[2 * i] = 100 * f;
                r->values[2 * i + 1] = 50 / f;
                double share = cand ? share_b : share_a;
                r->info[i] = (ProbeRoundInfo) { .wall_s = 1, .foreign_share = share, .contaminated = share > 0.1 };
        }
}

static bool fcntl_open(int fd) {
        return fcntl(fd, F_GETFD) >= 0;
}

static VerifyMetric judge(Rounds *r, size_t m) {
        VerifyResult res = { .n_metrics = 1 };
        VerifyMetric vm = { .probe = &backend, .metric = m, .primary = true };
        double margin = verify_contamination_margin(&r->res, r->side, 14);
        CompareOptions co = { .seed = 1 };
        assert_int_equal(verify_compare_metric(&r->res, m, r->side, 14, margin, &co, &vm), 0);
        res.metrics = &vm;
        assert_int_equal(verify_decide(&co, &res), 0);
        return vm;
}

static void test_pair_margin(void **state) {
        double a[] = { 0.5, 0.5, 0.1, NAN }, b[] = { 0.5, 0.6, 0.4, 0.9 };
        assert_true(fabs(stats_pair_margin(a, b, 4) - 0.1) < 1e-9);     /* median of 0, 0.1, 0.3 */
        assert_true(stats_pair_margin(a, b, 0) == 0);
}

static void test_busy_steady(void **state) {
        Rounds r;
        /* Every round contaminated alike (a hog on one of two CPUs): a large effect is improved and
         * the margin is nil, since both rounds of each pair saw the same load. */
        make(&r, 70, 0.5, 0.5);
        VerifyMetric vm = judge(&r, 0);
        assert_int_equal(vm.contaminated_a, 7);
        assert_int_equal(vm.contaminated_b, 7);
        assert_int_equal(vm.cmp.verdict, VERDICT_IMPROVED);
        assert_true(vm.cmp.margin == 0);
        assert_false(vm.unreliable);
        /* A 10 % effect under the same steady load is improved too. */
        make(&r, 1.10, 0.5, 0.5);
        assert_int_equal(judge(&r, 0).cmp.verdict, VERDICT_IMPROVED);
}

static void test_busy_uneven(void **state) {
        Rounds r;
        /* Load that came with the candidate rounds only (20 % more of the machine): a 10 % gain could
         * be the neighbours' doing: inconclusive, marked as decided by the margin. */
        make(&r, 1.10, 0.1, 0.3);
        VerifyMetric vm = judge(&r, 0);
        assert_true(fabs(vm.cmp.margin - 0.2) < 1e-9);
        assert_true(fabs(vm.cmp.threshold - 0.22) < 1e-9);
        assert_int_equal(vm.cmp.verdict, VERDICT_INCONCLUSIVE);
        assert_true(vm.unreliable);
        /* The same imbalance cannot hide a 74x effect. */
        make(&r, 74, 0.1, 0.3);
        vm = judge(&r, 0);
        assert_int_equal(vm.cmp.verdict, VERDICT_IMPROVED);
        assert_false(vm.unreliable);
        /* And no change stays "unchanged": the margin only guards improved/regressed. */
        make(&r, 1.0, 0.1, 0.3);
        assert_int_equal(judge(&r, 0).cmp.verdict, VERDICT_UNCHANGED);
}

static void test_failed_rounds_are_worst(void **state) {
        Rounds r;
        /* Every baseline round failed (a full accept queue refused the work); the candidate measured. */
        make(&r, 1.0, 0, 0);
        for (unsigned i = 0; i < 14; i++)
                if (!r.side[i]) {
                        r.info[i].failed = -ECONNREFUSED;
                        r.values[2 * i] = r.values[2 * i + 1] = NAN;
                }
        VerifyMetric rate = judge(&r, 0), lat = judge(&r, 1);
        assert_int_equal(rate.failed_a, 7);
        assert_int_equal(rate.failed_b, 0);
        assert_true(rate.cmp.median_a == 0);            /* nothing done: 0 op/s */
        assert_int_equal(rate.cmp.verdict, VERDICT_IMPROVED);
        assert_int_equal(lat.cmp.na, 7);                /* the worst latency measured, not left out */
        assert_true(lat.cmp.median_a >= lat.cmp.median_b);
}

/* A backend whose second round fails with the errno in fail_with. */
static int fail_with;

static int flaky_round(void *state, const ProbeConfig *cfg, ProbeRoundOut *out) {
        unsigned *n = state;
        out->ops = 10;
        if (++*n == 2)
                return fail_with;
        out->values[0] = 100;
        out->values[1] = 5;
        return 0;
}

static const ProbeBackend flaky = { .name = "flaky", .metrics = defs, .n_metrics = 2, .state_size = sizeof(unsigned),
                                    .round = flaky_round };

static void test_failure_classes(void **state) {
        ProbeConfig cfg = { .duration_s = 0.01, .rounds = 3 };
        ProbeResult *res = NULL;
        fail_with = -ECONNREFUSED;
        assert_int_equal(probe_run(&flaky, &cfg, &res), 0);
        assert_int_equal(res->rounds, 3);               /* the run went on */
        assert_null(res->error);
        assert_int_equal(res->info[1].failed, -ECONNREFUSED);
        assert_true(isnan(res->values[2]));
        assert_int_equal(res->info[2].failed, 0);
        json_t *j = probe_result_json(res, &cfg);
        assert_int_equal(json_integer_value(json_object_get(j, "failed_rounds")), 1);
        json_t *ri = json_array_get(json_object_get(j, "round_info"), 1);
        assert_non_null(json_string_value(json_object_get(ri, "failed")));
        json_decref(j);
        probe_result_free(res);

        /* EINVAL says nothing about the host: the run stops with the reason. */
        fail_with = -EINVAL;
        res = NULL;
        assert_int_equal(probe_run(&flaky, &cfg, &res), 0);
        assert_int_equal(res->rounds, 1);
        assert_non_null(res->error);
        probe_result_free(res);

        static const int host[] = { EAGAIN, ECONNREFUSED, ECONNRESET, EMFILE, ENFILE, ETIMEDOUT, ENOBUFS };
        for (size_t i = 0; i < sizeof(host) / sizeof(host[0]); i++)
                assert_true(probe_failure_is_measurement(-host[i]));
        static const int own[] = { EINVAL, ENOENT, EBADF, EFAULT, ECANCELED, 0 };
        for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
                assert_false(probe_failure_is_measurement(-own[i]));
}

/* The baseline refuses the work (a full accept queue), the candidate (the change) fixes it. */
static bool refusing;

static int queue_round(void *state, const ProbeConfig *cfg, ProbeRoundOut *out) {
        if (refusing)
                return -ECONNREFUSED;
        out->values[0] = 1000;
        out->values[1] = 2;
        return 0;
}

static const ProbeBackend queue = { .name = "queue", .metrics = defs, .n_metrics = 2, .round = queue_round };

static int fix_switch(bool candidate, void *userdata) {
        refusing = !candidate;
        return 0;
}

static void test_verify_keeps_a_fix(void **state) {
        const ProbeBackend *probes[] = { &queue };
        VerifyOptions o = { .probes = probes, .n_probes = 1, .cfg = { .duration_s = 0.01, .rounds = 6 }, .seed = 3 };
        VerifyResult *r = NULL;
        assert_int_equal(probe_verify(&o, fix_switch, NULL, &r), 0);   /* not stopped by the refusals */
        assert_null(r->error);
        assert_int_equal(r->metrics[0].failed_a, 6);
        assert_int_equal(r->metrics[0].failed_b, 0);
        assert_int_equal(r->metrics[0].cmp.verdict, VERDICT_IMPROVED);
        assert_false(r->primary_regressed);
        json_t *j = verify_result_json(r);
        json_t *m0 = json_array_get(json_object_get(j, "metrics"), 0);
        assert_int_equal(json_integer_value(json_array_get(json_object_get(m0, "failed_rounds"), 0)), 6);
        json_decref(j);
        verify_result_free(r);
}

/* The net probe with too few descriptors for a burst: EMFILE is counted per connect, not a stop. */
static void test_net_out_of_descriptors(void **state) {
        struct rlimit old, low;
        assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
        /* New descriptors take the lowest free numbers below the limit: leave 40 of those. */
        int limit = 0, free_below = 0;
        while (free_below < 40)
                free_below += !fcntl_open(limit++);
        low = (struct rlimit) { .rlim_cur = (rlim_t) limit, .rlim_max = old.rlim_max };
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
        const ProbeBackend *net = probe_find("net");
        ProbeConfig cfg = { .duration_s = 0.4, .rounds = 1 };
        ProbeResult *res = NULL;
        int r = probe_run(net, &cfg, &res);
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
        assert_int_equal(r, 0);
        assert_null(res->error);
        assert_int_equal(res->rounds, 1);
        assert_int_equal(res->info[0].failed, 0);
        assert_true(res->info[0].failed_ops > 0);
        assert_true(res->info[0].ops > res->info[0].failed_ops);
        size_t m = 0;
        while (strcmp(net->metrics[m].name, "connect_success_ratio") != 0)
                m++;
        double ratio = res->values[m];
        assert_true(ratio > 0 && ratio < 1);
        probe_result_free(res);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pair_margin),
                cmocka_unit_test(test_busy_steady),
                cmocka_unit_test(test_busy_uneven),
                cmocka_unit_test(test_failed_rounds_are_worst),
                cmocka_unit_test(test_failure_classes),
                cmocka_unit_test(test_verify_keeps_a_fix),
                cmocka_unit_test(test_net_out_of_descriptors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

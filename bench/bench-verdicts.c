/* SPDX-License-Identifier: MIT */
/* bench-verdicts: how the statistics behave on real probe rounds against a local nginx.
 *  A/A:   `--aa N` comparisons of an empty change: 5 baseline and 5 candidate rounds of the http
 *         probe (closed model, 50 users), alternating A B A B; each compared on successful_rps.
 *         Target: at most 1 "improved"/"regressed" in 20.
 *  Power: `--power N` comparisons of a known +10 % throughput change: the open model at R requests
 *         per second (baseline) and 1.1 R (candidate), R a third of the closed-model capacity found
 *         first, so the server keeps up and the throughput change is exactly the rate change.
 *         Target: "improved" in at least 9 of 10, each verdict with at most 60 s of probing.
 *  A/A through apply --verify's own path (`--probe NAME`, e.g. net or cpu): probe_verify() with a
 *         switch that changes nothing, rounds in shuffled pairs, the contamination margin from the
 *         pairs' foreign CPU; counts false calls on the probe's primary metric. Run it beside a CPU
 *         hog to see the busy-host figure.
 * Prints every verdict and the totals.
 *   bench-verdicts [--aa N] [--power N] [--round S] [--rounds N] [--probe NAME] */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "nginx-fixture.h"
#include "probe-http.h"
#include "probe.h"
#include "verify.h"
#include "stats.h"

static double one_round(const char *url, double round_s, double rate, bool *clean) {
        HttpOptions http = { .url = url, .users = 50 };
        if (rate > 0) {
                http.model = HTTP_MODEL_OPEN;
                http.rate = rate;
        }
        ProbeConfig cfg = { .duration_s = round_s, .rounds = 1, .options = &http };
        const ProbeBackend *b = probe_find("http");
        ProbeResult *res = NULL;
        double v = NAN;
        if (probe_run(b, &cfg, &res) >= 0) {
                v = res->values[b->primary];
                *clean = !res->info[0].contaminated;
        }
        probe_result_free(res);
        return v;
}

/* One comparison: n rounds a side, alternating. Returns the verdict. */
static Verdict compare(const char *url, double round_s, unsigned n, double rate_a, double rate_b, uint64_t seed,
                       double *ret_ratio, double *ret_p) {
        double a[64], b[64];
        for (unsigned i = 0; i < n; i++) {
                bool clean = true;
                a[i] = one_round(url, round_s, rate_a, &clean);
                b[i] = one_round(url, round_s, rate_b, &clean);
        }
        CompareOptions o = { .higher_is_better = true, .seed = seed };
        Comparison c;
        if (stats_compare(a, n, b, n, &o, &c) < 0)
                return VERDICT_INCONCLUSIVE;
        *ret_ratio = c.ratio;
        *ret_p = c.mwu.p;
        printf("    ratio %.3f  CI [%.3f, %.3f]  p %.4f  -> %s\n", c.ratio, c.ci_lo, c.ci_hi, c.mwu.p,
               verdict_to_string(c.verdict));
        fflush(stdout);
        return c.verdict;
}

static int no_switch(bool candidate, void *userdata) {
        return 0;
}

/* One A/A comparison of probe b through probe_verify; returns the primary metric's verdict. */
static Verdict verify_aa(const ProbeBackend *b, double round_s, unsigned n, uint64_t seed) {
        const ProbeBackend *probes[] = { b };
        VerifyOptions o = { .probes = probes, .n_probes = 1, .seed = seed, .compare = { .seed = seed },
                            .cfg = { .duration_s = round_s, .rounds = n } };
        VerifyResult *res = NULL;
        Verdict v = VERDICT_INCONCLUSIVE;
        if (probe_verify(&o, no_switch, NULL, &res) >= 0) {
                for (size_t i = 0; i < res->n_metrics; i++) {
                        const VerifyMetric *m = &res->metrics[i];
                        if (!m->primary)
                                continue;
                        v = m->cmp.verdict;
                        printf("    %s ratio %.3f  CI [%.3f, %.3f]  p %.4f  threshold %.3f (margin %.3f)  foreign %.2f/%.2f"
                               "  contaminated %u/%u -> %s%s\n", b->metrics[m->metric].name, m->cmp.ratio, m->cmp.ci_lo,
                               m->cmp.ci_hi, m->cmp.mwu.p, m->cmp.threshold, m->cmp.margin, m->foreign_share_a,
                               m->foreign_share_b, m->contaminated_a, m->contaminated_b, verdict_to_string(v),
                               m->unreliable ? " (margin decided)" : "");
                }
        } else
                printf("    failed: %s\n", res && res->error ? res->error : "?");
        fflush(stdout);
        verify_result_free(res);
        return v;
}

/* The A/A run of --probe NAME. */
static int probe_aa(const ProbeBackend *pb, unsigned aa, unsigned rounds, double round_s) {
        printf("bench-verdicts: A/A of probe %s through probe_verify, %u rounds of %.2g s a side, shuffled pairs\n",
               pb->name, rounds, round_s);
        unsigned false_calls = 0;
        for (unsigned i = 0; i < aa; i++) {
                printf("A/A %2u:", i + 1);
                Verdict v = verify_aa(pb, round_s, rounds, i + 1);
                false_calls += v == VERDICT_IMPROVED || v == VERDICT_REGRESSED;
        }
        printf("A/A: %u of %u comparisons called improved/regressed (target <= 1 in 20)\n", false_calls, aa);
        return 0;
}

int main(int argc, char **argv) {
        unsigned aa = 20, power = 10, rounds = 5;
        double round_s = 0.5;
        const char *probe = NULL;
        static const struct option options[] = {
                { "aa", required_argument, NULL, 'a' },
                { "power", required_argument, NULL, 'p' },
                { "round", required_argument, NULL, 'r' },
                { "rounds", required_argument, NULL, 'n' },
                { "probe", required_argument, NULL, 'P' },
                {},
        };
        int c;
        while ((c = getopt_long(argc, argv, "a:p:r:n:P:", options, NULL)) != -1)
                switch (c) {
                case 'a':
                        aa = (unsigned) atoi(optarg);
                        break;
                case 'p':
                        power = (unsigned) atoi(optarg);
                        break;
                case 'r':
                        round_s = atof(optarg);
                        break;
                case 'n':
                        rounds = (unsigned) atoi(optarg);
                        break;
                case 'P':
                        probe = optarg;
                        break;
                default:
                        fprintf(stderr, "usage: bench-verdicts [--aa N] [--power N] [--round S] [--rounds N] [--probe NAME]\n");
                        return 2;
                }
        if (aa > 100 || power > 100 || rounds < 2 || rounds > 64 || !(round_s >= 0.1 && round_s <= 10)) {
                fprintf(stderr, "bench-verdicts: --aa/--power 0..100, --rounds 2..64, --round 0.1..10 s\n");
                return 2;
        }
        if (probe) {
                const ProbeBackend *pb = probe_find(probe);
                if (!pb || strcmp(probe, "http") == 0) {
                        fprintf(stderr, "bench-verdicts: --probe takes cpu, memory, disk, net or sched (http is the default run)\n");
                        return 2;
                }
                return probe_aa(pb, aa, rounds, round_s);
        }
        char url[128];
        int r = nginx_fixture_start("bench-verdicts", NULL, 615, url, sizeof(url));
        if (r != 0)
                return r > 0 ? 0 : 1;
        printf("bench-verdicts: %s, %u rounds of %.2g s a side, alternating, metric successful_rps\n", url, rounds,
               round_s);

        unsigned false_calls = 0;
        double ratio, p;
        for (unsigned i = 0; i < aa; i++) {
                printf("A/A %2u:", i + 1);
                Verdict v = compare(url, round_s, rounds, 0, 0, i + 1, &ratio, &p);
                false_calls += v == VERDICT_IMPROVED || v == VERDICT_REGRESSED;
        }
        if (aa)
                printf("A/A: %u of %u comparisons called improved/regressed (target <= 1 in 20)\n", false_calls, aa);

        if (power) {
                bool clean;
                double capacity = one_round(url, 1.0, 0, &clean);
                double rate = floor(capacity / 3);
                printf("power: closed-model capacity %.0f req/s; baseline %.0f req/s, candidate %.0f req/s (+10 %%)\n",
                       capacity, rate, rate * 1.1);
                unsigned hits = 0;
                for (unsigned i = 0; i < power; i++) {
                        printf("power %2u:", i + 1);
                        Verdict v = compare(url, round_s, rounds, rate, rate * 1.1, 100 + i, &ratio, &p);
                        hits += v == VERDICT_IMPROVED;
                }
                printf("power: %u of %u comparisons called improved, %.0f s of probing each (target >= 9 of 10, <= 60 s)\n",
                       hits, power, 2 * rounds * round_s);
        }
        return 0;
}

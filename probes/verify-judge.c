/* SPDX-License-Identifier: MIT */
/* One metric of one probe, baseline rounds against candidate rounds: the samples of each side (a
 * round that failed on a condition of the host counts as the worst of its side), and the margin that
 * contamination adds to the threshold. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "macro.h"
#include "verify.h"

/* The k-th baseline round is paired with the k-th candidate round: in alternating order these are
 * the two rounds of pair k, in sequential order the k-th of each stretch. */
double verify_contamination_margin(const ProbeResult *pr, const bool *side, unsigned rounds) {
        unsigned n = MIN(pr->rounds, rounds);
        _cleanup_free_ double *a = malloc((n + 1) * sizeof(double));
        _cleanup_free_ double *b = malloc((n + 1) * sizeof(double));
        if (!a || !b)
                return NAN;
        size_t na = 0, nb = 0;
        for (unsigned i = 0; i < n; i++) {
                if (side[i])
                        b[nb++] = pr->info[i].foreign_share;
                else
                        a[na++] = pr->info[i].foreign_share;
        }
        return stats_pair_margin(a, b, MIN(na, nb));
}

/* A failed round did none of the work: no throughput at all, and for a lower-is-better metric at
 * least as bad as the worst round measured. */
static double failed_value(const ProbeResult *pr, size_t m, unsigned n) {
        const ProbeBackend *pb = pr->backend;
        if (pb->metrics[m].higher_is_better)
                return 0;
        double worst = NAN;
        for (unsigned i = 0; i < n; i++) {
                double v = pr->values[(size_t) i * pb->n_metrics + m];
                if (pr->info[i].failed == 0 && isfinite(v) && !(v <= worst))
                        worst = v;
        }
        return worst;
}

int verify_compare_metric(const ProbeResult *pr, size_t m, const bool *side, unsigned rounds, double margin,
                          const CompareOptions *compare, VerifyMetric *vm) {
        const ProbeBackend *pb = pr->backend;
        unsigned n = MIN(pr->rounds, rounds);
        _cleanup_free_ double *a = malloc((n + 1) * sizeof(double));
        _cleanup_free_ double *b = malloc((n + 1) * sizeof(double));
        if (!a || !b)
                return -ENOMEM;
        double worst = failed_value(pr, m, n), share_a = 0, share_b = 0;
        size_t na = 0, nb = 0;
        for (unsigned i = 0; i < n; i++) {
                const ProbeRoundInfo *info = &pr->info[i];
                double v = info->failed < 0 ? worst : pr->values[(size_t) i * pb->n_metrics + m];
                if (side[i]) {
                        vm->contaminated_b += info->contaminated;
                        vm->failed_b += info->failed < 0;
                        share_b += info->foreign_share;
                        vm->rounds_b++;
                } else {
                        vm->contaminated_a += info->contaminated;
                        vm->failed_a += info->failed < 0;
                        share_a += info->foreign_share;
                        vm->rounds_a++;
                }
                if (isnan(v))
                        continue;
                if (side[i])
                        b[nb++] = v;
                else
                        a[na++] = v;
        }
        vm->foreign_share_a = vm->rounds_a ? share_a / vm->rounds_a : NAN;
        vm->foreign_share_b = vm->rounds_b ? share_b / vm->rounds_b : NAN;
        CompareOptions co = *compare;
        co.higher_is_better = pb->metrics[m].higher_is_better;
        co.margin = isnan(margin) ? 0 : margin;
        return stats_compare(a, na, b, nb, &co, &vm->cmp);
}

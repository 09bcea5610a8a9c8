/* SPDX-License-Identifier: MIT */
/* Proven impact: measure probes with a change off (baseline A) and on (candidate B), alternating
 * A B A B ... in pairs whose order is shuffled (seeded), so drift and neighbours hit both sides
 * equally; then compare every metric (Mann-Whitney U + bootstrap interval of the median ratio, see
 * stats.h) and give each a verdict on its Holm-adjusted p-value. The caller supplies the switch (the helper's apply and rollback,
 * or anything else in tests). Library code: nothing here prints. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "probe.h"
#include "stats.h"


/* Put the system into the candidate (true) or baseline (false) state. A negative errno stops the
 * run (the caller restores the baseline itself). */
typedef int (*VerifySwitch)(bool candidate, void *userdata);

typedef struct VerifyOptions {
        const ProbeBackend *const *probes;
        size_t n_probes;
        ProbeConfig cfg;                /* cfg.rounds = rounds per side */
        const void *const *options;     /* per probe (as probes), its own options; NULL: defaults */
        CompareOptions compare;         /* direction is taken per metric */
        bool sequential;                /* all baseline rounds first, then all candidate rounds */
        uint64_t seed;                  /* order within each pair */
        /* "PROBE.METRIC" names judged as primary (the plan's effect_metrics); none: each probe's own
         * primary metric. */
        const char *const *primary;
        size_t n_primary;
} VerifyOptions;

typedef struct VerifyMetric {
        const ProbeBackend *probe;
        size_t metric;                  /* index into probe->metrics */
        bool primary;
        Comparison cmp;
        double p_adjusted;              /* Holm-adjusted within its family (primary metrics, others) */
        unsigned contaminated_a, contaminated_b;        /* rounds marked contaminated per side */
        unsigned failed_a, failed_b;    /* rounds that failed on a condition of the host, per side */
        unsigned rounds_a, rounds_b;
        double foreign_share_a, foreign_share_b;        /* mean foreign CPU share of the machine per side */
        /* Set by the caller (saved runs): no verdict. Set by verify_decide: the contamination margin
         * alone kept an improved/regressed interval from its verdict. */
        bool unreliable;
} VerifyMetric;

typedef struct VerifyResult {
        VerifyMetric *metrics;
        size_t n_metrics;
        unsigned rounds_a, rounds_b;
        bool primary_regressed;         /* some probe's primary metric regressed */
        bool ended_candidate;           /* the last state switched to was the candidate */
        char *error;
} VerifyResult;

/* Runs the rounds. Leaves the system in the candidate state when everything ran (the caller decides
 * whether to keep it, e.g. roll back on regression). Returns 0, or -errno with result->error set
 * when a probe or the switch failed (*ret still holds what was measured). */
int probe_verify(const VerifyOptions *o, VerifySwitch sw, void *userdata, VerifyResult **ret);
VerifyResult *verify_result_free(VerifyResult *r);
/* The decision step on metrics whose comparisons are filled in (cmp from stats_compare, unreliable
 * set): Holm-adjusts p within the two families (primary metrics, others), decides every verdict on
 * the adjusted p and sets primary_regressed. Also for comparisons of saved runs. */
int verify_decide(const CompareOptions *compare, VerifyResult *res);
/* The contamination margin of one probe's rounds (side[i]: round i was a candidate round): how much
 * the foreign CPU share differed between paired rounds (stats_pair_margin). Added to the threshold,
 * so load that hits both sides alike costs nothing and load that comes and goes widens the band by
 * its size. */
double verify_contamination_margin(const ProbeResult *pr, const bool *side, unsigned rounds);
/* Compare metric m of pr's rounds by side with the given margin; fills vm's cmp and round counts
 * (vm zeroed by the caller). A failed round (info.failed) counts as the worst of its side: 0 for a
 * higher-is-better metric, the worst value measured otherwise. */
int verify_compare_metric(const ProbeResult *pr, size_t m, const bool *side, unsigned rounds, double margin,
                          const CompareOptions *compare, VerifyMetric *vm);
/* {"schema": "skytune.verify/1", "rounds_per_side": .., "metrics": [{probe, metric, unit, primary,
 *  higher_is_better, baseline_median, candidate_median, ratio, ci: [lo, hi], p, p_adjusted,
 *  threshold, verdict,
 *  margin, more_rounds, contaminated: [a, b], foreign_share: [a, b], failed_rounds: [a, b],
 *  unreliable}], "primary_regressed": bool} */
json_t *verify_result_json(const VerifyResult *r);

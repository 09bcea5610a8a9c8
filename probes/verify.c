/* SPDX-License-Identifier: MIT */
#include "verify.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-util.h"
#include "macro.h"

VerifyResult *verify_result_free(VerifyResult *r) {
        if (!r)
                return NULL;
        free(r->metrics);
        free(r->error);
        free(r);
        return NULL;
}

typedef struct Run {
        const VerifyOptions *o;
        VerifySwitch sw;
        void *userdata;
        ProbeSession **sessions;
        bool *side;                     /* per round index: candidate? (same for every probe) */
        unsigned rounds;
        int state;                      /* -1 unknown, 0 baseline, 1 candidate */
        char **error;
} Run;

static int set_state(Run *run, bool candidate) {
        if (run->state == (int) candidate)
                return 0;
        int r = run->sw(candidate, run->userdata);
        if (r < 0) {
                if (asprintf(run->error, "switching to the %s failed: %s", candidate ? "candidate" : "baseline",
                             strerror(-r)) < 0)
                        *run->error = NULL;
                return r;
        }
        run->state = candidate;
        return 0;
}

/* One round of every probe in the given state. */
static int measure(Run *run, bool candidate) {
        int r = set_state(run, candidate);
        if (r < 0)
                return r;
        for (size_t p = 0; p < run->o->n_probes; p++) {
                r = probe_session_round(run->sessions[p]);
                if (r < 0) {
                        const ProbeResult *res = probe_session_result(run->sessions[p]);
                        if (asprintf(run->error, "probe %s: %s", run->o->probes[p]->name,
                                     res->error ? res->error : strerror(-r)) < 0)
                                *run->error = NULL;
                        return r;
                }
        }
        run->side[run->rounds++] = candidate;
        return 0;
}

/* Many metrics, many chances of a false call: p-values are Holm-adjusted within two families, the
 * probes' primary metrics and all the others, and every verdict is decided on the adjusted value. */
int verify_decide(const CompareOptions *compare, VerifyResult *res) {
        size_t n = res->n_metrics;
        _cleanup_free_ double *p = malloc((n ? n : 1) * sizeof(double));
        _cleanup_free_ double *adj = malloc((n ? n : 1) * sizeof(double));
        if (!p || !adj)
                return -ENOMEM;
        for (int family = 0; family < 2; family++) {
                for (size_t i = 0; i < n; i++)
                        p[i] = res->metrics[i].primary == (family == 0) ? res->metrics[i].cmp.mwu.p : NAN;
                int r = stats_holm(p, n, adj);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n; i++)
                        if (res->metrics[i].primary == (family == 0))
                                res->metrics[i].p_adjusted = adj[i];
        }
        for (size_t i = 0; i < n; i++) {
                VerifyMetric *vm = &res->metrics[i];
                CompareOptions co = *compare;
                co.higher_is_better = vm->probe->metrics[vm->metric].higher_is_better;
                double padj = isnan(vm->p_adjusted) ? 1 : vm->p_adjusted;
                stats_decide(&vm->cmp, &co, padj);
                if (vm->unreliable)
                        vm->cmp.verdict = VERDICT_INCONCLUSIVE;
                else if (vm->cmp.verdict == VERDICT_INCONCLUSIVE && vm->cmp.margin > 0) {
                        /* Would the interval have decided without the contamination margin? */
                        Comparison bare = vm->cmp;
                        bare.threshold -= bare.margin;
                        bare.margin = 0;
                        stats_decide(&bare, &co, padj);
                        vm->unreliable = bare.verdict == VERDICT_IMPROVED || bare.verdict == VERDICT_REGRESSED;
                }
                if (vm->primary && vm->cmp.verdict == VERDICT_REGRESSED)
                        res->primary_regressed = true;
        }
        return 0;
}

static bool is_primary(const VerifyOptions *o, const ProbeBackend *pb, size_t m) {
        if (o->n_primary == 0)
                return m == pb->primary;
        size_t np = strlen(pb->name);
        for (size_t i = 0; i < o->n_primary; i++) {
                const char *n = o->primary[i];
                if (strncmp(n, pb->name, np) == 0 && n[np] == '.' && strcmp(n + np + 1, pb->metrics[m].name) == 0)
                        return true;
        }
        return false;
}

static int compare_metrics(Run *run, VerifyResult *res) {
        const VerifyOptions *o = run->o;
        size_t total = 0;
        for (size_t p = 0; p < o->n_probes; p++)
                total += o->probes[p]->n_metrics;
        res->metrics = calloc(total ? total : 1, sizeof(VerifyMetric));
        if (!res->metrics)
                return -ENOMEM;
        for (size_t p = 0; p < o->n_probes; p++) {
                if (!run->sessions[p])
                        continue;       /* never opened: an earlier probe failed to set up */
                const ProbeBackend *pb = o->probes[p];
                const ProbeResult *pr = probe_session_result(run->sessions[p]);
                double margin = verify_contamination_margin(pr, run->side, run->rounds);
                for (size_t m = 0; m < pb->n_metrics; m++) {
                        VerifyMetric *vm = &res->metrics[res->n_metrics++];
                        *vm = (VerifyMetric) { .probe = pb, .metric = m, .primary = is_primary(o, pb, m) };
                        int r = verify_compare_metric(pr, m, run->side, run->rounds, margin, &o->compare, vm);
                        if (r < 0)
                                return r;
                }
        }
        return verify_decide(&o->compare, res);
}

int probe_verify(const VerifyOptions *o, VerifySwitch sw, void *userdata, VerifyResult **ret) {
        VerifyResult *res = calloc(1, sizeof(VerifyResult));
        if (!res)
                return -ENOMEM;
        *ret = res;
        unsigned per_side = o->cfg.rounds ? o->cfg.rounds : 5;
        _cleanup_free_ ProbeSession **sessions = calloc(o->n_probes ? o->n_probes : 1, sizeof(ProbeSession *));
        _cleanup_free_ bool *side = calloc(2 * per_side, sizeof(bool));
        if (!sessions || !side)
                return -ENOMEM;
        Run run = { .o = o, .sw = sw, .userdata = userdata, .sessions = sessions, .side = side, .state = -1,
                    .error = &res->error };
        int r = 0;
        for (size_t p = 0; p < o->n_probes && r >= 0; p++) {
                ProbeConfig cfg = o->cfg;
                cfg.options = o->options ? o->options[p] : NULL;
                r = probe_session_open(o->probes[p], &cfg, &sessions[p]);
                if (r < 0 && asprintf(&res->error, "probe %s: %s", o->probes[p]->name,
                                      sessions[p] && probe_session_result(sessions[p])->error
                                              ? probe_session_result(sessions[p])->error
                                              : strerror(-r)) < 0)
                        res->error = NULL;
        }
        StatsRng rng;
        stats_rng_seed(&rng, o->seed);
        if (o->sequential) {
                for (unsigned i = 0; r >= 0 && i < per_side; i++)
                        r = measure(&run, false);
                for (unsigned i = 0; r >= 0 && i < per_side; i++)
                        r = measure(&run, true);
        } else {
                for (unsigned i = 0; r >= 0 && i < per_side; i++) {
                        bool first = stats_rng_next(&rng) >> 63;        /* which side leads this pair */
                        r = measure(&run, first);
                        if (r >= 0)
                                r = measure(&run, !first);
                }
        }
        if (r >= 0)
                r = set_state(&run, true);
        res->ended_candidate = run.state == 1;
        for (unsigned i = 0; i < run.rounds; i++) {
                res->rounds_b += side[i];
                res->rounds_a += !side[i];
        }
        int k = compare_metrics(&run, res);
        for (size_t p = 0; p < o->n_probes; p++)
                probe_session_close(sessions[p], false);
        return r < 0 ? r : k;
}

json_t *verify_result_json(const VerifyResult *r) {
        json_t *o = json_object(), *list = json_array();
        if (!o || !list) {
                json_decref(o);
                json_decref(list);
                return NULL;
        }
        for (size_t i = 0; i < r->n_metrics; i++) {
                const VerifyMetric *m = &r->metrics[i];
                const ProbeMetricDef *d = &m->probe->metrics[m->metric];
                const Comparison *c = &m->cmp;
                json_t *e = json_object();
                json_object_set_new(e, "probe", json_string(m->probe->name));
                json_object_set_new(e, "metric", json_string(d->name));
                json_object_set_new(e, "unit", json_string(d->unit));
                json_object_set_new(e, "higher_is_better", json_boolean(d->higher_is_better));
                json_object_set_new(e, "primary", json_boolean(m->primary));
                json_object_set_new(e, "baseline_median", json_num(c->median_a));
                json_object_set_new(e, "candidate_median", json_num(c->median_b));
                json_object_set_new(e, "ratio", json_num(c->ratio));
                json_object_set_new(e, "ci", json_pack("[o,o]", json_num(c->ci_lo), json_num(c->ci_hi)));
                json_object_set_new(e, "p", json_num(c->mwu.p));
                json_object_set_new(e, "p_adjusted", json_num(m->p_adjusted));
                json_object_set_new(e, "threshold", json_num(c->threshold));
                json_object_set_new(e, "verdict", json_string(verdict_to_string(c->verdict)));
                if (c->verdict == VERDICT_INCONCLUSIVE && c->more_rounds)
                        json_object_set_new(e, "more_rounds", json_integer(c->more_rounds));
                json_object_set_new(e, "margin", json_num(c->margin));
                json_object_set_new(e, "contaminated", json_pack("[i,i]", m->contaminated_a, m->contaminated_b));
                json_object_set_new(e, "foreign_share", json_pack("[o,o]", json_num(m->foreign_share_a), json_num(m->foreign_share_b)));
                json_object_set_new(e, "failed_rounds", json_pack("[i,i]", m->failed_a, m->failed_b));
                if (m->unreliable)
                        json_object_set_new(e, "unreliable", json_true());
                json_array_append_new(list, e);
        }
        json_object_set_new(o, "schema", json_string(VERIFY_SCHEMA));
        json_object_set_new(o, "rounds", json_pack("{s:i,s:i}", "baseline", r->rounds_a, "candidate", r->rounds_b));
        json_object_set_new(o, "metrics", list);
        json_object_set_new(o, "primary_regressed", json_boolean(r->primary_regressed));
        if (r->error)
                json_object_set_new(o, "error", json_string(r->error));
        return o;
}

/* SPDX-License-Identifier: MIT */
/* A step's phases as linear pieces of a loadgen schedule: ramp from -> to over its duration; hold a
 * value; spike k times the value before it (or an absolute value) for its duration, after which the
 * load is back where it was; step: start, start + increment ... each for `every`, max_steps of them
 * (1000 with `until` and no max). A plan ends after a stepping phase with `until`: where that phase
 * stops depends on the run, so the phases after it are the next plan. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "macro.h"
#include "run.h"

enum { STEPS_DEFAULT = 1000 };

static size_t phase_pieces(const LoadPhase *p) {
        if (p->kind != LOAD_PHASE_STEP)
                return 1;
        return p->max_steps ? p->max_steps : STEPS_DEFAULT;
}

/* Appends phase p's pieces; *value: the value before it, then after it. */
static void phase_add(const LoadPhase *p, LoadgenPiece *out, size_t *n, double *value) {
        double d = p->duration_s, v;
        switch (p->kind) {
        case LOAD_PHASE_RAMP: {
                double from = p->from < 0 ? *value : p->from;
                out[(*n)++] = (LoadgenPiece) { .duration_s = d, .from = from, .to = p->to };
                *value = p->to;
                return;
        }
        case LOAD_PHASE_SPIKE:
                v = p->factor > 0 ? p->factor * *value : p->value;
                out[(*n)++] = (LoadgenPiece) { .duration_s = d, .from = v, .to = v };
                return;         /* then back: *value stays */
        case LOAD_PHASE_STEP:
                for (size_t i = 0; i < phase_pieces(p); i++) {
                        v = fmax(p->start + (double) i * p->increment, 0);
                        out[(*n)++] = (LoadgenPiece) { .duration_s = d, .from = v, .to = v };
                        *value = v;
                }
                return;
        default:
                out[(*n)++] = (LoadgenPiece) { .duration_s = d, .from = p->value, .to = p->value };
                *value = p->value;
                return;
        }
}

int load_plan_build(const LoadStep *st, size_t first, double before, LoadPlan *ret) {
        *ret = (LoadPlan) { .first = first };
        if (first >= st->n_phases)
                return -EINVAL;
        size_t last = first, n = 0;
        for (; last < st->n_phases; last++) {
                n += phase_pieces(&st->phases[last]);
                if (st->phases[last].kind == LOAD_PHASE_STEP && st->phases[last].until)
                        break;
        }
        last = MIN(last, st->n_phases - 1);
        ret->last = last;
        ret->pieces = calloc(n, sizeof(LoadgenPiece));
        ret->phase_start_s = calloc(last - first + 1, sizeof(double));
        if (!ret->pieces || !ret->phase_start_s) {
                load_plan_done(ret);
                return -ENOMEM;
        }
        double value = before, t = 0;
        for (size_t i = first; i <= last; i++) {
                const LoadPhase *p = &st->phases[i];
                if (!(p->duration_s > 0)) {
                        load_plan_done(ret);
                        return -EINVAL;
                }
                ret->phase_start_s[i - first] = t;
                phase_add(p, ret->pieces, &ret->n_pieces, &value);
                t += p->duration_s * (double) phase_pieces(p);
        }
        ret->duration_s = t;
        const LoadPhase *lp = &st->phases[last];
        if (lp->kind == LOAD_PHASE_STEP && lp->until) {
                ret->until = lp->until;
                ret->until_from_s = ret->phase_start_s[last - first];
        }
        loadgen_pieces_prepare(ret->pieces, ret->n_pieces);
        return 0;
}

void load_plan_done(LoadPlan *p) {
        free(p->pieces);
        free(p->phase_start_s);
        *p = (LoadPlan) { 0 };
}

double load_plan_value(const LoadPlan *p, double t) {
        LoadgenSchedule s = { .shape = LOADGEN_PIECES, .pieces = p->pieces, .n_pieces = p->n_pieces };
        return loadgen_schedule_value(&s, t);
}

double load_step_peak(const LoadStep *st) {
        double peak = 0, value = 0;
        for (size_t i = 0; i < st->n_phases; i++) {
                const LoadPhase *p = &st->phases[i];
                switch (p->kind) {
                case LOAD_PHASE_RAMP:
                        peak = fmax(peak, fmax(p->from < 0 ? value : p->from, p->to));
                        value = p->to;
                        break;
                case LOAD_PHASE_SPIKE:
                        peak = fmax(peak, p->factor > 0 ? p->factor * value : p->value);
                        break;
                case LOAD_PHASE_STEP: {
                        double n = (double) phase_pieces(p) - 1;
                        value = fmax(p->start + n * p->increment, 0);
                        peak = fmax(peak, fmax(p->start, value));
                        break;
                }
                default:
                        peak = fmax(peak, p->value);
                        value = p->value;
                        break;
                }
        }
        return peak;
}

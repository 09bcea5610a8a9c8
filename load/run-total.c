/* SPDX-License-Identifier: MIT */
/* The total's intervals, assembled from the steps' as they come (a ring of pending intervals, each
 * handed out when every running step has delivered its part), judged by the global `for`
 * thresholds, and the run's clock and abort that the steps call: apart from run.c, which starts the
 * steps, so that no file of the runner calls back into the one that called it. */
#include <math.h>

#include "run-internal.h"
#include "threshold-eval.h"

double run_now_s(const RunCtx *rc) {
        uint64_t now = loadgen_now_ns();
        return now > rc->t0_ns ? (double) (now - rc->t0_ns) / 1e9 : 0;
}

void run_abort(RunCtx *rc, const Threshold *t) {
        if (!rc->run->aborted_by)
                rc->run->aborted_by = t;
        atomic_store(&rc->abort, true);
        for (size_t i = 0; i < rc->run->n_steps; i++)
                atomic_store(&rc->steps[i].end_now, true);
}

/* Total interval k is complete: handed out, judged by the global `for` thresholds, ticked. The
 * steps' k-th intervals need not line up (a plan cut by `until`, a last interval that drains), so
 * the total's run on from the one before: never back in time, never overlapping. */
static void total_emit(RunCtx *rc, Pending *p) {
        const LoadHooks *h = &rc->cfg->hooks;
        p->end_s = fmax(p->end_s, rc->total_end_s);
        p->start_s = fmin(fmax(p->start_s, rc->total_end_s), p->end_s);
        rc->total_end_s = p->end_s;
        LoadInterval rec = {
                .step = NULL, .index = rc->run->intervals, .start_s = p->start_s, .end_s = p->end_s,
                .planned = p->planned, .results = &p->r,
        };
        if (h->on_interval)
                h->on_interval(&rec, h->userdata);
        for (size_t i = 0; i < rc->run->n_thresholds; i++) {
                LoadThresholdRun *tr = &rc->run->thresholds[i];
                if (tr->step < 0 && load_threshold_interval(tr, &p->r, p->start_s, p->end_s))
                        run_abort(rc, tr->t);
        }
        if (h->on_tick)
                h->on_tick(p->end_s, h->userdata);
        rc->run->intervals++;
        loadgen_results_reset(&p->r);
        p->got = 0;
        p->used = false;
        rc->ring_next++;
}

/* Hands out, in order, the total intervals every running step has delivered (all: whatever came). */
void run_total_flush(RunCtx *rc, bool all) {
        for (;;) {
                Pending *p = &rc->ring[rc->ring_next % RING];
                if (!p->used || (!all && p->got < rc->active))
                        return;
                total_emit(rc, p);
        }
}

void run_total_add(RunCtx *rc, unsigned k, const LoadgenResults *r, double start_s, double end_s, double planned) {
        /* A step far ahead of another (one had a shorter interval at a cut): the oldest goes as it is. */
        while (k >= rc->ring_next + RING)
                total_emit(rc, &rc->ring[rc->ring_next % RING]);
        if (k < rc->ring_next)
                k = rc->ring_next;      /* late: joins the oldest still open */
        Pending *p = &rc->ring[k % RING];
        if (!p->used) {
                p->used = true;
                p->start_s = start_s;
                p->end_s = end_s;
                p->planned = 0;
        }
        p->start_s = fmin(p->start_s, start_s);
        p->end_s = fmax(p->end_s, end_s);
        p->planned += planned;
        p->got++;
        loadgen_results_merge(&p->r, r);
        run_total_flush(rc, false);
}

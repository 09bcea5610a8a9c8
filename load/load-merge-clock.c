/* SPDX-License-Identifier: MIT */
/* The merged document's client.clock: how far apart the agents started and how far their clocks may
 * be off (client.segment.clock, from adjtimex), with a warning for each agent whose figure exceeds
 * a tenth of the interval length, since then its records can fall into the wrong merged interval.
 * A warning does not change the verdict: the merged figures stay what the agents measured. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "json-util.h"
#include "load-merge-internal.h"
#include "macro.h"

#define CLOCK_LIMIT_SHARE 0.1 /* of the interval length */

typedef struct AgentClock {
        bool present, synchronized;
        double error_s; /* the larger of |offset| and maxerror; NAN: unknown */
} AgentClock;

/* One clock object (the start's or the end's) into a. */
static void clock_add(const json_t *clock, AgentClock *a) {
        if (!json_is_object(clock))
                return;
        a->present = true;
        a->synchronized &= json_is_true(json_object_get(clock, "synchronized"));
        double off = fabs(merge_num(clock, "offset_s", NAN)), max = fabs(merge_num(clock, "maxerror_s", NAN));
        a->error_s = fmax(a->error_s, fmax(off, max)); /* fmax ignores a NAN */
}

static AgentClock agent_clock(const json_t *seg) {
        AgentClock a = { .synchronized = true, .error_s = NAN };
        const json_t *clock = json_object_get(seg, "clock");
        clock_add(clock, &a);
        clock_add(json_object_get(clock, "end"), &a);
        return a;
}

_printf_(5, 6) static void warn(json_t *a, const char *file, const char *kind, double value_s, const char *fmt, ...) {
        char text[640];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        json_array_append_new(a, json_pack("{sssssoss}", "file", file, "kind", kind, "value_s", json_num(value_s),
                                           "text", text));
}

static void clock_warn(json_t *w, const char *file, const AgentClock *c, double interval_s) {
        double limit = CLOCK_LIMIT_SHARE * interval_s;
        char bound[64] = "";
        if (isfinite(c->error_s))
                snprintf(bound, sizeof(bound), ": maximum error %.3f s", c->error_s);
        if (c->present && !c->synchronized)
                warn(w, file, "unsynchronized", c->error_s,
                     "%s: the agent's clock was not synchronized (adjtimex%s): its start and intervals may be "
                     "off by that much; run chrony or NTP on the agents",
                     file, bound);
        else if (c->present && c->error_s > limit)
                warn(w, file, "clock_error", c->error_s,
                     "%s: the agent's clock may be off by %.3f s, %.0f %% of the %g s interval: its records "
                     "may land in the wrong merged interval; run chrony or NTP on the agents and let them "
                     "settle, or use a longer --interval",
                     file, c->error_s, 100 * c->error_s / interval_s, interval_s);
}

double merge_agent_start(const LoadMergeInput *a, double offset_s) {
        const json_t *seg = json_object_get(json_object_get(a->doc, "client"), "segment");
        double skew = merge_num(seg, "start_skew_s", 0);
        return offset_s + (skew > 0 && skew < 1e9 ? skew : 0);
}

json_t *merge_clock(const LoadMergeInput *in, size_t n, const double *offset_s, double interval_s) {
        json_t *o = json_object(), *w = json_array();
        double first = INFINITY, last = -INFINITY, worst = NAN, limit = CLOCK_LIMIT_SHARE * interval_s;
        for (size_t i = 0; i < n; i++) {
                double s = merge_agent_start(&in[i], offset_s[i]);
                first = fmin(first, s);
                last = fmax(last, s);
        }
        for (size_t i = 0; i < n; i++) {
                const json_t *seg = json_object_get(json_object_get(in[i].doc, "client"), "segment");
                AgentClock c = agent_clock(seg);
                worst = fmax(worst, c.error_s);
                clock_warn(w, in[i].path, &c, interval_s);
                double late = merge_agent_start(&in[i], offset_s[i]) - first;
                if (late > limit)
                        warn(w, in[i].path, "start", late,
                             "%s: the agent started %.3f s after the earliest one, %.0f %% of the %g s interval: "
                             "its records do not line up with the others'; start every agent with the same "
                             "--start-at TIME far enough ahead, and run chrony or NTP on them",
                             in[i].path, late, 100 * late / interval_s, interval_s);
        }
        json_object_set_new(o, "start_spread_s", json_num(n ? last - first : 0));
        json_object_set_new(o, "max_clock_error_s", json_num(worst));
        json_object_set_new(o, "limit_s", json_num(limit));
        json_object_set_new(o, "warnings", w);
        return o;
}

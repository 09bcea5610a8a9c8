/* SPDX-License-Identifier: MIT */
/* The dashboard's document (skytune.dashboard/1, docs/dashboard.md) built from the monitor's store:
 * the series of each panel over a range at one step, the alerts kept and their events, and the
 * helper's transactions when the caller has them. The CLI (`skytune dashboard --html`) and the
 * daemon build it the same way; render/dashboard.c draws it. */
#pragma once

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "tsdb.h"

/* [from_ms, to_ms) at step_ms (from and to multiples of it); now_ms: what the alerts' ages count from. */
typedef struct DashboardRange {
        int64_t from_ms, to_ms, step_ms, now_ms;
} DashboardRange;

/* The step of a span: 1 s up to 15 minutes, 1 minute up to 2 days, 1 hour beyond (the store's tiers). */
int64_t dashboard_step(int64_t span_ms);
/* The range of span_ms ending at until_ms, aligned to its step. -EINVAL: span_ms not positive. */
int dashboard_range(int64_t span_ms, int64_t until_ms, int64_t now_ms, DashboardRange *ret);

/* The ranges offered (the picker's choices and /dashboard?range=NAME), shortest first. */
typedef struct DashboardSpan {
        const char *name;
        int64_t ms;
} DashboardSpan;
extern const DashboardSpan dashboard_spans[];
extern const size_t dashboard_n_spans;
/* The span of a name of dashboard_spans: -EINVAL when it is none of them. */
int dashboard_span(const char *name, int64_t *ret_ms);

/* One panel: the series whose names match one of its patterns ("a.*.b": any text for the star),
 * and what the page says when the store has none of them. */
typedef struct DashboardPanel {
        const char *id, *title, *unit, *missing;
        const char *const *patterns;
} DashboardPanel;
extern const DashboardPanel dashboard_panels[];
extern const size_t dashboard_n_panels;
/* Whether name matches pattern (at most one '*', which matches one or more characters). */
bool dashboard_match(const char *pattern, const char *name);

/* The document without transactions (dashboard_doc_transactions adds them). -errno; *ret NULL then. */
int dashboard_doc_build(struct tsdb *t, const DashboardRange *r, const char *host, json_t **ret);
/* The ranges of at most this span (those of a 1 s step, so that a tick is a point) are live when
 * served: they update every second from /api/v1/current, on charts that reach past now by a twelfth
 * of the span (at least a step, "slide_ms": the script slides the axes by as much when the points
 * reach the end) and are fetched again once a span ("refresh_ms"). */
#define DASHBOARD_LIVE_MAX_MS (15 * TSDB_MINUTE_MS)
/* The range of span_ms the daemon serves at now_ms: dashboard_range, with that room when live. */
int dashboard_range_served(int64_t span_ms, int64_t now_ms, DashboardRange *ret);
/* The page as served by url ("http://127.0.0.1:9677"): its picker links to its ranges there, and
 * "live", "refresh_ms" and "slide_ms" as above. */
int dashboard_doc_served(json_t *doc, const char *url);
/* The alerts the store keeps (states and events within the range) into doc. */
int dashboard_doc_alerts(struct tsdb *t, const DashboardRange *r, json_t *doc);
/* The transactions of a skytune.txlist/1 document that touch the range, each with the time it was
 * created and its verdict; or, with txlist NULL, note (why there are none) in their place. */
int dashboard_doc_transactions(json_t *doc, const json_t *txlist, const char *note);

/* SPDX-License-Identifier: MIT */
/* The renderers of skytune's documents: each takes the JSON document a verb (or the monitor, or a
 * report) already has, and writes it for people or for another program. Everything comes from the
 * document, so text and JSON cannot disagree; nothing here parses options, finds the terminal or
 * logs. Every renderer has the shape render_NAME(FILE *, const json_t *doc, const RenderView *),
 * returns 0 or -EIO when writing failed, and never trusts the document: a member of the wrong type is
 * shown as missing. A renderer of another document (probe runs, verification records) is one more
 * file here with the same shape. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "error.h"

/* Variants of a rendering the document does not say. */
enum {
        RENDER_PERSIST = 1 << 0,  /* effects: the persistent forms were asked for (--persist) */
        RENDER_DRY_RUN = 1 << 1,  /* effects: nothing is written (apply --dry-run) */
        RENDER_ROLLBACK = 1 << 2, /* a transaction: show what its rollback did */
};

typedef struct RenderView {
        bool color;     /* ANSI colours and bold */
        unsigned width; /* columns to fit; 0: 80 */
        unsigned flags; /* RENDER_* */
} RenderView;

/* skytune.profile/1: the full listing and the one-screen summary (profile --brief). */
int render_profile_full(FILE *f, const json_t *profile, const RenderView *v);
int render_profile_brief(FILE *f, const json_t *profile, const RenderView *v);
/* skytune.profile/1 in Prometheus' text exposition format; *ret is malloc'd. -EINVAL when profile is
 * not a profile document. render_profile_prometheus() writes the same text to f (the view is unused). */
int render_prometheus(const json_t *profile, char **ret);
int render_profile_prometheus(FILE *f, const json_t *profile, const RenderView *v);

/* skytune.plan/1, fitted to the width; the effects of applying it (dryrun_effects(): live changes,
 * file diffs, pending count) with RENDER_PERSIST and RENDER_DRY_RUN. */
int render_plan(FILE *f, const json_t *plan, const RenderView *v);
int render_effects(FILE *f, const json_t *effects, const RenderView *v);

/* One line per change and file of a skytune.tx/1 transaction ("  applied   sysctl vm.swappiness  60 ->
 * 10"); with RENDER_ROLLBACK what its rollback did, and the entries of owned files it left. */
int render_tx(FILE *f, const json_t *tx, const RenderView *v);
/* skytune.status/1: the applied transactions and their drift. */
int render_status(FILE *f, const json_t *status, const RenderView *v);
/* skytune.diff/1: the comparison of two documents, at most 80 columns. */
int render_diff(FILE *f, const json_t *diff, const RenderView *v);

/* skytune.load/1 (docs/load.md): verdict, per step and total rates, success, status codes, error
 * classes, latency and service-time percentiles, endpoints and thresholds; at most 80 columns. */
int render_load_text(FILE *f, const json_t *doc, const RenderView *v);
/* skytune.db/1 (db query, db load): the run, the latency table of the transaction and of each
 * statement, the errors by SQLSTATE class. */
int render_db(FILE *f, const json_t *doc, const RenderView *v);
/* A db run's JUnit XML (db-junit.c: a test case per threshold) and its offline HTML report (db-html.c:
 * latency and tps over time, statements, errors by SQLSTATE class, server deltas); as the load
 * reports (render-load.h): 0, or -EINVAL (not a skytune.db/1 document), -EIO, -ENOMEM with *e. */
int render_db_junit(FILE *f, const json_t *doc, Error *e);
int render_db_html(FILE *f, const json_t *doc, Error *e);
/* skytune.bench-compare/1 as one offline HTML page (bench-html.c): the gates, the hosts' differences,
 * every metric with the repetitions of both sides and the ratio's interval. */
int render_bench_compare_html(FILE *f, const json_t *doc, Error *e);
/* skytune.bench-trends/1 as one offline HTML page (bench-trends-html.c): the changes with the
 * fingerprint fields and transactions near each, the tuning markers, a trend chart per metric. */
int render_bench_trends_html(FILE *f, const json_t *doc, Error *e);
/* skytune.db-sweep/1 as one offline HTML page: throughput and latency by pool size, the sizes. */
int render_db_sweep_html(FILE *f, const json_t *doc, Error *e);
/* skytune.db-inspect/1 (window and lifetime figures, findings) and skytune.db-explain/1 (the
 * slowest nodes, the findings). */
int render_db_inspect(FILE *f, const json_t *doc, const RenderView *v);
int render_db_explain(FILE *f, const json_t *doc, const RenderView *v);
/* skytune.db-sweep/1 (db pool-sweep): a row per pool size with its wait events, the recommendation,
 * the USL fit when shown. skytune.db-advise/1 (db advise): each setting's advice and its evidence. */
int render_db_sweep(FILE *f, const json_t *doc, const RenderView *v);
int render_db_advise(FILE *f, const json_t *doc, const RenderView *v);

/* Text fitted to width columns: what render wrote (into memory) is written to out with every line
 * wider than width wrapped at word boundaries under its text column ("   why        ..." or
 * "  --duration S   ..."); lines that fit are left alone. */
int render_fit(FILE *out, unsigned width, void (*render)(FILE *f, void *userdata), void *userdata);
int render_fit_text(FILE *out, unsigned width, const char *text);
/* text from column col (already written on this line) up to width, words wrapped onto lines indented
 * by indent; a word longer than a line is cut. Ends with a newline. */
void render_wrap(FILE *f, unsigned col, unsigned indent, unsigned width, const char *text);

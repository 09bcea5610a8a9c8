/* SPDX-License-Identifier: MIT */
/* The parts of the benchmark reports (render/bench-html*.c, internal to render/). */
#pragma once

#include <jansson.h>
#include <stdio.h>

#include "error.h"

/* One metric of a skytune.bench-compare/1 document as an inline SVG in a <figure>: the repetitions
 * of both sides, their medians, and the ratio with its interval, threshold and gate. */
void bench_html_metric_svg(FILE *f, const json_t *m, const char *id);
/* A metric's figure and SVG opened (id, its class, w x h), with the title "BENCHMARK METRIC: caption"
 * of m; the caller draws and closes them. */
void bench_html_svg_open(FILE *f, const char *id, const char *cls, int w, int h, const json_t *m, const char *caption);
/* One metric of a skytune.bench-trends/1 document (series: an entry of its "metrics") as an inline
 * SVG in a <figure>: every run's median over time, the segments' means, doc's changes of this
 * metric with their magnitude and doc's tuning markers with the transaction ids. */
void bench_html_trend_svg(FILE *f, const json_t *doc, const json_t *series, const char *id);
/* Per entry of doc's "metrics", a heading (benchmark, metric, which way is better) and draw's picture
 * with id PREFIX-i, in <section id=section> titled title. */
typedef void (*BenchHtmlDraw)(FILE *f, const json_t *doc, const json_t *m, const char *id);
void bench_html_pictures(FILE *f, const json_t *doc, const char *section, const char *title, const char *prefix,
                         BenchHtmlDraw draw);

/* What one bench report's page is: doc's schema, what the page is ("a trend report", for the
 * message when doc is not of it), html_head's kind and word, and what the page shows: top before
 * <main>, body inside it. */
typedef void (*BenchHtmlPart)(FILE *f, const json_t *doc);
typedef struct BenchHtmlPage {
        const char *schema, *what, *kind, *word;
        BenchHtmlPart top, body;
} BenchHtmlPage;
/* The page p of doc titled title, the document itself as its data; -EINVAL: doc is not of p's
 * schema; e says so. */
int bench_html_page(FILE *f, const json_t *doc, const BenchHtmlPage *p, const char *title, Error *e);

/* SPDX-License-Identifier: MIT */
/* The parts of the HTML report (render/load-html*.c, internal to render/). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"

/* One line of a chart: a value per x (NAN: no value, the line breaks). */
typedef struct ChartSeries {
        const char *name;
        const double *y;
} ChartSeries;

typedef enum ChartAxis {
        AXIS_TIME,     /* x in seconds of the run; the document's markers are drawn on it */
        AXIS_SPECTRUM, /* x = log10(1 / (1 - q)): p0 p90 p99 p99.9 ... */
        AXIS_RATE,     /* x = an offered rate, requests per second */
        AXIS_WALL,     /* x in seconds since the epoch, labelled in UTC; x0..x1 the range shown */
        AXIS_CLIENTS,  /* x = a number of clients (a pool size) */
} ChartAxis;

typedef struct Chart {
        const char *id, *title;
        const char *unit; /* of y: "us" (shown as us/ms/s), "/s", "%", "bytes", "" */
        ChartAxis axis;
        bool log_y;
        const double *x;
        size_t n;
        const ChartSeries *series;
        size_t n_series;
        const json_t *markers; /* {"t_s", "kind" (the label), "text"} (AXIS_TIME, AXIS_WALL), may be NULL */
        double x0, x1;         /* AXIS_WALL: the range drawn */
} Chart;

/* An inline SVG chart in a <figure>: at most one point per series and pixel column (its minimum and
 * maximum), axes with units, a legend, the markers as labelled vertical lines. The <svg> carries its
 * scales (data-x0/x1/left/width, data-y0/y1/top/height/log) for scripts that read or extend it. */
void svg_chart(FILE *f, const Chart *c);
/* A value of y's unit for axis labels and tables. */
void chart_fmt(char *buf, size_t size, const char *unit, double v);

/* Table cells (load-html-cells.c): a JSON value (strings escaped, null and absent as "-"), a text,
 * and a header row (HTML_TH(f, "name", ...)). */
void html_td(FILE *f, const json_t *v);
void html_td_text(FILE *f, const char *s);
void html_th_row(FILE *f, const char *const *names, size_t n);
#define HTML_TH(f, ...)                                          \
        do {                                                     \
                static const char *const h_[] = { __VA_ARGS__ }; \
                html_th_row(f, h_, sizeof(h_) / sizeof(h_[0]));  \
        } while (0)

/* The tables (load-html-tables.c): each writes one <section> or part of it. */
void html_thresholds(FILE *f, const json_t *doc);
void html_summaries(FILE *f, const json_t *doc);
void html_errors_table(FILE *f, const json_t *doc);
void html_markers(FILE *f, const json_t *doc);
void html_findings(FILE *f, const json_t *doc);
void html_config(FILE *f, const json_t *doc);

/* The per-interval series of the total (load-html-data.c), column by column. */
typedef struct LoadSeries {
        size_t n;
        double *t, *planned, *attempted, *sent, *completed, *ok, *pct[5]; /* pct: p50 p90 p99 p99.9 max */
        char **error_names;
        double **errors; /* per second, one array per error class */
        size_t n_errors;
} LoadSeries;
#define LOAD_SERIES_MAX_ERRORS 12
extern const char *const load_pct_names[5];
/* Call load_series_done() after either outcome. */
int load_series_build(const json_t *doc, LoadSeries *s);
void load_series_done(LoadSeries *s);
/* The page up to <body>: the CSP with the hashes of the one style and script, the title (kind, then
 * title escaped, then word), the style. -ENOMEM. */
int html_head(FILE *f, const char *kind, const char *title, const char *word);
/* After the embedded data (its writer's result data_r): the page's script and end, and the check
 * that all of it was written: 0, data_r, or -EIO. */
int html_page_end(FILE *f, int data_r, Error *e);
/* data as JSON safe inside a <script> element (no <, > or & but escaped); -ENOMEM. */
int html_put_json(FILE *f, const json_t *data);
/* The verdict's reason, what aborted the run and its exit code, as <p id="reason">. */
void html_verdict_reason(FILE *f, const json_t *doc);
/* The document without what the page does not need (the intervals, every "hdr" but the total's),
 * plus the series as columns, as JSON safe inside a <script> element. */
int html_embedded_data(FILE *f, const json_t *doc, const LoadSeries *s);
/* JSON text written safe inside a <script> element. */
void html_script_json(FILE *f, const char *text);
/* The stress section (load-html-stress.c): nothing when the document has no "stress". */
void html_stress(FILE *f, const json_t *doc, const LoadSeries *s);

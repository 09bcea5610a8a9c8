/* SPDX-License-Identifier: MIT */
/* The full profile for people: a header, the findings (most severe first), then each resource's facts
 * and a table of its metrics (value, and for sampled metrics min, p95 and max, each with its unit),
 * then what was unavailable and why. Lines fit the terminal's width: long text wraps, and a metric
 * name too long for its column gets a line of its own. */
#include "render-profile.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

/* Four value columns ("value min p95 max") of this width, each a number and its unit. */
#define VALUE_COL 11

static void fmt_num(char *buf, size_t n, double v) {
        double a = fabs(v);
        if (a != 0 && (a >= 1e9 || a < 0.01))
                snprintf(buf, n, "%.3g", v);
        else if (a >= 100 || v == floor(v))
                snprintf(buf, n, "%.0f", v);
        else {
                /* Two decimals at most: 99.5, not 99.50. */
                int k = snprintf(buf, n, "%.2f", v);
                while (k > 0 && (size_t) k < n && buf[k - 1] == '0')
                        buf[--k] = '\0';
                if (k > 0 && (size_t) k < n && buf[k - 1] == '.')
                        buf[--k] = '\0';
        }
}

/* Bytes and bytes/s in binary units, scaled once per metric from its largest figure so that value,
 * min, p95 and max read alike. */
double profile_byte_scale(const char *unit, double largest, char *label, size_t n) {
        static const char *const prefix[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi" };
        const char *rest = unit && startswith(unit, "bytes") ? unit + strlen("bytes") : NULL;
        if (!rest || (*rest && strcmp(rest, "/s") != 0)) {
                snprintf(label, n, "%s", unit ? unit : "");
                return 1;
        }
        size_t k = 0;
        double scale = 1;
        while (k + 1 < ELEMENTSOF(prefix) && fabs(largest) >= scale * 1024)
                scale *= 1024, k++;
        snprintf(label, n, "%sB%s", prefix[k], rest);
        return scale;
}

void profile_fmt_scaled(char *buf, size_t n, double v, const char *unit, double scale, const char *label) {
        char num[32];
        fmt_num(num, sizeof(num), v / scale);
        unit = unit ? unit : "";
        if (startswith(unit, "bytes"))
                snprintf(buf, n, "%s %s", num, label);
        else if (strcmp(unit, "percent") == 0)
                snprintf(buf, n, "%s %%", num);
        else if (strcmp(unit, "1/s") == 0)
                snprintf(buf, n, "%s/s", num);
        else if (strcmp(unit, "pages/s") == 0)  /* short enough for a value column */
                snprintf(buf, n, "%s pg/s", num);
        else if (!*unit || strcmp(unit, "count") == 0 || strcmp(unit, "tasks") == 0 || strcmp(unit, "cpus") == 0)
                snprintf(buf, n, "%s", num);
        else
                snprintf(buf, n, "%s %s", num, unit);
}

void profile_fmt_value(char *buf, size_t n, double v, const char *unit) {
        char label[16];
        double scale = profile_byte_scale(unit, v, label, sizeof(label));
        profile_fmt_scaled(buf, n, v, unit, scale, label);
}

void profile_print_header(FILE *f, const json_t *doc, const Style *s, unsigned width) {
        const json_t *host = json_object_get(doc, "host"), *win = json_object_get(doc, "window");
        const char *hostname = json_string_value(json_object_get(host, "hostname"));
        const char *kernel = json_string_value(json_object_get(host, "kernel"));
        const char *root = json_string_value(json_object_get(doc, "sysroot"));
        json_int_t cpus = json_integer_value(json_object_get(host, "cpus"));
        double mem = json_number_value(json_object_get(host, "memory_bytes"));
        char line[1024];
        int n = snprintf(line, sizeof(line), "of %s", hostname ? hostname : "this host");
        if (kernel)
                n += snprintf(line + n, sizeof(line) - n, ", kernel %s", kernel);
        if (cpus)
                n += snprintf(line + n, sizeof(line) - n, ", %lld CPUs", (long long) cpus);
        if (mem > 0)
                n += snprintf(line + n, sizeof(line) - n, ", %.1f GiB memory", mem / (1024.0 * 1024 * 1024));
        if (root && strcmp(root, "/") != 0)
                snprintf(line + n, sizeof(line) - n, " (sysroot %s)", root);
        fprintf(f, "%sskytune profile%s ", s->bold, s->reset);
        render_wrap(f, strlen("skytune profile "), 2, width, line);
        n = snprintf(line, sizeof(line), "window %.3g s", json_number_value(json_object_get(win, "duration_s")));
        if (json_is_true(json_object_get(win, "interrupted")))
                n += snprintf(line + n, sizeof(line) - n, " (interrupted, %.3g s asked)",
                              json_number_value(json_object_get(win, "requested_duration_s")));
        snprintf(line + n, sizeof(line) - n, ", %lld sample(s), %lld metrics",
                 (long long) json_integer_value(json_object_get(win, "samples")),
                 (long long) json_integer_value(json_object_get(doc, "metric_count")));
        render_wrap(f, 0, 2, width, line);
        fputc('\n', f);
}

void profile_print_findings(FILE *f, const json_t *doc, const Style *s, unsigned width) {
        const json_t *findings = json_object_get(doc, "findings");
        size_t n = json_array_size(findings);
        if (n == 0) {
                fprintf(f, "%sFindings:%s ", s->bold, s->reset);
                render_wrap(f, strlen("Findings: "), 2, width, "none. Nothing was saturated or erroring in this window.");
                fputc('\n', f);
                return;
        }
        fprintf(f, "%sFindings%s (%zu%s):\n", s->bold, s->reset, n, width >= 60 ? ", errors and saturation first" : "");
        size_t i;
        json_t *x;
        json_array_foreach(findings, i, x) {
                const char *sev = json_string_value(json_object_get(x, "severity"));
                const char *col = sev && strcmp(sev, "critical") == 0 ? s->red : sev && strcmp(sev, "warning") == 0 ? s->yellow : "";
                char v[32], t[32], line[512];
                fmt_num(v, sizeof(v), json_number_value(json_object_get(x, "value")));
                fmt_num(t, sizeof(t), json_number_value(json_object_get(x, "threshold")));
                fprintf(f, "  %2zu. %s%-8s%s %-11s ", i + 1, col, strempty(sev), s->reset,
                        strempty(json_string_value(json_object_get(x, "kind"))));
                render_wrap(f, 27, 6, width, strempty(json_string_value(json_object_get(x, "message"))));
                snprintf(line, sizeof(line), "%s = %s (threshold %s)",
                         strempty(json_string_value(json_object_get(x, "metric"))), v, t);
                fprintf(f, "      %s", s->dim);
                render_wrap(f, 6, 8, width, line);
                fprintf(f, "%s", s->reset);
        }
        fputc('\n', f);
}

static bool is_metric(const json_t *o) {
        return json_is_object(o) && json_object_get(o, "value") && json_object_get(o, "unit");
}

/* The value columns shown: all four from 66 columns; narrower, min goes first, then p95, then max. */
static const char *const stat_cols[4][4] = {
        { "value" }, { "value", "max" }, { "value", "p95", "max" }, { "value", "min", "p95", "max" },
};

static size_t n_stat_cols(unsigned width) {
        size_t k = width > 2 + 16 ? (width - 2 - 16) / (VALUE_COL + 1) : 1;
        return MAX(MIN(k, (size_t) 4), (size_t) 1);
}

/* The metric table's name column: what the value columns leave of the width, at least 16. */
static unsigned name_width(unsigned width) {
        unsigned cols = (unsigned) n_stat_cols(width) * (VALUE_COL + 1);
        return width > 2 + cols + 16 ? width - 2 - cols : 16;
}

static void print_metric(FILE *f, const char *path, const json_t *m, const Style *s, unsigned width) {
        const char *const *stat = stat_cols[n_stat_cols(width) - 1];
        const char *unit = json_string_value(json_object_get(m, "unit"));
        double value = json_number_value(json_object_get(m, "value")), max = json_number_value(json_object_get(m, "max"));
        char label[16];
        double scale = profile_byte_scale(unit, MAX(fabs(value), fabs(max)), label, sizeof(label));
        unsigned nw = name_width(width);
        if (strlen(path) > nw)
                fprintf(f, "  %s\n%*s", path, (int) nw + 2, "");
        else
                fprintf(f, "  %-*s", (int) nw, path);
        size_t n = json_object_get(m, "max") ? n_stat_cols(width) : 1;
        for (size_t i = 0; i < n; i++) {
                char v[48];
                profile_fmt_scaled(v, sizeof(v), json_number_value(json_object_get(m, stat[i])), unit, scale, label);
                fprintf(f, " %s%*s%s", i ? s->dim : "", VALUE_COL, v, i ? s->reset : "");
        }
        fputc('\n', f);
}

/* A fact: its text (or number, bytes in binary units) after the name, wrapped. */
static void print_fact(FILE *f, const char *path, const char *key, const json_t *v, unsigned width) {
        char text[64];
        const char *t = text;
        if (json_is_string(v))
                t = json_string_value(v);
        else if (json_is_boolean(v))
                t = json_is_true(v) ? "yes" : "no";
        else if (json_is_null(v))
                t = "unknown";
        else
                profile_fmt_value(text, sizeof(text), json_number_value(v), endswith(key, "_bytes") ? "bytes" : "");
        unsigned nw = name_width(width);
        fprintf(f, "  %-*s ", (int) nw, path);
        render_wrap(f, MAX(nw, (unsigned) strlen(path)) + 3, nw + 3 < width / 2 ? nw + 3 : 4, width, t);
}

/* An array of objects (top_processes): one line per element, its members as "name value". */
static void print_array(FILE *f, const char *path, const json_t *a, unsigned width) {
        size_t i;
        json_t *e;
        fprintf(f, "  %s:\n", path);
        json_array_foreach(a, i, e) {
                char line[512] = "";
                size_t n = 0;
                const char *k;
                json_t *v;
                if (json_is_string(e))
                        snprintf(line, sizeof(line), "%s", json_string_value(e));
                json_object_foreach(e, k, v) {
                        if (n >= sizeof(line) - 1)
                                break;
                        char num[32] = "";
                        if (!json_is_string(v))
                                fmt_num(num, sizeof(num), json_number_value(v));
                        n += snprintf(line + n, sizeof(line) - n, "%s%s %s", n ? ", " : "", k,
                                      json_is_string(v) ? json_string_value(v) : json_is_null(v) ? "unknown" : num);
                }
                fprintf(f, "    ");
                render_wrap(f, 4, 6, width, line);
        }
}

static void print_node(FILE *f, const char *prefix, const json_t *o, const Style *s, unsigned width) {
        const char *key;
        json_t *v;
        char buf[256];
        /* Facts first, then metrics, then nested objects. */
        json_object_foreach((json_t *) o, key, v) {
                snprintf(buf, sizeof(buf), "%s%s", prefix, key);
                if (json_is_array(v))
                        print_array(f, buf, v, width);
                else if (!json_is_object(v))
                        print_fact(f, buf, key, v, width);
        }
        json_object_foreach((json_t *) o, key, v) {
                snprintf(buf, sizeof(buf), "%s%s", prefix, key);
                if (is_metric(v))
                        print_metric(f, buf, v, s, width);
        }
        json_object_foreach((json_t *) o, key, v) {
                if (!json_is_object(v) || is_metric(v) || strcmp(key, "unavailable") == 0)
                        continue;
                snprintf(buf, sizeof(buf), "%s%s.", prefix, key);
                print_node(f, buf, v, s, width);
        }
}

static void unavailable_line(FILE *f, bool *any, const Style *s, unsigned width, const char *what, const char *why) {
        if (!*any)
                fprintf(f, "%sUnavailable%s (reported, not an error):\n", s->bold, s->reset);
        *any = true;
        char line[1024];
        snprintf(line, sizeof(line), "%s: %s", what, strempty(why));
        fputs("  ", f);
        render_wrap(f, 2, 4, width, line);
}

static void print_unavailable(FILE *f, const json_t *doc, const Style *s, unsigned width) {
        const json_t *res = json_object_get(doc, "resources");
        const char *name, *k;
        json_t *r, *why, *e;
        char what[256];
        bool any = false;
        json_object_foreach((json_t *) res, name, r)
                json_object_foreach(json_object_get(r, "unavailable"), k, why) {
                        snprintf(what, sizeof(what), "%s.%s", name, k);
                        unavailable_line(f, &any, s, width, what, json_string_value(why));
                }
        size_t i;
        json_array_foreach(json_object_get(json_object_get(doc, "tunables"), "unavailable"), i, e) {
                const char *key = json_string_value(json_object_get(e, "key"));
                snprintf(what, sizeof(what), "tunable %s%s%s", strempty(json_string_value(json_object_get(e, "kind"))),
                         key ? " " : "", strempty(key));
                unavailable_line(f, &any, s, width, what, json_string_value(json_object_get(e, "reason")));
        }
        if (any)
                fputc('\n', f);
}

/* Count of the current tunable values recorded. */
static size_t tunable_count(const json_t *doc) {
        size_t count = 0;
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(doc, "tunables"), k, v)
                if (strcmp(k, "unavailable") != 0)
                        count += json_object_size(v);
        return count;
}

int render_profile_full(FILE *f, const json_t *doc, const RenderView *view) {
        Style s = render_style(view->color);
        unsigned w = render_width(view);
        profile_print_header(f, doc, &s, w);
        profile_print_findings(f, doc, &s, w);
        const char *name;
        json_t *r;
        /* The columns once; each resource's name stays alone on its line. */
        fprintf(f, "%s%-*s", s.dim, (int) name_width(w) + 2, "Metrics");
        for (size_t i = 0; i < n_stat_cols(w); i++)
                fprintf(f, " %*s", VALUE_COL, stat_cols[n_stat_cols(w) - 1][i]);
        fprintf(f, "%s\n\n", s.reset);
        json_object_foreach(json_object_get(doc, "resources"), name, r) {
                fprintf(f, "%s%s%s\n", s.bold, name, s.reset);
                print_node(f, "", r, &s, w);
                fputc('\n', f);
        }
        print_unavailable(f, doc, &s, w);
        char line[256];
        snprintf(line, sizeof(line), "%zu current tunable values recorded (skytune profile --json shows them; "
                 "skytune apply --dry-run uses them)", tunable_count(doc));
        render_wrap(f, 0, 2, w, line);
        return ferror(f) ? -EIO : 0;
}

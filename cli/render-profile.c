/* SPDX-License-Identifier: MIT */
/* The profile for people: a header, the findings (most severe first), then each resource's metrics
 * and facts, then what was unavailable and why. Everything comes from the JSON document, so the two
 * outputs cannot disagree. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "macro.h"

typedef struct Style {
        const char *bold, *red, *yellow, *dim, *reset;
} Style;

static Style style(bool color) {
        if (!color)
                return (Style) { "", "", "", "", "" };
        return (Style) { "\033[1m", "\033[31m", "\033[33m", "\033[2m", "\033[0m" };
}

static void fmt_num(char *buf, size_t n, double v) {
        double a = fabs(v);
        if (a != 0 && (a >= 1e9 || a < 0.01))
                snprintf(buf, n, "%.3g", v);
        else if (a >= 100 || v == floor(v))
                snprintf(buf, n, "%.0f", v);
        else
                snprintf(buf, n, "%.2f", v);
}

/* Bytes and bytes/s in binary units, scaled once per metric from its largest figure so that value,
 * min, p95 and max read alike. */
static double byte_scale(const char *unit, double largest, char *label, size_t n) {
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
        snprintf(label, n, "%s%s", k ? prefix[k] : "", k ? (*rest ? "B/s" : "B") : unit);
        return scale;
}

static void print_header(FILE *f, const json_t *doc, const Style *s) {
        const json_t *host = json_object_get(doc, "host"), *win = json_object_get(doc, "window");
        const char *hostname = json_string_value(json_object_get(host, "hostname"));
        const char *kernel = json_string_value(json_object_get(host, "kernel"));
        json_int_t cpus = json_integer_value(json_object_get(host, "cpus"));
        double mem = json_number_value(json_object_get(host, "memory_bytes"));
        fprintf(f, "%sskytune profile%s of %s", s->bold, s->reset, hostname ? hostname : "this host");
        if (kernel)
                fprintf(f, ", kernel %s", kernel);
        if (cpus)
                fprintf(f, ", %lld CPUs", (long long) cpus);
        if (mem > 0)
                fprintf(f, ", %.1f GiB memory", mem / (1024.0 * 1024 * 1024));
        const char *root = json_string_value(json_object_get(doc, "sysroot"));
        if (root && strcmp(root, "/") != 0)
                fprintf(f, " (sysroot %s)", root);
        fprintf(f, "\nwindow %.3g s", json_number_value(json_object_get(win, "duration_s")));
        if (json_is_true(json_object_get(win, "interrupted")))
                fprintf(f, " (%sinterrupted%s, %.3g s asked)", s->bold, s->reset,
                        json_number_value(json_object_get(win, "requested_duration_s")));
        fprintf(f, ", %lld sample(s), %lld metrics\n\n", (long long) json_integer_value(json_object_get(win, "samples")),
                (long long) json_integer_value(json_object_get(doc, "metric_count")));
}

static void print_findings(FILE *f, const json_t *doc, const Style *s) {
        const json_t *findings = json_object_get(doc, "findings");
        size_t n = json_array_size(findings);
        if (n == 0) {
                fprintf(f, "%sFindings:%s none. Nothing was saturated or erroring in this window.\n\n", s->bold, s->reset);
                return;
        }
        fprintf(f, "%sFindings%s (%zu, errors and saturation first):\n", s->bold, s->reset, n);
        size_t i;
        json_t *x;
        json_array_foreach(findings, i, x) {
                const char *sev = json_string_value(json_object_get(x, "severity"));
                const char *col = sev && strcmp(sev, "critical") == 0 ? s->red : sev && strcmp(sev, "warning") == 0 ? s->yellow : "";
                char v[32], t[32];
                fmt_num(v, sizeof(v), json_number_value(json_object_get(x, "value")));
                fmt_num(t, sizeof(t), json_number_value(json_object_get(x, "threshold")));
                fprintf(f, "  %2zu. %s%-8s%s %-11s %s\n      %s%s = %s (threshold %s)%s\n", i + 1, col, strempty(sev), s->reset,
                        json_string_value(json_object_get(x, "kind")), json_string_value(json_object_get(x, "message")),
                        s->dim, json_string_value(json_object_get(x, "metric")), v, t, s->reset);
        }
        fputc('\n', f);
}

static bool is_metric(const json_t *o) {
        return json_is_object(o) && json_object_get(o, "value") && json_object_get(o, "unit");
}

static void print_metric(FILE *f, const char *path, const json_t *m, const Style *s) {
        char v[32], unit[16];
        double value = json_number_value(json_object_get(m, "value")), max = json_number_value(json_object_get(m, "max"));
        double scale = byte_scale(json_string_value(json_object_get(m, "unit")), MAX(fabs(value), fabs(max)), unit,
                                  sizeof(unit));
        fmt_num(v, sizeof(v), value / scale);
        fprintf(f, "  %-44s %12s %-8s", path, v, unit);
        if (json_object_get(m, "max")) {
                char mn[32], mx[32], p95[32];
                fmt_num(mn, sizeof(mn), json_number_value(json_object_get(m, "min")) / scale);
                fmt_num(p95, sizeof(p95), json_number_value(json_object_get(m, "p95")) / scale);
                fmt_num(mx, sizeof(mx), max / scale);
                fprintf(f, " %smin %s  p95 %s  max %s%s", s->dim, mn, p95, mx, s->reset);
        }
        fputc('\n', f);
}

static void print_node(FILE *f, const char *prefix, const json_t *o, const Style *s) {
        const char *key;
        json_t *v;
        /* Scalars (facts) first, then metrics, then nested objects. */
        json_object_foreach((json_t *) o, key, v) {
                if (json_is_object(v) || json_is_array(v))
                        continue;
                char buf[256];
                snprintf(buf, sizeof(buf), "%s%s", prefix, key);
                if (json_is_string(v))
                        fprintf(f, "  %-44s %s\n", buf, json_string_value(v));
                else if (json_is_boolean(v))
                        fprintf(f, "  %-44s %s\n", buf, json_is_true(v) ? "yes" : "no");
                else if (json_is_null(v))
                        fprintf(f, "  %-44s unknown\n", buf);
                else {
                        /* A fact named *_bytes is a size: binary units, as the metrics. */
                        char n[32], unit[16];
                        double x = json_number_value(v);
                        double scale = byte_scale(endswith(key, "_bytes") ? "bytes" : NULL, x, unit, sizeof(unit));
                        fmt_num(n, sizeof(n), x / scale);
                        fprintf(f, "  %-44s %s%s%s\n", buf, n, *unit ? " " : "", unit);
                }
        }
        json_object_foreach((json_t *) o, key, v) {
                char buf[256];
                snprintf(buf, sizeof(buf), "%s%s", prefix, key);
                if (is_metric(v))
                        print_metric(f, buf, v, s);
        }
        json_object_foreach((json_t *) o, key, v) {
                if (!json_is_object(v) || is_metric(v) || strcmp(key, "unavailable") == 0)
                        continue;
                char buf[256];
                snprintf(buf, sizeof(buf), "%s%s.", prefix, key);
                print_node(f, buf, v, s);
        }
}

static void print_unavailable(FILE *f, const json_t *doc, const Style *s) {
        const json_t *res = json_object_get(doc, "resources");
        const char *name;
        json_t *r;
        bool any = false;
        json_object_foreach((json_t *) res, name, r) {
                const json_t *u = json_object_get(r, "unavailable");
                const char *k;
                json_t *why;
                json_object_foreach((json_t *) u, k, why) {
                        if (!any)
                                fprintf(f, "%sUnavailable%s (reported, not an error):\n", s->bold, s->reset);
                        any = true;
                        fprintf(f, "  %s.%s: %s\n", name, k, json_string_value(why));
                }
        }
        const json_t *tu = json_object_get(json_object_get(doc, "tunables"), "unavailable");
        size_t i;
        json_t *e;
        json_array_foreach(tu, i, e) {
                if (!any)
                        fprintf(f, "%sUnavailable%s (reported, not an error):\n", s->bold, s->reset);
                any = true;
                const char *key = json_string_value(json_object_get(e, "key"));
                fprintf(f, "  tunable %s%s%s: %s\n", json_string_value(json_object_get(e, "kind")), key ? " " : "",
                        key ? key : "", json_string_value(json_object_get(e, "reason")));
        }
        if (any)
                fputc('\n', f);
}

int render_profile(FILE *f, const json_t *doc, bool color) {
        Style s = style(color);
        print_header(f, doc, &s);
        print_findings(f, doc, &s);
        const json_t *res = json_object_get(doc, "resources");
        const char *name;
        json_t *r;
        json_object_foreach((json_t *) res, name, r) {
                fprintf(f, "%s%s%s\n", s.bold, name, s.reset);
                print_node(f, "", r, &s);
                fputc('\n', f);
        }
        print_unavailable(f, doc, &s);
        const json_t *tun = json_object_get(doc, "tunables");
        size_t count = 0;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) tun, k, v)
                if (strcmp(k, "unavailable") != 0)
                        count += json_object_size(v);
        fprintf(f, "%zu current tunable values recorded (skytune profile --json shows them; skytune apply --dry-run uses them)\n",
                count);
        return ferror(f) ? -EIO : 0;
}

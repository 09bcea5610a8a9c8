/* SPDX-License-Identifier: MIT */
/* skytune.diff/1 for people: one line per changed metric with units (a long name on a line of its
 * own), the tunables and facts that differ, the findings that appeared or went away, wrapped to 80
 * columns. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "render-profile.h"

#define WIDTH 80
#define NAME_W 33

static const char *unit_suffix(const char *u, bool *ret_bytes, bool *ret_scaled) {
        static const struct {
                const char *unit, *suffix;
                bool bytes, scaled;
        } table[] = {
                { "bytes", "B", true, true },      { "bytes/s", "B/s", true, true }, { "percent", " %", false, false },
                { "1/s", "/s", false, true },      { "pages/s", " pg/s", false, true }, { "ms", " ms", false, false },
                { "count", "", false, true },      { "tasks", "", false, true },      { "cpus", "", false, true },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (strcmp(u, table[i].unit) == 0) {
                        *ret_bytes = table[i].bytes;
                        *ret_scaled = table[i].scaled;
                        return table[i].suffix;
                }
        *ret_bytes = false;
        *ret_scaled = true;
        return NULL;    /* another unit: printed after a space */
}

/* A number with its unit, scaled (KiB.. for bytes, k/M/G for counts and rates), for a column of 10. */
static void fmt_value(char *buf, size_t size, double v, const char *unit, bool sign) {
        static const char *const bin[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi" }, *const dec[] = { "", "k", "M", "G", "T", "P" };
        bool bytes, scaled;
        const char *suffix = unit_suffix(unit ? unit : "count", &bytes, &scaled);
        double a = fabs(v), base = bytes ? 1024 : 1000;
        size_t k = 0;
        while (scaled && k + 1 < ELEMENTSOF(bin) && a >= base)
                a /= base, k++;
        snprintf(buf, size, "%s%.4g%s%s%s%.5s", v < 0 ? "-" : sign ? "+" : "", a, bytes || !suffix ? " " : "",
                 bytes ? bin[k] : dec[k], suffix ? suffix : "", suffix ? "" : unit ? unit : "");
}

/* Text from column indent, wrapped at WIDTH on spaces (a word longer than the line is cut). */
static void print_wrapped(FILE *f, const char *first, size_t indent, const char *text) {
        size_t col = fprintf(f, "%s", first);
        while (*text) {
                size_t room = WIDTH - col, n = strlen(text);
                if (n <= room) {
                        fprintf(f, "%s", text);
                        break;
                }
                size_t cut = room;
                while (cut > 0 && text[cut] != ' ')
                        cut--;
                if (cut == 0)
                        cut = room;
                fprintf(f, "%.*s\n%*s", (int) cut, text, (int) indent, "");
                text += cut;
                while (*text == ' ')
                        text++;
                col = indent;
        }
        fputc('\n', f);
}

static const char *text_or(const json_t *v, const char *dflt) {
        return json_is_string(v) ? json_string_value(v) : dflt;
}

static void print_metric(FILE *f, const json_t *m) {
        const char *path = text_or(json_object_get(m, "path"), "?"), *unit = json_string_value(json_object_get(m, "unit"));
        const char *sp = json_string_value(json_object_get(m, "spread"));
        char a[24] = "-", b[24] = "-", c[24] = "";
        const json_t *va = json_object_get(m, "a"), *vb = json_object_get(m, "b"), *vc = json_object_get(m, "change");
        if (json_is_number(va))
                fmt_value(a, sizeof(a), json_number_value(va), unit, false);
        if (json_is_number(vb))
                fmt_value(b, sizeof(b), json_number_value(vb), unit, false);
        if (json_is_number(vc))
                fmt_value(c, sizeof(c), json_number_value(vc), unit, true);
        else
                snprintf(c, sizeof(c), "%s", json_is_number(va) && json_is_number(vb) ? "?" : json_is_number(va) ? "gone" : "new");
        if (strlen(path) > NAME_W) {
                fprintf(f, "  %.*s\n", WIDTH - 2, path);
                path = "";
        }
        fprintf(f, "  %-*s %10s %10s %12s%s%s\n", NAME_W, path, a, b, json_is_true(json_object_get(m, "changed")) ? c : "",
                sp ? "  " : "", sp ? sp : "");
}

/* "name  a -> b" lines, wrapped when long. */
static void print_pairs(FILE *f, const char *title, const json_t *list) {
        size_t i, n = json_array_size(list);
        json_t *x;
        if (n == 0)
                return;
        fprintf(f, "\n%s (%zu differ):\n", title, n);
        json_array_foreach(list, i, x) {
                char first[WIDTH + 8];
                snprintf(first, sizeof(first), "  %-*s ", NAME_W, text_or(json_object_get(x, "name"), "?"));
                char line[1024];
                snprintf(line, sizeof(line), "%s -> %s", text_or(json_object_get(x, "a"), "(absent)"),
                         text_or(json_object_get(x, "b"), "(absent)"));
                print_wrapped(f, strlen(first) > WIDTH / 2 ? "  " : first, strlen(first) > WIDTH / 2 ? 4 : NAME_W + 3,
                              strlen(first) > WIDTH / 2 ? text_or(json_object_get(x, "name"), "?") : line);
                if (strlen(first) > WIDTH / 2)
                        print_wrapped(f, "    ", 4, line);
        }
}

static void print_findings(FILE *f, const json_t *findings) {
        const json_t *app = json_object_get(findings, "appeared"), *gone = json_object_get(findings, "gone"),
                     *sev = json_object_get(findings, "changed");
        if (json_array_size(app) + json_array_size(gone) + json_array_size(sev) == 0)
                return;
        fprintf(f, "\nFindings: %zu appeared (+), %zu went away (-)", json_array_size(app), json_array_size(gone));
        if (json_array_size(sev) > 0)
                fprintf(f, ", %zu changed severity (~)", json_array_size(sev));
        fputs(":\n", f);
        size_t i;
        json_t *x;
        json_array_foreach(app, i, x)
                print_wrapped(f, "  + ", 4, text_or(json_object_get(x, "text"), "?"));
        json_array_foreach(gone, i, x)
                print_wrapped(f, "  - ", 4, text_or(json_object_get(x, "text"), "?"));
        json_array_foreach(sev, i, x) {
                const char *was = text_or(json_object_get(x, "a"), "?");
                char line[1024];
                snprintf(line, sizeof(line), "%s (was %.*s)", text_or(json_object_get(x, "b"), "?"),
                         (int) strcspn(was, ":"), was);
                print_wrapped(f, "  ~ ", 4, line);
        }
}

int render_diff(FILE *f, const json_t *d, const RenderView *v) {
        const json_t *a = json_object_get(d, "a"), *b = json_object_get(d, "b");
        fprintf(f, "A: %s %s (%s)\n", text_or(json_object_get(d, "kind"), "?"), text_or(json_object_get(a, "name"), "?"),
                text_or(json_object_get(a, "generated"), "no date"));
        fprintf(f, "B: %s %s (%s)\n", text_or(json_object_get(d, "kind"), "?"), text_or(json_object_get(b, "name"), "?"),
                text_or(json_object_get(b, "generated"), "no date"));
        const json_t *metrics = json_object_get(d, "metrics");
        long long compared = json_integer_value(json_object_get(d, "metrics_compared"));
        if (compared > 0) {
                fprintf(f, "\nMetrics: %lld of %lld changed, %lld beyond their spread (the min..max ranges of the\n"
                           "samples do not overlap):\n",
                        (long long) json_integer_value(json_object_get(d, "metrics_changed")), compared,
                        (long long) json_integer_value(json_object_get(d, "beyond_spread")));
                if (json_array_size(metrics) > 0)
                        fprintf(f, "  %-*s %10s %10s %12s  %s\n", NAME_W, "METRIC", "A", "B", "CHANGE", "SPREAD");
        }
        size_t i;
        json_t *m;
        json_array_foreach(metrics, i, m)
                print_metric(f, m);
        print_pairs(f, "Tunables", json_object_get(d, "tunables"));
        print_findings(f, json_object_get(d, "findings"));
        print_pairs(f, "Facts", json_object_get(d, "facts"));
        if (!json_is_true(json_object_get(d, "differ")))
                fprintf(f, "\nNo differences.\n");
        return render_status_of(f);
}

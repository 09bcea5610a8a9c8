/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "render-scenario.h"

static const char *str(const json_t *o, const char *key) {
        const char *s = json_string_value(json_object_get(o, key));
        return s ? s : "-";
}

static double num(const json_t *o, const char *key) {
        const json_t *v = json_object_get(o, key);
        return json_is_number(v) ? json_number_value(v) : NAN;
}

static void render_phase(FILE *f, const json_t *p, const char *unit) {
        const char *kind = str(p, "kind");
        const json_t *from = json_object_get(p, "from"), *until = json_object_get(p, "until");
        fprintf(f, "    %-5s %7.0fs  ", kind, num(p, "duration_s"));
        if (strcmp(kind, "ramp") == 0) {
                if (json_is_number(from))
                        fprintf(f, "%g to %g %s\n", json_number_value(from), num(p, "to"), unit);
                else
                        fprintf(f, "to %g %s\n", num(p, "to"), unit);
        } else if (strcmp(kind, "spike") == 0) {
                if (json_object_get(p, "factor"))
                        fprintf(f, "%gx the load before it, then back\n", num(p, "factor"));
                else
                        fprintf(f, "%g %s, then back\n", num(p, "value"), unit);
        } else if (strcmp(kind, "step") == 0) {
                fprintf(f, "%g %+g %s each, %g steps at most%s%s\n", num(p, "start"), num(p, "increment"), unit,
                        num(p, "max_steps"), json_is_string(until) ? ", while " : "",
                        json_is_string(until) ? json_string_value(until) : "");
        } else
                fprintf(f, "%g %s\n", num(p, "value"), unit);
}

static void render_list(FILE *f, const json_t *a, const char *indent) {
        size_t i;
        const json_t *v;
        json_array_foreach (a, i, v)
                fprintf(f, "%s%s\n", indent, json_is_string(v) ? json_string_value(v) : "-");
}

static void render_step(FILE *f, const json_t *st, size_t i) {
        bool open = strcmp(str(st, "model"), "open") == 0;
        const char *unit = open ? "req/s" : "users";
        fprintf(f, "%s%s (line %g): %s model, %s, at most %.0f s\n", i == 0 ? "" : "\n", str(st, "name"),
                num(st, "line"), !open ? "closed" : strcmp(str(st, "arrival"), "poisson") == 0 ? "open (Poisson)" : "open",
                i == 0 ? "first" : json_is_true(json_object_get(st, "parallel")) ? "beside the step before"
                                                                                 : "after the step before",
                num(st, "planned_s"));
        double think = num(st, "think_s");
        fprintf(f, "  url %s", str(st, "url"));
        if (think > 0)
                fprintf(f, ", think %g s", think);
        fprintf(f, "\n  phases:\n");
        size_t k;
        const json_t *v;
        json_array_foreach (json_object_get(st, "phases"), k, v)
                render_phase(f, v, unit);
        fprintf(f, "  endpoints:\n");
        json_array_foreach (json_object_get(st, "endpoints"), k, v) {
                fprintf(f, "    %-6s %-40s weight %g\n", str(v, "method"), str(v, "path"), num(v, "weight"));
                render_list(f, json_object_get(v, "headers"), "           ");
        }
        render_list(f, json_object_get(st, "thresholds"), "  threshold: ");
}

int render_scenario_check(FILE *f, const json_t *doc) {
        const json_t *steps = json_object_get(doc, "steps"), *th = json_object_get(doc, "thresholds");
        size_t n = json_array_size(steps);
        fprintf(f, "Scenario %s (%s): %zu step%s, results every %g s\n\n", str(doc, "name"), str(doc, "file"), n,
                n == 1 ? "" : "s", num(doc, "interval_s"));
        for (size_t i = 0; i < n; i++)
                render_step(f, json_array_get(steps, i), i);
        if (json_array_size(th))
                fprintf(f, "\nThresholds over every step:\n");
        render_list(f, th, "  ");
        return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}

/* SPDX-License-Identifier: MIT */
/* One run of a skytune.probe/1 document for people: rounds, contamination, each metric's median and
 * spread, and the status codes and error classes summed over the rounds. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "macro.h"
#include "render-probe.h"

static void sum_counts(json_t *into, const json_t *from) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) from, k, v) {
                json_int_t old = json_integer_value(json_object_get(into, k));
                json_object_set_new(into, k, json_integer(old + json_integer_value(v)));
        }
}

static void render_counts(FILE *f, const char *title, const json_t *o) {
        const char *k;
        json_t *v;
        bool any = false;
        json_object_foreach((json_t *) o, k, v)
                if (json_integer_value(v)) {
                        fprintf(f, "%s%s %lld", any ? ", " : title, k, (long long) json_integer_value(v));
                        any = true;
                }
        if (any)
                fputc('\n', f);
}

int render_probe_entry(FILE *f, const json_t *p, const char *target) {
        const char *url = target;
        fprintf(f, "%s%s%s: %lld round(s)", json_string_value(json_object_get(p, "name")), url ? " " : "", strempty(url),
                (long long) json_integer_value(json_object_get(p, "rounds")));
        json_int_t cont = json_integer_value(json_object_get(p, "contaminated_rounds"));
        json_int_t cb = json_integer_value(json_object_get(p, "client_bound_rounds"));
        if (cont)
                fprintf(f, ", %lld contaminated", (long long) cont);
        if (cb)
                fprintf(f, ", %lld client-bound", (long long) cb);
        if (json_is_true(json_object_get(p, "interrupted")))
                fputs(", interrupted", f);
        fputc('\n', f);
        const char *err = json_string_value(json_object_get(p, "error"));
        if (err)
                fprintf(f, "  error: %s\n", err);
        const char *name;
        json_t *m;
        json_object_foreach(json_object_get(p, "metrics"), name, m) {
                char b1[32], b2[32];
                double med = json_number_value(json_object_get(m, "median"));
                double mad = json_number_value(json_object_get(m, "mad"));
                if (json_is_null(json_object_get(m, "median")))
                        med = NAN;
                bool spread = med != 0 && !isnan(med);
                fprintf(f, "  %-24s %10s %-6s %s%s%s\n", name, render_probe_value(med, b1, sizeof(b1)),
                        json_string_value(json_object_get(m, "unit")), spread ? "+-" : "",
                        spread ? render_probe_value(100 * mad / fabs(med), b2, sizeof(b2)) : "", spread ? " %" : "");
        }
        /* http: status codes and error classes over all rounds. */
        json_t *status = json_object(), *errors = json_object();
        size_t i;
        json_t *ri;
        json_int_t not_sent = 0;
        json_array_foreach(json_object_get(p, "round_info"), i, ri) {
                json_t *d = json_object_get(ri, "detail");
                if (json_object_get(d, "status"))
                        sum_counts(status, json_object_get(d, "status"));
                if (json_object_get(d, "errors"))
                        sum_counts(errors, json_object_get(d, "errors"));
                not_sent += json_integer_value(json_object_get(d, "not_sent"));
        }
        render_counts(f, "  status: ", status);
        render_counts(f, "  errors: ", errors);
        if (not_sent > 0)
                fprintf(f, "  not sent: %lld requests fell due while every connection was busy: the server did "
                        "not keep up with the rate (raise --users to send them anyway)\n", (long long) not_sent);
        json_decref(status);
        json_decref(errors);
        return ferror(f) ? -EIO : 0;
}


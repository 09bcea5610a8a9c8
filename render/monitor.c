/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "render-monitor.h"

static const char *str(const json_t *o, const char *key) {
        const char *s = json_string_value(json_object_get(o, key));
        return s ? s : "-";
}

/* "2026-12-04T17:00:00.000000Z" to the second: "2026-12-04T17:00:00Z". */
static void put_time(FILE *f, const char *iso) {
        const char *dot = strchr(iso, '.');
        if (dot && strchr(dot, 'Z'))
                fprintf(f, "%.*sZ", (int) (dot - iso), iso);
        else
                fputs(iso, f);
}

static void put_value(FILE *f, const json_t *v, int scale) {
        if (json_is_integer(v))
                fprintf(f, " %14lld", (long long) json_integer_value(v));
        else if (json_is_number(v))
                fprintf(f, " %14.*f", scale, json_number_value(v));
        else
                fprintf(f, " %14s", "-");
}

int render_monitor_query(FILE *f, const json_t *doc) {
        const json_t *b = json_object_get(doc, "buckets"), *v;
        int scale = (int) json_integer_value(json_object_get(doc, "scale"));
        double step = json_number_value(json_object_get(doc, "step_s"));
        fprintf(f, "%s from ", str(doc, "metric"));
        put_time(f, str(doc, "from"));
        fprintf(f, " to ");
        put_time(f, str(doc, "to"));
        fprintf(f, ", %g s steps (%s)\n", step, str(doc, "store"));
        if (json_array_size(b) == 0) {
                fprintf(f, "no samples in this range\n");
                return ferror(f) ? -EIO : 0;
        }
        fprintf(f, "%-20s %14s %14s %14s %8s\n", "time (UTC)", "min", "avg", "max", "samples");
        size_t i;
        json_array_foreach(b, i, v) {
                put_time(f, str(v, "t"));
                put_value(f, json_object_get(v, "min"), scale);
                /* The mean has a digit more than the samples. */
                const json_t *avg = json_object_get(v, "avg");
                if (json_is_number(avg))
                        fprintf(f, " %14.*f", scale + 1, json_number_value(avg));
                else
                        fprintf(f, " %14s", "-");
                put_value(f, json_object_get(v, "max"), scale);
                fprintf(f, " %8lld\n", (long long) json_integer_value(json_object_get(v, "count")));
        }
        return ferror(f) ? -EIO : 0;
}

int render_monitor_series(FILE *f, const json_t *doc) {
        const json_t *s = json_object_get(doc, "series"), *v;
        fprintf(f, "%zu series in %s\n", json_array_size(s), str(doc, "store"));
        size_t i;
        json_array_foreach(s, i, v)
                fprintf(f, "  %-40s scale %lld\n", str(v, "name"),
                        (long long) json_integer_value(json_object_get(v, "scale")));
        return ferror(f) ? -EIO : 0;
}

int render_alerts(FILE *f, const json_t *doc) {
        const json_t *list = json_object_get(doc, "alerts"), *a;
        size_t i;
        fprintf(f, "%zu alert%s kept in %s\n", json_array_size(list), json_array_size(list) == 1 ? "" : "s",
                str(doc, "store"));
        json_array_foreach(list, i, a) {
                const json_t *v = json_object_get(a, "value");
                fprintf(f, "  %-24s %-9s %-5s since ", str(a, "name"), str(a, "state"), str(a, "level"));
                put_time(f, str(a, "since"));
                if (json_is_number(v))
                        fprintf(f, "  value %.6g", json_number_value(v));
                else
                        fprintf(f, "  no data");
                fprintf(f, "%s\n", json_is_true(json_object_get(a, "flapping")) ? "  (flapping)" : "");
        }
        return ferror(f) ? -EIO : 0;
}

int render_silences(FILE *f, const json_t *doc) {
        const json_t *list = json_object_get(doc, "silences"), *s;
        const char *now = str(doc, "now");
        size_t i;
        fprintf(f, "%zu silence%s in %s\n", json_array_size(list), json_array_size(list) == 1 ? "" : "s",
                str(doc, "dir"));
        json_array_foreach(list, i, s) {
                /* ISO 8601 in UTC sorts as text. */
                const char *state = strcmp(str(s, "ends"), now) <= 0 ? "ended"
                        : strcmp(str(s, "starts"), now) > 0          ? "to come"
                                                                     : "in force";
                fprintf(f, "  %s  %-8s until ", str(s, "id"), state);
                put_time(f, str(s, "ends"));
                const json_t *m;
                size_t k;
                json_array_foreach(json_object_get(s, "matchers"), k, m)
                        fprintf(f, "%s%s%s\"%s\"", k ? ", " : "  ", str(m, "label"), str(m, "op"), str(m, "value"));
                fputc('\n', f);
                if (json_is_string(json_object_get(s, "comment")) || json_is_string(json_object_get(s, "created_by")))
                        fprintf(f, "      %s (%s)\n", str(s, "comment"), str(s, "created_by"));
        }
        return ferror(f) ? -EIO : 0;
}

/* A number of a summary, or "-" (null: no sample). */
static void put_num(FILE *f, const json_t *o, const char *key, int width, int decimals) {
        const json_t *v = json_object_get(o, key);
        if (json_is_number(v))
                fprintf(f, " %*.*f", width, decimals, json_number_value(v));
        else
                fprintf(f, " %*s", width, "-");
}

int render_monitor_summary(FILE *f, const json_t *doc) {
        const json_t *host = json_object_get(doc, "host"), *eps = json_object_get(doc, "endpoints"), *r;
        fprintf(f, "summary of ");
        put_time(f, str(doc, "from"));
        fprintf(f, " to ");
        put_time(f, str(doc, "to"));
        fprintf(f, ", %lld s steps (%s)\n\n", (long long) json_integer_value(json_object_get(doc, "step_s")),
                str(doc, "store"));
        if (json_array_size(host) == 0)
                fprintf(f, "host: no samples in this window\n");
        else
                fprintf(f, "%-20s %16s %16s %16s %16s %8s\n", "host", "last", "avg", "min", "max", "samples");
        size_t i;
        json_array_foreach(host, i, r) {
                /* Bytes as whole numbers, the rest with two decimals. */
                int d = strstr(str(r, "series"), "_bytes") ? 0 : 2;
                fprintf(f, "%-20s", str(r, "label"));
                put_num(f, r, "last", 16, d);
                put_num(f, r, "avg", 16, d);
                put_num(f, r, "min", 16, d);
                put_num(f, r, "max", 16, d);
                fprintf(f, " %8lld\n", (long long) json_integer_value(json_object_get(r, "samples")));
        }
        fputc('\n', f);
        if (json_array_size(eps) == 0) {
                fprintf(f,
                        "application: no application metrics in this window (docs/monitor.md, Application "
                        "metrics)\n");
                return ferror(f) ? -EIO : 0;
        }
        fprintf(f, "%-28s %-7s %10s %9s %9s %9s %9s %9s %9s\n", "endpoint", "method", "requests", "req/s", "success%",
                "mean ms", "P50 ms+", "P95 ms*", "P99 ms*");
        json_array_foreach(eps, i, r) {
                fprintf(f, "%-28s %-7s %10lld", str(r, "endpoint"), str(r, "method"),
                        (long long) json_integer_value(json_object_get(r, "requests")));
                put_num(f, r, "requests_per_s", 9, 2);
                put_num(f, r, "success_pct", 9, 2);
                put_num(f, r, "mean_ms", 9, 2);
                put_num(f, r, "p50_ms_mean", 9, 2);
                put_num(f, r, "p95_ms_worst_s", 9, 2);
                put_num(f, r, "p99_ms_worst_s", 9, 2);
                fputc('\n', f);
        }
        const json_t *all = json_object_get(doc, "application");
        fprintf(f, "%-28s %-7s %10lld %9s", "all", "", (long long) json_integer_value(json_object_get(all, "requests")),
                "");
        put_num(f, all, "success_pct", 9, 2);
        put_num(f, all, "mean_ms", 9, 2);
        long long step = json_integer_value(json_object_get(doc, "step_s"));
        const char *unit = step >= 3600 ? "hour" : step > 1 ? "minute" : "second";
        fprintf(f,
                "\n+ the mean of each %s's P50, weighted by its requests\n"
                "* the worst %s's percentile in the window (the seconds' histograms are not kept)\n",
                unit, unit);
        if (json_is_string(json_object_get(doc, "note")))
                fprintf(f, "  %s\n", str(doc, "note"));
        return ferror(f) ? -EIO : 0;
}

int render_alert_history(FILE *f, const json_t *doc) {
        const json_t *list = json_object_get(doc, "events"), *e;
        fprintf(f, "%zu alert event%s since ", json_array_size(list), json_array_size(list) == 1 ? "" : "s");
        put_time(f, str(doc, "since"));
        fprintf(f, " in %s\n", str(doc, "store"));
        size_t i;
        json_array_foreach(list, i, e) {
                fputs("  ", f);
                put_time(f, str(e, "t"));
                fprintf(f, "  %-24s %-9s %-5s", str(e, "alert"), str(e, "event"), str(e, "level"));
                const json_t *v = json_object_get(e, "value");
                if (json_is_number(v))
                        fprintf(f, "  value %.6g\n", json_number_value(v));
                else
                        fprintf(f, "  no data\n");
        }
        return ferror(f) ? -EIO : 0;
}

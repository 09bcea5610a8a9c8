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

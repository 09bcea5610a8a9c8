/* SPDX-License-Identifier: MIT */
#include "load-format.h"

#include <math.h>
#include <string.h>

double jnum(const json_t *o, const char *k) {
        json_t *v = json_object_get(o, k);
        return json_is_number(v) ? json_number_value(v) : NAN;
}

char *load_fmt_us(char *buf, size_t size, const json_t *v) {
        if (!json_is_number(v)) {
                snprintf(buf, size, "-");
                return buf;
        }
        double us = json_number_value(v);
        if (fabs(us) < 1000)
                snprintf(buf, size, "%.0f us", us);
        else if (fabs(us) < 1e6)
                snprintf(buf, size, "%.1f ms", us / 1e3);
        else
                snprintf(buf, size, "%.2f s", us / 1e6);
        return buf;
}

char *load_fmt_metric(char *buf, size_t size, const char *metric, const json_t *v) {
        if (!json_is_number(v) || !metric)
                snprintf(buf, size, "-");
        else if (strcmp(metric, "error_rate") == 0 || strcmp(metric, "success_rate") == 0)
                snprintf(buf, size, "%.2f %%", json_number_value(v) * 100);
        else if (strstr(metric, "rps"))
                snprintf(buf, size, "%.1f/s", json_number_value(v));
        else
                return load_fmt_us(buf, size, v);
        return buf;
}

void markup_put(FILE *f, const char *s) {
        for (; s && *s; s++)
                switch (*s) {
                case '&': fputs("&amp;", f); break;
                case '<': fputs("&lt;", f); break;
                case '>': fputs("&gt;", f); break;
                case '"': fputs("&quot;", f); break;
                case '\'': fputs("&#39;", f); break;
                default: fputc(*s, f);
                }
}

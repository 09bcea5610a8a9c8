/* SPDX-License-Identifier: MIT */
/* The values of a scenario file (scenario-parse.h): strings, numbers in a range, durations with
 * units, booleans, threshold lists and URLs, each a file:line error that says what to write; read
 * by the scenario's top level (scenario-parse.c) and its steps (scenario-parse-step.c) alike. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "nearest.h"
#include "scenario-parse.h"
#include "time-util.h"

unsigned parse_line(const config_setting_t *s) {
        return s ? config_setting_source_line(s) : 0;
}

int parse_fail(Parse *p, const config_setting_t *s, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *msg = NULL;
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        int r = error_set_input(p->e, -EINVAL, p->file, parse_line(s), "%s", msg ? msg : "out of memory");
        free(msg);
        return r;
}

int parse_keys(Parse *p, const config_setting_t *group, const char *what, const char *const *allowed, size_t n) {
        for (int i = 0; i < config_setting_length(group); i++) {
                const config_setting_t *m = config_setting_get_elem(group, (unsigned) i);
                const char *name = config_setting_name(m);
                bool ok = false;
                for (size_t k = 0; k < n && !ok; k++)
                        ok = name && strcmp(name, allowed[k]) == 0;
                if (ok)
                        continue;
                const char *near = name ? nearest_name(name, allowed, n) : NULL;
                return parse_fail(p, m, "unknown key '%s' in %s%s%s%s", strempty(name), what,
                                  near ? ": did you mean '" : "", strempty(near), near ? "'?" : " (see docs/scenario.md)");
        }
        return 0;
}

int parse_string(Parse *p, const config_setting_t *g, const char *key, char **ret) {
        const config_setting_t *s = config_setting_get_member(g, key);
        if (!s)
                return 0;
        const char *v = config_setting_get_string(s);
        if (!v)
                return parse_fail(p, s, "'%s' must be a string in double quotes", key);
        free(*ret);
        *ret = strdup(v);
        return *ret ? 1 : error_set(p->e, -ENOMEM, "out of memory");
}

int parse_number(Parse *p, const config_setting_t *g, const char *key, double min, double max, double *ret) {
        const config_setting_t *s = config_setting_get_member(g, key);
        if (!s)
                return 0;
        int t = config_setting_type(s);
        if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64 && t != CONFIG_TYPE_FLOAT)
                return parse_fail(p, s, "'%s' must be a number (without quotes)", key);
        double v = t == CONFIG_TYPE_FLOAT ? config_setting_get_float(s) : (double) config_setting_get_int64(s);
        if (!(v >= min && v <= max))
                return parse_fail(p, s, "'%s' is %g: give a number from %g to %g", key, v, min, max);
        *ret = v;
        return 1;
}

int parse_duration(Parse *p, const config_setting_t *g, const char *key, double *ret) {
        const config_setting_t *s = config_setting_get_member(g, key);
        if (!s)
                return 0;
        const char *text = config_setting_get_string(s);
        double v = NAN;
        if (text) {
                char *end;
                double n = strtod(text, &end);
                double scale = end == text ? NAN : !strcmp(end, "h") ? 3600 : NAN;
                if (isnan(scale) && time_parse_seconds(text, &v) < 0)
                        v = NAN;
                else if (!isnan(scale))
                        v = n * scale;
        } else if (parse_number(p, g, key, 0, 7 * 86400, &v) < 0)
                return -EINVAL;
        if (!(v > 0) || v > 7 * 86400)
                return parse_fail(p, s, "'%s' is no duration: give seconds (30), or \"500ms\", \"30s\", \"5m\", \"2h\" "
                                  "(more than 0, at most a week)", key);
        *ret = v;
        return 1;
}

int parse_bool(Parse *p, const config_setting_t *g, const char *key, bool *ret) {
        const config_setting_t *s = config_setting_get_member(g, key);
        if (!s)
                return 0;
        if (config_setting_type(s) != CONFIG_TYPE_BOOL)
                return parse_fail(p, s, "'%s' must be true or false", key);
        *ret = config_setting_get_bool(s);
        return 1;
}

int parse_thresholds(Parse *p, const config_setting_t *g, const char *key, Threshold **ret, size_t *ret_n) {
        const config_setting_t *s = config_setting_get_member(g, key);
        if (!s)
                return 0;
        if (!config_setting_is_aggregate(s) || config_setting_is_group(s))
                return parse_fail(p, s, "'%s' must be a list of strings: [ \"p99 < 500ms\", \"error_rate < 1%%\" ]", key);
        int n = config_setting_length(s);
        if (n > SCENARIO_THRESHOLDS_MAX)
                return parse_fail(p, s, "%d thresholds: at most %d", n, SCENARIO_THRESHOLDS_MAX);
        *ret = calloc((size_t) MAX(n, 1), sizeof(Threshold));
        if (!*ret)
                return error_set(p->e, -ENOMEM, "out of memory");
        for (int i = 0; i < n; i++) {
                const config_setting_t *t = config_setting_get_elem(s, (unsigned) i);
                const char *text = config_setting_get_string(t);
                if (!text)
                        return parse_fail(p, t, "a threshold is a string: \"p99 < 500ms\"");
                int r = threshold_parse(text, p->file, parse_line(t), &(*ret)[i], p->e);
                if (r < 0)
                        return r;
                (*ret_n)++;
        }
        return 1;
}

int parse_url(Parse *p, const config_setting_t *s, const char *url) {
        if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
                return parse_fail(p, s, "url '%s': give http://HOST[:PORT][/PATH] or https://...", url);
        const char *host = url + (url[4] == 's' ? 8 : 7);
        if (!*host || *host == '/' || *host == ':' || strpbrk(url, " \t\r\n"))
                return parse_fail(p, s, "url '%s' names no host, or holds a space: give http://HOST[:PORT][/PATH]", url);
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* libconfig values for people (conf-read.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf-read.h"
#include "nearest.h"
#include "time-util.h"

unsigned conf_line(const config_setting_t *s) {
        return s ? config_setting_source_line(s) : 0;
}

int conf_fail(const ConfRead *c, const config_setting_t *s, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *msg = NULL;
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        int r = error_set_input(c->e, -EINVAL, c->file, conf_line(s), "%s", msg ? msg : "out of memory");
        free(msg);
        return r;
}

int conf_keys(const ConfRead *c, const config_setting_t *group, const char *what, const char *const *allowed,
              size_t n) {
        for (int i = 0; i < config_setting_length(group); i++) {
                const config_setting_t *m = config_setting_get_elem(group, (unsigned) i);
                const char *name = config_setting_name(m);
                bool ok = false;
                for (size_t k = 0; k < n && !ok; k++)
                        ok = name && strcmp(name, allowed[k]) == 0;
                if (ok)
                        continue;
                const char *near = name ? nearest_name(name, allowed, n) : NULL;
                if (near)
                        return conf_fail(c, m, "unknown key '%s' in %s: did you mean '%s'?", strempty(name), what,
                                         near);
                return conf_fail(c, m, "unknown key '%s' in %s (see %s)", strempty(name), what, c->doc);
        }
        return 0;
}

int conf_string(const ConfRead *c, const config_setting_t *g, const char *key, char **ret) {
        const config_setting_t *s = config_setting_get_member(g, key);
        if (!s)
                return 0;
        const char *v = config_setting_get_string(s);
        if (!v)
                return conf_fail(c, s, "'%s' must be a string in double quotes", key);
        free(*ret);
        *ret = strdup(v);
        return *ret ? 1 : error_set(c->e, -ENOMEM, "out of memory");
}

int conf_number(const ConfRead *c, const config_setting_t *g, const char *key, double min, double max, double *ret) {
        const config_setting_t *s = config_setting_get_member(g, key);
        if (!s)
                return 0;
        int t = config_setting_type(s);
        if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64 && t != CONFIG_TYPE_FLOAT)
                return conf_fail(c, s, "'%s' must be a number (without quotes)", key);
        double v = t == CONFIG_TYPE_FLOAT ? config_setting_get_float(s) : (double) config_setting_get_int64(s);
        if (!(v >= min && v <= max))
                return conf_fail(c, s, "'%s' is %g: give a number from %g to %g", key, v, min, max);
        *ret = v;
        return 1;
}

int conf_bool(const ConfRead *c, const config_setting_t *g, const char *key, bool *ret) {
        const config_setting_t *s = config_setting_get_member(g, key);
        if (!s)
                return 0;
        if (config_setting_type(s) != CONFIG_TYPE_BOOL)
                return conf_fail(c, s, "'%s' must be true or false", key);
        *ret = config_setting_get_bool(s);
        return 1;
}

int conf_parse_text(const ConfRead *c, config_t *cfg, const char *text, size_t len) {
        if (strlen(text) != len)
                return error_set_input(c->e, -EINVAL, c->file, 0, "this file holds a NUL byte: it must be text");
        if (config_read_string(cfg, text) != CONFIG_TRUE)
                return error_set_input(c->e, -EINVAL, c->file, (unsigned) config_error_line(cfg), "%s (the format: %s)",
                                       config_error_text(cfg), c->doc);
        return 0;
}

/* A duration: seconds as a number (0 allowed), or "90s", "15m", "2h", "1d". */
static int span_ms(const ConfRead *c, const config_setting_t *g, const char *key, bool ms_ok, int64_t *ret) {
        const config_setting_t *s = config_setting_get_member(g, key);
        if (!s)
                return 0;
        const char *text = config_setting_get_string(s);
        int64_t ms = -1;
        size_t zeros = text ? strspn(text, "0") : 0;
        size_t digits = text ? strspn(text, "0123456789") : 0;
        if (zeros > 0 && (text[zeros] == '\0' || (strchr("smhdw", text[zeros]) && text[zeros + 1] == '\0')))
                ms = 0; /* "0", "0s", "00m" */
        else if (ms_ok && digits > 0 && digits <= 9 && strcmp(text + digits, "ms") == 0)
                ms = strtoll(text, NULL, 10); /* "500ms": a benchmark's round may be shorter than a second */
        else if (text && time_parse_span_ms(text, &ms) < 0)
                ms = -1;
        else if (config_setting_type(s) == CONFIG_TYPE_INT || config_setting_type(s) == CONFIG_TYPE_INT64 ||
                 config_setting_type(s) == CONFIG_TYPE_FLOAT) {
                double v = config_setting_type(s) == CONFIG_TYPE_FLOAT ? config_setting_get_float(s)
                                                                       : (double) config_setting_get_int64(s);
                ms = v >= 0 && v <= 86400 * 366 ? (int64_t) llround(v * 1000) : -1;
        }
        if (ms < 0)
                return conf_fail(c, s, "'%s' must be a duration: seconds (30) or %s\"90s\", \"5m\", \"2h\", \"1d\"",
                                 key, ms_ok ? "\"500ms\", " : "");
        *ret = ms;
        return 1;
}

int conf_span_ms(const ConfRead *c, const config_setting_t *g, const char *key, int64_t *ret) {
        return span_ms(c, g, key, false, ret);
}

int conf_duration_ms(const ConfRead *c, const config_setting_t *g, const char *key, int64_t *ret) {
        return span_ms(c, g, key, true, ret);
}

int conf_choice(const ConfRead *c, const config_setting_t *g, const char *key, const char *const *names, size_t n,
                int *ret) {
        const config_setting_t *s = config_setting_get_member(g, key);
        if (!s)
                return 0;
        const char *v = config_setting_get_string(s);
        for (size_t i = 0; v && i < n; i++)
                if (strcmp(v, names[i]) == 0) {
                        *ret = (int) i;
                        return 1;
                }
        char list[256] = "";
        for (size_t i = 0, k = 0; i < n && k < sizeof(list); i++)
                k += (size_t) snprintf(list + k, sizeof(list) - k, "%s\"%s\"", i ? ", " : "", names[i]);
        return conf_fail(c, s, "'%s' must be one of %s", key, list);
}

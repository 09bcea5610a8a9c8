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
        } else if (conf_number(&p->c, g, key, 0, 7 * 86400, &v) < 0)
                return -EINVAL;
        if (!(v > 0) || v > 7 * 86400)
                return conf_fail(&p->c, s, "'%s' is no duration: give seconds (30), or \"500ms\", \"30s\", \"5m\", \"2h\" "
                                  "(more than 0, at most a week)", key);
        *ret = v;
        return 1;
}

int parse_thresholds(Parse *p, const config_setting_t *g, const char *key, Threshold **ret, size_t *ret_n) {
        const config_setting_t *s = config_setting_get_member(g, key);
        if (!s)
                return 0;
        if (!config_setting_is_aggregate(s) || config_setting_is_group(s))
                return conf_fail(&p->c, s, "'%s' must be a list of strings: [ \"p99 < 500ms\", \"error_rate < 1%%\" ]", key);
        int n = config_setting_length(s);
        if (n > SCENARIO_THRESHOLDS_MAX)
                return conf_fail(&p->c, s, "%d thresholds: at most %d", n, SCENARIO_THRESHOLDS_MAX);
        *ret = calloc((size_t) MAX(n, 1), sizeof(Threshold));
        if (!*ret)
                return error_set(p->c.e, -ENOMEM, "out of memory");
        for (int i = 0; i < n; i++) {
                const config_setting_t *t = config_setting_get_elem(s, (unsigned) i);
                const char *text = config_setting_get_string(t);
                if (!text)
                        return conf_fail(&p->c, t, "a threshold is a string: \"p99 < 500ms\"");
                int r = threshold_parse(text, p->c.file, conf_line(t), &(*ret)[i], p->c.e);
                if (r < 0)
                        return r;
                (*ret_n)++;
        }
        return 1;
}

int parse_url(Parse *p, const config_setting_t *s, const char *url) {
        if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
                return conf_fail(&p->c, s, "url '%s': give http://HOST[:PORT][/PATH] or https://...", url);
        const char *host = url + (url[4] == 's' ? 8 : 7);
        if (!*host || *host == '/' || *host == ':' || strpbrk(url, " \t\r\n"))
                return conf_fail(&p->c, s, "url '%s' names no host, or holds a space: give http://HOST[:PORT][/PATH]", url);
        return 0;
}

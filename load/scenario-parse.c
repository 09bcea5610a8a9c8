/* SPDX-License-Identifier: MIT */
/* Scenario files (docs/scenario.md): libconfig, read into a Scenario; every mistake is an error at
 * file:line that says what to write instead. The steps are read in scenario-parse-step.c. */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "nearest.h"
#include "safe-text.h"
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

static int parse_steps(Parse *p, const config_setting_t *root, Scenario *sc) {
        const config_setting_t *steps = config_setting_get_member(root, "steps");
        if (!steps || !config_setting_is_list(steps) || config_setting_length(steps) == 0)
                return parse_fail(p, steps ? steps : root, "a scenario needs 'steps = ( { name = \"...\"; users = 10; "
                                  "duration = \"60s\"; }, ... );' (a list of groups in parentheses)");
        int n = config_setting_length(steps);
        if (n > SCENARIO_STEPS_MAX)
                return parse_fail(p, steps, "%d steps: at most %d", n, SCENARIO_STEPS_MAX);
        sc->steps = calloc((size_t) n, sizeof(LoadStep));
        if (!sc->steps)
                return error_set(p->e, -ENOMEM, "out of memory");
        for (int i = 0; i < n; i++) {
                const config_setting_t *s = config_setting_get_elem(steps, (unsigned) i);
                sc->n_steps++;
                int r = parse_step(p, s, sc, &sc->steps[i]);
                if (r < 0)
                        return r;
                for (int k = 0; k < i; k++)
                        if (strcmp(sc->steps[k].name, sc->steps[i].name) == 0)
                                return parse_fail(p, s, "a second step named '%s': give each step its own name",
                                                  sc->steps[i].name);
        }
        if (sc->steps[0].parallel)
                return parse_fail(p, config_setting_get_elem(steps, 0), "the first step cannot be 'parallel' (it runs side "
                                  "by side with the step before it; there is none)");
        return 0;
}

static int parse_root(Parse *p, const config_setting_t *root, Scenario *sc) {
        static const char *const keys[] = { "name", "url", "cacert", "interval", "thresholds", "steps" };
        int r = parse_keys(p, root, "the scenario", keys, ELEMENTSOF(keys));
        if (r >= 0)
                r = parse_string(p, root, "name", &sc->name);
        if (r >= 0 && !sc->name) {
                _cleanup_free_ char *copy = strdup(p->file);
                sc->name = copy ? strdup(basename(copy)) : NULL;
                if (sc->name)
                        sc->name[strcspn(sc->name, ".")] = '\0';
        }
        const config_setting_t *url = config_setting_get_member(root, "url");
        if (url && !(p->base_url = config_setting_get_string(url)))
                return parse_fail(p, url, "'url' must be a string: \"http://HOST:PORT\"");
        if (r >= 0 && p->base_url)
                r = parse_url(p, url, p->base_url);
        if (r >= 0)
                r = parse_string(p, root, "cacert", &sc->cacert);
        if (r >= 0)
                r = parse_duration(p, root, "interval", &sc->interval_s);
        if (r >= 0)
                r = parse_thresholds(p, root, "thresholds", &sc->thresholds, &sc->n_thresholds);
        return r < 0 ? r : parse_steps(p, root, sc);
}

/* Every string of the file is printable UTF-8: names, paths and headers go into JSON documents and
 * onto terminals. */
static int check_printable(Parse *p, const config_setting_t *s) {
        const char *v = config_setting_get_string(s);
        if (v && !text_is_printable(v))
                return parse_fail(p, s, "%s%s%s holds a control character or is not UTF-8: write plain text",
                                  config_setting_name(s) ? "'" : "", config_setting_name(s) ? config_setting_name(s) : "a string",
                                  config_setting_name(s) ? "'" : "");
        for (int i = 0; i < config_setting_length(s); i++) {
                int r = check_printable(p, config_setting_get_elem(s, (unsigned) i));
                if (r < 0)
                        return r;
        }
        return 0;
}

int scenario_load_file(const char *path, Scenario **ret, Error *e) {
        *ret = NULL;
        if (!text_is_printable(path))
                return error_set(e, -EINVAL, "the scenario's path is not printable UTF-8: rename the file");
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = load_read_file(path, 4u << 20, &text, &len);
        if (r < 0)
                return error_set(e, r, "cannot read the scenario %s: %s", path, strerror(-r));
        if (strlen(text) != len)
                return error_set_input(e, -EINVAL, path, 0, "a scenario is text: this file holds a NUL byte");
        config_t cfg;
        config_init(&cfg);
        if (config_read_string(&cfg, text) != CONFIG_TRUE) {
                r = error_set_input(e, -EINVAL, path, (unsigned) config_error_line(&cfg), "%s (the format: docs/scenario.md)",
                                    config_error_text(&cfg));
                config_destroy(&cfg);
                return r;
        }
        _cleanup_free_ char *copy = strdup(path);
        Scenario *sc = calloc(1, sizeof(Scenario));
        Parse p = { .file = path, .e = e };
        if (!sc || !copy || !(sc->file = strdup(path)) || !(p.dir = strdup(dirname(copy))))
                r = error_set(e, -ENOMEM, "out of memory");
        else if ((r = check_printable(&p, config_root_setting(&cfg))) >= 0)
                r = parse_root(&p, config_root_setting(&cfg), sc);
        config_destroy(&cfg);
        free(p.dir);
        if (r < 0) {
                scenario_free(sc);
                return r;
        }
        if (sc->interval_s == 0)
                sc->interval_s = 1;
        *ret = sc;
        return 0;
}

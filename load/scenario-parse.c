/* SPDX-License-Identifier: MIT */
/* Scenario files (docs/scenario.md): libconfig, read into a Scenario; every mistake is an error at
 * file:line that says what to write instead. The steps are read in scenario-parse-step.c, the
 * values of both in scenario-values.c. */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"
#include "safe-text.h"
#include "scenario-parse.h"

static int parse_steps(Parse *p, const config_setting_t *root, Scenario *sc) {
        const config_setting_t *steps = config_setting_get_member(root, "steps");
        if (!steps || !config_setting_is_list(steps) || config_setting_length(steps) == 0)
                return conf_fail(&p->c, steps ? steps : root, "a scenario needs 'steps = ( { name = \"...\"; users = 10; "
                                  "duration = \"60s\"; }, ... );' (a list of groups in parentheses)");
        int n = config_setting_length(steps);
        if (n > SCENARIO_STEPS_MAX)
                return conf_fail(&p->c, steps, "%d steps: at most %d", n, SCENARIO_STEPS_MAX);
        sc->steps = calloc((size_t) n, sizeof(LoadStep));
        if (!sc->steps)
                return error_set(p->c.e, -ENOMEM, "out of memory");
        for (int i = 0; i < n; i++) {
                const config_setting_t *s = config_setting_get_elem(steps, (unsigned) i);
                sc->n_steps++;
                int r = parse_step(p, s, sc, &sc->steps[i]);
                if (r < 0)
                        return r;
                for (int k = 0; k < i; k++)
                        if (strcmp(sc->steps[k].name, sc->steps[i].name) == 0)
                                return conf_fail(&p->c, s, "a second step named '%s': give each step its own name",
                                                  sc->steps[i].name);
        }
        if (sc->steps[0].parallel)
                return conf_fail(&p->c, config_setting_get_elem(steps, 0), "the first step cannot be 'parallel' (it runs side "
                                  "by side with the step before it; there is none)");
        return 0;
}

static int parse_root(Parse *p, const config_setting_t *root, Scenario *sc) {
        static const char *const keys[] = { "name", "url", "cacert", "interval", "thresholds", "steps" };
        int r = conf_keys(&p->c, root, "the scenario", keys, ELEMENTSOF(keys));
        if (r >= 0)
                r = conf_string(&p->c, root, "name", &sc->name);
        if (r >= 0 && !sc->name) {
                _cleanup_free_ char *copy = strdup(p->c.file);
                sc->name = copy ? strdup(basename(copy)) : NULL;
                if (sc->name)
                        sc->name[strcspn(sc->name, ".")] = '\0';
        }
        const config_setting_t *url = config_setting_get_member(root, "url");
        if (url && !(p->base_url = config_setting_get_string(url)))
                return conf_fail(&p->c, url, "'url' must be a string: \"http://HOST:PORT\"");
        if (r >= 0 && p->base_url)
                r = parse_url(p, url, p->base_url);
        if (r >= 0)
                r = conf_string(&p->c, root, "cacert", &sc->cacert);
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
                return conf_fail(&p->c, s, "%s%s%s holds a control character or is not UTF-8: write plain text",
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
        int r = fileio_read_regular(path, 4u << 20, &text, &len);
        if (r < 0)
                return error_set(e, r, "cannot read the scenario %s: %s", path, strerror(-r));
        Parse p = { .c = { .file = path, .doc = "docs/scenario.md", .e = e } };
        config_t cfg;
        config_init(&cfg);
        if ((r = conf_parse_text(&p.c, &cfg, text, len)) < 0) {
                config_destroy(&cfg);
                return r;
        }
        _cleanup_free_ char *copy = strdup(path);
        Scenario *sc = calloc(1, sizeof(Scenario));
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

/* SPDX-License-Identifier: MIT */
/* Metric paths of rules against the catalogue (policy check) and against a profile (plan). */
#include "policy-metrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jpath.h"
#include "nearest.h"
#include "targets.h"

int policy_metric_catalog(MetricCatalog *c) {
        return metric_catalog_add(c, target_metrics, target_metrics_size);
}

typedef int (*PathCallback)(const char *path, unsigned line, void *userdata);

typedef struct WhenPaths {
        PathCallback cb;
        void *userdata;
        unsigned line;
} WhenPaths;

static int when_path(const char *path, void *userdata) {
        WhenPaths *w = userdata;
        return w->cb(path, w->line, w->userdata);
}

/* Calls cb for every metric path rule reads: foreach, the when condition and a value's reference. */
static int rule_paths(const PolicyRule *rule, bool with_exists, PathCallback cb, void *userdata) {
        int r = 0;
        if (rule->foreach)
                r = cb(rule->foreach, rule->line, userdata);
        if (r >= 0 && rule->value.ref && strcmp(rule->value.ref, "current") != 0)
                r = cb(rule->value.ref, rule->value_line ? rule->value_line : rule->line, userdata);
        if (r < 0 || !rule->when)
                return r;
        WhenPaths w = { cb, userdata, rule->when_line ? rule->when_line : rule->line };
        return with_exists ? cond_foreach_path(rule->when, when_path, &w) : cond_foreach_value_path(rule->when, when_path, &w);
}

/* ---- the catalogue ---- */

typedef struct Check {
        const MetricCatalog *cat;
        const PolicyRule *rule;
        OptError *err;
} Check;

static int check_one(const char *path, unsigned line, void *u) {
        Check *c = u;
        _cleanup_free_ char *nearest = NULL;
        if (startswith(path, "tunables.")) {
                if (metric_catalog_tunable_path(path, &nearest))
                        return 0;
        } else if (metric_catalog_has(c->cat, path))
                return 0;
        else
                nearest = metric_catalog_nearest(c->cat, path);
        if (nearest)
                return opt_error_set(c->err, -EINVAL, c->rule->file, line,
                                     "rule '%s' reads '%s', which no profile has: did you mean '%s'?", c->rule->id, path,
                                     nearest);
        return opt_error_set(c->err, -EINVAL, c->rule->file, line,
                             "rule '%s' reads '%s', which no profile has ('skytune profile --json' shows the paths; "
                             "tunables are tunables.KIND.KEY of 'skytune policy keys')",
                             c->rule->id, path);
}

int policy_check_metrics(const Policy *p, const MetricCatalog *cat, OptError *err) {
        for (size_t i = 0; i < p->n_rules; i++) {
                Check c = { .cat = cat, .rule = &p->rules[i], .err = err };
                int r = rule_paths(&p->rules[i], true, check_one, &c);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- against a profile ---- */

typedef struct Missing {
        const json_t *profile;
        const PolicyRule *rule;
        char *paths;            /* the missing ones, ", "-separated */
        unsigned line;
} Missing;

static bool profile_has(const json_t *profile, const char *foreach, const char *path) {
        if (!strchr(path, '$'))
                return jpath_profile(profile, NULL, path);
        const char *name;
        json_t *v;
        json_object_foreach(jpath_profile(profile, NULL, foreach), name, v) {
                _cleanup_free_ char *one = jpath_subst(path, name);
                if (!one || jpath_profile(profile, NULL, one))
                        return true;
        }
        return false;
}

static int missing_one(const char *path, unsigned line, void *userdata) {
        Missing *m = userdata;
        const PolicyRule *rule = m->rule;
        size_t root = strcspn(path, ".");
        if ((root == 7 && strncmp(path, "targets", 7) == 0) || (root == 6 && strncmp(path, "limits", 6) == 0))
                return 0;
        /* A rule over the elements of an object this host lacks or has none of never runs: said elsewhere. */
        if (rule->foreach && (strcmp(path, rule->foreach) == 0 ||
                              (strchr(path, '$') && json_object_size(jpath_profile(m->profile, NULL, rule->foreach)) == 0)))
                return 0;
        if (profile_has(m->profile, rule->foreach, path))
                return 0;
        _cleanup_free_ char *quoted = NULL;
        if (asprintf(&quoted, "'%s'", path) < 0)
                return -ENOMEM;
        if (m->paths && strstr(m->paths, quoted))
                return 0;
        char *joined = NULL;
        if (asprintf(&joined, "%s%s%s", strempty(m->paths), m->paths ? ", " : "", quoted) < 0)
                return -ENOMEM;
        free(m->paths);
        m->paths = joined;
        m->line = m->line ?: line;
        return 0;
}

int policy_missing_metrics(const Policy *p, const json_t *profile, json_t *warnings) {
        for (size_t i = 0; i < p->n_rules; i++) {
                const PolicyRule *rule = &p->rules[i];
                Missing m = { .profile = profile, .rule = rule };
                int r = rule_paths(rule, false, missing_one, &m);
                _cleanup_free_ char *msg = NULL;
                if (r >= 0 && m.paths &&
                    asprintf(&msg, "rule '%s' (%s:%u) reads %s, which this profile does not have, so it cannot fire here "
                             "(a source this host lacks, or rates that a --duration 0 profile has none of)", rule->id,
                             rule->file, m.line, m.paths) < 0)
                        r = -ENOMEM;
                free(m.paths);
                if (r >= 0 && msg) {
                        json_t *e = json_pack("{s:s, s:s}", "message", msg, "rule", rule->id);
                        r = e && json_array_append_new(warnings, e) == 0 ? 0 : -ENOMEM;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

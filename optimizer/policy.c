/* SPDX-License-Identifier: MIT */
/* Policies: risk names, freeing, and the checked readers of settings that the rule parser
 * (policy-rule.c) and the file loader (policy-load.c) share. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy-parse.h"

static const char *const risk_names[_RISK_MAX] = { "low", "medium", "high" };

Risk risk_from_string(const char *s) {
        for (int i = 0; s && i < _RISK_MAX; i++)
                if (strcmp(risk_names[i], s) == 0)
                        return (Risk) i;
        return _RISK_INVALID;
}

const char *risk_to_string(Risk r) {
        return r >= 0 && r < _RISK_MAX ? risk_names[r] : "invalid";
}

void policy_rule_done(PolicyRule *r) {
        free(r->id);
        free(r->key);
        free(r->value_text);
        valop_done(&r->value);
        free(r->when_text);
        cond_free(r->when);
        free(r->foreach);
        free(r->reason);
        free(r->effect);
        policy_strv_free(r->effect_metrics, r->n_effect_metrics);
        free(r->source);
        free(r->confidence);
        free(r->file);
        *r = (PolicyRule) {};
}

void policy_strv_free(char **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

Policy *policy_free(Policy *p) {
        if (!p)
                return NULL;
        free(p->name);
        free(p->description);
        free(p->file);
        policy_strv_free(p->files, p->n_files);
        policy_strv_free(p->targets, p->n_targets);
        for (size_t i = 0; i < p->n_rules; i++)
                policy_rule_done(&p->rules[i]);
        free(p->rules);
        free(p);
        return NULL;
}

int policy_strv_push(char ***v, size_t *n, const char *s) {
        char *d = strdup(s);
        char **nv = d ? realloc(*v, (*n + 1) * sizeof(char *)) : NULL;
        if (!nv) {
                free(d);
                return -ENOMEM;
        }
        *v = nv;
        (*v)[(*n)++] = d;
        return 0;
}

static const char *const path_roots[] = { "cpu", "memory", "disk", "network", "files", "interrupts", "tasks",
                                          "psi", "host", "tunables", "window", "targets", "findings",
                                          "limits" };

bool policy_path_root_ok(const char *path, bool allow_current) {
        size_t n = strcspn(path, ".");
        if (allow_current && strcmp(path, "current") == 0)
                return true;
        for (size_t i = 0; i < ELEMENTSOF(path_roots); i++)
                if (strlen(path_roots[i]) == n && strncmp(path_roots[i], path, n) == 0)
                        return true;
        return false;
}

int policy_check_path_cb(const char *path, void *userdata) {
        PathCheck *pc = userdata;
        if (!policy_path_root_ok(path, false))
                return opt_error_set(pc->l->err, -EINVAL, pc->file, pc->line,
                                     "unknown metric path '%s': a path starts with one of cpu, memory, disk, network, files, "
                                     "interrupts, tasks, psi, host, tunables, window, targets, findings, limits (see docs/profile.md "
                                     "and docs/policy.md)", path);
        if (strchr(path, '$') && !pc->has_foreach)
                return opt_error_set(pc->l->err, -EINVAL, pc->file, pc->line,
                                     "path '%s' uses '$' but the rule has no foreach: add foreach = \"disk.devices\" (or "
                                     "another object) or name the element", path);
        return 0;
}

static const char *setting_str(const config_setting_t *s) {
        return config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
}

int policy_want_string(Loader *l, const char *file, const config_setting_t *s, const char **ret) {
        const char *v = setting_str(s);
        if (!v)
                return opt_error_set(l->err, -EINVAL, file, config_setting_source_line(s),
                                     "'%s' must be a string in double quotes", config_setting_name(s));
        *ret = v;
        return 0;
}

int policy_want_strings(Loader *l, const char *file, const config_setting_t *s, char ***ret, size_t *ret_n) {
        const char *v = setting_str(s);
        if (v)
                return policy_strv_push(ret, ret_n, v);
        int t = config_setting_type(s);
        if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
                return opt_error_set(l->err, -EINVAL, file, config_setting_source_line(s),
                                     "'%s' must be a string or a list of strings: [ \"a\", \"b\" ]", config_setting_name(s));
        for (int i = 0; i < config_setting_length(s); i++) {
                const config_setting_t *e = config_setting_get_elem(s, (unsigned) i);
                v = setting_str(e);
                if (!v)
                        return opt_error_set(l->err, -EINVAL, file, config_setting_source_line(e),
                                             "'%s' must hold only strings", config_setting_name(s));
                int r = policy_strv_push(ret, ret_n, v);
                if (r < 0)
                        return r;
        }
        return 0;
}

int policy_want_integer(Loader *l, const char *file, const config_setting_t *s, long long *ret) {
        int t = config_setting_type(s);
        if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
                *ret = config_setting_get_int64(s);
                return 0;
        }
        return opt_error_set(l->err, -EINVAL, file, config_setting_source_line(s), "'%s' must be an integer",
                             config_setting_name(s));
}

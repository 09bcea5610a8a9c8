/* SPDX-License-Identifier: MIT */
/* One entry of a policy's settings or rules, checked field group by field group: the fields
 * present, id and kind, foreach, key, value, when, the texts, and risk, floor and cap. */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jpath.h"
#include "policy-effect.h"
#include "policy-parse.h"
#include "ulimit.h"

static bool id_ok(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > 64)
                return false;
        for (; *s; s++)
                if (!islower((unsigned char) *s) && !isdigit((unsigned char) *s) && !strchr("._-", *s))
                        return false;
        return true;
}

/* A sample element for checking keys that hold '$'. */
static char *sample_key(TunableKind kind, const char *key) {
        const char *sample = tunable_backend(kind)->sample_element;
        if (kind == TUNABLE_ULIMIT && strncmp(key, "$:", 2) == 0) {
                char *s = NULL;
                return asprintf(&s, "%s:%s", sample, key + 2) < 0 ? NULL : s;
        }
        return jpath_subst(key, sample);
}

static const char *const rule_fields[] = { "id", "kind", "key", "value", "when", "foreach", "reason", "effect",
                                           "effect_metrics", "risk", "source", "confidence", "floor", "cap" };

static int check_fields(Loader *l, const char *file, const config_setting_t *g, bool setting) {
        for (int i = 0; i < config_setting_length(g); i++) {
                const config_setting_t *f = config_setting_get_elem(g, (unsigned) i);
                const char *name = config_setting_name(f);
                bool known = false;
                for (size_t j = 0; j < ELEMENTSOF(rule_fields); j++)
                        known = known || strcmp(rule_fields[j], name) == 0;
                if (!known)
                        return opt_error_set(l->err, -EINVAL, file, config_setting_source_line(f),
                                             "unknown field '%s' in a %s entry: the fields are id, kind, key, value, when, "
                                             "foreach, reason, effect, effect_metrics, risk, source, confidence, floor, cap",
                                             name, setting ? "settings" : "rules");
        }
        static const char *const required[] = { "id", "kind", "key", "value", "reason", "effect" };
        for (size_t j = 0; j < ELEMENTSOF(required); j++)
                if (!config_setting_get_member(g, required[j]))
                        return opt_error_set(l->err, -EINVAL, file, config_setting_source_line(g),
                                             "%s entry lacks '%s': each entry needs id, kind, key, value, reason and "
                                             "effect", setting ? "a settings" : "a rules", required[j]);
        return 0;
}

static int parse_id_kind(Loader *l, const char *file, const config_setting_t *g, PolicyRule *r) {
        const char *v = NULL;
        const config_setting_t *f = config_setting_get_member(g, "id");
        int k = policy_want_string(l, file, f, &v);
        if (k < 0)
                return k;
        if (!id_ok(v))
                return opt_error_set(l->err, -EINVAL, file, config_setting_source_line(f),
                                     "id '%s' must be 1-64 characters of a-z, 0-9, '.', '_' and '-'", v);
        r->id = strdup(v);

        f = config_setting_get_member(g, "kind");
        if ((k = policy_want_string(l, file, f, &v)) < 0)
                return k;
        r->kind = tunable_kind_from_string(v);
        if (r->kind < 0) {
                _cleanup_free_ char *kinds = tunable_kind_names();
                return opt_error_set(l->err, -EINVAL, file, config_setting_source_line(f), "unknown kind '%s': use %s", v,
                                     strempty(kinds));
        }
        return 0;
}

static int parse_foreach(Loader *l, const char *file, const config_setting_t *g, PolicyRule *r) {
        const char *v = NULL;
        const config_setting_t *f = config_setting_get_member(g, "foreach");
        if (!f)
                return 0;
        int k = policy_want_string(l, file, f, &v);
        if (k < 0)
                return k;
        if (!policy_path_root_ok(v, false) || strchr(v, '$'))
                return opt_error_set(l->err, -EINVAL, file, config_setting_source_line(f),
                                     "foreach '%s' must name an object of the profile such as \"disk.devices\", "
                                     "\"host.cpufreq.policies\" or \"targets\"", v);
        r->foreach = strdup(v);
        return 0;
}

/* The key, checked against the allowlist (a key with '$' by a sample element); *canon is its
 * canonical form. */
static int parse_key(Loader *l, const char *file, const config_setting_t *g, PolicyRule *r, char **canon) {
        const char *v = NULL;
        const config_setting_t *f = config_setting_get_member(g, "key");
        int k = policy_want_string(l, file, f, &v);
        if (k < 0)
                return k;
        unsigned kline = config_setting_source_line(f);
        if (strchr(v, '$') && !r->foreach)
                return opt_error_set(l->err, -EINVAL, file, kline, "key '%s' uses '$' but the entry has no foreach", v);
        if (r->kind == TUNABLE_ULIMIT && strchr(v, '$') &&
            (strncmp(v, "$:", 2) != 0 || strcmp(strempty(r->foreach), "targets") != 0 || !ulimit_resource(v + 2))) {
                _cleanup_free_ char *names = ulimit_resource_names();
                return opt_error_set(l->err, -EINVAL, file, kline,
                                     "a ulimit key with '$' is \"$:RESOURCE\" (%s) with foreach = \"targets\"",
                                     strempty(names));
        }
        _cleanup_free_ char *sample = sample_key(r->kind, v);
        _cleanup_(error_done) Error why = ERROR_NULL;
        if (!sample)
                return -ENOMEM;
        k = tunable_check(r->kind, sample, NULL, canon, &why);
        if (k < 0)
                return opt_error_set(l->err, -EINVAL, file, kline,
                                     "%s key '%s': %s (run 'skytune policy keys' for the allowlist)",
                                     tunable_kind_to_string(r->kind), v, strempty(why.message));
        r->key = strdup(strchr(v, '$') ? v : *canon);
        return 0;
}

static int parse_value(Loader *l, const char *file, const config_setting_t *g, PolicyRule *r, const char *canon) {
        const char *v = NULL;
        const config_setting_t *f = config_setting_get_member(g, "value");
        int k, t = config_setting_type(f);
        if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
                if (asprintf(&r->value_text, "%lld", (long long) config_setting_get_int64(f)) < 0)
                        r->value_text = NULL;
        } else if ((k = policy_want_string(l, file, f, &v)) < 0)
                return k;
        else
                r->value_text = strdup(v);
        if (!r->value_text)
                return -ENOMEM;
        unsigned vline = config_setting_source_line(f);
        r->value_line = vline;
        _cleanup_(error_done) Error why = ERROR_NULL;
        k = valop_parse(r->value_text, &r->value, &why);
        if (k < 0)
                return opt_error_set(l->err, k, file, vline, "value '%s': %s", r->value_text, why.message ?: "out of memory");
        k = valop_check(&r->value, r->kind, canon, &why);
        if (k < 0)
                return opt_error_set(l->err, -EINVAL, file, vline, "value '%s' for %s %s: %s%s", r->value_text,
                                     tunable_kind_to_string(r->kind), r->key, strempty(why.message),
                                     r->kind == TUNABLE_ULIMIT ? " (a limit is N, SOFT:HARD, infinity or unlimited; "
                                                                 "memlock, core and stack count bytes and take a K, M, "
                                                                 "G, T, P or E suffix; nofile is never unlimited)" : "");
        if (r->value.ref && strcmp(r->value.ref, "current") != 0) {
                PathCheck pc = { .l = l, .file = file, .line = vline, .has_foreach = r->foreach };
                return policy_check_path_cb(r->value.ref, &pc);
        }
        return 0;
}

/* "when": one condition, or a list of them that must all hold ("(a) && (b)"). */
static int join_when(Loader *l, const char *file, const config_setting_t *f, char **ret) {
        char **parts = NULL;
        size_t n = 0;
        int k = policy_want_strings(l, file, f, &parts, &n);
        if (k < 0) {
                policy_strv_free(parts, n);
                return k;
        }
        size_t len = 1;
        for (size_t i = 0; i < n; i++)
                len += strlen(parts[i]) + 8;
        char *text = calloc(1, len);
        for (size_t i = 0; text && i < n; i++) {
                if (n > 1)
                        strcat(strcat(strcat(text, i ? " && (" : "("), parts[i]), ")");
                else
                        strcat(text, parts[i]);
        }
        policy_strv_free(parts, n);
        *ret = text;
        return text ? 0 : -ENOMEM;
}

static int parse_when(Loader *l, const char *file, const config_setting_t *g, bool setting, PolicyRule *r) {
        const config_setting_t *f = config_setting_get_member(g, "when");
        if (f && setting)
                return opt_error_set(l->err, -EINVAL, file, config_setting_source_line(f),
                                     "settings apply unconditionally: move an entry with 'when' to rules");
        if (!f && !setting)
                return opt_error_set(l->err, -EINVAL, file, config_setting_source_line(g),
                                     "rule '%s' lacks 'when': a rule fires on evidence; put unconditional values in "
                                     "settings", r->id);
        if (!f)
                return 0;
        int k = join_when(l, file, f, &r->when_text);
        if (k < 0)
                return k;
        _cleanup_(error_done) Error why = ERROR_NULL;
        k = cond_parse(r->when_text, &r->when, &why);
        if (k < 0)
                return opt_error_set(l->err, k, file, config_setting_source_line(f), "condition of rule '%s' %s in \"%s\"",
                                     r->id, why.message ?: "cannot be parsed", r->when_text);
        r->when_line = config_setting_source_line(f);
        PathCheck pc = { .l = l, .file = file, .line = r->when_line, .has_foreach = r->foreach };
        return cond_foreach_path(r->when, policy_check_path_cb, &pc);
}

/* reason, effect, source and confidence: non-empty strings. */
static int parse_texts(Loader *l, const char *file, const config_setting_t *g, PolicyRule *r) {
        static const struct { const char *name; size_t off; } texts[] = {
                { "reason", offsetof(PolicyRule, reason) },
                { "effect", offsetof(PolicyRule, effect) },
                { "source", offsetof(PolicyRule, source) },
                { "confidence", offsetof(PolicyRule, confidence) },
        };
        const char *v = NULL;
        for (size_t j = 0; j < ELEMENTSOF(texts); j++) {
                const config_setting_t *f = config_setting_get_member(g, texts[j].name);
                if (!f)
                        continue;
                int k = policy_want_string(l, file, f, &v);
                if (k < 0)
                        return k;
                if (!*v)
                        return opt_error_set(l->err, -EINVAL, file, config_setting_source_line(f), "'%s' is empty",
                                             texts[j].name);
                *(char **) ((char *) r + texts[j].off) = strdup(v);
        }
        if (r->confidence && strcmp(r->confidence, "high") != 0 && strcmp(r->confidence, "medium") != 0 &&
            strcmp(r->confidence, "low") != 0)
                return opt_error_set(l->err, -EINVAL, file,
                                     config_setting_source_line(config_setting_get_member(g, "confidence")),
                                     "confidence '%s' must be \"high\", \"medium\" or \"low\"", r->confidence);
        return 0;
}

/* effect_metrics, risk, floor and cap. */
static int parse_limits(Loader *l, const char *file, const config_setting_t *g, PolicyRule *r) {
        const char *v = NULL;
        int k;
        const config_setting_t *f = config_setting_get_member(g, "effect_metrics");
        if (f && (k = policy_parse_effect_metrics(f, file, l->err, &r->effect_metrics, &r->n_effect_metrics)) < 0)
                return k;
        r->has_effect_metrics = f;
        f = config_setting_get_member(g, "risk");
        if (f) {
                if ((k = policy_want_string(l, file, f, &v)) < 0)
                        return k;
                r->risk = risk_from_string(v);
                if (r->risk < 0)
                        return opt_error_set(l->err, -EINVAL, file, config_setting_source_line(f),
                                             "risk '%s' must be \"low\", \"medium\" or \"high\"", v);
        }
        f = config_setting_get_member(g, "floor");
        if (f && (k = policy_want_integer(l, file, f, &r->floor)) < 0)
                return k;
        r->has_floor = f;
        f = config_setting_get_member(g, "cap");
        if (f && (k = policy_want_integer(l, file, f, &r->cap)) < 0)
                return k;
        r->has_cap = f;
        if (r->has_floor && r->has_cap && r->floor > r->cap)
                return opt_error_set(l->err, -EINVAL, file, config_setting_source_line(f), "cap %lld is below floor %lld",
                                     r->cap, r->floor);
        return 0;
}

int policy_parse_rule(Loader *l, const char *file, const config_setting_t *g, bool setting, PolicyRule *ret) {
        PolicyRule r = { .setting = setting, .risk = RISK_LOW };
        _cleanup_free_ char *canon = NULL;
        unsigned gline = config_setting_source_line(g);
        int k = 0;
        if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
                k = opt_error_set(l->err, -EINVAL, file, gline,
                                  "each entry of %s must be a group in braces: { id = \"...\"; kind = \"sysctl\"; ... }",
                                  setting ? "settings" : "rules");
                goto fail;
        }
        r.file = strdup(file);
        r.line = gline;
        if (!r.file) {
                k = -ENOMEM;
                goto fail;
        }
        if ((k = check_fields(l, file, g, setting)) < 0 || (k = parse_id_kind(l, file, g, &r)) < 0 ||
            (k = parse_foreach(l, file, g, &r)) < 0 || (k = parse_key(l, file, g, &r, &canon)) < 0 ||
            (k = parse_value(l, file, g, &r, canon)) < 0 || (k = parse_when(l, file, g, setting, &r)) < 0 ||
            (k = parse_texts(l, file, g, &r)) < 0 || (k = parse_limits(l, file, g, &r)) < 0)
                goto fail;
        if (!r.id || !r.key || (r.when_text && !r.when)) {
                k = -ENOMEM;
                goto fail;
        }
        *ret = r;
        return 0;
fail:
        policy_rule_done(&r);
        return k < 0 ? k : -EINVAL;
}

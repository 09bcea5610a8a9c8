/* SPDX-License-Identifier: MIT */
/* Loading policies: search path, includes, merge, and the schema check of every field. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jpath.h"
#include "policy.h"
#include "policy-effect.h"
#include "ulimit.h"

#define POLICY_FILE_MAX (1024 * 1024)
#define POLICY_INCLUDE_DEPTH 16
#define POLICY_RULES_MAX 1024

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

static void strv_free(char **v, size_t n);

static void rule_done(PolicyRule *r) {
        free(r->id);
        free(r->key);
        free(r->value_text);
        valop_done(&r->value);
        free(r->when_text);
        cond_free(r->when);
        free(r->foreach);
        free(r->reason);
        free(r->effect);
        strv_free(r->effect_metrics, r->n_effect_metrics);
        free(r->source);
        free(r->confidence);
        free(r->file);
        *r = (PolicyRule) {};
}

static void strv_free(char **v, size_t n) {
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
        strv_free(p->files, p->n_files);
        strv_free(p->targets, p->n_targets);
        for (size_t i = 0; i < p->n_rules; i++)
                rule_done(&p->rules[i]);
        free(p->rules);
        free(p);
        return NULL;
}

static int strv_push(char ***v, size_t *n, const char *s) {
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

/* ---- search path ---- */

void policy_search_done(PolicySearch *s) {
        strv_free(s->dirs, s->n_dirs);
        *s = (PolicySearch) {};
}

int policy_search_init(PolicySearch *s, const char *sysroot_path) {
        *s = (PolicySearch) {};
        const char *env = secure_getenv("SKYTUNE_POLICY_PATH");
        int r = 0;
        if (!isempty(env)) {
                _cleanup_free_ char *copy = strdup(env);
                if (!copy)
                        return -ENOMEM;
                char *save = NULL;
                for (char *d = strtok_r(copy, ":", &save); d && r >= 0; d = strtok_r(NULL, ":", &save))
                        r = strv_push(&s->dirs, &s->n_dirs, d);
        } else {
                _cleanup_free_ char *etc = NULL;
                bool host = isempty(sysroot_path) || strcmp(sysroot_path, "/") == 0;
                if (asprintf(&etc, "%s/etc/skytune/policies", host ? "" : sysroot_path) < 0)
                        return -ENOMEM;
                r = strv_push(&s->dirs, &s->n_dirs, etc);
                if (r >= 0)
                        r = strv_push(&s->dirs, &s->n_dirs, SKYTUNE_POLICY_DIR);
                if (r >= 0 && strcmp(SKYTUNE_POLICY_DIR, SKYTUNE_SOURCE_POLICY_DIR) != 0)
                        r = strv_push(&s->dirs, &s->n_dirs, SKYTUNE_SOURCE_POLICY_DIR);
        }
        if (r < 0)
                policy_search_done(s);
        return r;
}

static bool name_ok(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > 64)
                return false;
        for (; *s; s++)
                if (!isalnum((unsigned char) *s) && *s != '-' && *s != '_')
                        return false;
        return true;
}

static bool is_file_arg(const char *s) {
        size_t n = strlen(s);
        return strchr(s, '/') || (n > 5 && strcmp(s + n - 5, ".conf") == 0);
}

int policy_find(const PolicySearch *s, const char *name, const char *skip_realpath, char **ret) {
        if (!name_ok(name))
                return -EINVAL;
        for (size_t i = 0; i < s->n_dirs; i++) {
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s/%s.conf", s->dirs[i], name) < 0)
                        return -ENOMEM;
                if (access(path, R_OK) < 0)
                        continue;
                if (skip_realpath) {
                        _cleanup_free_ char *rp = realpath(path, NULL);
                        if (rp && strcmp(rp, skip_realpath) == 0)
                                continue;
                }
                *ret = TAKE_PTR(path);
                return 0;
        }
        return -ENOENT;
}

/* ---- loading ---- */

typedef struct Loader {
        const PolicySearch *search;
        char *stack[POLICY_INCLUDE_DEPTH];
        size_t depth;
        Policy *p;
        OptError *err;
} Loader;

static const char *const path_roots[] = { "cpu", "memory", "disk", "network", "files", "interrupts", "tasks",
                                          "psi", "host", "tunables", "window", "targets", "findings",
                                          "limits" };

static bool path_root_ok(const char *path, bool allow_current) {
        size_t n = strcspn(path, ".");
        if (allow_current && strcmp(path, "current") == 0)
                return true;
        for (size_t i = 0; i < ELEMENTSOF(path_roots); i++)
                if (strlen(path_roots[i]) == n && strncmp(path_roots[i], path, n) == 0)
                        return true;
        return false;
}

typedef struct PathCheck {
        Loader *l;
        const char *file;
        unsigned line;
        bool has_foreach;
} PathCheck;

static int check_path_cb(const char *path, void *userdata) {
        PathCheck *pc = userdata;
        if (!path_root_ok(path, false))
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

static int want_string(Loader *l, const char *file, const config_setting_t *s, const char **ret) {
        const char *v = setting_str(s);
        if (!v)
                return opt_error_set(l->err, -EINVAL, file, config_setting_source_line(s),
                                     "'%s' must be a string in double quotes", config_setting_name(s));
        *ret = v;
        return 0;
}

/* A string or a list/array of strings. */
static int want_strings(Loader *l, const char *file, const config_setting_t *s, char ***ret, size_t *ret_n) {
        const char *v = setting_str(s);
        if (v)
                return strv_push(ret, ret_n, v);
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
                int r = strv_push(ret, ret_n, v);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int want_integer(Loader *l, const char *file, const config_setting_t *s, long long *ret) {
        int t = config_setting_type(s);
        if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
                *ret = config_setting_get_int64(s);
                return 0;
        }
        return opt_error_set(l->err, -EINVAL, file, config_setting_source_line(s), "'%s' must be an integer",
                             config_setting_name(s));
}

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

static int parse_rule(Loader *l, const char *file, const config_setting_t *g, bool setting, PolicyRule *ret) {
        PolicyRule r = { .setting = setting, .risk = RISK_LOW };
        /* Declared before the first goto: cleanup runs on every path out. */
        _cleanup_free_ char *sample = NULL, *canon = NULL, *verr = NULL, *cerr = NULL;
        unsigned gline = config_setting_source_line(g);
        int k = 0;
        const char *v = NULL;
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
        for (int i = 0; i < config_setting_length(g); i++) {
                const config_setting_t *f = config_setting_get_elem(g, (unsigned) i);
                const char *name = config_setting_name(f);
                bool known = false;
                for (size_t j = 0; j < ELEMENTSOF(rule_fields); j++)
                        known = known || strcmp(rule_fields[j], name) == 0;
                if (!known) {
                        k = opt_error_set(l->err, -EINVAL, file, config_setting_source_line(f),
                                          "unknown field '%s' in a %s entry: the fields are id, kind, key, value, when, "
                                          "foreach, reason, effect, effect_metrics, risk, source, confidence, floor, cap",
                                          name, setting ? "settings" : "rules");
                        goto fail;
                }
        }
        static const char *const required[] = { "id", "kind", "key", "value", "reason", "effect" };
        for (size_t j = 0; j < ELEMENTSOF(required); j++)
                if (!config_setting_get_member(g, required[j])) {
                        k = opt_error_set(l->err, -EINVAL, file, gline, "%s entry lacks '%s': each entry needs id, kind, "
                                          "key, value, reason and effect", setting ? "a settings" : "a rules", required[j]);
                        goto fail;
                }
        const config_setting_t *f;
        f = config_setting_get_member(g, "id");
        if ((k = want_string(l, file, f, &v)) < 0)
                goto fail;
        if (!id_ok(v)) {
                k = opt_error_set(l->err, -EINVAL, file, config_setting_source_line(f),
                                  "id '%s' must be 1-64 characters of a-z, 0-9, '.', '_' and '-'", v);
                goto fail;
        }
        r.id = strdup(v);

        f = config_setting_get_member(g, "kind");
        if ((k = want_string(l, file, f, &v)) < 0)
                goto fail;
        r.kind = tunable_kind_from_string(v);
        if (r.kind < 0) {
                _cleanup_free_ char *kinds = tunable_kind_names();
                k = opt_error_set(l->err, -EINVAL, file, config_setting_source_line(f), "unknown kind '%s': use %s", v,
                                  strempty(kinds));
                goto fail;
        }

        f = config_setting_get_member(g, "foreach");
        if (f) {
                if ((k = want_string(l, file, f, &v)) < 0)
                        goto fail;
                if (!path_root_ok(v, false) || strchr(v, '$')) {
                        k = opt_error_set(l->err, -EINVAL, file, config_setting_source_line(f),
                                          "foreach '%s' must name an object of the profile such as \"disk.devices\", "
                                          "\"host.cpufreq.policies\" or \"targets\"", v);
                        goto fail;
                }
                r.foreach = strdup(v);
        }

        f = config_setting_get_member(g, "key");
        if ((k = want_string(l, file, f, &v)) < 0)
                goto fail;
        unsigned kline = config_setting_source_line(f);
        if (strchr(v, '$') && !r.foreach) {
                k = opt_error_set(l->err, -EINVAL, file, kline, "key '%s' uses '$' but the entry has no foreach", v);
                goto fail;
        }
        if (r.kind == TUNABLE_ULIMIT && strchr(v, '$') &&
            (strncmp(v, "$:", 2) != 0 || strcmp(strempty(r.foreach), "targets") != 0 || !ulimit_resource(v + 2))) {
                _cleanup_free_ char *names = ulimit_resource_names();
                k = opt_error_set(l->err, -EINVAL, file, kline,
                                  "a ulimit key with '$' is \"$:RESOURCE\" (%s) with foreach = \"targets\"", strempty(names));
                goto fail;
        }
        sample = sample_key(r.kind, v);
        const char *reason = NULL;
        if (!sample) {
                k = -ENOMEM;
                goto fail;
        }
        k = tunable_check(r.kind, sample, NULL, &canon, &reason);
        if (k < 0) {
                k = opt_error_set(l->err, -EINVAL, file, kline, "%s key '%s': %s (run 'skytune policy keys' for the allowlist)",
                                  tunable_kind_to_string(r.kind), v, strempty(reason));
                goto fail;
        }
        r.key = strdup(strchr(v, '$') ? v : canon);

        f = config_setting_get_member(g, "value");
        int t = config_setting_type(f);
        if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
                if (asprintf(&r.value_text, "%lld", (long long) config_setting_get_int64(f)) < 0)
                        r.value_text = NULL;
        } else if ((k = want_string(l, file, f, &v)) < 0)
                goto fail;
        else
                r.value_text = strdup(v);
        if (!r.value_text) {
                k = -ENOMEM;
                goto fail;
        }
        unsigned vline = config_setting_source_line(f);
        r.value_line = vline;
        k = valop_parse(r.value_text, &r.value, &verr);
        if (k < 0) {
                k = opt_error_set(l->err, k, file, vline, "value '%s': %s", r.value_text, verr ? verr : "out of memory");
                goto fail;
        }
        k = valop_check(&r.value, r.kind, canon, &reason);
        if (k < 0) {
                k = opt_error_set(l->err, -EINVAL, file, vline, "value '%s' for %s %s: %s%s", r.value_text,
                                  tunable_kind_to_string(r.kind), r.key, strempty(reason),
                                  r.kind == TUNABLE_ULIMIT ? " (a limit is N, SOFT:HARD, infinity or unlimited; memlock, "
                                                             "core and stack count bytes and take a K, M, G, T, P or E "
                                                             "suffix; nofile is never unlimited)" : "");
                goto fail;
        }
        if (r.value.ref && strcmp(r.value.ref, "current") != 0) {
                PathCheck pc = { .l = l, .file = file, .line = vline, .has_foreach = r.foreach };
                if ((k = check_path_cb(r.value.ref, &pc)) < 0)
                        goto fail;
        }

        f = config_setting_get_member(g, "when");
        if (f && setting) {
                k = opt_error_set(l->err, -EINVAL, file, config_setting_source_line(f),
                                  "settings apply unconditionally: move an entry with 'when' to rules");
                goto fail;
        }
        if (!f && !setting) {
                k = opt_error_set(l->err, -EINVAL, file, gline,
                                  "rule '%s' lacks 'when': a rule fires on evidence; put unconditional values in settings", r.id);
                goto fail;
        }
        if (f) {
                char **parts = NULL;
                size_t n = 0;
                if ((k = want_strings(l, file, f, &parts, &n)) < 0) {
                        strv_free(parts, n);
                        goto fail;
                }
                size_t len = 1;
                for (size_t i = 0; i < n; i++)
                        len += strlen(parts[i]) + 8;
                r.when_text = calloc(1, len);
                for (size_t i = 0; r.when_text && i < n; i++) {
                        if (n > 1)
                                strcat(strcat(strcat(r.when_text, i ? " && (" : "("), parts[i]), ")");
                        else
                                strcat(r.when_text, parts[i]);
                }
                strv_free(parts, n);
                if (!r.when_text) {
                        k = -ENOMEM;
                        goto fail;
                }
                k = cond_parse(r.when_text, &r.when, &cerr);
                if (k < 0) {
                        k = opt_error_set(l->err, k, file, config_setting_source_line(f), "condition of rule '%s' %s in \"%s\"",
                                          r.id, cerr ? cerr : "cannot be parsed", r.when_text);
                        goto fail;
                }
                r.when_line = config_setting_source_line(f);
                PathCheck pc = { .l = l, .file = file, .line = r.when_line, .has_foreach = r.foreach };
                if ((k = cond_foreach_path(r.when, check_path_cb, &pc)) < 0)
                        goto fail;
        }

        static const struct { const char *name; size_t off; } texts[] = {
                { "reason", offsetof(PolicyRule, reason) },
                { "effect", offsetof(PolicyRule, effect) },
                { "source", offsetof(PolicyRule, source) },
                { "confidence", offsetof(PolicyRule, confidence) },
        };
        for (size_t j = 0; j < ELEMENTSOF(texts); j++) {
                f = config_setting_get_member(g, texts[j].name);
                if (!f)
                        continue;
                if ((k = want_string(l, file, f, &v)) < 0)
                        goto fail;
                if (!*v) {
                        k = opt_error_set(l->err, -EINVAL, file, config_setting_source_line(f), "'%s' is empty", texts[j].name);
                        goto fail;
                }
                *(char **) ((char *) &r + texts[j].off) = strdup(v);
        }
        if (r.confidence && strcmp(r.confidence, "high") != 0 && strcmp(r.confidence, "medium") != 0 &&
            strcmp(r.confidence, "low") != 0) {
                k = opt_error_set(l->err, -EINVAL, file, config_setting_source_line(config_setting_get_member(g, "confidence")),
                                  "confidence '%s' must be \"high\", \"medium\" or \"low\"", r.confidence);
                goto fail;
        }
        f = config_setting_get_member(g, "effect_metrics");
        if (f && (k = policy_parse_effect_metrics(f, file, l->err, &r.effect_metrics, &r.n_effect_metrics)) < 0)
                goto fail;
        r.has_effect_metrics = f;
        f = config_setting_get_member(g, "risk");
        if (f) {
                if ((k = want_string(l, file, f, &v)) < 0)
                        goto fail;
                r.risk = risk_from_string(v);
                if (r.risk < 0) {
                        k = opt_error_set(l->err, -EINVAL, file, config_setting_source_line(f),
                                          "risk '%s' must be \"low\", \"medium\" or \"high\"", v);
                        goto fail;
                }
        }
        f = config_setting_get_member(g, "floor");
        if (f && (k = want_integer(l, file, f, &r.floor)) < 0)
                goto fail;
        r.has_floor = f;
        f = config_setting_get_member(g, "cap");
        if (f && (k = want_integer(l, file, f, &r.cap)) < 0)
                goto fail;
        r.has_cap = f;
        if (r.has_floor && r.has_cap && r.floor > r.cap) {
                k = opt_error_set(l->err, -EINVAL, file, config_setting_source_line(f), "cap %lld is below floor %lld",
                                  r.cap, r.floor);
                goto fail;
        }
        if (!r.id || !r.key || (r.when_text && !r.when)) {
                k = -ENOMEM;
                goto fail;
        }
        *ret = r;
        return 0;
fail:
        rule_done(&r);
        return k < 0 ? k : -EINVAL;
}

static PolicyRule *find_rule(Policy *p, const char *id) {
        for (size_t i = 0; i < p->n_rules; i++)
                if (strcmp(p->rules[i].id, id) == 0)
                        return &p->rules[i];
        return NULL;
}

static int merge_rule(Policy *p, PolicyRule *r) {
        PolicyRule *old = find_rule(p, r->id);
        if (old) {
                rule_done(old);
                *old = *r;
                return 0;
        }
        if (p->n_rules >= POLICY_RULES_MAX)
                return -E2BIG;
        PolicyRule *n = realloc(p->rules, (p->n_rules + 1) * sizeof(PolicyRule));
        if (!n)
                return -ENOMEM;
        p->rules = n;
        p->rules[p->n_rules++] = *r;
        return 0;
}

static const char *const top_fields[] = { "name", "description", "include", "allow_risk", "targets", "disable",
                                          "settings", "rules" };

static int load_file(Loader *l, const char *path, unsigned from_line, const char *from_file);

static int load_includes(Loader *l, const char *file, const char *real, const config_setting_t *inc) {
        char **names = NULL;
        size_t n = 0;
        int r = want_strings(l, file, inc, &names, &n);
        unsigned line = config_setting_source_line(inc);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                _cleanup_free_ char *path = NULL;
                if (is_file_arg(names[i])) {
                        if (names[i][0] == '/')
                                path = strdup(names[i]);
                        else {
                                _cleanup_free_ char *dir = strdup(real);
                                char *slash = dir ? strrchr(dir, '/') : NULL;
                                if (slash)
                                        *slash = '\0';
                                if (dir && asprintf(&path, "%s/%s", dir, names[i]) < 0)
                                        path = NULL;
                        }
                        if (!path)
                                r = -ENOMEM;
                } else {
                        r = policy_find(l->search, names[i], real, &path);
                        if (r == -EINVAL)
                                r = opt_error_set(l->err, r, file, line,
                                                  "include '%s' is neither a policy name (letters, digits, '-', '_') nor a "
                                                  "file path", names[i]);
                        else if (r < 0)
                                r = opt_error_set(l->err, r, file, line,
                                                  "included policy '%s' not found in the policy search path (run 'skytune "
                                                  "policy list' to see the directories and names)", names[i]);
                }
                if (r >= 0)
                        r = load_file(l, path, line, file);
        }
        strv_free(names, n);
        return r;
}

static int load_config(Loader *l, const char *path, const char *real, config_t *cfg) {
        config_init(cfg);
        FILE *f = fopen(path, "re");
        if (!f)
                return negative_errno();
        _cleanup_free_ char *text = malloc(POLICY_FILE_MAX + 1);
        size_t n = text ? fread(text, 1, POLICY_FILE_MAX + 1, f) : 0;
        bool err = ferror(f);
        fclose(f);
        if (!text)
                return -ENOMEM;
        if (err)
                return opt_error_set(l->err, -EIO, path, 0, "cannot read the policy file");
        if (n > POLICY_FILE_MAX)
                return opt_error_set(l->err, -EFBIG, path, 0, "policy file is larger than 1 MiB");
        text[n] = '\0';
        if (memchr(text, '\0', n))
                return opt_error_set(l->err, -EINVAL, path, 0, "policy file holds NUL bytes: it is not a text file");
        unsigned line = 1;
        for (const char *p = text; *p; line++) {
                const char *q = p;
                while (*q == ' ' || *q == '\t')
                        q++;
                if (strncmp(q, "@include", 8) == 0)
                        return opt_error_set(l->err, -EINVAL, path, line,
                                             "'@include' is not supported in policies: write include = [ \"NAME\" ];");
                const char *nl = strchr(p, '\n');
                if (!nl)
                        break;
                p = nl + 1;
        }
        if (config_read_string(cfg, text) != CONFIG_TRUE) {
                /* libconfig's own text is often just "syntax error": do not say it twice. */
                const char *why = strempty(config_error_text(cfg));
                bool plain = strcmp(why, "syntax error") == 0 || !*why;
                return opt_error_set(l->err, -EINVAL, path, (unsigned) config_error_line(cfg),
                                     "syntax error%s%s (libconfig syntax: name = value; strings in double quotes, "
                                     "lists in ( ), groups in { }, a comma or semicolon between entries)",
                                     plain ? "" : ": ", plain ? "" : why);
        }
        return 0;
}

static int load_file(Loader *l, const char *path, unsigned from_line, const char *from_file) {
        _cleanup_free_ char *real = realpath(path, NULL);
        if (!real) {
                int r = negative_errno();
                if (from_file)
                        return opt_error_set(l->err, r, from_file, from_line, "included file '%s' cannot be opened: %s", path,
                                             strerror(-r));
                return opt_error_set(l->err, r, path, 0, "cannot open the policy file: %s", strerror(-r));
        }
        for (size_t i = 0; i < l->depth; i++)
                if (strcmp(l->stack[i], real) == 0) {
                        char chain[1024] = "";
                        size_t o = 0;
                        for (size_t j = i; j < l->depth; j++)
                                o += (size_t) snprintf(chain + o, o < sizeof(chain) ? sizeof(chain) - o : 0, "%s -> ",
                                                       l->stack[j]);
                        if (o < sizeof(chain))
                                snprintf(chain + o, sizeof(chain) - o, "%s", real);
                        return opt_error_set(l->err, -ELOOP, from_file, from_line,
                                             "include loop: %s (remove one of these includes)", chain);
                }
        if (l->depth >= POLICY_INCLUDE_DEPTH)
                return opt_error_set(l->err, -ELOOP, from_file, from_line, "includes nested deeper than %d levels",
                                     POLICY_INCLUDE_DEPTH);
        l->stack[l->depth++] = real;

        config_t cfg;
        char **own_ids = NULL;
        size_t n_own = 0;
        int r = load_config(l, path, real, &cfg);
        if (r < 0) {
                if (!l->err || !l->err->message)
                        r = opt_error_set(l->err, r, path, 0, "cannot read the policy file: %s", strerror(-r));
                goto out;
        }
        const config_setting_t *root = config_root_setting(&cfg), *s;
        for (int i = 0; i < config_setting_length(root); i++) {
                s = config_setting_get_elem(root, (unsigned) i);
                bool known = false;
                for (size_t j = 0; j < ELEMENTSOF(top_fields); j++)
                        known = known || strcmp(top_fields[j], config_setting_name(s)) == 0;
                if (!known) {
                        r = opt_error_set(l->err, -EINVAL, path, config_setting_source_line(s),
                                          "unknown setting '%s': a policy has name, description, include, allow_risk, "
                                          "targets, disable, settings and rules", config_setting_name(s));
                        goto out;
                }
        }
        if ((s = config_setting_get_member(root, "include")) && (r = load_includes(l, path, real, s)) < 0)
                goto out;
        Policy *p = l->p;
        const char *v = NULL;
        bool top = l->depth == 1;
        if ((s = config_setting_get_member(root, "name"))) {
                if ((r = want_string(l, path, s, &v)) < 0)
                        goto out;
                if (!name_ok(v)) {
                        r = opt_error_set(l->err, -EINVAL, path, config_setting_source_line(s),
                                          "name '%s' must be 1-64 letters, digits, '-' or '_'", v);
                        goto out;
                }
                if (top) {
                        free(p->name);
                        p->name = strdup(v);
                }
        }
        if ((s = config_setting_get_member(root, "description"))) {
                if ((r = want_string(l, path, s, &v)) < 0)
                        goto out;
                free(p->description);
                p->description = strdup(v);
        }
        if ((s = config_setting_get_member(root, "allow_risk"))) {
                if ((r = want_string(l, path, s, &v)) < 0)
                        goto out;
                p->allow_risk = risk_from_string(v);
                if (p->allow_risk < 0) {
                        r = opt_error_set(l->err, -EINVAL, path, config_setting_source_line(s),
                                          "allow_risk '%s' must be \"low\", \"medium\" or \"high\"", v);
                        goto out;
                }
        }
        if ((s = config_setting_get_member(root, "targets"))) {
                char **t = NULL;
                size_t n = 0;
                r = want_strings(l, path, s, &t, &n);
                for (size_t i = 0; r >= 0 && i < n; i++) {
                        if (!tunable_component_ok(t[i], 128) || strchr(t[i], ':'))
                                r = opt_error_set(l->err, -EINVAL, path, config_setting_source_line(s),
                                                  "target '%s' must be a process name (comm) or a unit name such as "
                                                  "\"postgresql.service\"", t[i]);
                        bool dup = false;
                        for (size_t j = 0; r >= 0 && j < p->n_targets; j++)
                                dup = dup || strcmp(p->targets[j], t[i]) == 0;
                        if (r >= 0 && !dup)
                                r = strv_push(&p->targets, &p->n_targets, t[i]);
                }
                strv_free(t, n);
                if (r < 0)
                        goto out;
        }
        if ((s = config_setting_get_member(root, "disable"))) {
                char **ids = NULL;
                size_t n = 0;
                r = want_strings(l, path, s, &ids, &n);
                for (size_t i = 0; r >= 0 && i < n; i++) {
                        PolicyRule *old = find_rule(p, ids[i]);
                        if (!old) {
                                r = opt_error_set(l->err, -EINVAL, path, config_setting_source_line(s),
                                                  "disable names '%s', which no included policy defines (run 'skytune "
                                                  "policy show' on the included policy for the ids)", ids[i]);
                                break;
                        }
                        rule_done(old);
                        memmove(old, old + 1, (size_t) (p->rules + p->n_rules - old - 1) * sizeof(PolicyRule));
                        p->n_rules--;
                }
                strv_free(ids, n);
                if (r < 0)
                        goto out;
        }
        static const char *const lists[] = { "settings", "rules" };
        for (size_t li = 0; li < ELEMENTSOF(lists); li++) {
                s = config_setting_get_member(root, lists[li]);
                if (!s)
                        continue;
                if (config_setting_type(s) != CONFIG_TYPE_LIST) {
                        r = opt_error_set(l->err, -EINVAL, path, config_setting_source_line(s),
                                          "'%s' must be a list in parentheses: %s = ( { ... }, { ... } );", lists[li], lists[li]);
                        goto out;
                }
                for (int i = 0; i < config_setting_length(s); i++) {
                        const config_setting_t *g = config_setting_get_elem(s, (unsigned) i);
                        PolicyRule rule;
                        r = parse_rule(l, path, g, li == 0, &rule);
                        if (r < 0)
                                goto out;
                        for (size_t j = 0; j < n_own; j++)
                                if (strcmp(own_ids[j], rule.id) == 0) {
                                        r = opt_error_set(l->err, -EINVAL, path, rule.line,
                                                          "id '%s' is used twice in this file: ids name entries uniquely "
                                                          "(a later file may replace an included one by its id)", rule.id);
                                        rule_done(&rule);
                                        goto out;
                                }
                        r = strv_push(&own_ids, &n_own, rule.id);
                        if (r < 0) {
                                rule_done(&rule);
                                goto out;
                        }
                        r = merge_rule(p, &rule);
                        if (r < 0) {
                                rule_done(&rule);
                                r = opt_error_set(l->err, r, path, config_setting_source_line(g), "too many rules");
                                goto out;
                        }
                }
        }
        r = strv_push(&p->files, &p->n_files, real);
out:
        config_destroy(&cfg);
        strv_free(own_ids, n_own);
        l->depth--;
        return r;
}

int policy_load(const PolicySearch *s, const char *name_or_file, Policy **ret, OptError *err) {
        _cleanup_free_ char *path = NULL;
        int r;
        if (is_file_arg(name_or_file))
                path = strdup(name_or_file);
        else {
                r = policy_find(s, name_or_file, NULL, &path);
                if (r == -EINVAL)
                        return opt_error_set(err, r, NULL, 0, "'%s' is not a policy name (letters, digits, '-', '_') or a "
                                             "file path (with '/' or ending in .conf)", name_or_file);
                if (r < 0)
                        return opt_error_set(err, r, NULL, 0, "policy '%s' not found (run 'skytune policy list' for the "
                                             "names and directories, or pass a file path)", name_or_file);
        }
        if (!path)
                return -ENOMEM;
        Policy *p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        Loader l = { .search = s, .p = p, .err = err };
        r = load_file(&l, path, 0, NULL);
        if (r >= 0 && !p->name) {
                const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
                p->name = strndup(base, strlen(base) > 5 && strcmp(base + strlen(base) - 5, ".conf") == 0
                                                ? strlen(base) - 5 : strlen(base));
        }
        if (r >= 0 && p->n_files > 0)
                p->file = strdup(p->files[p->n_files - 1]);
        if (r >= 0 && (!p->name || !p->file))
                r = -ENOMEM;
        if (r < 0) {
                if (err && !err->message)
                        opt_error_set(err, r, path, 0, "cannot load the policy: %s", strerror(-r));
                policy_free(p);
                return r;
        }
        *ret = p;
        return 0;
}

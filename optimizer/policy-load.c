/* SPDX-License-Identifier: MIT */
/* Loading policies: the search path, the files, their includes and the merge (later wins). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy-parse.h"

#define POLICY_FILE_MAX (1024 * 1024)
#define POLICY_RULES_MAX 1024

void policy_search_done(PolicySearch *s) {
        policy_strv_free(s->dirs, s->n_dirs);
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
                        r = policy_strv_push(&s->dirs, &s->n_dirs, d);
        } else {
                _cleanup_free_ char *etc = NULL;
                bool host = isempty(sysroot_path) || strcmp(sysroot_path, "/") == 0;
                if (asprintf(&etc, "%s/etc/skytune/policies", host ? "" : sysroot_path) < 0)
                        return -ENOMEM;
                r = policy_strv_push(&s->dirs, &s->n_dirs, etc);
                if (r >= 0)
                        r = policy_strv_push(&s->dirs, &s->n_dirs, SKYTUNE_POLICY_DIR);
                if (r >= 0 && strcmp(SKYTUNE_POLICY_DIR, SKYTUNE_SOURCE_POLICY_DIR) != 0)
                        r = policy_strv_push(&s->dirs, &s->n_dirs, SKYTUNE_SOURCE_POLICY_DIR);
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


static PolicyRule *find_rule(Policy *p, const char *id) {
        for (size_t i = 0; i < p->n_rules; i++)
                if (strcmp(p->rules[i].id, id) == 0)
                        return &p->rules[i];
        return NULL;
}

static int merge_rule(Policy *p, PolicyRule *r) {
        PolicyRule *old = find_rule(p, r->id);
        if (old) {
                policy_rule_done(old);
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
        int r = policy_want_strings(l, file, inc, &names, &n);
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
        policy_strv_free(names, n);
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

/* A file already on the include stack is a loop; the stack has a depth limit. */
static int check_stack(Loader *l, const char *real, unsigned from_line, const char *from_file) {
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
        return 0;
}

static int check_top_fields(Loader *l, const char *path, const config_setting_t *root) {
        for (int i = 0; i < config_setting_length(root); i++) {
                const config_setting_t *s = config_setting_get_elem(root, (unsigned) i);
                bool known = false;
                for (size_t j = 0; j < ELEMENTSOF(top_fields); j++)
                        known = known || strcmp(top_fields[j], config_setting_name(s)) == 0;
                if (!known)
                        return opt_error_set(l->err, -EINVAL, path, config_setting_source_line(s),
                                             "unknown setting '%s': a policy has name, description, include, allow_risk, "
                                             "targets, disable, settings and rules", config_setting_name(s));
        }
        return 0;
}

/* name (only the top file's counts), description and allow_risk. */
static int load_header(Loader *l, const char *path, const config_setting_t *root) {
        Policy *p = l->p;
        const config_setting_t *s;
        const char *v = NULL;
        bool top = l->depth == 1;
        int r;
        if ((s = config_setting_get_member(root, "name"))) {
                if ((r = policy_want_string(l, path, s, &v)) < 0)
                        return r;
                if (!name_ok(v))
                        return opt_error_set(l->err, -EINVAL, path, config_setting_source_line(s),
                                             "name '%s' must be 1-64 letters, digits, '-' or '_'", v);
                if (top) {
                        free(p->name);
                        p->name = strdup(v);
                }
        }
        if ((s = config_setting_get_member(root, "description"))) {
                if ((r = policy_want_string(l, path, s, &v)) < 0)
                        return r;
                free(p->description);
                p->description = strdup(v);
        }
        if ((s = config_setting_get_member(root, "allow_risk"))) {
                if ((r = policy_want_string(l, path, s, &v)) < 0)
                        return r;
                p->allow_risk = risk_from_string(v);
                if (p->allow_risk < 0)
                        return opt_error_set(l->err, -EINVAL, path, config_setting_source_line(s),
                                             "allow_risk '%s' must be \"low\", \"medium\" or \"high\"", v);
        }
        return 0;
}

static int load_targets(Loader *l, const char *path, const config_setting_t *s) {
        Policy *p = l->p;
        char **t = NULL;
        size_t n = 0;
        int r = policy_want_strings(l, path, s, &t, &n);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                if (!tunable_component_ok(t[i], 128) || strchr(t[i], ':'))
                        r = opt_error_set(l->err, -EINVAL, path, config_setting_source_line(s),
                                          "target '%s' must be a process name (comm) or a unit name such as "
                                          "\"postgresql.service\"", t[i]);
                bool dup = false;
                for (size_t j = 0; r >= 0 && j < p->n_targets; j++)
                        dup = dup || strcmp(p->targets[j], t[i]) == 0;
                if (r >= 0 && !dup)
                        r = policy_strv_push(&p->targets, &p->n_targets, t[i]);
        }
        policy_strv_free(t, n);
        return r;
}

/* disable: drops entries an included policy defined. */
static int load_disable(Loader *l, const char *path, const config_setting_t *s) {
        Policy *p = l->p;
        char **ids = NULL;
        size_t n = 0;
        int r = policy_want_strings(l, path, s, &ids, &n);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                PolicyRule *old = find_rule(p, ids[i]);
                if (!old) {
                        r = opt_error_set(l->err, -EINVAL, path, config_setting_source_line(s),
                                          "disable names '%s', which no included policy defines (run 'skytune "
                                          "policy show' on the included policy for the ids)", ids[i]);
                        break;
                }
                policy_rule_done(old);
                memmove(old, old + 1, (size_t) (p->rules + p->n_rules - old - 1) * sizeof(PolicyRule));
                p->n_rules--;
        }
        policy_strv_free(ids, n);
        return r;
}

/* One entry: its id once in this file, then merged over an included entry of that id. */
static int add_entry(Loader *l, const char *path, const config_setting_t *g, bool setting, char ***own_ids,
                     size_t *n_own) {
        PolicyRule rule;
        int r = policy_parse_rule(l, path, g, setting, &rule);
        if (r < 0)
                return r;
        for (size_t j = 0; j < *n_own; j++)
                if (strcmp((*own_ids)[j], rule.id) == 0) {
                        r = opt_error_set(l->err, -EINVAL, path, rule.line,
                                          "id '%s' is used twice in this file: ids name entries uniquely "
                                          "(a later file may replace an included one by its id)", rule.id);
                        policy_rule_done(&rule);
                        return r;
                }
        r = policy_strv_push(own_ids, n_own, rule.id);
        if (r < 0) {
                policy_rule_done(&rule);
                return r;
        }
        r = merge_rule(l->p, &rule);
        if (r < 0) {
                policy_rule_done(&rule);
                return opt_error_set(l->err, r, path, config_setting_source_line(g), "too many rules");
        }
        return 0;
}

static int load_entries(Loader *l, const char *path, const config_setting_t *root) {
        static const char *const lists[] = { "settings", "rules" };
        char **own_ids = NULL;
        size_t n_own = 0;
        int r = 0;
        for (size_t li = 0; r >= 0 && li < ELEMENTSOF(lists); li++) {
                const config_setting_t *s = config_setting_get_member(root, lists[li]);
                if (!s)
                        continue;
                if (config_setting_type(s) != CONFIG_TYPE_LIST) {
                        r = opt_error_set(l->err, -EINVAL, path, config_setting_source_line(s),
                                          "'%s' must be a list in parentheses: %s = ( { ... }, { ... } );", lists[li],
                                          lists[li]);
                        break;
                }
                for (int i = 0; r >= 0 && i < config_setting_length(s); i++)
                        r = add_entry(l, path, config_setting_get_elem(s, (unsigned) i), li == 0, &own_ids, &n_own);
        }
        policy_strv_free(own_ids, n_own);
        return r;
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
        int r = check_stack(l, real, from_line, from_file);
        if (r < 0)
                return r;
        l->stack[l->depth++] = real;

        config_t cfg;
        r = load_config(l, path, real, &cfg);
        if (r < 0) {
                if (!l->err || !l->err->message)
                        r = opt_error_set(l->err, r, path, 0, "cannot read the policy file: %s", strerror(-r));
                goto out;
        }
        const config_setting_t *root = config_root_setting(&cfg), *s;
        if ((r = check_top_fields(l, path, root)) < 0)
                goto out;
        if ((s = config_setting_get_member(root, "include")) && (r = load_includes(l, path, real, s)) < 0)
                goto out;
        if ((r = load_header(l, path, root)) < 0)
                goto out;
        if ((s = config_setting_get_member(root, "targets")) && (r = load_targets(l, path, s)) < 0)
                goto out;
        if ((s = config_setting_get_member(root, "disable")) && (r = load_disable(l, path, s)) < 0)
                goto out;
        if ((r = load_entries(l, path, root)) < 0)
                goto out;
        r = policy_strv_push(&l->p->files, &l->p->n_files, real);
out:
        config_destroy(&cfg);
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

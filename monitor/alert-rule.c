/* SPDX-License-Identifier: MIT */
/* Alert rule files (alert-rule.h). */
#include <dirent.h>
#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alert-rule.h"
#include "app-metrics.h"
#include "db-figures.h"
#include "conf-read.h"
#include "fileio.h"
#include "macro.h"
#include "safe-text.h"
#include "time-util.h"

#define ALERT_DOC       "docs/monitor.md"
#define ALERT_PAIRS_MAX 32

const char *alert_level_name(AlertLevel l) {
        return l == ALERT_LEVEL_CRIT ? "crit" : l == ALERT_LEVEL_WARN ? "warn" : "none";
}

char *alert_expand(const char *text, double v) {
        char num[32];
        if (isnan(v))
                snprintf(num, sizeof(num), "no data");
        else
                snprintf(num, sizeof(num), "%.4g", v);
        size_t cap = strlen(text) + 1, n = 0;
        for (const char *p = text; (p = strstr(p, "{{")); p += 2)
                cap += strlen(num);
        char *out = malloc(cap);
        if (!out)
                return NULL;
        for (const char *p = text; *p;) {
                const char *q = p;
                if (q[0] == '{' && q[1] == '{') {
                        q += 2;
                        q += strspn(q, " ");
                        if (strncmp(q, "value", 5) == 0) {
                                q += 5;
                                q += strspn(q, " ");
                                if (q[0] == '}' && q[1] == '}') {
                                        memcpy(out + n, num, strlen(num));
                                        n += strlen(num);
                                        p = q + 2;
                                        continue;
                                }
                        }
                }
                out[n++] = *p++;
        }
        out[n] = '\0';
        return out;
}

/* Past level l's threshold in the rule's direction, by margin (negative: short of it). */
static bool past(const AlertRule *r, AlertLevel l, double v, double margin) {
        double t = r->level[l];
        if (isnan(t))
                return false;
        return r->direction == ALERT_ABOVE ? v >= t - margin : v <= t + margin;
}

AlertLevel alert_rule_level(const AlertRule *r, double v, AlertLevel current) {
        if (isnan(v))
                return ALERT_LEVEL_NONE;
        for (AlertLevel l = ALERT_LEVEL_CRIT; l >= ALERT_LEVEL_WARN; l--)
                if (past(r, l, v, current >= l ? r->clear : 0))
                        return l;
        return ALERT_LEVEL_NONE;
}

static void pairs_free(AlertPair *p, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(p[i].name);
                free(p[i].value);
        }
        free(p);
}

static void rule_done(AlertRule *r) {
        free(r->name);
        free(r->file);
        free(r->expr_text);
        cond_free(r->expr);
        for (size_t i = 0; i < r->n_paths; i++)
                free(r->paths[i]);
        free(r->paths);
        pairs_free(r->labels, r->n_labels);
        pairs_free(r->annotations, r->n_annotations);
        *r = (AlertRule) {};
}

void alert_rules_done(AlertRules *rules) {
        for (size_t i = 0; i < rules->n; i++)
                rule_done(&rules->rules[i]);
        free(rules->rules);
        *rules = (AlertRules) {};
}

/* [A-Za-z_][A-Za-z0-9_]*, at most 128 bytes: Prometheus' alert and label names. */
static bool is_identifier(const char *s) {
        if (!s || !(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) || strlen(s) > 128)
                return false;
        for (s++; *s; s++)
                if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
                        return false;
        return true;
}

/* labels = { team = "sre"; }: names as Prometheus takes them, values printable text. */
static int read_pairs(const ConfRead *c, const config_setting_t *g, const char *key, bool labels, AlertPair **ret,
                      size_t *ret_n) {
        const config_setting_t *s = config_setting_get_member(g, key);
        if (!s)
                return 0;
        if (!config_setting_is_group(s))
                return conf_fail(c, s, "'%s' must be a group: %s = { name = \"value\"; };", key, key);
        int n = config_setting_length(s);
        if (n > ALERT_PAIRS_MAX)
                return conf_fail(c, s, "'%s' has %d entries: at most %d", key, n, ALERT_PAIRS_MAX);
        AlertPair *p = calloc((size_t) n + 1, sizeof(*p));
        if (!p)
                return error_set(c->e, -ENOMEM, "out of memory");
        for (int i = 0; i < n; i++) {
                const config_setting_t *m = config_setting_get_elem(s, (unsigned) i);
                const char *name = config_setting_name(m), *v = config_setting_get_string(m);
                int r = 0;
                if (!v || !text_is_printable(v) || strlen(v) > 1024)
                        r = conf_fail(c, m, "%s '%s' must be a string of printable text, at most 1024 bytes", key,
                                      name);
                else if (labels && !is_identifier(name))
                        r = conf_fail(c, m, "label '%s': letters, digits and '_', not starting with a digit", name);
                else if (labels && (strcmp(name, "alertname") == 0 || strcmp(name, "severity") == 0))
                        r = conf_fail(c, m,
                                      "label '%s' is set by the monitor (the rule's name, the level): use "
                                      "another name",
                                      name);
                else if (!(p[i].name = strdup(name)) || !(p[i].value = strdup(v)))
                        r = error_set(c->e, -ENOMEM, "out of memory");
                if (r < 0) {
                        pairs_free(p, (size_t) n);
                        return r;
                }
        }
        *ret = p;
        *ret_n = (size_t) n;
        return 1;
}

typedef struct PathCheck {
        const ConfRead *c;
        const config_setting_t *at;
        const MetricCatalog *catalog;
        AlertRule *r;
} PathCheck;

static int path_check(const char *path, void *userdata) {
        PathCheck *pc = userdata;
        if (strchr(path, '$'))
                return conf_fail(pc->c, pc->at,
                                 "'%s': '$' (one alert per object) is not supported yet: name the "
                                 "object (\"disk.devices.sda.util_pct\")",
                                 path);
        static const char *const own[] = { "monitor.cpu_us", "monitor.missed_total" };
        bool is_own = strcmp(path, own[0]) == 0 || strcmp(path, own[1]) == 0 || app_metrics_is_series(path) ||
                      db_figures_is_series(path);
        if (pc->catalog && !is_own && !metric_catalog_has(pc->catalog, path)) {
                _cleanup_free_ char *near = metric_catalog_nearest(pc->catalog, path);
                return conf_fail(pc->c, pc->at, "'%s' is no series the monitor keeps%s%s%s", path,
                                 near ? ": did you mean '" : " ('skytune monitor series' lists them)", strempty(near),
                                 near ? "'?" : "");
        }
        for (size_t i = 0; i < pc->r->n_paths; i++)
                if (strcmp(pc->r->paths[i], path) == 0)
                        return 0;
        if (pc->r->n_paths == ALERT_RULE_SERIES_MAX)
                return conf_fail(pc->c, pc->at, "'expr' reads more than %d series: split the rule",
                                 ALERT_RULE_SERIES_MAX);
        char **v = realloc(pc->r->paths, (pc->r->n_paths + 1) * sizeof(char *));
        if (!v)
                return -ENOMEM;
        pc->r->paths = v;
        if (!(v[pc->r->n_paths] = strdup(path)))
                return -ENOMEM;
        pc->r->n_paths++;
        return 0;
}

static json_t *probe_lookup(const char *path, void *userdata) {
        return userdata;
}

static int read_expr(const ConfRead *c, const config_setting_t *g, const MetricCatalog *catalog, AlertRule *r) {
        const config_setting_t *s = config_setting_get_member(g, "expr");
        int k = conf_string(c, g, "expr", &r->expr_text);
        if (k < 0)
                return k;
        if (k == 0)
                return conf_fail(c, g, "rule '%s' has no 'expr': the number to watch, as \"cpu.utilization_pct\"",
                                 r->name);
        if (strlen(r->expr_text) > 4096)
                return conf_fail(c, s, "'expr' is longer than 4096 bytes: split the rule");
        Error pe = ERROR_NULL;
        k = cond_parse(r->expr_text, &r->expr, &pe);
        if (k == -ENOMEM)
                return error_set(c->e, k, "out of memory");
        if (k < 0) {
                k = conf_fail(c, s, "'expr': %s", error_message(&pe));
                error_done(&pe);
                return k;
        }
        /* A number, not a comparison: the levels compare it. */
        json_t *one = json_real(1);
        double v;
        k = one ? cond_number(r->expr, NULL, probe_lookup, one, &v) : -ENOMEM;
        json_decref(one);
        if (k == -ENODATA)
                return conf_fail(c, s,
                                 "'expr' never gives a number (exists(), a string, a division by 0): write "
                                 "arithmetic over series");
        if (k == -EINVAL)
                return conf_fail(
                        c, s,
                        "'expr' must be a number (\"cpu.utilization_pct\", \"cpu.user_pct + cpu.system_pct\"); "
                        "the comparison is warn and crit");
        PathCheck pc = { c, s, catalog, r };
        k = cond_foreach_path(r->expr, path_check, &pc);
        if (k == -ENOMEM)
                return error_set(c->e, k, "out of memory");
        if (k < 0)
                return k;
        if (r->n_paths == 0)
                return conf_fail(c, s, "'expr' names no series: it would never change");
        return 0;
}

static int read_levels(const ConfRead *c, const config_setting_t *g, AlertRule *r) {
        static const char *const directions[] = { "above", "below" };
        int dir = ALERT_ABOVE, k;
        r->level[0] = NAN;
        r->level[ALERT_LEVEL_WARN] = r->level[ALERT_LEVEL_CRIT] = NAN;
        if ((k = conf_choice(c, g, "direction", directions, 2, &dir)) < 0 ||
            (k = conf_number(c, g, "warn", -1e15, 1e15, &r->level[ALERT_LEVEL_WARN])) < 0 ||
            (k = conf_number(c, g, "crit", -1e15, 1e15, &r->level[ALERT_LEVEL_CRIT])) < 0 ||
            (k = conf_number(c, g, "clear", 0, 1e15, &r->clear)) < 0)
                return k;
        r->direction = (AlertDirection) dir;
        double w = r->level[ALERT_LEVEL_WARN], cr = r->level[ALERT_LEVEL_CRIT];
        if (isnan(w) && isnan(cr))
                return conf_fail(c, g, "rule '%s' has neither 'warn' nor 'crit': give at least one level", r->name);
        if (!isnan(w) && !isnan(cr) && (r->direction == ALERT_ABOVE ? w > cr : w < cr))
                return conf_fail(c, config_setting_get_member(g, "crit"),
                                 "'crit' (%g) is %s 'warn' (%g): with "
                                 "direction \"%s\" crit is the %s level",
                                 cr, r->direction == ALERT_ABOVE ? "below" : "above", w, directions[dir],
                                 r->direction == ALERT_ABOVE ? "higher" : "lower");
        return 0;
}

static int read_rule(const ConfRead *c, const config_setting_t *g, const MetricCatalog *catalog, AlertRule *r) {
        static const char *const keys[] = { "name",       "expr", "direction",       "warn",    "crit", "clear",
                                            "for",        "hits", "keep_firing_for", "no_data", "flap", "labels",
                                            "annotations" };
        static const char *const no_data[] = { "keep", "alert", "resolve" };
        if (!config_setting_is_group(g))
                return conf_fail(c, g,
                                 "each rule is a group: { name = \"HostCPUBusy\"; expr = \"cpu.utilization_pct\"; "
                                 "warn = 80; crit = 95; }");
        r->line = conf_line(g);
        r->hits = 1;
        r->flap_transitions = 6;
        r->flap_window_ms = 10 * 60000;
        int k = conf_keys(c, g, "a rule", keys, ELEMENTSOF(keys));
        if (k >= 0 && (k = conf_string(c, g, "name", &r->name)) == 0)
                return conf_fail(c, g, "a rule needs a 'name' (\"HostCPUBusy\": letters, digits, '_')");
        if (k >= 0 && !is_identifier(r->name))
                return conf_fail(c, config_setting_get_member(g, "name"),
                                 "'name' \"%s\" must be letters, digits and '_', "
                                 "not starting with a digit",
                                 r->name);
        int nd = ALERT_NODATA_KEEP;
        double hits = 1, flap_n = 6;
        if (k >= 0)
                k = read_expr(c, g, catalog, r);
        if (k >= 0)
                k = read_levels(c, g, r);
        if (k >= 0)
                k = conf_span_ms(c, g, "for", &r->for_ms);
        if (k >= 0 && (k = conf_number(c, g, "hits", 1, 3600, &hits)) > 0 && hits != floor(hits))
                return conf_fail(c, config_setting_get_member(g, "hits"), "'hits' must be a whole number");
        if (k > 0)
                r->hits = (unsigned) hits;
        if (k >= 0)
                k = conf_span_ms(c, g, "keep_firing_for", &r->keep_firing_ms);
        if (k >= 0 && (k = conf_choice(c, g, "no_data", no_data, 3, &nd)) > 0)
                r->no_data = (AlertNoData) nd;
        const config_setting_t *flap = config_setting_get_member(g, "flap");
        if (k >= 0 && flap) {
                static const char *const flap_keys[] = { "transitions", "window" };
                if (!config_setting_is_group(flap))
                        return conf_fail(c, flap,
                                         "'flap' must be a group: flap = { transitions = 6; window = \"10m\"; };");
                if ((k = conf_keys(c, flap, "flap", flap_keys, 2)) >= 0 &&
                    (k = conf_number(c, flap, "transitions", 0, ALERT_FLAP_MAX - 1, &flap_n)) >= 0)
                        r->flap_transitions = (unsigned) flap_n;
                if (k >= 0)
                        k = conf_span_ms(c, flap, "window", &r->flap_window_ms);
        }
        if (k >= 0)
                k = read_pairs(c, g, "labels", true, &r->labels, &r->n_labels);
        if (k >= 0)
                k = read_pairs(c, g, "annotations", false, &r->annotations, &r->n_annotations);
        if (k >= 0 && !(r->file = strdup(c->file)))
                k = error_set(c->e, -ENOMEM, "out of memory");
        return k < 0 ? k : 0;
}

static int read_rules(const ConfRead *c, const config_setting_t *root, const MetricCatalog *catalog, AlertRules *all,
                      AlertRules *add) {
        static const char *const keys[] = { "rules" };
        int k = conf_keys(c, root, "an alert rule file", keys, 1);
        if (k < 0 || config_setting_length(root) == 0)
                return k; /* an empty file holds no rules */
        const config_setting_t *list = config_setting_get_member(root, "rules");
        if (!list || !config_setting_is_list(list))
                return conf_fail(c, list ? list : root,
                                 "an alert rule file holds 'rules = ( { name = \"...\"; expr = "
                                 "\"...\"; warn = 80; }, ... );' (a list in parentheses)");
        int n = config_setting_length(list);
        if ((size_t) n + all->n > ALERT_RULES_MAX)
                return conf_fail(c, list, "more than %d rules in all", ALERT_RULES_MAX);
        add->rules = calloc((size_t) n + 1, sizeof(AlertRule));
        if (!add->rules)
                return error_set(c->e, -ENOMEM, "out of memory");
        for (int i = 0; i < n; i++) {
                AlertRule *r = &add->rules[add->n++];
                if ((k = read_rule(c, config_setting_get_elem(list, (unsigned) i), catalog, r)) < 0)
                        return k;
                for (size_t j = 0; j < all->n + add->n - 1; j++) {
                        const AlertRule *o = j < all->n ? &all->rules[j] : &add->rules[j - all->n];
                        if (strcmp(o->name, r->name) == 0)
                                return error_set_input(c->e, -EEXIST, c->file, r->line,
                                                       "a second rule named '%s' (the "
                                                       "first: %s:%u): give each its own name",
                                                       r->name, o->file, o->line);
                }
        }
        return 0;
}

/* A link to /dev/null masks a shipped file of its name, as in systemd's directories. */
static bool is_dev_null(const char *path) {
        struct stat st, null;
        return stat(path, &st) == 0 && S_ISCHR(st.st_mode) && stat("/dev/null", &null) == 0 &&
                st.st_rdev == null.st_rdev;
}

int alert_rules_load_file(const char *path, const MetricCatalog *catalog, AlertRules *rules, Error *e) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        if (is_dev_null(path))
                return 0;
        int r = fileio_read_regular(path, 1u << 20, &text, &len);
        if (r < 0)
                return error_set(e, r, "cannot read the alert rules %s: %s", path, strerror(-r));
        ConfRead c = { .file = path, .doc = ALERT_DOC, .e = e };
        config_t cfg;
        config_init(&cfg);
        AlertRules add = {};
        r = conf_parse_text(&c, &cfg, text, len);
        if (r >= 0)
                r = read_rules(&c, config_root_setting(&cfg), catalog, rules, &add);
        config_destroy(&cfg);
        if (r >= 0 && add.n > 0) {
                AlertRule *v = realloc(rules->rules, (rules->n + add.n) * sizeof(AlertRule));
                if (!v)
                        r = error_set(e, -ENOMEM, "out of memory");
                else {
                        memcpy(v + rules->n, add.rules, add.n * sizeof(AlertRule));
                        rules->rules = v;
                        rules->n += add.n;
                        add.n = 0;
                }
        }
        alert_rules_done(&add);
        return r < 0 ? r : 0;
}

const char *const *alert_rule_dirs(size_t *ret_n) {
        static const char *const with_source[] = { SKYTUNE_SOURCE_ALERT_DIR, SKYTUNE_ALERT_DIR, ALERT_ETC_DIR };
        bool source = SKYTUNE_SOURCE_ALERT_DIR[0] != '\0';
        *ret_n = source ? 3 : 2;
        return source ? with_source : with_source + 1;
}

void alert_rule_files_free(char **files) {
        for (char **f = files; f && *f; f++)
                free(*f);
        free(files);
}

static int by_base(const void *a, const void *b) {
        const char *x = strrchr(*(char *const *) a, '/'), *y = strrchr(*(char *const *) b, '/');
        return strcmp(x, y);
}

int alert_rule_files(const char *const *dirs, size_t n_dirs, bool must_exist, char ***ret, size_t *ret_n) {
        char **files = calloc(1, sizeof(char *));
        size_t n = 0;
        int r = files ? 0 : -ENOMEM;
        for (size_t d = 0; r >= 0 && d < n_dirs; d++) {
                _cleanup_closedir_ DIR *dir = opendir(dirs[d]);
                if (!dir && (errno != ENOENT || must_exist)) {
                        r = -errno;
                        *ret_n = d; /* which one */
                        break;
                }
                if (!dir)
                        continue;
                for (struct dirent *de; r >= 0 && (de = readdir(dir));) {
                        size_t l = strlen(de->d_name);
                        if (de->d_name[0] == '.' || l < 6 || strcmp(de->d_name + l - 5, ".conf") != 0)
                                continue;
                        char *path = NULL;
                        if (asprintf(&path, "%s/%s", dirs[d], de->d_name) < 0) {
                                r = -ENOMEM;
                                break;
                        }
                        size_t k = 0;
                        while (k < n && strcmp(strrchr(files[k], '/'), strrchr(path, '/')) != 0)
                                k++;
                        if (k < n) { /* a later directory's file of the same name replaces it */
                                free(files[k]);
                                files[k] = path;
                                continue;
                        }
                        char **v = realloc(files, (n + 2) * sizeof(char *));
                        if (!v) {
                                free(path);
                                r = -ENOMEM;
                                break;
                        }
                        files = v;
                        files[n++] = path;
                        files[n] = NULL;
                }
        }
        if (r < 0) {
                alert_rule_files_free(files);
                return r;
        }
        qsort(files, n, sizeof(char *), by_base);
        *ret = files;
        *ret_n = n;
        return 0;
}

int alert_rules_load_dirs(const char *const *dirs, size_t n_dirs, bool must_exist, const MetricCatalog *catalog,
                          AlertRules *rules, Error *e) {
        char **files;
        size_t n = n_dirs;
        int r = alert_rule_files(dirs, n_dirs, must_exist, &files, &n);
        if (r < 0 && n < n_dirs)
                return error_set(e, r, "cannot read the alert rule directory %s: %s", dirs[n], strerror(-r));
        if (r < 0)
                return error_set(e, r, "cannot list the alert rule directories: %s", strerror(-r));
        AlertRules all = {};
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = alert_rules_load_file(files[i], catalog, &all, e);
        alert_rule_files_free(files);
        if (r < 0) {
                alert_rules_done(&all);
                return r;
        }
        alert_rules_done(rules);
        *rules = all;
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* Loading the finding table (finding-table.h): every field checked, file:line on any error. */
#include "finding-table.h"

#include <errno.h>
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

static void rule_done(FindingRule *r) {
        free(r->id), free(r->resource), free(r->kind), free(r->severity);
        free(r->metric), free(r->value), free(r->foreach);
        cond_free(r->when), cond_free(r->warning), cond_free(r->critical), cond_free(r->cause_when);
        cond_free(r->threshold_expr), cond_free(r->value_expr);
        free(r->message), free(r->advice), free(r->cause);
}

FindingTable *finding_table_free(FindingTable *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n; i++)
                rule_done(&t->rules[i]);
        free(t->rules);
        for (size_t i = 0; i < t->n_texts; i++)
                free(t->text_names[i]), free(t->texts[i]);
        free(t->text_names);
        free(t->texts);
        free(t->file);
        free(t);
        return NULL;
}

static const char *const text_fields[] = { "id", "resource", "kind", "severity", "metric", "value", "foreach",
                                           "message", "advice", "cause" };
static const char *const cond_fields[] = { "when", "warning", "critical", "cause_when" };

typedef struct Loader {
        const char *file;
        Error *err;
        config_setting_t *base;         /* the rule named by the current rule's like, or NULL */
        const FindingTable *table;
} Loader;

/* A field of the rule, else of the rule it is like (its id excepted). */
static config_setting_t *member(const Loader *l, config_setting_t *g, const char *name) {
        config_setting_t *f = config_setting_get_member(g, name);
        if (!f && l->base && strcmp(name, "id") != 0)
                f = config_setting_get_member(l->base, name);
        return f;
}

static bool one_of(const char *v, const char *const *names, size_t n) {
        for (size_t i = 0; v && i < n; i++)
                if (strcmp(v, names[i]) == 0)
                        return true;
        return false;
}

static int field_text(Loader *l, config_setting_t *g, const char *name, char **ret) {
        config_setting_t *f = member(l, g, name);
        if (!f)
                return 0;
        const char *v = config_setting_get_string(f);
        if (!v || !*v)
                return error_set(l->err, -EINVAL, "%s:%u: '%s' must be a non-empty string", l->file,
                                 config_setting_source_line(f), name);
        *ret = strdup(v);
        return *ret ? 0 : -ENOMEM;
}

static int field_cond(Loader *l, config_setting_t *g, const char *name, const char *id, Cond **ret) {
        config_setting_t *f = member(l, g, name);
        if (!f)
                return 0;
        const char *v = config_setting_get_string(f);
        _cleanup_(error_done) Error why = ERROR_NULL;
        int r = v ? cond_parse(v, ret, &why) : -EINVAL;
        if (r < 0 && r != -ENOMEM)
                return error_set(l->err, -EINVAL, "%s:%u: condition '%s' of finding '%s' %s", l->file,
                                 config_setting_source_line(f), name, id,
                                 error_is_set(&why) ? error_message(&why) : "must be a string");
        return r;
}

/* The fields every rule must have and the values its enumerations take. */
static int rule_validate(Loader *l, config_setting_t *g, FindingRule *r) {
        static const char *const kinds[] = { "errors", "saturation", "utilization" };
        static const char *const sevs[] = { "info", "warning", "critical" };
        unsigned line = config_setting_source_line(g);
        const char *missing = !r->id ? "id" : !r->resource ? "resource" : !r->kind ? "kind" : !r->metric ? "metric"
                              : !r->when ? "when" : !r->message ? "message" : NULL;
        if (missing)
                return error_set(l->err, -EINVAL, "%s:%u: finding '%s' has no '%s': every finding needs id, resource, "
                                 "kind, metric, when and message", l->file, line, strempty(r->id), missing);
        if (!one_of(r->kind, kinds, ELEMENTSOF(kinds)))
                return error_set(l->err, -EINVAL, "%s:%u: finding '%s': kind '%s' is not errors, saturation or "
                                 "utilization", l->file, line, r->id, r->kind);
        if (!one_of(r->severity, sevs, ELEMENTSOF(sevs)))
                return error_set(l->err, -EINVAL, "%s:%u: finding '%s': severity '%s' is not info, warning or "
                                 "critical", l->file, line, r->id, r->severity);
        if (!r->foreach && (strchr(r->metric, '$') || strchr(r->value, '$')))
                return error_set(l->err, -EINVAL, "%s:%u: finding '%s' uses '$' but has no foreach: add foreach = "
                                 "\"disk.devices\" (or the object it walks)", l->file, line, r->id);
        if (!r->cause != !r->cause_when)
                return error_set(l->err, -EINVAL, "%s:%u: finding '%s': cause and cause_when go together", l->file,
                                 line, r->id);
        return 0;
}

static int rule_parse(Loader *l, config_setting_t *g, FindingRule *r) {
        char **texts[] = { &r->id, &r->resource, &r->kind, &r->severity, &r->metric, &r->value, &r->foreach,
                           &r->message, &r->advice, &r->cause };
        Cond **conds[] = { &r->when, &r->warning, &r->critical, &r->cause_when };
        r->line = config_setting_source_line(g);
        r->table = l->table;
        for (int i = 0; i < config_setting_length(g); i++) {
                config_setting_t *f = config_setting_get_elem(g, (unsigned) i);
                const char *n = config_setting_name(f);
                if (!one_of(n, text_fields, ELEMENTSOF(text_fields)) && !one_of(n, cond_fields, ELEMENTSOF(cond_fields)) &&
                    strcmp(n, "threshold") != 0 && strcmp(n, "like") != 0)
                        return error_set(l->err, -EINVAL, "%s:%u: unknown field '%s' in a finding: the fields are id, "
                                         "like, resource, kind, severity, metric, value, threshold, foreach, when, "
                                         "warning, critical, message, advice, cause, cause_when", l->file,
                                         config_setting_source_line(f), n);
        }
        int k = 0;
        for (size_t i = 0; k >= 0 && i < ELEMENTSOF(texts); i++)
                k = field_text(l, g, text_fields[i], texts[i]);
        for (size_t i = 0; k >= 0 && i < ELEMENTSOF(conds); i++)
                k = field_cond(l, g, cond_fields[i], strempty(r->id), conds[i]);
        if (k < 0)
                return k;
        if (!r->severity && !(r->severity = strdup("warning")))
                return -ENOMEM;
        if (!r->value && r->metric && !(r->value = strdup(r->metric)))
                return -ENOMEM;
        _cleanup_(error_done) Error why = ERROR_NULL;
        if (r->value && (k = cond_parse(r->value, &r->value_expr, &why)) < 0)
                return k == -ENOMEM ? k : error_set(l->err, -EINVAL, "%s:%u: value of finding '%s' %s", l->file,
                                                    r->line, strempty(r->id), error_message(&why));
        config_setting_t *t = member(l, g, "threshold");
        if (t && config_setting_type(t) == CONFIG_TYPE_STRING) {
                k = field_cond(l, g, "threshold", r->id, &r->threshold_expr);
                return k < 0 ? k : rule_validate(l, g, r);
        }
        if (t && config_setting_type(t) != CONFIG_TYPE_INT && config_setting_type(t) != CONFIG_TYPE_FLOAT)
                return error_set(l->err, -EINVAL, "%s:%u: threshold must be a number or an expression in quotes "
                                 "(\"cpu.online_cpus.value\")", l->file, config_setting_source_line(t));
        r->threshold = !t ? 0 : config_setting_type(t) == CONFIG_TYPE_INT ? config_setting_get_int(t)
                                                                          : config_setting_get_float(t);
        return rule_validate(l, g, r);
}

/* l->base: the earlier rule that rule i is like, if it names one. */
static int rule_base(Loader *l, config_setting_t *list, config_setting_t *g, const FindingTable *t, size_t i) {
        const char *like = NULL;
        l->base = NULL;
        if (!config_setting_is_group(g) || !config_setting_lookup_string(g, "like", &like))
                return config_setting_is_group(g) && config_setting_get_member(g, "like") ?
                        error_set(l->err, -EINVAL, "%s:%u: 'like' must be the id of an earlier finding, in quotes",
                                  l->file, config_setting_source_line(g)) : 0;
        for (size_t j = 0; j < i; j++)
                if (strcmp(t->rules[j].id, like) == 0) {
                        l->base = config_setting_get_elem(list, (unsigned) j);
                        if (config_setting_get_member(l->base, "like"))
                                return error_set(l->err, -EINVAL, "%s:%u: like = \"%s\" names a finding that is "
                                                 "itself like another: name that one", l->file,
                                                 config_setting_source_line(g), like);
                        return 0;
                }
        return error_set(l->err, -EINVAL, "%s:%u: like = \"%s\" names no earlier finding (like takes the fields of "
                         "a finding above it)", l->file, config_setting_source_line(g), like);
}

const char *finding_table_text(const FindingTable *t, const char *name) {
        for (size_t i = 0; i < t->n_texts; i++)
                if (strcmp(t->text_names[i], name) == 0)
                        return t->texts[i];
        return NULL;
}

/* texts = { NAME = "..."; ... }; (optional) */
static int texts_from_config(config_t *cfg, Loader *l, FindingTable *t) {
        config_setting_t *g = config_lookup(cfg, "texts");
        if (!g)
                return 0;
        if (!config_setting_is_group(g))
                return error_set(l->err, -EINVAL, "%s:%u: texts must be a group: texts = { NAME = \"...\"; };",
                                 l->file, config_setting_source_line(g));
        size_t n = (size_t) config_setting_length(g);
        t->text_names = calloc(n ? n : 1, sizeof(char *));
        t->texts = calloc(n ? n : 1, sizeof(char *));
        if (!t->text_names || !t->texts)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                config_setting_t *f = config_setting_get_elem(g, (unsigned) i);
                const char *v = config_setting_get_string(f);
                if (!v)
                        return error_set(l->err, -EINVAL, "%s:%u: text '%s' must be a string", l->file,
                                         config_setting_source_line(f), config_setting_name(f));
                t->text_names[i] = strdup(config_setting_name(f));
                t->texts[i] = strdup(v);
                t->n_texts++;
                if (!t->text_names[i] || !t->texts[i])
                        return -ENOMEM;
        }
        return 0;
}

static int table_from_config(config_t *cfg, Loader *l, FindingTable *t) {
        int k = texts_from_config(cfg, l, t);
        if (k < 0)
                return k;
        config_setting_t *list = config_lookup(cfg, "findings");
        if (!list || !config_setting_is_list(list))
                return error_set(l->err, -EINVAL, "%s: no list 'findings = ( { ... }, ... );'", l->file);
        size_t n = (size_t) config_setting_length(list);
        t->rules = calloc(n ? n : 1, sizeof(FindingRule));
        if (!t->rules)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                config_setting_t *g = config_setting_get_elem(list, (unsigned) i);
                t->n++;
                if (!config_setting_is_group(g))
                        return error_set(l->err, -EINVAL, "%s:%u: a finding must be a group { ... }", l->file,
                                         config_setting_source_line(g));
                int r = rule_base(l, list, g, t, i);
                r = r ?: rule_parse(l, g, &t->rules[i]);
                for (size_t j = 0; r >= 0 && j < i; j++)
                        if (strcmp(t->rules[j].id, t->rules[i].id) == 0)
                                r = error_set(l->err, -EINVAL, "%s:%u: finding id '%s' is already used at line %u",
                                              l->file, t->rules[i].line, t->rules[i].id, t->rules[j].line);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int table_read(const char *text, const char *path, const char *file, FindingTable **ret, Error *err) {
        config_t cfg;
        config_init(&cfg);
        FindingTable *t = calloc(1, sizeof(*t));
        int r = t && (t->file = strdup(file)) ? 0 : -ENOMEM;
        Loader l = { .file = file, .err = err, .table = t };
        if (r >= 0 && (text ? config_read_string(&cfg, text) : config_read_file(&cfg, path)) != CONFIG_TRUE) {
                if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
                        r = error_set(err, -ENOENT, "%s: cannot read the finding table (give the path of a copy "
                                      "of rules/findings.conf)", file);
                else
                        r = error_set(err, -EINVAL, "%s:%d: %s", file, config_error_line(&cfg), config_error_text(&cfg));
        }
        if (r >= 0)
                r = table_from_config(&cfg, &l, t);
        config_destroy(&cfg);
        if (r < 0) {
                finding_table_free(t);
                return r;
        }
        *ret = t;
        return 0;
}

int finding_table_parse(const char *text, const char *file, FindingTable **ret, Error *err) {
        return table_read(text, NULL, file, ret, err);
}

int finding_table_load(const char *path, FindingTable **ret, Error *err) {
        return table_read(NULL, path, path, ret, err);
}

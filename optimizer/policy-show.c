/* SPDX-License-Identifier: MIT */
/* Listing policies and showing a merged policy (libconfig text or JSON). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

static void entry_done(PolicyListEntry *e) {
        free(e->name);
        free(e->path);
        free(e->description);
        free(e->error);
}

void policy_list_free(PolicyListEntry *l, size_t n) {
        for (size_t i = 0; i < n; i++)
                entry_done(&l[i]);
        free(l);
}

static int cmp_entry(const void *a, const void *b) {
        const PolicyListEntry *x = a, *y = b;
        int c = strcmp(x->name, y->name);
        return c ? c : (int) x->shadowed - (int) y->shadowed;
}

int policy_list(const PolicySearch *s, PolicyListEntry **ret, size_t *ret_n) {
        PolicyListEntry *l = NULL;
        size_t n = 0;
        for (size_t d = 0; d < s->n_dirs; d++) {
                _cleanup_closedir_ DIR *dir = opendir(s->dirs[d]);
                if (!dir)
                        continue;
                for (struct dirent *de; (de = readdir(dir));) {
                        size_t len = strlen(de->d_name);
                        if (len <= 5 || strcmp(de->d_name + len - 5, ".conf") != 0 || de->d_name[0] == '.')
                                continue;
                        PolicyListEntry e = {};
                        e.name = strndup(de->d_name, len - 5);
                        if (!e.name || asprintf(&e.path, "%s/%s", s->dirs[d], de->d_name) < 0) {
                                free(e.name);
                                policy_list_free(l, n);
                                return -ENOMEM;
                        }
                        for (size_t i = 0; i < n; i++)
                                e.shadowed = e.shadowed || strcmp(l[i].name, e.name) == 0;
                        Policy *p = NULL;
                        OptError err = OPT_ERROR_INIT;
                        if (policy_load(s, e.path, &p, &err) >= 0)
                                e.description = strdup(p->description ? p->description : "");
                        else
                                e.error = opt_error_format(&err);
                        opt_error_clear(&err);
                        policy_free(p);
                        PolicyListEntry *nl = realloc(l, (n + 1) * sizeof(*l));
                        if (!nl) {
                                entry_done(&e);
                                policy_list_free(l, n);
                                return -ENOMEM;
                        }
                        l = nl;
                        l[n++] = e;
                }
        }
        if (n)
                qsort(l, n, sizeof(*l), cmp_entry);
        *ret = l;
        *ret_n = n;
        return 0;
}

static void put_str(FILE *f, const char *s) {
        fputc('"', f);
        for (; *s; s++) {
                if (*s == '"' || *s == '\\')
                        fputc('\\', f);
                if (*s == '\n')
                        fputs("\\n", f);
                else
                        fputc(*s, f);
        }
        fputc('"', f);
}

static void put_field(FILE *f, const char *name, const char *v) {
        if (!v)
                return;
        fprintf(f, "\n          %s = ", name);
        put_str(f, v);
        fputc(';', f);
}

static void put_list(FILE *f, const Policy *p, bool settings) {
        bool first = true;
        fprintf(f, "%s = (", settings ? "settings" : "rules");
        for (size_t i = 0; i < p->n_rules; i++) {
                const PolicyRule *r = &p->rules[i];
                if (r->setting != settings)
                        continue;
                fprintf(f, "%s\n        # %s:%u\n        {", first ? "" : ",", r->file, r->line);
                first = false;
                put_field(f, "id", r->id);
                put_field(f, "kind", tunable_kind_to_string(r->kind));
                put_field(f, "key", r->key);
                put_field(f, "value", r->value_text);
                put_field(f, "foreach", r->foreach);
                put_field(f, "when", r->when_text);
                put_field(f, "risk", risk_to_string(r->risk));
                put_field(f, "confidence", r->confidence);
                if (r->has_floor)
                        fprintf(f, "\n          floor = %lldL;", r->floor);
                if (r->has_cap)
                        fprintf(f, "\n          cap = %lldL;", r->cap);
                put_field(f, "reason", r->reason);
                put_field(f, "effect", r->effect);
                if (r->has_effect_metrics) {
                        fputs("\n          effect_metrics = [", f);
                        for (size_t j = 0; j < r->n_effect_metrics; j++)
                                fprintf(f, "%s\"%s\"", j ? ", " : " ", r->effect_metrics[j]);
                        fputs(" ];", f);
                }
                put_field(f, "source", r->source);
                fputs("\n        }", f);
        }
        fputs(first ? ");\n" : "\n);\n", f);
}

int policy_format(const Policy *p, char **ret) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
                return -ENOMEM;
        fprintf(f, "# Policy \"%s\", merged from:\n", p->name);
        for (size_t i = 0; i < p->n_files; i++)
                fprintf(f, "#   %s\n", p->files[i]);
        fputs("name = ", f);
        put_str(f, p->name);
        fputs(";\n", f);
        if (p->description) {
                fputs("description = ", f);
                put_str(f, p->description);
                fputs(";\n", f);
        }
        fprintf(f, "allow_risk = \"%s\";\n", risk_to_string(p->allow_risk));
        if (p->n_targets) {
                fputs("targets = [", f);
                for (size_t i = 0; i < p->n_targets; i++) {
                        fputs(i ? ", " : " ", f);
                        put_str(f, p->targets[i]);
                }
                fputs(" ];\n", f);
        }
        put_list(f, p, true);
        put_list(f, p, false);
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

json_t *policy_to_json(const Policy *p) {
        json_t *files = json_array(), *targets = json_array(), *rules = json_array();
        for (size_t i = 0; i < p->n_files; i++)
                json_array_append_new(files, json_string(p->files[i]));
        for (size_t i = 0; i < p->n_targets; i++)
                json_array_append_new(targets, json_string(p->targets[i]));
        for (size_t i = 0; i < p->n_rules; i++) {
                const PolicyRule *r = &p->rules[i];
                json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "id", r->id, "type",
                                      r->setting ? "setting" : "rule", "kind", tunable_kind_to_string(r->kind), "key",
                                      r->key, "value", r->value_text, "reason", r->reason, "effect", r->effect, "risk",
                                      risk_to_string(r->risk), "file", r->file, "line", (int) r->line);
                if (!o)
                        continue;
                if (r->when_text)
                        json_object_set_new(o, "when", json_string(r->when_text));
                if (r->foreach)
                        json_object_set_new(o, "foreach", json_string(r->foreach));
                if (r->source)
                        json_object_set_new(o, "source", json_string(r->source));
                if (r->has_effect_metrics) {
                        json_t *em = json_array();
                        for (size_t j = 0; em && j < r->n_effect_metrics; j++)
                                json_array_append_new(em, json_string(r->effect_metrics[j]));
                        json_object_set_new(o, "effect_metrics", em);
                }
                json_object_set_new(o, "confidence", json_string(r->confidence ? r->confidence : "high"));
                if (r->has_floor)
                        json_object_set_new(o, "floor", json_integer(r->floor));
                if (r->has_cap)
                        json_object_set_new(o, "cap", json_integer(r->cap));
                json_array_append_new(rules, o);
        }
        return json_pack("{s:s, s:s, s:s?, s:s, s:o, s:o, s:o}", "schema", POLICY_SCHEMA, "name", p->name,
                         "description", p->description,
                         "allow_risk", risk_to_string(p->allow_risk), "files", files, "targets", targets, "rules", rules);
}

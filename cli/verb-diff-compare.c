/* SPDX-License-Identifier: MIT */
/* Two flat forms compared member by member (the skytune.diff/1 document). A sampled metric's change
 * is "beyond" its spread when the two ranges of samples (min..max) do not overlap, "within" when they
 * do, "unknown" when a side has fewer than two samples; an unsampled one has no spread. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "macro.h"

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* The keys of a and b together, sorted, each once; NULL on ENOMEM. */
static const char **union_keys(const json_t *a, const json_t *b, size_t *ret_n) {
        size_t n = json_object_size(a) + json_object_size(b), k = 0;
        const char **v = calloc(n ? n : 1, sizeof(char *)), *key;
        json_t *x;
        if (!v)
                return NULL;
        json_object_foreach((json_t *) a, key, x)
                v[k++] = key;
        json_object_foreach((json_t *) b, key, x)
                if (!json_object_get(a, key))
                        v[k++] = key;
        qsort(v, k, sizeof(char *), cmp_str);
        *ret_n = k;
        return v;
}

static bool get(const json_t *m, const char *field, double *ret) {
        json_t *v = json_object_get(m, field);
        if (!json_is_number(v))
                return false;
        *ret = json_number_value(v);
        return true;
}

static const char *spread(const json_t *a, const json_t *b) {
        double alo, ahi, blo, bhi, an = 0, bn = 0;
        if (!get(a, "min", &alo) || !get(a, "max", &ahi) || !get(b, "min", &blo) || !get(b, "max", &bhi))
                return NULL;
        if (!get(a, "n", &an) || !get(b, "n", &bn) || an < 2 || bn < 2)
                return "unknown";
        return blo > ahi || bhi < alo ? "beyond" : "within";
}

/* JSON has no infinity: 1e308 - -1e308 is reported as no number. */
static json_t *finite_or_null(bool have, double v) {
        return have && isfinite(v) ? json_real(v) : json_null();
}

static bool same_number(double x, double y) {
        return x == y || fabs(x - y) <= 1e-9 * fmax(fabs(x), fabs(y));
}

static int compare_metric(const char *path, const json_t *ma, const json_t *mb, bool all, json_t *out, size_t *beyond) {
        double a = 0, b = 0;
        bool ha = get(ma, "value", &a), hb = get(mb, "value", &b);
        bool changed = ha != hb || (ha && !same_number(a, b));
        if (!changed && !all)
                return 0;
        const json_t *unit = json_object_get(ma ? ma : mb, "unit");
        json_t *o = json_pack("{s:s, s:O?, s:b}", "path", path, "unit", json_is_string(unit) ? unit : NULL, "changed", changed);
        if (!o)
                return -ENOMEM;
        json_object_set_new(o, "a", ha ? json_real(a) : json_null());
        json_object_set_new(o, "b", hb ? json_real(b) : json_null());
        json_object_set_new(o, "change", finite_or_null(ha && hb, b - a));
        json_object_set_new(o, "change_pct", finite_or_null(ha && hb && a != 0, (b - a) / fabs(a) * 100));
        const char *s = ha && hb && changed ? spread(ma, mb) : NULL;
        json_object_set_new(o, "spread", s ? json_string(s) : json_null());
        if (s && strcmp(s, "beyond") == 0)
                (*beyond)++;
        return json_array_append_new(out, o) < 0 ? -ENOMEM : 0;
}

/* Text members (tunables, facts): the ones that differ, with null for a side that lacks it. */
static int compare_text(const json_t *a, const json_t *b, json_t *out) {
        size_t n = 0;
        const char **keys = union_keys(a, b, &n);
        int r = keys ? 0 : -ENOMEM;
        for (size_t i = 0; r >= 0 && i < n; i++) {
                json_t *x = json_object_get(a, keys[i]), *y = json_object_get(b, keys[i]);
                if (x && y && json_equal(x, y))
                        continue;
                json_t *o = json_pack("{s:s, s:O?, s:O?}", "name", keys[i], "a", x, "b", y);
                if (!o || json_array_append_new(out, o) < 0)
                        r = -ENOMEM;
                else {
                        if (!x)
                                json_object_set_new(o, "a", json_null());
                        if (!y)
                                json_object_set_new(o, "b", json_null());
                }
        }
        free(keys);
        return r;
}

/* Members of from that to lacks: [{id, text}]. */
static int only_in(const json_t *from, const json_t *to, json_t *out) {
        size_t n = 0;
        const char **keys = union_keys(from, NULL, &n);
        int r = keys ? 0 : -ENOMEM;
        for (size_t i = 0; r >= 0 && i < n; i++)
                if (!json_object_get(to, keys[i])) {
                        json_t *o = json_pack("{s:s, s:O}", "id", keys[i], "text", json_object_get(from, keys[i]));
                        if (!o || json_array_append_new(out, o) < 0)
                                r = -ENOMEM;
                }
        free(keys);
        return r;
}

/* A finding's text is "SEVERITY: message" (diff.h): the length of its severity word. */
static size_t severity_len(const char *text) {
        const char *c = strchr(text, ':');
        return c ? (size_t) (c - text) : strlen(text);
}

/* Findings both sides have whose severity differs (a warning turned critical): [{id, a, b}]. */
static int severity_changed(const json_t *a, const json_t *b, json_t *out) {
        const char *id;
        json_t *x;
        json_object_foreach((json_t *) a, id, x) {
                const char *ta = json_string_value(x), *tb = json_string_value(json_object_get(b, id));
                if (!ta || !tb)
                        continue;
                size_t la = severity_len(ta), lb = severity_len(tb);
                if (la == lb && strncmp(ta, tb, la) == 0)
                        continue;
                json_t *o = json_pack("{s:s, s:s, s:s}", "id", id, "a", ta, "b", tb);
                if (!o || json_array_append_new(out, o) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int diff_compare(const json_t *a, const json_t *b, bool all, json_t **ret) {
        json_t *d = json_pack("{s:s, s:[], s:[], s:{s:[], s:[], s:[]}, s:[]}", "schema", DIFF_SCHEMA, "metrics",
                              "tunables", "findings", "appeared", "gone", "changed", "facts");
        if (!d)
                return -ENOMEM;
        const json_t *ma = json_object_get(a, "metrics"), *mb = json_object_get(b, "metrics");
        size_t n = 0, beyond = 0, changed = 0;
        const char **keys = union_keys(ma, mb, &n);
        int r = keys ? 0 : -ENOMEM;
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = compare_metric(keys[i], json_object_get(ma, keys[i]), json_object_get(mb, keys[i]), all,
                                   json_object_get(d, "metrics"), &beyond);
        free(keys);
        json_t *findings = json_object_get(d, "findings"), *m;
        r = r ?: compare_text(json_object_get(a, "tunables"), json_object_get(b, "tunables"), json_object_get(d, "tunables"));
        r = r ?: compare_text(json_object_get(a, "facts"), json_object_get(b, "facts"), json_object_get(d, "facts"));
        r = r ?: only_in(json_object_get(b, "findings"), json_object_get(a, "findings"), json_object_get(findings, "appeared"));
        r = r ?: only_in(json_object_get(a, "findings"), json_object_get(b, "findings"), json_object_get(findings, "gone"));
        r = r ?: severity_changed(json_object_get(a, "findings"), json_object_get(b, "findings"),
                                  json_object_get(findings, "changed"));
        size_t i;
        json_array_foreach(json_object_get(d, "metrics"), i, m)
                changed += json_is_true(json_object_get(m, "changed"));
        bool differ = changed || json_array_size(json_object_get(d, "tunables")) ||
                      json_array_size(json_object_get(findings, "appeared")) || json_array_size(json_object_get(findings, "gone")) ||
                      json_array_size(json_object_get(findings, "changed")) ||
                      json_array_size(json_object_get(d, "facts"));
        if (r >= 0)
                r = json_object_update_new(d, json_pack("{s:I, s:I, s:I, s:b}", "metrics_compared", (json_int_t) n,
                                                        "metrics_changed", (json_int_t) changed, "beyond_spread",
                                                        (json_int_t) beyond, "differ", differ)) < 0 ? -ENOMEM : 0;
        if (r < 0) {
                json_decref(d);
                return r;
        }
        *ret = d;
        return 0;
}

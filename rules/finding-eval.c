/* SPDX-License-Identifier: MIT */
/* Evaluating the finding table over a profile document, and checking its paths against the
 * metric catalogue. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finding-table.h"
#include "jpath.h"
#include "macro.h"

static json_t *lookup(const char *path, void *userdata) {
        return jpath_profile(userdata, NULL, path);
}

/* The FMT of "{EXPR:FMT}" (d, g or .Nf) as a printf precision: -1 for d, -2 for g; -3 when text
 * is not one. */
static int quote_fmt(const char *text) {
        if (strcmp(text, "d") == 0 || strcmp(text, "g") == 0)
                return text[0] == 'd' ? -1 : -2;
        return text[0] == '.' && isdigit((unsigned char) text[1]) && text[2] == 'f' && !text[3] ? text[1] - '0' : -3;
}

/* Splits "EXPR:FMT" (the last ':', since paths may hold ':') into expr and its precision. */
int finding_quote_split(const char *quote, char **ret_expr, int *ret_prec) {
        const char *colon = strrchr(quote, ':');
        int prec = colon ? quote_fmt(colon + 1) : -3;
        size_t n = prec == -3 ? strlen(quote) : (size_t) (colon - quote);
        *ret_prec = prec == -3 ? -2 : prec;
        *ret_expr = strndup(quote, n);
        return *ret_expr ? 0 : -ENOMEM;
}

/* Where a message is written, and what its quotes read. */
typedef struct Text {
        FILE *out;
        const char *subst;              /* the foreach object, or NULL */
        const json_t *profile;
        const char *severity, *cause;   /* the finding's */
        const FindingTable *table;
        unsigned depth;                 /* of {=NAME} texts within texts */
} Text;

static int quote_one(const Text *t, const char *quote) {
        if (strcmp(quote, "$") == 0 || strcmp(quote, "cause") == 0)
                return fputs(strempty(quote[0] == '$' ? t->subst : t->cause), t->out) < 0 ? -EIO : 0;
        _cleanup_free_ char *expr = NULL;
        int prec, k = finding_quote_split(quote, &expr, &prec);
        if (k < 0)
                return k;
        Cond *c = NULL;
        double d = 0;
        if (cond_parse(expr, &c, NULL) < 0 || cond_number(c, t->subst, lookup, (void *) t->profile, &d) < 0) {
                /* A string fact ("host.virtualization") is quoted as it is. */
                _cleanup_free_ char *p = jpath_subst(expr, t->subst ? t->subst : "$");
                json_t *v = p ? jpath_scalar(lookup(p, (void *) t->profile)) : NULL;
                cond_free(c);
                return fputs(json_is_string(v) ? json_string_value(v) : "unknown", t->out) < 0 ? -EIO : 0;
        }
        cond_free(c);
        if (prec == -1)
                k = fprintf(t->out, "%lld", (long long) d);
        else if (prec == -2)
                k = fprintf(t->out, "%g", d);
        else
                k = fprintf(t->out, "%.*f", prec, d);
        return k < 0 ? -EIO : 0;
}

const char *finding_quote_end(const char *open) {
        unsigned depth = 0;
        for (const char *s = open; *s; s++)
                if (*s == '{')
                        depth++;
                else if (*s == '}' && --depth == 0)
                        return s;
        return NULL;
}

/* The next '?' of s outside braces, or the end. */
static const char *next_part(const char *s) {
        unsigned depth = 0;
        for (; *s && (*s != '?' || depth > 0); s++)
                if (*s == '{')
                        depth++;
                else if (*s == '}' && depth > 0)
                        depth--;
        return s;
}

int finding_choice_split(const char *quote, char **ret_cond, char **ret_then, char **ret_else) {
        const char *c = quote + 1, *t = strchr(c, '?');
        const char *e = t ? next_part(t + 1) : NULL;
        if (!t || (*e && *next_part(e + 1)))
                return -EINVAL;
        *ret_cond = strndup(c, (size_t) (t - c));
        *ret_then = strndup(t + 1, (size_t) (e - t - 1));
        *ret_else = strdup(*e ? e + 1 : "");
        if (*ret_cond && *ret_then && *ret_else)
                return 0;
        free(*ret_cond), free(*ret_then), free(*ret_else);
        *ret_cond = *ret_then = *ret_else = NULL;
        return -ENOMEM;
}

bool finding_choice_is_word(const char *cond) {
        return strcmp(cond, "info") == 0 || strcmp(cond, "warning") == 0 || strcmp(cond, "critical") == 0 ||
               strcmp(cond, "cause") == 0;
}

static int expand_into(const Text *t, const char *text);

/* {?COND?THEN?ELSE}: THEN when COND holds (is the finding's severity; is "cause" and the finding has
 * one), else ELSE (or nothing). */
static int choose(const Text *t, const char *quote) {
        _cleanup_free_ char *cond = NULL, *then = NULL, *els = NULL;
        int k = finding_choice_split(quote, &cond, &then, &els);
        if (k < 0)
                return k;
        if (strcmp(cond, "cause") == 0) {
                k = t->cause != NULL;
        } else if (finding_choice_is_word(cond)) {
                k = strcmp(cond, t->severity) == 0;
        } else {
                Cond *c = NULL;
                if ((k = cond_parse(cond, &c, NULL)) < 0)
                        return k;
                k = cond_eval(c, t->subst, lookup, (void *) t->profile, NULL);
                cond_free(c);
        }
        return k < 0 ? k : expand_into(t, k > 0 ? then : els);
}

/* {=NAME}: the table's text of that name, its quotes filled in (a text naming itself stops). */
static int named_text(const Text *t, const char *name) {
        const char *text = finding_table_text(t->table, name);
        if (!text || t->depth >= 8)
                return -EINVAL;
        Text inner = *t;
        inner.depth++;
        return expand_into(&inner, text);
}

/* text with its quotes filled in. */
static int expand_into(const Text *t, const char *text) {
        int k = 0;
        for (const char *s = text; k >= 0 && *s; s++) {
                const char *end = *s == '{' ? finding_quote_end(s) : NULL;
                if (end) {
                        _cleanup_free_ char *quote = strndup(s + 1, (size_t) (end - s - 1));
                        k = !quote ? -ENOMEM : quote[0] == '?' ? choose(t, quote)
                            : quote[0] == '=' ? named_text(t, quote + 1) : quote_one(t, quote);
                        s = end;
                } else if (fputc(*s, t->out) == EOF)
                        k = -EIO;
        }
        return k;
}

/* The message, then ": " and the advice, quotes filled in (malloc'ed). */
static int expand(const FindingRule *r, const char *subst, const json_t *profile, const FindingHit *h, char **ret) {
        char *buf = NULL;
        size_t size = 0;
        Text t = { open_memstream(&buf, &size), subst, profile, h->severity, h->cause, r->table, 0 };
        if (!t.out)
                return -ENOMEM;
        int k = expand_into(&t, r->message);
        if (k >= 0 && r->advice && fputs(": ", t.out) < 0)
                k = -EIO;
        if (k >= 0 && r->advice)
                k = expand_into(&t, r->advice);
        if (fclose(t.out) != 0 && k >= 0)
                k = -ENOMEM;
        if (k < 0) {
                free(buf);
                return k;
        }
        *ret = buf;
        return 0;
}

static int holds(const Cond *c, const char *subst, const json_t *profile) {
        return c ? cond_eval(c, subst, lookup, (void *) profile, NULL) : 0;
}

static int eval_one(const FindingRule *r, const char *subst, const json_t *profile, FindingEmit emit, void *u) {
        int k = holds(r->when, subst, profile);
        if (k <= 0)
                return k;
        _cleanup_free_ char *metric = jpath_subst(r->metric, subst ? subst : "$");
        _cleanup_free_ char *msg = NULL;
        if (!metric)
                return -ENOMEM;
        FindingHit h = { .rule = r, .severity = r->severity, .metric = metric, .threshold = r->threshold };
        if (cond_number(r->value_expr, subst, lookup, (void *) profile, &h.value) < 0)
                return 0;       /* a finding reports a value: without one it has nothing to say */
        if (r->threshold_expr && cond_number(r->threshold_expr, subst, lookup, (void *) profile, &h.threshold) < 0)
                return 0;
        if (holds(r->warning, subst, profile) > 0)
                h.severity = "warning";
        if (holds(r->critical, subst, profile) > 0)
                h.severity = "critical";
        if (r->cause && holds(r->cause_when, subst, profile) > 0)
                h.cause = r->cause;
        if ((k = expand(r, subst, profile, &h, &msg)) < 0)
                return k;
        h.message = msg;
        return emit(&h, u);
}

/* The rule for each member of obj that is an object: an object's by name, a list's by index. */
static int eval_each(const FindingRule *r, json_t *obj, const json_t *profile, FindingEmit emit, void *u) {
        json_t *v;
        int k = 0;
        if (json_is_array(obj)) {
                size_t i;
                json_array_foreach(obj, i, v) {
                        char key[24];
                        snprintf(key, sizeof(key), "%zu", i);
                        if (json_is_object(v) && (k = eval_one(r, key, profile, emit, u)) < 0)
                                break;
                }
                return k;
        }
        const char *key;
        json_object_foreach(obj, key, v) {
                if (json_is_object(v) && (k = eval_one(r, key, profile, emit, u)) < 0)
                        break;
        }
        return k;
}

int finding_table_eval(const FindingTable *t, const json_t *profile, FindingEmit emit, void *userdata) {
        for (size_t i = 0; i < t->n; i++) {
                const FindingRule *r = &t->rules[i];
                int k = 0;
                if (!r->foreach) {
                        k = eval_one(r, NULL, profile, emit, userdata);
                } else {
                        k = eval_each(r, lookup(r->foreach, (void *) profile), profile, emit, userdata);
                }
                if (k < 0)
                        return k;
        }
        return 0;
}

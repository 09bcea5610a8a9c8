/* SPDX-License-Identifier: MIT */
/* The paths of the finding table against the metric catalogue (`skytune policy check`). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "finding-table.h"
#include "macro.h"

typedef struct Check {
        const FindingTable *t;
        const FindingRule *r;
        const MetricCatalog *cat;
        Error *err;
        unsigned depth;         /* of {=NAME} texts */
} Check;

static int check_path(const char *path, void *u) {
        Check *c = u;
        _cleanup_free_ char *nearest = NULL;
        if (strcmp(path, "$") == 0 || metric_catalog_has(c->cat, path) || metric_catalog_tunable_path(path, &nearest))
                return 0;
        if (!nearest)
                nearest = metric_catalog_nearest(c->cat, path);
        if (nearest)
                return error_set(c->err, -EINVAL, "%s:%u: finding '%s' reads '%s', which no profile has: did you "
                                 "mean '%s'?", c->t->file, c->r->line, c->r->id, path, nearest);
        return error_set(c->err, -EINVAL, "%s:%u: finding '%s' reads '%s', which no profile has ('skytune profile "
                         "--json' shows the paths)", c->t->file, c->r->line, c->r->id, path);
}

static int check_cond(const char *text, const char *quote, Check *c) {
        Cond *q = NULL;
        _cleanup_(error_done) Error why = ERROR_NULL;
        int r = cond_parse(text, &q, &why);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return error_set(c->err, -EINVAL, "%s:%u: finding '%s': quote {%s} of its message %s", c->t->file,
                                 c->r->line, c->r->id, quote, error_is_set(&why) ? error_message(&why) : "does not parse");
        r = cond_foreach_path(q, check_path, c);
        cond_free(q);
        return r;
}

static int check_quotes(const char *msg, Check *c);

/* One quote: {$}, {cause}, {=NAME} with the quotes of that text, {EXPR:FMT}, or {?COND?THEN?ELSE}
 * with the quotes of THEN and ELSE. */
static int check_quote(const char *quote, Check *c) {
        if (strcmp(quote, "$") == 0 || strcmp(quote, "cause") == 0)
                return 0;
        _cleanup_free_ char *expr = NULL, *then = NULL, *els = NULL;
        int prec, r;
        if (quote[0] == '=') {
                const char *text = finding_table_text(c->t, quote + 1);
                if (!text)
                        return error_set(c->err, -EINVAL, "%s:%u: finding '%s' quotes {%s}, but the table has no "
                                         "text '%s' (texts = { %s = \"...\"; };)", c->t->file, c->r->line,
                                         c->r->id, quote, quote + 1, quote + 1);
                if (c->depth >= 8)
                        return error_set(c->err, -EINVAL, "%s:%u: text '%s' quotes itself", c->t->file, c->r->line,
                                         quote + 1);
                c->depth++;
                r = check_quotes(text, c);
                c->depth--;
                return r;
        }
        if (quote[0] != '?') {
                r = finding_quote_split(quote, &expr, &prec);
                return r < 0 ? r : check_cond(expr, quote, c);
        }
        r = finding_choice_split(quote, &expr, &then, &els);
        if (r == -EINVAL)
                return error_set(c->err, -EINVAL, "%s:%u: finding '%s': quote {%s} of its message is not "
                                 "{?CONDITION?TEXT} or {?CONDITION?TEXT?OTHERWISE}", c->t->file, c->r->line,
                                 c->r->id, quote);
        if (r >= 0 && !finding_choice_is_word(expr))
                r = check_cond(expr, quote, c);
        r = r ?: check_quotes(then, c);
        return r ?: check_quotes(els, c);
}

/* The quotes of the message: each an arithmetic term over known paths, or a choice. */
static int check_quotes(const char *msg, Check *c) {
        for (const char *s = strchr(msg, '{'); s; s = strchr(s + 1, '{')) {
                const char *end = finding_quote_end(s);
                if (!end)
                        return error_set(c->err, -EINVAL, "%s:%u: finding '%s': '{' without '}' in its message",
                                         c->t->file, c->r->line, c->r->id);
                _cleanup_free_ char *quote = strndup(s + 1, (size_t) (end - s - 1));
                int r = quote ? check_quote(quote, c) : -ENOMEM;
                if (r < 0)
                        return r;
                s = end;
        }
        return 0;
}

int finding_table_check(const FindingTable *t, const MetricCatalog *cat, Error *err) {
        for (size_t i = 0; i < t->n; i++) {
                const FindingRule *r = &t->rules[i];
                Check c = { t, r, cat, err, 0 };
                const char *paths[] = { r->metric, r->foreach, r->cause };
                int k = 0;
                for (size_t j = 0; k >= 0 && j < ELEMENTSOF(paths); j++)
                        k = paths[j] ? check_path(paths[j], &c) : 0;
                const Cond *conds[] = { r->when, r->warning, r->critical, r->cause_when, r->threshold_expr,
                                 r->value_expr };
                for (size_t j = 0; k >= 0 && j < ELEMENTSOF(conds); j++)
                        k = conds[j] ? cond_foreach_path(conds[j], check_path, &c) : 0;
                if (k >= 0)
                        k = check_quotes(r->message, &c);
                if (k >= 0 && r->advice)
                        k = check_quotes(r->advice, &c);
                if (k < 0)
                        return k;
        }
        return 0;
}

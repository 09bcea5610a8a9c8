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
} Check;

static int check_path(const char *path, void *u) {
        Check *c = u;
        if (strcmp(path, "$") == 0 || metric_catalog_has(c->cat, path))
                return 0;
        _cleanup_free_ char *nearest = metric_catalog_nearest(c->cat, path);
        if (nearest)
                return error_set(c->err, -EINVAL, "%s:%u: finding '%s' reads '%s', which no profile has: did you "
                                 "mean '%s'?", c->t->file, c->r->line, c->r->id, path, nearest);
        return error_set(c->err, -EINVAL, "%s:%u: finding '%s' reads '%s', which no profile has ('skytune profile "
                         "--json' shows the paths)", c->t->file, c->r->line, c->r->id, path);
}

/* The {EXPR:FMT} quotes of the message: each an arithmetic term over known paths. */
static int check_quotes(const char *msg, Check *c) {
        for (const char *s = strchr(msg, '{'); s; s = strchr(s + 1, '{')) {
                const char *end = strchr(s, '}');
                _cleanup_free_ char *quote = end ? strndup(s + 1, (size_t) (end - s - 1)) : NULL, *expr = NULL;
                _cleanup_free_ char *why = NULL;
                int prec, r = end ? 0 : error_set(c->err, -EINVAL, "%s:%u: finding '%s': '{' without '}' in its "
                                                  "message", c->t->file, c->r->line, c->r->id);
                if (r >= 0 && !quote)
                        r = -ENOMEM;
                if (r >= 0 && strcmp(quote, "$") == 0)
                        continue;
                r = r ?: finding_quote_split(quote, &expr, &prec);
                Cond *q = NULL;
                if (r >= 0 && cond_parse(expr, &q, &why) < 0)
                        r = error_set(c->err, -EINVAL, "%s:%u: finding '%s': quote {%s} of its message %s", c->t->file,
                                      c->r->line, c->r->id, quote, why ? why : "does not parse");
                r = r ?: cond_foreach_path(q, check_path, c);
                cond_free(q);
                if (r < 0)
                        return r;
        }
        return 0;
}

int finding_table_check(const FindingTable *t, const MetricCatalog *cat, Error *err) {
        for (size_t i = 0; i < t->n; i++) {
                const FindingRule *r = &t->rules[i];
                Check c = { t, r, cat, err };
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

/* SPDX-License-Identifier: MIT */
#include "metric-catalog.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "nearest.h"

/* span_s and the interval lengths are in the weighted series of rates (report_series_weighted). */
static const char *const series_members[] = { "value", "unit", "min", "avg", "max", "p95", "n",
                                              "span_s", "shortest_interval_s", "longest_interval_s" };

int metric_catalog_add(MetricCatalog *c, const MetricSpec *specs, size_t n) {
        if (c->n + n > c->cap) {
                size_t cap = MAX(c->cap * 2, c->n + n + 16);
                const MetricSpec **v = realloc(c->specs, cap * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                c->specs = v;
                c->cap = cap;
        }
        for (size_t i = 0; i < n; i++)
                c->specs[c->n++] = &specs[i];
        return 0;
}

void metric_catalog_done(MetricCatalog *c) {
        free(c->specs);
        *c = (MetricCatalog) {};
}

/* What may follow a whole entry: nothing, or ".MEMBER" of its shape. */
static bool rest_ok(MetricShape shape, const char *rest) {
        if (!*rest)
                return true;
        if (*rest != '.')
                return false;
        rest++;
        size_t n = shape == METRIC_SERIES ? ELEMENTSOF(series_members) : shape == METRIC_GAUGE ? 2 : 0;
        for (size_t i = 0; i < n; i++)
                if (strcmp(series_members[i], rest) == 0)
                        return true;
        return shape == METRIC_TREE && *rest;
}

/* pat and path both at the start of a component. '*' takes one or more components of path. */
static bool match(const char *pat, const char *path, MetricShape shape) {
        if (!*pat)
                return false;
        size_t pn = strcspn(pat, ".");
        const char *pnext = pat[pn] ? pat + pn + 1 : NULL;
        if (pn == 1 && pat[0] == '*') {
                for (const char *p = path;;) {
                        bool first = p == path;
                        p += strcspn(p, ".");
                        /* The element alone is an object above the rest of the pattern; a longer name (with
                         * dots) must be followed by the rest. */
                        if (!pnext ? first && rest_ok(shape, p) : (first && !*p) || (*p && p[1] && match(pnext, p + 1, shape)))
                                return true;
                        if (!*p)
                                return false;
                        p++;
                }
        }
        size_t qn = strcspn(path, ".");
        if (qn != pn || strncmp(pat, path, pn) != 0)
                return false;
        if (!pnext)
                return rest_ok(shape, path + qn);
        if (!path[qn])
                return true;    /* an object above the entry */
        return path[qn + 1] && match(pnext, path + qn + 1, shape);
}

bool metric_catalog_has(const MetricCatalog *c, const char *path) {
        for (size_t i = 0; path && *path && i < c->n; i++)
                if (match(c->specs[i]->path, path, c->specs[i]->shape))
                        return true;
        return false;
}

/* The entry written like path: each '*' as the component of path at the same place (or '$'), and
 * path's last component appended when it is a member the entry's shape has. */
static char *spell_like(const MetricSpec *s, const char *path) {
        size_t n = strlen(s->path) + strlen(path) + 16;
        char *out = malloc(n), *o = out;
        if (!out)
                return NULL;
        const char *p = path;
        for (const char *q = s->path; *q;) {
                size_t qn = strcspn(q, "."), pn = strcspn(p, ".");
                if (qn == 1 && *q == '*') {
                        const char *name = pn > 0 ? p : "$";
                        size_t len = pn > 0 ? pn : 1;
                        if ((size_t) (o - out) + len + (strlen(q) + 1) >= n)
                                break;
                        memcpy(o, name, len);
                        o += len;
                } else {
                        memcpy(o, q, qn);
                        o += qn;
                }
                q += qn;
                p += pn;
                if (*p)
                        p++;
                if (*q)
                        *o++ = *q++;
        }
        *o = '\0';
        const char *last = strrchr(path, '.');
        if (last && (s->shape == METRIC_SERIES || s->shape == METRIC_GAUGE) && rest_ok(s->shape, last) && strlen(out) + strlen(last) < n)
                strcat(out, last);
        return out;
}

char *metric_catalog_nearest(const MetricCatalog *c, const char *path) {
        char *best = NULL;
        size_t best_d = SIZE_MAX;
        for (size_t i = 0; i < c->n; i++) {
                char *cand = spell_like(c->specs[i], path);
                if (!cand)
                        break;
                size_t d = edit_distance(path, cand);
                if (d < best_d) {
                        free(best);
                        best = cand;
                        best_d = d;
                } else
                        free(cand);
        }
        if (best && !nearest_is_close(path, best_d)) {
                free(best);
                best = NULL;
        }
        return best;
}

/* SPDX-License-Identifier: MIT */
#include "series-table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

/* What every point touches first (the pointers, the summary, the object's first bytes), the rest of
 * the names after it. */
typedef struct SeriesEntry {
        const char *rp, *np, *op;        /* the strings of the last point that matched */
        SeriesStat stat;
        unsigned collector;
        MetricWeight kind;
        char object[256], resource[24], name[64], unit[16];  /* object: as long as the report's paths */
} SeriesEntry;

struct SeriesTable {
        SeriesEntry *e;
        size_t n, cap;
        size_t hint;     /* collectors emit in a stable order: the next lookup starts after the last */
};

int series_table_new(SeriesTable **ret) {
        SeriesTable *t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        *ret = t;
        return 0;
}

SeriesTable *series_table_free(SeriesTable *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n; i++)
                series_stat_free(&t->e[i].stat);
        free(t->e);
        free(t);
        return NULL;
}

/* Collectors emit resource and name strings that live as long as the profiler (metric-sink.h) and
 * keep their object strings where they are: a series is first looked for by the pointers of its
 * last point, then its object compared (a buffer may have been reused); the names compared only
 * when no pointer matches. */
static bool entry_is(const SeriesEntry *e, const char *resource, const char *object, const char *name) {
        return strcmp(e->object, object ? object : "") == 0 && strcmp(e->name, name) == 0 &&
               strcmp(e->resource, resource) == 0;
}

static SeriesEntry *lookup(SeriesTable *t, const char *resource, const char *object, const char *name,
                           size_t *ret_index) {
        for (size_t k = 0, i = t->hint; k < t->n; k++, i++) {
                SeriesEntry *e = &t->e[i < t->n ? i : (i -= t->n)];
                if (e->rp == resource && e->np == name && e->op == object &&
                    (object ? strcmp(e->object, object) == 0 : !e->object[0])) {
                        *ret_index = i;
                        return e;
                }
        }
        for (size_t i = 0; i < t->n; i++) {
                SeriesEntry *e = &t->e[i];
                if (entry_is(e, resource, object, name)) {
                        e->rp = resource, e->np = name, e->op = object;
                        *ret_index = i;
                        return e;
                }
        }
        return NULL;
}

static int copy_name(char *dst, size_t size, const char *src) {
        size_t len = strlen(src ? src : "");
        if (len >= size)
                return -ENAMETOOLONG;
        memcpy(dst, src ? src : "", len + 1);
        return 0;
}

static int add_entry(SeriesTable *t, unsigned collector, const MetricPoint *p, size_t *ret_index) {
        int r = array_reserve((void **) &t->e, &t->cap, t->n, sizeof(SeriesEntry));
        if (r < 0)
                return r;
        SeriesEntry *e = &t->e[t->n];
        *e = (SeriesEntry) { .collector = collector, .kind = p->kind, .rp = p->resource, .np = p->name,
                             .op = p->object };
        r = copy_name(e->resource, sizeof(e->resource), p->resource);
        r = r ?: copy_name(e->object, sizeof(e->object), p->object);
        r = r ?: copy_name(e->name, sizeof(e->name), p->name);
        r = r ?: copy_name(e->unit, sizeof(e->unit), p->unit);
        if (r < 0)
                return r;
        *ret_index = t->n++;
        return 0;
}

int series_table_add(SeriesTable *t, unsigned collector, const MetricPoint *p) {
        size_t i;
        if (!lookup(t, p->resource, p->object, p->name, &i)) {
                int r = add_entry(t, collector, p, &i);
                if (r < 0)
                        return r;
        }
        t->hint = i + 1;
        return series_stat_add(&t->e[i].stat, p->value, p->weight);
}

int series_table_get(const SeriesTable *t, const char *resource, const char *object, const char *name,
                     SeriesSummary *ret) {
        for (size_t i = 0; i < t->n; i++) {
                const SeriesEntry *e = &t->e[i];
                if (entry_is(e, resource, object, name)) {
                        *ret = series_stat_summary(&e->stat);
                        return 0;
                }
        }
        return -ENOENT;
}

void series_table_at(const SeriesTable *t, size_t i, SeriesView *ret) {
        const SeriesEntry *e = &t->e[i];
        *ret = (SeriesView) {
                .collector = e->collector, .resource = e->resource, .object = e->object, .name = e->name,
                .unit = e->unit, .time = e->kind == METRIC_WEIGHT_TIME, .stat = &e->stat,
        };
}

size_t series_table_size(const SeriesTable *t) {
        return t->n;
}

size_t series_table_memory(const SeriesTable *t) {
        size_t b = sizeof(*t) + t->cap * sizeof(SeriesEntry);
        for (size_t i = 0; i < t->n; i++)
                b += series_stat_memory(&t->e[i].stat) - sizeof(SeriesStat);
        return b;
}

/* SPDX-License-Identifier: MIT */
#include "series-table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

/* The strings of the last point that matched an entry, and the entry that came after it last time
 * (index + 1, 0 for none), apart from the entries: series are stored in the order they first came
 * (a rate after the gauges of the first sample), so the next point is found by the order learnt, and
 * a lookup that misses scans these 32 bytes an entry, not the 400 of an entry. */
typedef struct SeriesKey {
        const char *rp, *np, *op;
        size_t next;
} SeriesKey;

/* What every point touches first (the summary, the object's first bytes), the rest of the names
 * after it. */
typedef struct SeriesEntry {
        SeriesStat stat;
        unsigned collector;
        MetricWeight kind;
        char object[256], resource[24], name[64], unit[16];  /* object: as long as the report's paths */
} SeriesEntry;

struct SeriesTable {
        SeriesEntry *e;
        SeriesKey *k;
        size_t n, cap, kcap;
        size_t hint; /* collectors emit in a stable order: the next lookup starts at the one learnt */
        size_t last; /* the entry of the last point, + 1 (0: none yet) */
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
        free(t->k);
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

static bool key_is(const SeriesTable *t, size_t i, const char *resource, const char *object, const char *name) {
        const SeriesKey *key = &t->k[i];
        return key->rp == resource && key->np == name && key->op == object &&
                (object ? strcmp(t->e[i].object, object) == 0 : !t->e[i].object[0]);
}

static SeriesEntry *lookup(SeriesTable *t, const char *resource, const char *object, const char *name,
                           size_t *ret_index) {
        for (size_t k = 0, i = t->hint; k < t->n; k++, i++) {
                if (i >= t->n)
                        i -= t->n;
                if (key_is(t, i, resource, object, name)) {
                        *ret_index = i;
                        return &t->e[i];
                }
        }
        for (size_t i = 0; i < t->n; i++) {
                SeriesEntry *e = &t->e[i];
                if (entry_is(e, resource, object, name)) {
                        t->k[i] = (SeriesKey) { resource, name, object, t->k[i].next };
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
        r = r ?: array_reserve((void **) &t->k, &t->kcap, t->n, sizeof(SeriesKey));
        if (r < 0)
                return r;
        SeriesEntry *e = &t->e[t->n];
        *e = (SeriesEntry) { .collector = collector, .kind = p->kind };
        t->k[t->n] = (SeriesKey) { p->resource, p->name, p->object, 0 };
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
        size_t i = t->hint;
        /* Nearly every point is the one learnt after the last: tried before the loop. */
        if (!(i < t->n && key_is(t, i, p->resource, p->object, p->name)) &&
            !lookup(t, p->resource, p->object, p->name, &i)) {
                int r = add_entry(t, collector, p, &i);
                if (r < 0)
                        return r;
        }
        /* Written only when it changes: the keys stay clean in the cache. */
        if (t->last && t->k[t->last - 1].next != i + 1)
                t->k[t->last - 1].next = i + 1;
        t->last = i + 1;
        t->hint = t->k[i].next ? t->k[i].next - 1 : i + 1;
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
        size_t b = sizeof(*t) + t->cap * sizeof(SeriesEntry) + t->kcap * sizeof(SeriesKey);
        for (size_t i = 0; i < t->n; i++)
                b += series_stat_memory(&t->e[i].stat) - sizeof(SeriesStat);
        return b;
}

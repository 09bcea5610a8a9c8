/* SPDX-License-Identifier: MIT */
/* The RAM ring (ring.h): series found by name through a name index (name-index.h), each with a
 * pending array that grows to what one flush needs and stays there. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "name-index.h"
#include "ring.h"

typedef struct RingSeries {
        char *name;
        char *unit; /* the first sample's ("" when it had none) */
        int64_t id; /* in the store; -1: not yet named there */
        int scale;
        double factor;  /* 10^scale */
        int64_t last_t; /* the last sample accepted; -1: none */
        double last_v;
        struct store_point *pend;
        size_t n, cap;
} RingSeries;

struct MonitorRing {
        struct tsdb *store;
        size_t max_series, max_pending;
        RingSeries *series; /* in the order first seen */
        size_t n, cap;
        NameIndex index;             /* name -> position in series */
        struct tsdb_chunk_in *flush; /* scratch for ring_flush, cap entries */
        size_t memory;
        MonitorRingStats stats;
};

int ring_unit_scale(const char *unit) {
        static const struct {
                const char *unit;
                int scale;
        } table[] = { { "bytes", 0 }, { "count", 0 }, { "us", 0 }, { "ms", 3 } };
        for (size_t i = 0; unit && i < ELEMENTSOF(table); i++)
                if (strcmp(unit, table[i].unit) == 0)
                        return table[i].scale;
        return 2;
}

int ring_new(struct tsdb *t, size_t max_series, size_t max_pending, MonitorRing **ret) {
        MonitorRing *r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->store = t;
        r->max_series = max_series;
        r->max_pending = max_pending ? max_pending : 1;
        r->memory = sizeof(*r);
        *ret = r;
        return 0;
}

MonitorRing *ring_free(MonitorRing *r) {
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n; i++) {
                free(r->series[i].name);
                free(r->series[i].unit);
                free(r->series[i].pend);
        }
        free(r->series);
        name_index_done(&r->index);
        free(r->flush);
        free(r);
        return NULL;
}

/* Drops the oldest samples of s beyond keep. */
static void pending_trim(MonitorRing *r, RingSeries *s, size_t keep) {
        if (s->n <= keep)
                return;
        size_t drop = s->n - keep;
        memmove(s->pend, s->pend + drop, keep * sizeof(*s->pend));
        s->n = keep;
        r->stats.dropped_overflow += drop;
}

void ring_set_limits(MonitorRing *r, size_t max_series, size_t max_pending) {
        r->max_series = max_series;
        r->max_pending = max_pending ? max_pending : 1;
        for (size_t i = 0; i < r->n; i++)
                pending_trim(r, &r->series[i], r->max_pending);
}

static const char *series_key(const void *userdata, size_t i) {
        const MonitorRing *r = userdata;
        return r->series[i].name;
}

static RingSeries *series_find(const MonitorRing *r, const char *name, uint64_t h) {
        int64_t i = name_index_find(&r->index, name, h, series_key, r);
        return i < 0 ? NULL : &r->series[i];
}

/* The store's id and scale for a new series: its own when it exists, else created with unit's. */
static int series_name(MonitorRing *r, RingSeries *s, const char *unit) {
        int scale;
        int k = tsdb_series_find(r->store, s->name, &s->id, &scale);
        if (k == -ENOENT) {
                scale = ring_unit_scale(unit);
                k = tsdb_series(r->store, s->name, scale, &s->id);
        }
        if (k < 0) {
                s->id = -1;
                return k;
        }
        s->scale = scale;
        s->factor = pow(10, scale);
        return 0;
}

static int series_add(MonitorRing *r, const char *name, const char *unit, uint64_t h, RingSeries **ret) {
        if (r->n == r->cap) {
                size_t cap = r->cap ? 2 * r->cap : 64;
                RingSeries *v = realloc(r->series, cap * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                r->series = v;
                struct tsdb_chunk_in *f = realloc(r->flush, cap * sizeof(*f));
                if (!f)
                        return -ENOMEM;
                r->flush = f;
                r->memory += (cap - r->cap) * (sizeof(*v) + sizeof(*f));
                r->cap = cap;
        }
        char *copy = strdup(name), *unit_copy = strdup(unit ? unit : "");
        if (!copy || !unit_copy) {
                free(copy);
                free(unit_copy);
                return -ENOMEM;
        }
        int k = name_index_add(&r->index, h, r->n);
        if (k < 0) {
                free(copy);
                free(unit_copy);
                return k;
        }
        r->series[r->n++] = (RingSeries) { .name = copy, .unit = unit_copy, .id = -1, .last_t = -1 };
        r->memory += strlen(name) + strlen(unit_copy) + 2;
        *ret = &r->series[r->n - 1];
        return 0;
}

static int pending_push(MonitorRing *r, RingSeries *s, struct store_point p) {
        if (s->n == r->max_pending)
                pending_trim(r, s, r->max_pending - 1);
        if (s->n == s->cap) {
                size_t cap = MIN(s->cap ? 2 * s->cap : 16, r->max_pending);
                struct store_point *v = realloc(s->pend, cap * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                r->memory += (cap - s->cap) * sizeof(*v);
                s->pend = v;
                s->cap = cap;
        }
        s->pend[s->n++] = p;
        return 0;
}

int ring_add(MonitorRing *r, const char *name, const char *unit, int64_t t_ms, double value) {
        uint64_t h = name_index_hash(name);
        RingSeries *s = series_find(r, name, h);
        if (!s) {
                if (r->n >= r->max_series) {
                        r->stats.dropped_series++;
                        return 0;
                }
                int k = series_add(r, name, unit, h, &s);
                if (k < 0)
                        return k;
        }
        if (s->id < 0 && series_name(r, s, unit) < 0) {
                r->stats.store_errors++;
                return 0;
        }
        if (t_ms <= s->last_t) {
                r->stats.dropped_order++;
                return 0;
        }
        double v = value * s->factor;
        if (!isfinite(v) || fabs(v) >= 9.2e18) {
                r->stats.dropped_value++;
                return 0;
        }
        int k = pending_push(r, s, (struct store_point) { t_ms, (int64_t) llround(v) });
        if (k < 0)
                return k;
        s->last_t = t_ms;
        s->last_v = value;
        r->stats.points++;
        return 0;
}

/* One series alone, after the batch was refused as out of order: which one was it? */
static int flush_each(MonitorRing *r) {
        int first = 0;
        for (size_t i = 0; i < r->n; i++) {
                RingSeries *s = &r->series[i];
                if (s->n == 0)
                        continue;
                int k = tsdb_log(r->store, &(struct tsdb_chunk_in) { s->id, s->pend, s->n }, 1);
                if (k == -EEXIST)
                        r->stats.dropped_order += s->n;
                else if (k < 0) {
                        first = first ?: k;
                        continue;
                } else
                        r->stats.stored += s->n;
                s->n = 0;
        }
        return first;
}

int ring_flush(MonitorRing *r) {
        size_t n = 0, points = 0;
        for (size_t i = 0; i < r->n; i++)
                if (r->series[i].n > 0) {
                        r->flush[n++] = (struct tsdb_chunk_in) { r->series[i].id, r->series[i].pend, r->series[i].n };
                        points += r->series[i].n;
                }
        if (n == 0)
                return 0;
        int k = tsdb_log(r->store, r->flush, n);
        if (k == -EEXIST)
                return flush_each(r);
        if (k < 0)
                return k;
        for (size_t i = 0; i < r->n; i++)
                r->series[i].n = 0;
        r->stats.stored += points;
        return 0;
}

int ring_last(const MonitorRing *r, const char *name, int64_t *ret_t, double *ret_v) {
        const RingSeries *s = series_find(r, name, name_index_hash(name));
        if (!s || s->last_t < 0)
                return -ENOENT;
        *ret_t = s->last_t;
        *ret_v = s->last_v;
        return 0;
}

int ring_pending(const MonitorRing *r, const char *name, const struct store_point **ret, size_t *ret_n,
                 int *ret_scale) {
        const RingSeries *s = series_find(r, name, name_index_hash(name));
        if (!s)
                return -ENOENT;
        *ret = s->pend;
        *ret_n = s->n;
        *ret_scale = s->scale;
        return 0;
}

int ring_each_last(const MonitorRing *r, RingEachFn f, void *userdata) {
        for (size_t i = 0; i < r->n; i++) {
                const RingSeries *s = &r->series[i];
                if (s->last_t < 0)
                        continue;
                int k = f(userdata, s->name, s->unit, s->last_t, s->last_v);
                if (k < 0)
                        return k;
        }
        return 0;
}

void ring_stats(const MonitorRing *r, MonitorRingStats *ret) {
        *ret = r->stats;
        ret->series = r->n;
}

size_t ring_memory(const MonitorRing *r) {
        return r->memory + name_index_memory(&r->index);
}

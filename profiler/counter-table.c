/* SPDX-License-Identifier: MIT */
#include "counter-table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "series.h"

enum { ROW_AT, ROW_PRESENT, ROW_HEAD };

static uint64_t *row_at(const CounterTable *t, size_t i) {
        return t->rows + i * (t->width + ROW_HEAD);
}

void counter_table_free(CounterTable *t) {
        free(t->rows);
        t->rows = NULL;
        t->n = t->cap = 0;
}

int counter_table_push(CounterTable *t, uint64_t at, const uint64_t *row) {
        size_t stride = t->width + ROW_HEAD;
        if (t->last_two && t->n == 2) {
                memmove(t->rows, t->rows + stride, stride * sizeof(uint64_t));
                t->n = 1;
        }
        int r = array_reserve((void **) &t->rows, &t->cap, t->n, (t->width + ROW_HEAD) * sizeof(uint64_t));
        if (r < 0)
                return r;
        uint64_t *p = row_at(t, t->n++);
        p[ROW_AT] = at;
        p[ROW_PRESENT] = row != NULL;
        for (size_t c = 0; c < t->width; c++)
                p[ROW_HEAD + c] = row ? row[c] : 0;
        return 0;
}

int counter_table_pad(CounterTable *t, size_t rows) {
        if (t->last_two)
                rows = MIN(rows, (size_t) 2);
        while (t->n < rows) {
                int r = counter_table_push(t, 0, NULL);
                if (r < 0)
                        return r;
        }
        return 0;
}

const uint64_t *counter_table_row(const CounterTable *t, size_t i) {
        if (i >= t->n)
                return NULL;
        const uint64_t *p = row_at(t, i);
        return p[ROW_PRESENT] ? p + ROW_HEAD : NULL;
}

bool counter_table_delta(const CounterTable *t, size_t i, size_t col, uint64_t *ret, double *ret_dt) {
        if (i == 0 || i >= t->n || col >= t->width)
                return false;
        const uint64_t *a = row_at(t, i - 1), *b = row_at(t, i);
        if (!a[ROW_PRESENT] || !b[ROW_PRESENT] || b[ROW_AT] <= a[ROW_AT])
                return false;
        if (!counter_delta(a[ROW_HEAD + col], b[ROW_HEAD + col], ret))
                return false;
        if (ret_dt)
                *ret_dt = (double) (b[ROW_AT] - a[ROW_AT]) / 1e6;
        return true;
}

size_t counter_table_rates(const CounterTable *t, size_t col, double mult, double *out, double *out_dt) {
        size_t k = 0;
        for (size_t i = 1; i < t->n; i++) {
                uint64_t d;
                double dt;
                if (!counter_table_delta(t, i, col, &d, &dt))
                        continue;
                if (out_dt)
                        out_dt[k] = dt;
                out[k++] = (double) d * mult / dt;
        }
        return k;
}

size_t counter_table_gauges(const CounterTable *t, size_t col, double mult, double *out) {
        size_t k = 0;
        for (size_t i = 0; i < t->n; i++) {
                const uint64_t *p = counter_table_row(t, i);
                if (p && col < t->width)
                        out[k++] = (double) p[col] * mult;
        }
        return k;
}

uint64_t counter_table_total(const CounterTable *t, size_t col) {
        uint64_t sum = 0, d;
        for (size_t i = 1; i < t->n; i++)
                if (counter_table_delta(t, i, col, &d, NULL))
                        sum += d;
        return sum;
}

void counter_set_free(CounterSet *s) {
        for (size_t i = 0; i < s->n; i++)
                counter_table_free(&s->obj[i].t);
        free(s->obj);
        s->obj = NULL;
        s->n = s->cap = s->hint = 0;
}

static bool name_is(const CounterObject *o, const char *name, size_t len) {
        return strncmp(o->name, name, len) == 0 && o->name[len] == '\0';
}

CounterObject *counter_set_find(CounterSet *s, const char *name, size_t len) {
        if (len >= COUNTER_NAME_MAX)
                return NULL;
        /* Wrapped by a subtraction, not %: no division per object tried. */
        for (size_t k = 0, i = s->hint; k < s->n; k++, i++) {
                if (i >= s->n)
                        i -= s->n;
                if (name_is(&s->obj[i], name, len)) {
                        s->hint = i + 1;
                        return &s->obj[i];
                }
        }
        return NULL;
}

int counter_set_add(CounterSet *s, const char *name, size_t len, CounterObject **ret) {
        CounterObject *o = counter_set_find(s, name, len);
        if (o) {
                *ret = o;
                return 0;
        }
        if (len == 0)
                return -EINVAL;
        if (len >= COUNTER_NAME_MAX)
                return -ENAMETOOLONG;
        int r = array_reserve((void **) &s->obj, &s->cap, s->n, sizeof(CounterObject));
        if (r < 0)
                return r;
        o = &s->obj[s->n];
        *o = (CounterObject) {};
        memcpy(o->name, name, len);
        if (s->last_two)
                counter_table_init_last_two(&o->t, s->width);
        else
                counter_table_init(&o->t, s->width);
        r = counter_table_pad(&o->t, s->samples);
        if (r < 0) {
                counter_table_free(&o->t);
                return r;
        }
        s->n++;
        *ret = o;
        return 0;
}

int counter_set_put(CounterSet *s, CounterObject *o, uint64_t at, const uint64_t *row) {
        if (o->seen)
                return 0;
        o->seen = true;
        o->held = false;
        return counter_table_push(&o->t, at, row);
}

void counter_set_hold(CounterSet *s, CounterObject *o) {
        if (o->seen)
                return;
        o->seen = true;
        o->held = true;
}

int counter_set_end_sample(CounterSet *s) {
        for (size_t i = 0; i < s->n; i++) {
                CounterObject *o = &s->obj[i];
                if (!o->seen) {
                        o->held = false;
                        int r = counter_table_push(&o->t, 0, NULL);
                        if (r < 0)
                                return r;
                }
                o->seen = false;
        }
        s->samples++;
        return 0;
}

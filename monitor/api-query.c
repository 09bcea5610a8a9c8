/* SPDX-License-Identifier: MIT */
/* GET /api/v1/query (api.h): for each series, the store's buckets (tsdb_query: the 1 h or 1 min
 * rollups when the range and step are aligned to them, else the chunks, and the log of unsealed
 * points), then the ring's samples that no flush has written, so that a range up to now has no gap.
 * The ring's samples come after everything the store holds: the store's last bucket stays open for
 * them. Points are written as text, not built as JSON values: 24 h at 1 min of 10 series is 14400
 * of them, and the page asks often. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api-args.h"
#include "api.h"
#include "macro.h"
#include "safe-text.h"
#include "schema.h"
#include "tsdb.h"

typedef struct QuerySeries {
        char *name;
        int64_t id; /* in the store; -1: the ring's alone */
        int scale;
} QuerySeries;

typedef struct Query {
        const ApiSource *src;
        HttpRequest *req;
        QuerySeries series[API_SERIES_MAX];
        size_t n;
        const char *prefix;
        int error;
} Query;

/* The series of name: -EINVAL (refused) when neither the store nor the ring has it. */
static int resolve(Query *q, const char *name) {
        for (size_t i = 0; i < q->n; i++)
                if (strcmp(q->series[i].name, name) == 0)
                        return 0;
        if (q->n == API_SERIES_MAX)
                return http_request_refuse(q->req, q->prefix ? "prefix" : "series", "too many series in one query",
                                           "at most " STRINGIFY(API_SERIES_MAX) " series");
        QuerySeries s = { .id = -1 };
        const struct store_point *p;
        size_t n;
        int k = q->src->store ? tsdb_series_find(q->src->store, name, &s.id, &s.scale) : -ENOENT;
        if (k == -ENOENT && ring_pending(q->src->ring, name, &p, &n, &s.scale) < 0) {
                char why[HTTP_REQUEST_ARG_MAX + 32];
                snprintf(why, sizeof(why), "no such series: %s", name);
                return http_request_refuse(q->req, "series", why, "a name that /api/v1/series lists");
        }
        if (k < 0 && k != -ENOENT)
                return k;
        if (!(s.name = strdup(name)))
                return -ENOMEM;
        q->series[q->n++] = s;
        return 0;
}

static int prefixed(Query *q, const char *name) {
        return strncmp(name, q->prefix, strlen(q->prefix)) == 0 ? resolve(q, name) : 0;
}

static int store_name(int64_t id, const char *name, int scale, void *userdata) {
        return prefixed(userdata, name);
}

static int ring_name(void *userdata, const char *name, const char *unit, int64_t t_ms, double v) {
        return prefixed(userdata, name);
}

static int resolve_all(Query *q) {
        size_t n = http_request_count(q->req, "series");
        q->prefix = http_request_arg(q->req, "prefix", 0);
        if ((n > 0) == (q->prefix != NULL) || http_request_count(q->req, "prefix") > 1)
                return http_request_refuse(q->req, n > 0 ? "prefix" : "series",
                                           "give the series by name or by one prefix",
                                           "series=NAME (repeatable) or prefix=P");
        int k = 0;
        for (size_t i = 0; i < n && k >= 0; i++)
                k = resolve(q, http_request_arg(q->req, "series", i));
        if (k >= 0 && q->prefix && q->src->store)
                k = tsdb_series_each(q->src->store, store_name, q);
        if (k >= 0 && q->prefix)
                k = ring_each_last(q->src->ring, ring_name, q);
        return k;
}

/* One series' points as text, in order: the bucket held open until the next one starts. */
typedef struct Points {
        FILE *f;
        int scale;
        double factor;
        int64_t from, step;
        bool open, first;
        struct tsdb_bucket b;
} Points;

/* v's decimal digits at p: the end. */
static char *put_uint(char *p, uint64_t v) {
        char digits[24];
        size_t n = 0;
        do
                digits[n++] = (char) ('0' + v % 10);
        while ((v /= 10) > 0);
        while (n > 0)
                *p++ = digits[--n];
        return p;
}

/* v / 10^scale exactly, without trailing zeros ("-12.5" for -1250 at scale 2), at p: the end. By
 * hand, not printf: a day's answer is 14400 points, and printf was half its time. */
static char *put_fixed(char *p, int64_t v, int scale) {
        uint64_t a = v < 0 ? -(uint64_t) v : (uint64_t) v, unit = 1;
        for (int i = 0; i < scale; i++)
                unit *= 10;
        if (v < 0)
                *p++ = '-';
        p = put_uint(p, a / unit);
        uint64_t frac = a % unit;
        int digits = scale;
        for (; frac > 0 && frac % 10 == 0; digits--)
                frac /= 10;
        if (frac == 0)
                return p;
        *p++ = '.';
        char *end = p + digits;
        for (char *q = end; q > p; frac /= 10)
                *--q = (char) ('0' + frac % 10);
        return end;
}

static void put_bucket(Points *p) {
        if (!p->open)
                return;
        /* 5 numbers of at most 21 characters and 22 digits of fraction each. */
        char line[5 * 48 + 8], *e = line;
        if (!p->first)
                *e++ = ',';
        *e++ = '[';
        e = put_fixed(e, p->b.t, 0);
        *e++ = ',';
        e = put_fixed(e, p->b.min, p->scale);
        *e++ = ',';
        /* The mean to two digits past the series' own (finer is noise in a chart). */
        double mean = (double) p->b.sum / (double) p->b.count * 100;
        if (p->scale <= 16 && fabs(mean) < 9e18)
                e = put_fixed(e, llround(mean), p->scale + 2);
        else
                e += snprintf(e, 32, "%.17g", mean / 100 / p->factor);
        *e++ = ',';
        e = put_fixed(e, p->b.max, p->scale);
        *e++ = ',';
        e = put_fixed(e, p->b.count, 0);
        *e++ = ']';
        fwrite(line, 1, (size_t) (e - line), p->f);
        p->first = false;
        p->open = false;
}

static int add_store_bucket(const struct tsdb_bucket *b, void *userdata) {
        Points *p = userdata;
        put_bucket(p);
        p->b = *b;
        p->open = true;
        return 0;
}

static int add_ring_point(Points *p, int64_t t, int64_t v) {
        int64_t key = p->from + (t - p->from) / p->step * p->step;
        if (p->open && key == p->b.t) {
                if (__builtin_add_overflow(p->b.sum, v, &p->b.sum))
                        return -ERANGE;
                p->b.count++;
                p->b.min = MIN(p->b.min, v);
                p->b.max = MAX(p->b.max, v);
                return 0;
        }
        put_bucket(p);
        p->b = (struct tsdb_bucket) { .t = key, .min = v, .max = v, .sum = v, .count = 1 };
        p->open = true;
        return 0;
}

static int put_series(Query *q, const QuerySeries *s, const ApiRange *range, FILE *f) {
        json_t *name = json_text(s->name); /* a host's bytes escaped, as /series lists them */
        char *quoted = name ? json_dumps(name, JSON_ENCODE_ANY) : NULL;
        json_decref(name);
        if (!quoted)
                return -ENOMEM;
        fprintf(f, "{\"name\":%s,\"points\":[", quoted);
        free(quoted);
        Points p = { .f = f,
                     .scale = s->scale,
                     .factor = pow(10, s->scale),
                     .from = range->from,
                     .step = range->step,
                     .first = true };
        int k = s->id >= 0
                ? tsdb_query(q->src->store, s->id, range->from, range->to, range->step, 0, add_store_bucket, &p)
                : 0;
        const struct store_point *pend;
        size_t n = 0;
        int scale;
        if (k >= 0 && ring_pending(q->src->ring, s->name, &pend, &n, &scale) == 0 && scale == s->scale)
                for (size_t i = 0; i < n && k >= 0; i++)
                        if (pend[i].t_ms >= range->from && pend[i].t_ms < range->to)
                                k = add_ring_point(&p, pend[i].t_ms, pend[i].v);
        put_bucket(&p);
        fputs("]}", f);
        return k;
}

static int answer(Query *q, const ApiRange *range, char **ret, size_t *ret_len) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (!f)
                return -ENOMEM;
        fprintf(f, "{\"schema\":\"%s\",\"from\":%" PRId64 ",\"to\":%" PRId64 ",\"step\":%" PRId64 ",\"series\":[",
                MONITOR_RANGE_SCHEMA, range->from, range->to, range->step);
        int k = 0;
        for (size_t i = 0; i < q->n && k >= 0; i++) {
                if (i > 0)
                        fputc(',', f);
                k = put_series(q, &q->series[i], range, f);
        }
        fputs("]}\n", f);
        if (fclose(f) != 0)
                k = k < 0 ? k : -ENOMEM;
        if (k < 0) {
                free(text);
                return k;
        }
        *ret = text;
        *ret_len = len;
        return 0;
}

int api_query(const ApiSource *s, HttpRequest *r, char **ret, size_t *ret_len) {
        static const char *const keys[] = { "series", "prefix", "from", "to", "step", NULL };
        int k = api_known_args(r, keys, "series, prefix, from, to, step");
        if (k < 0)
                return k;
        Query q = { .src = s, .req = r };
        ApiRange range;
        k = resolve_all(&q);
        if (k >= 0 && q.n == 0)
                k = http_request_refuse(r, "prefix", "no series starts so", "a prefix of a name /api/v1/series lists");
        if (k >= 0)
                k = api_range(r, s->now_ms, API_POINTS_MAX / (int64_t) MAX(q.n, 1), &range);
        if (k >= 0)
                k = answer(&q, &range, ret, ret_len);
        for (size_t i = 0; i < q.n; i++)
                free(q.series[i].name);
        return k;
}

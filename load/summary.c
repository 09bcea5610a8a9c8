/* SPDX-License-Identifier: MIT */
/* SUMMARY and INTERVAL objects of docs/load.md from loadgen's results. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "hdr-codec.h"
#include "json-util.h"
#include "load-doc.h"
#include "macro.h"
#include "schema.h"

static json_t *per_s(uint64_t n, double span_s) {
        return span_s > 0 ? json_real((double) n / span_s) : json_null();
}

/* count, mean, p50 ... max of a histogram (full) or p50, p90, p99, p99.9, max (interval) or p50, p99. */
static json_t *dist(const Histogram *h, int detail) {
        static const struct { const char *k; double p; int min_detail; } ps[] = {
                { "p50", 50, 0 }, { "p90", 90, 1 }, { "p95", 95, 2 }, { "p99", 99, 0 }, { "p99.9", 99.9, 1 },
        };
        json_t *o = json_object();
        bool any = histogram_count(h) > 0;
        if (detail >= 2) {
                json_object_set_new(o, "count", json_integer((json_int_t) histogram_count(h)));
                json_object_set_new(o, "mean", json_num(histogram_mean(h)));
        }
        for (size_t i = 0; i < ELEMENTSOF(ps); i++)
                if (detail >= ps[i].min_detail)
                        json_object_set_new(o, ps[i].k, any ? json_integer((json_int_t) histogram_percentile(h, ps[i].p))
                                                            : json_null());
        if (detail >= 1)
                json_object_set_new(o, "max", any ? json_integer((json_int_t) histogram_max(h)) : json_null());
        return o;
}

/* The histogram as HdrHistogram's V2 compressed base64 (docs/load.md "hdr"); null only when out of
 * memory, which the document's writer then reports as a missing histogram to `load merge`. */
static json_t *hdr_json(const Histogram *h) {
        char *b64 = NULL;
        if (hdr_encode(h, &b64) < 0)
                return json_null();
        json_t *s = json_string(b64);
        free(b64);
        return s ? s : json_null();
}

static json_t *status_json(const uint64_t *status, size_t n) {
        json_t *o = json_object();
        for (size_t i = 1; i < n; i++)
                if (status[i]) {
                        char k[24];
                        snprintf(k, sizeof(k), "%zu", i);
                        json_object_set_new(o, k, json_integer((json_int_t) status[i]));
                }
        return o;
}

static json_t *errors_json(const uint64_t *errors, uint64_t cut, uint64_t not_sent) {
        json_t *o = json_object();
        for (size_t i = 0; i < _LOADGEN_ERR_MAX; i++)
                json_object_set_new(o, loadgen_error_names[i], json_integer((json_int_t) errors[i]));
        json_object_set_new(o, "cut", json_integer((json_int_t) cut));
        json_object_set_new(o, "not_sent", json_integer((json_int_t) not_sent));
        return o;
}

typedef struct Counts {
        uint64_t attempted, sent, done, ok;
} Counts;

static void counts_json(json_t *o, const Counts *c, double span_s) {
        json_object_set_new(o, "duration_s", json_num(span_s));
        json_object_set_new(o, "attempted", json_integer((json_int_t) c->attempted));
        json_object_set_new(o, "sent", json_integer((json_int_t) c->sent));
        json_object_set_new(o, "completed", json_integer((json_int_t) c->done));
        json_object_set_new(o, "ok", json_integer((json_int_t) c->ok));
        json_object_set_new(o, "attempted_per_s", per_s(c->attempted, span_s));
        json_object_set_new(o, "sent_per_s", per_s(c->sent, span_s));
        json_object_set_new(o, "completed_per_s", per_s(c->done, span_s));
        json_object_set_new(o, "ok_per_s", per_s(c->ok, span_s));
        double d = (double) c->done;
        json_object_set_new(o, "success_rate", c->done ? json_real((double) c->ok / d) : json_null());
        json_object_set_new(o, "error_rate", c->done ? json_real((d - (double) c->ok) / d) : json_null());
}

json_t *load_summary_json(const LoadgenResults *r, double span_s) {
        const LoadgenCounters *c = &r->c;
        json_t *o = json_object();
        Counts k = { c->sent + c->not_sent, c->sent, c->done, c->ok };
        counts_json(o, &k, span_s);
        json_object_set_new(o, "status", status_json(c->status, ELEMENTSOF(c->status)));
        json_object_set_new(o, "errors", errors_json(c->errors, c->cut, c->not_sent));
        json_object_set_new(o, "latency_us", dist(r->h[LOADGEN_H_LATENCY], 2));
        json_object_set_new(o, "service_us", dist(r->h[LOADGEN_H_SERVICE], 2));
        json_object_set_new(o, "lateness_us", dist(r->h[LOADGEN_H_LATENESS], 2));
        /* Per-phase times of the exchanges: TCP connect and TLS of new connections, first byte. */
        json_object_set_new(o, "connect_us", dist(r->h[LOADGEN_H_CONNECT], 2));
        json_object_set_new(o, "tls_us", dist(r->h[LOADGEN_H_TLS], 2));
        json_object_set_new(o, "first_byte_us", dist(r->h[LOADGEN_H_TTFB], 2));
        json_object_set_new(o, "new_connections", json_integer((json_int_t) c->new_connections));
        json_object_set_new(o, "late", json_integer((json_int_t) c->late));
        json_object_set_new(o, "late_client", json_integer((json_int_t) c->late_client));
        json_object_set_new(o, "retried", json_integer((json_int_t) c->retried));
        json_object_set_new(o, "hdr", hdr_json(r->h[LOADGEN_H_LATENCY]));
        return o;
}

json_t *load_entry_summary_json(const LoadgenEntryResults *e, double span_s) {
        json_t *o = json_object();
        Counts k = { e->sent, e->sent, e->done, e->ok };
        counts_json(o, &k, span_s);
        json_object_set_new(o, "status", status_json(e->status, ELEMENTSOF(e->status)));
        json_object_set_new(o, "errors", errors_json(e->errors, 0, 0));
        json_object_set_new(o, "latency_us", dist(e->latency, 2));
        json_object_set_new(o, "service_us", dist(e->service, 2));
        json_object_set_new(o, "lateness_us", dist(e->lateness, 2));
        json_object_set_new(o, "hdr", hdr_json(e->latency));
        return o;
}

json_t *load_interval_json(const LoadInterval *iv, bool with_schema) {
        const LoadgenResults *r = iv->results;
        const LoadgenCounters *c = &r->c;
        json_t *o = json_object();
        if (with_schema)
                json_object_set_new(o, "schema", json_string(LOAD_INTERVAL_SCHEMA));
        json_object_set_new(o, "index", json_integer(iv->index));
        json_object_set_new(o, "step", iv->step ? json_string(iv->step) : json_null());
        json_object_set_new(o, "start_s", json_num(iv->start_s));
        json_object_set_new(o, "end_s", json_num(iv->end_s));
        json_object_set_new(o, "planned", json_num(iv->planned));
        json_object_set_new(o, "attempted", json_integer((json_int_t) (c->sent + c->not_sent)));
        json_object_set_new(o, "sent", json_integer((json_int_t) c->sent));
        json_object_set_new(o, "completed", json_integer((json_int_t) c->done));
        json_object_set_new(o, "ok", json_integer((json_int_t) c->ok));
        json_object_set_new(o, "status", status_json(c->status, ELEMENTSOF(c->status)));
        json_object_set_new(o, "errors", errors_json(c->errors, c->cut, c->not_sent));
        json_object_set_new(o, "latency_us", dist(r->h[LOADGEN_H_LATENCY], 1));
        json_object_set_new(o, "service_us", dist(r->h[LOADGEN_H_SERVICE], 0));
        json_object_set_new(o, "lateness_us", dist(r->h[LOADGEN_H_LATENESS], 0));
        json_object_set_new(o, "hdr", hdr_json(r->h[LOADGEN_H_LATENCY]));
        return o;
}

/* SPDX-License-Identifier: MIT */
/* The sum of the agents' SUMMARY or INTERVAL objects (load-merge-internal.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hdr-codec.h"
#include "load-merge-internal.h"
#include "macro.h"

double merge_num(const json_t *o, const char *k, double dflt) {
        const json_t *v = json_object_get(o, k);
        return json_is_number(v) && isfinite(json_number_value(v)) ? json_number_value(v) : dflt;
}

int merge_acc_init(MergeAcc *a) {
        *a = (MergeAcc) { 0 };
        a->parts = json_array();
        if (!a->parts || loadgen_results_init(&a->r) < 0) {
                merge_acc_done(a);
                return -ENOMEM;
        }
        return 0;
}

void merge_acc_reset(MergeAcc *a) {
        loadgen_results_reset(&a->r);
        json_array_clear(a->parts);
}

void merge_acc_done(MergeAcc *a) {
        loadgen_results_done(&a->r);
        json_decref(a->parts);
        a->parts = NULL;
}

/* *n += o[k]: absent is 0 unless required; else a non-negative integer. */
static int add_count(const json_t *o, const char *k, bool required, uint64_t *n, const char *where, Error *e) {
        const json_t *v = json_object_get(o, k);
        if (!v && !required)
                return 0;
        if (!json_is_integer(v) || json_integer_value(v) < 0)
                return error_set(e, -EINVAL, "%s: \"%s\" is %s, not a count: give the document skytune load wrote",
                                 where, k, v ? "not a non-negative integer" : "missing");
        *n += (uint64_t) json_integer_value(v);
        return 0;
}

static int add_errors(LoadgenCounters *c, const json_t *errors, const char *where, Error *e) {
        if (!errors)
                return 0;
        if (!json_is_object(errors))
                return error_set(e, -EINVAL, "%s: \"errors\" is not an object", where);
        int r = 0;
        for (size_t i = 0; i < _LOADGEN_ERR_MAX && r >= 0; i++)
                r = add_count(errors, loadgen_error_names[i], false, &c->errors[i], where, e);
        if (r >= 0)
                r = add_count(errors, "cut", false, &c->cut, where, e);
        if (r >= 0)
                r = add_count(errors, "not_sent", false, &c->not_sent, where, e);
        return r;
}

static int add_status(LoadgenCounters *c, const json_t *status, const char *where, Error *e) {
        if (!status)
                return 0;
        if (!json_is_object(status))
                return error_set(e, -EINVAL, "%s: \"status\" is not an object", where);
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) status, k, v) {
                char *end;
                unsigned long code = strtoul(k, &end, 10);
                if (end == k || *end || code < 1 || code >= ELEMENTSOF(c->status))
                        return error_set(e, -EINVAL, "%s: status \"%s\" is not an HTTP status (1..599)", where, k);
                int r = add_count(status, k, true, &c->status[code], where, e);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int add_hdr(MergeAcc *a, const json_t *o, const char *where, Error *e) {
        const char *text = json_string_value(json_object_get(o, "hdr"));
        if (!text)
                return error_set(e, -EINVAL,
                                 "%s: no \"hdr\" latency histogram: the percentiles cannot be merged (run "
                                 "the agents with a skytune that writes it, 0.2 or later)",
                                 where);
        Histogram *h = NULL;
        int r = hdr_decode(text, &h);
        if (r < 0)
                return error_set(e, r == -ENOMEM ? r : -EINVAL, "%s: \"hdr\" is not an HdrHistogram V2 histogram: %s",
                                 where, strerror(-r));
        histogram_merge(a->r.h[LOADGEN_H_LATENCY], h);
        histogram_free(h);
        /* lateness_p99 is judged on the largest of the agents' p99 (no histogram travels for it). */
        const json_t *p99 = json_object_get(json_object_get(o, "lateness_us"), "p99");
        if (json_is_number(p99) && json_number_value(p99) >= 0)
                histogram_record(a->r.h[LOADGEN_H_LATENESS], (uint64_t) json_number_value(p99));
        return 0;
}

int merge_acc_add(MergeAcc *a, const json_t *o, const char *where, Error *e) {
        LoadgenCounters *c = &a->r.c;
        if (!json_is_object(o))
                return error_set(e, -EINVAL, "%s: not an object", where);
        int r = add_count(o, "sent", true, &c->sent, where, e);
        if (r >= 0)
                r = add_count(o, "completed", true, &c->done, where, e);
        if (r >= 0)
                r = add_count(o, "ok", true, &c->ok, where, e);
        if (r >= 0)
                r = add_count(o, "new_connections", false, &c->new_connections, where, e);
        if (r >= 0)
                r = add_count(o, "late", false, &c->late, where, e);
        if (r >= 0)
                r = add_count(o, "late_client", false, &c->late_client, where, e);
        if (r >= 0)
                r = add_count(o, "retried", false, &c->retried, where, e);
        if (r >= 0)
                r = add_errors(c, json_object_get(o, "errors"), where, e);
        if (r >= 0)
                r = add_status(c, json_object_get(o, "status"), where, e);
        if (r >= 0)
                r = add_hdr(a, o, where, e);
        if (r >= 0 && json_array_append(a->parts, (json_t *) o) < 0)
                r = error_set(e, -ENOMEM, "out of memory merging %s", where);
        return r;
}

/* One member of a distribution over the parts: count added, mean weighted by count, the rest the
 * largest. NAN: no part has it. */
static double member(const json_t *parts, const char *dist, const char *name) {
        double acc = NAN, weight = 0;
        size_t i;
        const json_t *p;
        json_array_foreach(parts, i, p) {
                const json_t *d = json_object_get(p, dist);
                const json_t *v = json_object_get(d, name);
                if (!json_is_number(v))
                        continue;
                double x = json_number_value(v);
                if (strcmp(name, "mean") == 0) {
                        const json_t *n = json_object_get(d, "count");
                        double w = json_is_number(n) ? json_number_value(n) : 0;
                        acc = (isnan(acc) ? 0 : acc) + x * w;
                        weight += w;
                } else if (strcmp(name, "count") == 0)
                        acc = (isnan(acc) ? 0 : acc) + x;
                else
                        acc = isnan(acc) ? x : fmax(acc, x);
        }
        if (strcmp(name, "mean") == 0)
                return weight > 0 ? acc / weight : NAN;
        return acc;
}

void merge_acc_bounds(const MergeAcc *a, json_t *out) {
        static const char *const dists[] = { "service_us", "lateness_us", "connect_us", "tls_us", "first_byte_us" };
        for (size_t i = 0; i < ELEMENTSOF(dists); i++) {
                json_t *d = json_object_get(out, dists[i]);
                const char *name;
                json_t *v;
                json_object_foreach(d, name, v) {
                        double x = member(a->parts, dists[i], name);
                        bool integer = strcmp(name, "mean") != 0 && isfinite(x) && x >= 0 && x < 9e18;
                        json_object_set_new(d, name,
                                            integer               ? json_integer((json_int_t) x)
                                                    : isfinite(x) ? json_real(x)
                                                                  : json_null());
                }
        }
}

void merge_acc_entry(const MergeAcc *a, LoadgenEntryResults *ret) {
        const LoadgenCounters *c = &a->r.c;
        *ret = (LoadgenEntryResults) {
                .sent = c->sent,
                .done = c->done,
                .ok = c->ok,
                .latency = a->r.h[LOADGEN_H_LATENCY],
                .service = a->r.h[LOADGEN_H_SERVICE],
                .lateness = a->r.h[LOADGEN_H_LATENESS],
        };
        memcpy(ret->errors, c->errors, sizeof(ret->errors));
        memcpy(ret->status, c->status, sizeof(ret->status));
}

/* SPDX-License-Identifier: MIT */
/* Results: counters and histograms that merge by adding, per worker and interval, and merged. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loadgen.h"
#include "macro.h"

const char *const loadgen_error_names[_LOADGEN_ERR_MAX] = {
        [LOADGEN_ERR_CONNECT] = "connect", [LOADGEN_ERR_TLS] = "tls", [LOADGEN_ERR_TIMEOUT] = "timeout",
        [LOADGEN_ERR_SEND] = "send", [LOADGEN_ERR_READ] = "read", [LOADGEN_ERR_OTHER] = "other",
};

const char *const loadgen_hist_names[_LOADGEN_H_MAX] = {
        [LOADGEN_H_LATENCY] = "latency_ms", [LOADGEN_H_SERVICE] = "service_ms", [LOADGEN_H_CONNECT] = "connect_ms",
        [LOADGEN_H_TLS] = "tls_ms", [LOADGEN_H_TTFB] = "first_byte_ms", [LOADGEN_H_TOTAL] = "curl_total_ms",
        [LOADGEN_H_LATENESS] = "send_lateness_ms",
};

uint64_t loadgen_now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

int loadgen_results_init_entries(LoadgenResults *r, size_t n) {
        int k = loadgen_results_init(r);
        if (k < 0 || n == 0)
                return k;
        r->entries = calloc(n, sizeof(LoadgenEntryResults));
        if (!r->entries) {
                loadgen_results_done(r);
                return -ENOMEM;
        }
        r->n_entries = n;
        for (size_t i = 0; i < n; i++) {
                LoadgenEntryResults *e = &r->entries[i];
                if ((k = histogram_new(UINT64_C(3600000000), 3, &e->latency)) < 0 ||
                    (k = histogram_new(UINT64_C(3600000000), 3, &e->service)) < 0 ||
                    (k = histogram_new(UINT64_C(3600000000), 3, &e->lateness)) < 0) {
                        loadgen_results_done(r);
                        return k;
                }
        }
        return 0;
}

int loadgen_results_init(LoadgenResults *r) {
        *r = (LoadgenResults) { 0 };
        for (size_t i = 0; i < _LOADGEN_H_MAX; i++) {
                int k = histogram_new(UINT64_C(3600000000), 3, &r->h[i]);     /* us, up to 1 h */
                if (k < 0) {
                        loadgen_results_done(r);
                        return k;
                }
        }
        return 0;
}

void loadgen_results_done(LoadgenResults *r) {
        for (size_t i = 0; i < _LOADGEN_H_MAX; i++)
                r->h[i] = histogram_free(r->h[i]);
        for (size_t i = 0; i < r->n_entries; i++) {
                histogram_free(r->entries[i].latency);
                histogram_free(r->entries[i].service);
                histogram_free(r->entries[i].lateness);
        }
        free(r->entries);
        r->entries = NULL;
        r->n_entries = 0;
}

void loadgen_results_reset(LoadgenResults *r) {
        memset(&r->c, 0, sizeof(r->c));
        for (size_t i = 0; i < _LOADGEN_H_MAX; i++)
                histogram_reset(r->h[i]);
        for (size_t i = 0; i < r->n_entries; i++) {
                LoadgenEntryResults *e = &r->entries[i];
                Histogram *l = e->latency, *s = e->service, *t = e->lateness;
                *e = (LoadgenEntryResults) { .latency = l, .service = s, .lateness = t };
                histogram_reset(l);
                histogram_reset(s);
                histogram_reset(t);
        }
}

void loadgen_counters_add(LoadgenCounters *to, const LoadgenCounters *from) {
        to->sent += from->sent;
        to->done += from->done;
        to->ok += from->ok;
        to->late += from->late;
        to->late_client += from->late_client;
        to->cut += from->cut;
        to->not_sent += from->not_sent;
        to->new_connections += from->new_connections;
        to->retried += from->retried;
        for (size_t i = 0; i < _LOADGEN_ERR_MAX; i++)
                to->errors[i] += from->errors[i];
        for (size_t i = 0; i < ELEMENTSOF(to->status); i++)
                to->status[i] += from->status[i];
        for (size_t i = 0; i < ELEMENTSOF(to->by_request); i++)
                to->by_request[i] += from->by_request[i];
}

void loadgen_results_merge(LoadgenResults *to, const LoadgenResults *from) {
        loadgen_counters_add(&to->c, &from->c);
        for (size_t i = 0; i < _LOADGEN_H_MAX; i++)
                histogram_merge(to->h[i], from->h[i]);
        for (size_t i = 0; i < MIN(to->n_entries, from->n_entries); i++) {
                LoadgenEntryResults *t = &to->entries[i];
                const LoadgenEntryResults *f = &from->entries[i];
                t->sent += f->sent;
                t->done += f->done;
                t->ok += f->ok;
                for (size_t k = 0; k < _LOADGEN_ERR_MAX; k++)
                        t->errors[k] += f->errors[k];
                for (size_t k = 0; k < ELEMENTSOF(t->status); k++)
                        t->status[k] += f->status[k];
                histogram_merge(t->latency, f->latency);
                histogram_merge(t->service, f->service);
                histogram_merge(t->lateness, f->lateness);
        }
}

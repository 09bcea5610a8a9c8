/* SPDX-License-Identifier: MIT */
/* request: the table of requests a run sends, each with its weight, method, path, headers and body,
 * all to the one origin (scheme, host, port) of the run's URL. Each entry's bytes are built once
 * (http1_request_build), with the Host of the URL and its credentials as Basic authorization (as
 * libcurl sends them); a request's entry is then drawn by weight. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "stats.h"

/* Entries of one table at most (so that counters by entry have a fixed size). */
#define LOADGEN_REQUESTS_MAX 64u

typedef struct LoadgenRequest {
        const char *path;               /* target with its query ("/a?b=1"); NULL: the URL's */
        const char *method;             /* NULL: GET, or POST when there is a body */
        const char *body;               /* NULL: none */
        char **headers;                 /* "Name: value", NULL-terminated, may be NULL */
        unsigned weight;                /* its share of the requests against the others' (0: 1) */
} LoadgenRequest;

typedef struct RequestEntry {
        char *bytes;
        size_t len;
        bool head;                      /* HEAD: the response has no body */
} RequestEntry;

typedef struct RequestTable {
        RequestEntry *e;
        size_t n;
        uint64_t *cumulative;           /* running sums of the weights */
        uint64_t total;
        bool tls, loopback;             /* of the URL */
} RequestTable;

/* The table for url and the entries (NULL, 0: one GET of the URL). -EINVAL with *e for a URL libcurl does not take, or an entry http1_request_build refuses; -E2BIG for
 * more than LOADGEN_REQUESTS_MAX entries. libcurl must be loaded. */
int request_table_build(RequestTable *t, const char *url, const LoadgenRequest *req, size_t n, Error *e);
void request_table_done(RequestTable *t);
/* The entry of the next request: by weight, drawing from rng only when there is a choice. */
static inline size_t request_table_pick(const RequestTable *t, StatsRng *rng) {
        if (t->n == 1)
                return 0;
        uint64_t v = stats_rng_below(rng, t->total);
        size_t i = 0;
        while (t->cumulative[i] <= v)
                i++;
        return i;
}
/* 127.0.0.0/8, [::1] or localhost (a URL's host). */
bool request_host_is_loopback(const char *host);

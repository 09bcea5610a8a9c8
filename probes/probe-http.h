/* SPDX-License-Identifier: MIT */
/* The http probe's own options (its option table is in http-options.c) and the checks of its
 * arguments before any connection: what the probe cannot use is a usage error with a message, not a
 * failed run. */
#pragma once

#include <stdint.h>

#include "error.h"
#include "probe.h"

/* The schemes the http probe speaks. */
#define HTTP_PROBE_SCHEMES "http and https"

typedef enum HttpModel {
        HTTP_MODEL_CLOSED,      /* N users, each sends the next request when the previous ends */
        HTTP_MODEL_OPEN,        /* requests at a fixed arrival rate, whether or not earlier ones ended */
} HttpModel;

typedef enum HttpArrival {
        HTTP_ARRIVAL_CONSTANT,
        HTTP_ARRIVAL_POISSON,
} HttpArrival;

typedef struct HttpOptions {
        const char *url;
        HttpModel model;
        unsigned users;         /* closed: concurrent users; open: most requests in flight (0: default) */
        unsigned threads;       /* threads, each with its own multi handle (0: 1); users and rate split */
        double rate;            /* open: requests per second */
        HttpArrival arrival;
        const char *method;     /* NULL: GET (POST when a body is given) */
        const char *body;
        char **headers;         /* "Name: value", NULL-terminated, may be NULL */
        const char *cacert;     /* https: CA certificates to trust (PEM file); NULL: the system's */
        double timeout_s;       /* per request; 0: 10 s */
        uint64_t seed;          /* Poisson arrivals */
        char **owned_headers;   /* the list parse() built (headers points at it); freed by options_done */
} HttpOptions;

/* url is scheme://host[:port][/path]: 0; -EINVAL when it is not a URL of that form,
 * -EPROTONOSUPPORT for another scheme (gopher://, file://). *e says which and what to give instead. */
int http_url_check(const char *url, Error *e);
/* A request header "Name: value" or "Name;" without CR, LF or NUL (a header cannot hold a line
 * break: it would end the header or smuggle another one). */
int http_header_check(const char *header, Error *e);

/* The option table of the http backend (http-options.c). */
#define HTTP_OPTION_COUNT 11
extern const ProbeOption http_options[HTTP_OPTION_COUNT];
void http_options_init(void *options);
int http_options_check(const void *options, Error *e);
void http_options_done(void *options);

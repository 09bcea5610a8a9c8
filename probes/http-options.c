/* SPDX-License-Identifier: MIT */
/* The http probe's own options: what each request is (url, method, data, header, cacert) and how the
 * load is made (users, rate, arrival, seed, timeout, threads). The CLI offers them from this table
 * and knows nothing of http. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "probe-http.h"
#include "time-util.h"

static int parse_url(void *options, const char *v, Error *e) {
        HttpOptions *o = options;
        Error why = ERROR_NULL;
        int r = http_url_check(v, &why);
        if (r < 0)
                r = error_set(e, r, "--url: %s", error_message(&why));
        error_done(&why);
        if (r < 0)
                return r;
        o->url = v;
        return 0;
}

static int parse_method(void *options, const char *v, Error *e) {
        ((HttpOptions *) options)->method = v;
        return 0;
}

static int parse_data(void *options, const char *v, Error *e) {
        ((HttpOptions *) options)->body = v;
        return 0;
}

static int parse_header(void *options, const char *v, Error *e) {
        HttpOptions *o = options;
        int r = http_header_check(v, e);
        if (r < 0)
                return r;
        size_t n = 0;
        while (o->owned_headers && o->owned_headers[n])
                n++;
        char **l = realloc(o->owned_headers, (n + 2) * sizeof(char *));
        if (!l)
                return error_set(e, -ENOMEM, "out of memory");
        l[n] = (char *) v;
        l[n + 1] = NULL;
        o->owned_headers = o->headers = l;
        return 0;
}

static int parse_cacert(void *options, const char *v, Error *e) {
        if (access(v, R_OK) < 0)
                return error_set(e, -EINVAL, "--cacert '%s': %s: give a readable PEM file of CA certificates", v,
                                 strerror(errno));
        ((HttpOptions *) options)->cacert = v;
        return 0;
}

static int parse_count(const char *name, const char *v, unsigned long max, unsigned *ret, Error *e) {
        char *end;
        unsigned long n = strtoul(v, &end, 10);
        if (*end || end == v || n < 1 || n > max)
                return error_set(e, -EINVAL, "--%s '%s' is not a number from 1 to %lu", name, v, max);
        *ret = (unsigned) n;
        return 0;
}

static int parse_users(void *options, const char *v, Error *e) {
        return parse_count("users", v, 10000, &((HttpOptions *) options)->users, e);
}

static int parse_threads(void *options, const char *v, Error *e) {
        return parse_count("threads", v, 256, &((HttpOptions *) options)->threads, e);
}

static int parse_rate(void *options, const char *v, Error *e) {
        HttpOptions *o = options;
        char *end;
        o->rate = strtod(v, &end);
        if (*end || end == v || !(o->rate > 0) || o->rate > 1e7)
                return error_set(e, -EINVAL, "--rate '%s' is not a positive number of requests per second", v);
        o->model = HTTP_MODEL_OPEN;
        return 0;
}

static int parse_arrival(void *options, const char *v, Error *e) {
        HttpOptions *o = options;
        if (strcmp(v, "constant") == 0)
                o->arrival = HTTP_ARRIVAL_CONSTANT;
        else if (strcmp(v, "poisson") == 0)
                o->arrival = HTTP_ARRIVAL_POISSON;
        else
                return error_set(e, -EINVAL, "--arrival '%s': use constant or poisson", v);
        return 0;
}

static int parse_timeout(void *options, const char *v, Error *e) {
        HttpOptions *o = options;
        if (time_parse_seconds(v, &o->timeout_s) < 0 || o->timeout_s < 0.001)
                return error_set(e, -EINVAL, "--timeout '%s' is not a duration such as 5 or 500ms", v);
        return 0;
}

static int parse_seed(void *options, const char *v, Error *e) {
        char *end;
        ((HttpOptions *) options)->seed = strtoull(v, &end, 0);
        if (*end || end == v)
                return error_set(e, -EINVAL, "--seed '%s' is not a number", v);
        return 0;
}

const ProbeOption http_options[HTTP_OPTION_COUNT] = {
        { "url", "URL", "target; repeat for several URLs (each is probed on its own)", parse_url },
        { "users", "N", "closed model: concurrent users (default 10); open model: most\n"
                        "requests in flight (default 100)", parse_users },
        { "rate", "R", "open model: R requests per second, latency measured from each\n"
                       "request's intended send time (no coordinated omission)", parse_rate },
        { "arrival", "KIND", "open model: constant (default) or poisson", parse_arrival },
        { "seed", "N", "--arrival poisson: seed of the arrival times (the same seed gives\n"
                       "the same schedule)", parse_seed },
        { "method", "M", "request method (default GET, or POST with --data)", parse_method },
        { "data", "BODY", "request body", parse_data },
        { "header", "'K: V'", "extra request header (repeatable), e.g. an Authorization token;\n"
                              "'K:' drops nothing here (no default headers), 'K;' sends K empty", parse_header },
        { "cacert", "FILE", "https: trust the CA certificates in FILE (PEM) instead of the\n"
                            "system's, e.g. for a service with a private CA", parse_cacert },
        { "timeout", "S", "per request (default 10)", parse_timeout },
        { "threads", "N", "load threads, each with its own connections; users and\n"
                          "rate are split between them (default 1)", parse_threads },
};

void http_options_init(void *options) {
        *(HttpOptions *) options = (HttpOptions) {};
}

int http_options_check(const void *options, Error *e) {
        const HttpOptions *o = options;
        if (o->arrival == HTTP_ARRIVAL_POISSON && o->model != HTTP_MODEL_OPEN)
                return error_set(e, -EINVAL, "--arrival needs --rate (the open model)");
        return 0;
}

void http_options_done(void *options) {
        HttpOptions *o = options;
        free(o->owned_headers);
        o->owned_headers = o->headers = NULL;
}

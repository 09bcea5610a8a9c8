/* SPDX-License-Identifier: MIT */
#include "request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "curl-api.h"
#include "http1.h"
#include "macro.h"

bool request_host_is_loopback(const char *host) {
        return strncmp(host, "127.", 4) == 0 || strcmp(host, "[::1]") == 0 || strcmp(host, "localhost") == 0;
}

static char *base64(const char *in) {
        static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        size_t n = strlen(in);
        char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i += 3) {
                uint32_t v = (uint32_t) (uint8_t) in[i] << 16;
                if (i + 1 < n)
                        v |= (uint32_t) (uint8_t) in[i + 1] << 8;
                if (i + 2 < n)
                        v |= (uint8_t) in[i + 2];
                *o++ = abc[v >> 18 & 63];
                *o++ = abc[v >> 12 & 63];
                *o++ = i + 1 < n ? abc[v >> 6 & 63] : '=';
                *o++ = i + 2 < n ? abc[v & 63] : '=';
        }
        *o = '\0';
        return out;
}

/* What every entry shares, from the URL. */
typedef struct Origin {
        char *target;                   /* the URL's path and query */
        char *host_port;
        char *auth;                     /* "Authorization: Basic ..." from the URL's credentials, or NULL */
} Origin;

static void origin_done(Origin *o) {
        free(o->target);
        free(o->host_port);
        free(o->auth);
}

static int origin_from_url(Origin *o, RequestTable *t, CURLU *u) {
        char *path = NULL, *query = NULL, *host = NULL, *port = NULL, *scheme = NULL, *user = NULL, *pass = NULL;
        int r = -ENOMEM;
        curl_url_get(u, CURLUPART_PATH, &path, 0);
        curl_url_get(u, CURLUPART_QUERY, &query, 0);
        curl_url_get(u, CURLUPART_HOST, &host, 0);
        curl_url_get(u, CURLUPART_PORT, &port, 0);
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
        curl_url_get(u, CURLUPART_USER, &user, 0);
        curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
        t->tls = scheme && strcasecmp(scheme, "https") == 0;
        t->loopback = host && request_host_is_loopback(host);
        if (!host)
                goto out;
        if (asprintf(&o->target, "%s%s%s", isempty(path) ? "/" : path, query ? "?" : "", query ? query : "") < 0 ||
            asprintf(&o->host_port, "%s%s%s", host, port ? ":" : "", port ? port : "") < 0) {
                o->target = o->host_port = NULL;
                goto out;
        }
        if (user) {
                _cleanup_free_ char *plain = NULL, *coded = NULL;
                if (asprintf(&plain, "%s:%s", user, pass ? pass : "") < 0) {
                        plain = NULL;
                        goto out;
                }
                if (!(coded = base64(plain)) || asprintf(&o->auth, "Authorization: Basic %s", coded) < 0) {
                        o->auth = NULL;
                        goto out;
                }
        }
        r = 0;
out:
        curl_free(path);
        curl_free(query);
        curl_free(host);
        curl_free(port);
        curl_free(scheme);
        curl_free(user);
        curl_free(pass);
        return r;
}

/* One entry's bytes: its headers, then the URL's credentials unless it sets Authorization itself. */
static int entry_build(RequestEntry *e, const Origin *o, const LoadgenRequest *q) {
        size_t n_headers = 0;
        bool has_auth = false;
        for (char **h = q->headers; h && *h; h++) {
                n_headers++;
                has_auth |= strncasecmp(*h, "Authorization:", 14) == 0;
        }
        _cleanup_free_ char **headers = calloc(n_headers + 2, sizeof(char *));
        if (!headers)
                return -ENOMEM;
        size_t k = 0;
        for (char **h = q->headers; h && *h; h++)
                headers[k++] = *h;
        if (o->auth && !has_auth)
                headers[k++] = o->auth;
        const char *method = q->method ? q->method : q->body ? "POST" : "GET";
        e->head = strcasecmp(method, "HEAD") == 0;
        return http1_request_build(method, q->path ? q->path : o->target, o->host_port, headers, q->body,
                                   q->body ? strlen(q->body) : 0, &e->bytes, &e->len);
}

static void refused(const char *url, const LoadgenRequest *q, Error *e) {
        if (q->path)
                error_set(e, -EINVAL, "cannot send the request for '%s' to '%s': its method, a header or the "
                                   "path has a space, a line break or a NUL where none may be, or a header sets "
                                   "Content-Length (it is computed from the body)", q->path, url);
        else
                error_set(e, -EINVAL, "cannot send the request to '%s': the method, a header or the URL's "
                                   "path has a space, a line break or a NUL where none may be, or a header sets "
                                   "Content-Length (it is computed from the body)", url);
}

static int table_fill(RequestTable *t, const Origin *o, const LoadgenRequest *req, size_t n, const char *url,
                      Error *e) {
        for (size_t i = 0; i < n; i++) {
                int r = entry_build(&t->e[i], o, &req[i]);
                if (r == -EINVAL)
                        refused(url, &req[i], e);
                if (r < 0)
                        return r;
                t->n = i + 1;
                t->total += req[i].weight ? req[i].weight : 1;
                t->cumulative[i] = t->total;
        }
        return 0;
}

int request_table_build(RequestTable *t, const char *url, const LoadgenRequest *req, size_t n, Error *e) {
        static const LoadgenRequest get = { 0 };
        *t = (RequestTable) { 0 };
        if (n == 0) {
                req = &get;
                n = 1;
        }
        if (n > LOADGEN_REQUESTS_MAX) {
                return error_set(e, -E2BIG, "%zu requests in the table, at most %u may be", n, LOADGEN_REQUESTS_MAX);
        }
        CURLU *u = curl_url();
        CURLUcode uc = u ? curl_url_set(u, CURLUPART_URL, url, 0) : CURLUE_OUT_OF_MEMORY;
        if (uc != CURLUE_OK) {
                curl_url_cleanup(u);
                return error_set(e, -EINVAL, "'%s' is not a URL: %s", url, curl_url_strerror(uc));
        }
        Origin o = { 0 };
        int r = origin_from_url(&o, t, u);
        curl_url_cleanup(u);
        t->e = calloc(n, sizeof(RequestEntry));
        t->cumulative = calloc(n, sizeof(uint64_t));
        if (r >= 0 && (!t->e || !t->cumulative))
                r = -ENOMEM;
        if (r >= 0)
                r = table_fill(t, &o, req, n, url, e);
        origin_done(&o);
        if (r < 0)
                request_table_done(t);
        return r;
}

void request_table_done(RequestTable *t) {
        for (size_t i = 0; t->e && i < t->n; i++)
                free(t->e[i].bytes);
        free(t->e);
        free(t->cumulative);
        *t = (RequestTable) { 0 };
}

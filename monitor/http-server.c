/* SPDX-License-Identifier: MIT */
/* The loopback HTTP server on sd-event (http-server.h). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "http-mhd.h"
#include "http-origin.h"
#include "http-server.h"
#include "log.h"
#include "macro.h"
#include "safe-text.h"

/* A scraper or two and a few people's tools; a stalled client is dropped after the timeout. */
#define HTTP_CONNECTIONS_MAX 32
#define HTTP_TIMEOUT_S       10
#define HTTP_LIMIT_WAKE_MS   1000u
/* A request's head must be whole this long after its connection opened (or its previous request
 * ended): a client that trickles a byte now and then (slowloris) keeps a slot no longer. */
#define HTTP_REQUEST_DEADLINE_USEC (5 * UINT64_C(1000000))
#define HTTP_CROWDED_HEAD_USEC     (1 * UINT64_C(1000000))
#define HTTP_BACKLOG               128
/* The answers' bytes held for their readers, all connections together: a body is built whole and
 * kept until sent, so clients that ask and never read would grow the daemon without bound. An answer
 * that would pass it is 503, unless none is held (the largest, 200000 buckets, is about 12 MB). */
#define HTTP_QUEUED_MAX (8u << 20) /* 8 MiB */
/* Each connection's socket send buffer (the kernel doubles it), inherited from the listen socket:
 * without it loopback autotunes to 4 MB a socket, which a client that never reads fills for free. */
#define HTTP_SNDBUF (128 * 1024)

/* A connection open now, linked in HttpServer.conns; its MHD socket context. */
typedef struct Conn {
        struct MHD_Connection *c;
        uint64_t start_usec; /* CLOCK_MONOTONIC: opened, or its last request ended */
        bool whole;          /* its current request's head has been read */
        bool shut;           /* shut down by sweep(): MHD closes it */
        struct Conn *prev, *next;
} Conn;

/* Per request (MHD's req_cls, made by on_uri): its query string as sent, and once its head is read
 * (the first call of on_request) its arguments as the routes see them. */
typedef struct Req {
        char *query; /* after '?', not decoded; NULL: none */
        HttpRequest *req;
        size_t queued; /* its answer's bytes, counted in HttpServer.queued */
} Req;

struct HttpServer {
        struct MHD_Daemon *mhd; /* NULL until the first connection (http-mhd.h) */
        int fd;                 /* the listening socket; MHD's once it runs */
        sd_event_source *first; /* the listening socket until then */
        sd_event_source *io, *timer;
        const HttpRoute *routes;
        size_t n;
        void *userdata;
        char *token;                      /* every request must send it; NULL: none asked */
        bool check_host;                  /* a loopback listener: Host must be a loopback name */
        char where[LISTEN_ADDR_TEXT_MAX]; /* the address, for messages */
        Conn *conns;
        size_t queued; /* the bytes of the answers not yet sent (HTTP_QUEUED_MAX) */
};

static int listen_socket(const ListenAddr *a) {
        int fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        int one = 1, sndbuf = HTTP_SNDBUF;
        /* SO_REUSEADDR rebinds over TIME_WAIT after a restart; it never shares a port that listens. */
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) < 0 ||
            (a->sa.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
            bind(fd, (const struct sockaddr *) &a->sa, a->len) < 0 || listen(fd, HTTP_BACKLOG) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

/* The next wake-up MHD wants (a connection's timeout, or at once when it has work queued); after a
 * run at the connection limit, at most HTTP_LIMIT_WAKE_MS from now (run()). */
static int rearm(HttpServer *s, bool crowded) {
        MHD_UNSIGNED_LONG_LONG ms;
        bool timeout = MHD_get_timeout(s->mhd, &ms) == MHD_YES;
        /* Connections open: the deadline's sweep needs a wake-up at least every second. */
        if ((crowded || s->conns) && (!timeout || ms > HTTP_LIMIT_WAKE_MS)) {
                ms = HTTP_LIMIT_WAKE_MS;
                timeout = true;
        }
        if (!timeout)
                return sd_event_source_set_enabled(s->timer, SD_EVENT_OFF);
        uint64_t now;
        int r = sd_event_now(sd_event_source_get_event(s->timer), CLOCK_MONOTONIC, &now);
        if (r >= 0)
                r = sd_event_source_set_time(s->timer, now + (uint64_t) ms * 1000u);
        return r < 0 ? r : sd_event_source_set_enabled(s->timer, SD_EVENT_ONESHOT);
}

static unsigned connections(HttpServer *s) {
        const union MHD_DaemonInfo *i = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        return i ? i->num_connections : 0;
}

/* At the connection limit MHD takes its listen socket out of its epoll set, and puts it back only at
 * the start of a later MHD_run(). Without a thread of its own nothing may call that run: no
 * connection left to wake it, no timeout asked for, and the clients wait in the backlog for ever.
 * So a run in which connections closed is followed by another at once, and after a run at the limit
 * the server is run again within HTTP_LIMIT_WAKE_MS. An idle server is not woken (its cost: none). */
static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* Shuts down (MHD then closes) each connection whose request head is late. */
static void shut(Conn *k) {
        const union MHD_ConnectionInfo *i = MHD_get_connection_info(k->c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (i)
                (void) shutdown(i->connect_fd, SHUT_RDWR);
        k->shut = true; /* once: MHD closes it at its next run */
}

/* Shuts down each connection whose request head is late; at the connection limit also the one that
 * has waited longest for its head (at least HTTP_CROWDED_HEAD_USEC), so that a client in the
 * backlog (a scraper behind 32 slow ones) gets a slot at the next wake-up, not at the deadline. */
static void sweep(HttpServer *s, bool crowded) {
        uint64_t now = now_usec();
        Conn *oldest = NULL;
        for (Conn *k = s->conns; k; k = k->next) {
                if (k->whole || k->shut)
                        continue;
                if (now - k->start_usec >= HTTP_REQUEST_DEADLINE_USEC)
                        shut(k);
                else if (now - k->start_usec >= HTTP_CROWDED_HEAD_USEC &&
                         (!oldest || k->start_usec < oldest->start_usec))
                        oldest = k;
        }
        if (crowded && oldest)
                shut(oldest);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
        HttpServer *s = cls;
        Conn *k = *socket_context;
        if (code == MHD_CONNECTION_NOTIFY_STARTED) {
                if (!(k = calloc(1, sizeof(*k))))
                        return; /* untracked: the idle timeout alone bounds it */
                *k = (Conn) { .c = c, .start_usec = now_usec(), .next = s->conns };
                if (s->conns)
                        s->conns->prev = k;
                s->conns = k;
                *socket_context = k;
        } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && k) {
                if (k->prev)
                        k->prev->next = k->next;
                else
                        s->conns = k->next;
                if (k->next)
                        k->next->prev = k->prev;
                free(k);
                *socket_context = NULL;
        }
}

static Conn *conn_of(struct MHD_Connection *c) {
        const union MHD_ConnectionInfo *i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        return i ? i->socket_context : NULL;
}

/* The request line's URI, before MHD decodes it: the query string is decoded by
 * http_request_parse_query(), the one parser the docs, tests and fuzz target describe (MHD's would
 * take %00 as the value's end and keep a bad escape as it is). MHD hands the result to on_request as
 * its req_cls, and calls on_completed for it however the request ends. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c) {
        Req *q = calloc(1, sizeof(*q));
        const char *query = strchr(uri, '?');
        if (q && query && !(q->query = strdup(query + 1))) {
                free(q);
                return NULL;
        }
        return q;
}

/* A request ended: the next one's head is due within the deadline from now. */
static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode toe) {
        Conn *k = conn_of(c);
        if (k && !k->shut) {
                k->whole = false;
                k->start_usec = now_usec();
        }
        Req *q = *req_cls;
        if (q) {
                ((HttpServer *) cls)->queued -= q->queued;
                free(q->query);
                http_request_free(q->req);
                free(q);
        }
        *req_cls = NULL;
}

static int run(HttpServer *s) {
        unsigned before = connections(s);
        sweep(s, before >= HTTP_CONNECTIONS_MAX);
        (void) MHD_run(s->mhd);
        unsigned after = connections(s);
        if (after < before)
                (void) MHD_run(s->mhd);
        return rearm(s, before >= HTTP_CONNECTIONS_MAX || after >= HTTP_CONNECTIONS_MAX);
}

static int on_io(sd_event_source *src, int fd, uint32_t revents, void *userdata) {
        return run(userdata);
}

static int on_timer(sd_event_source *src, uint64_t usec, void *userdata) {
        return run(userdata);
}

/* The headers of every answer, a HEAD's as a GET's. */
static enum MHD_Result add_headers(struct MHD_Response *resp, const char *type) {
        enum MHD_Result ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
        if (ok == MHD_YES)
                ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
        if (ok == MHD_YES)
                ok = MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
        return ok;
}

/* extra (may be NULL): the Allow header of a 405, the Retry-After of a 503. */
static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *type, char *body, size_t len,
                             const char *extra) {
        struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
        if (!resp) {
                free(body);
                return MHD_NO;
        }
        enum MHD_Result ok = add_headers(resp, type);
        if (ok == MHD_YES && extra)
                ok = MHD_add_response_header(resp,
                                             code == MHD_HTTP_SERVICE_UNAVAILABLE ? MHD_HTTP_HEADER_RETRY_AFTER
                                                                                  : MHD_HTTP_HEADER_ALLOW,
                                             extra);
        if (ok == MHD_YES)
                ok = MHD_queue_response(c, code, resp);
        MHD_destroy_response(resp);
        return ok;
}

/* A HEAD the route answered with a length alone: MHD sends the headers and never reads the body. */
static ssize_t no_body(void *cls, uint64_t pos, char *buf, size_t max) {
        return MHD_CONTENT_READER_END_WITH_ERROR;
}

static enum MHD_Result reply_head(struct MHD_Connection *c, const char *type, size_t len) {
        struct MHD_Response *resp = MHD_create_response_from_callback(len, 1, no_body, NULL, NULL);
        if (!resp)
                return MHD_NO;
        enum MHD_Result ok = add_headers(resp, type);
        if (ok == MHD_YES)
                ok = MHD_queue_response(c, MHD_HTTP_OK, resp);
        MHD_destroy_response(resp);
        return ok;
}

/* 401 with the scheme to use. */
static enum MHD_Result reply_unauthorized(HttpServer *s, struct MHD_Connection *c) {
        json_t *doc = json_pack("{ss}", "error",
                                "this API asks for a token: send 'Authorization: Bearer TOKEN' (the token of the "
                                "file api_token_file names) or ?token=TOKEN");
        char *body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
        json_decref(doc);
        size_t len = body ? strlen(body) : 0;
        struct MHD_Response *resp = body ? MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE) : NULL;
        if (!resp) {
                free(body);
                return MHD_NO;
        }
        enum MHD_Result ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
        if (ok == MHD_YES)
                ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                             "Bearer realm=\"skytune-monitor\"");
        if (ok == MHD_YES)
                ok = MHD_queue_response(c, MHD_HTTP_UNAUTHORIZED, resp);
        MHD_destroy_response(resp);
        return ok;
}

/* {"error": why, "paths": [the routes]}, or for a refused argument {"error": why, "argument": key,
 * "accepted": what} (req not NULL). */
static enum MHD_Result reply_error(HttpServer *s, struct MHD_Connection *c, unsigned code, const char *why,
                                   const char *extra, const HttpRequest *req) {
        /* A refusal may quote the request's bytes (a name, a key), which need not be UTF-8: escaped. */
        json_t *doc = json_pack("{so}", "error", json_text(why));
        const char *key = NULL, *accepted = NULL;
        if (req && http_request_refusal(req, &key, &accepted)) {
                if (doc && key)
                        json_object_set_new(doc, "argument", json_text(key));
                if (doc && accepted)
                        json_object_set_new(doc, "accepted", json_text(accepted));
        } else {
                json_t *paths = json_array();
                for (size_t i = 0; paths && i < s->n; i++)
                        json_array_append_new(paths, json_string(s->routes[i].path));
                if (doc)
                        json_object_set_new(doc, "paths", paths);
        }
        char *body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
        json_decref(doc);
        if (!body)
                return MHD_NO;
        size_t len = strlen(body);
        char *with_nl = realloc(body, len + 2);
        if (with_nl) {
                with_nl[len++] = '\n';
                body = with_nl;
        }
        return reply(c, code, "application/json", body, len, extra);
}

/* A Host a browser on this host sends to the loopback API: 127.x.y.z, [::1] or localhost, with any
 * port (or none). Any other name is a page whose domain was pointed at 127.0.0.1 (DNS rebinding):
 * it must not read the API. No Host at all (HTTP/1.0, scripts) is fine. */
static bool port_ok(const char *p) {
        return p[0] == '\0' || (p[0] == ':' && p[1] && strspn(p + 1, "0123456789") == strlen(p + 1));
}

static bool host_ok(const char *host) {
        if (!host)
                return true;
        if (strncmp(host, "[::1]", 5) == 0)
                return port_ok(host + 5);
        size_t name = strcspn(host, ":");
        if (!port_ok(host + name))
                return false;
        if (name == 9 && strncasecmp(host, "localhost", 9) == 0)
                return true;
        if (name < 7 || name > 15 || strncmp(host, "127.", 4) != 0)
                return false;
        for (size_t i = 4; i < name; i++)
                if (host[i] != '.' && (host[i] < '0' || host[i] > '9'))
                        return false;
        return true;
}

/* given equals token, in a time that depends on token's length alone (not on where they differ). */
static bool same_secret(const char *given, const char *token) {
        size_t n = strlen(token), m = given ? strlen(given) : 0;
        unsigned char d = m != n;
        for (size_t i = 0; i < n; i++)
                d |= (unsigned char) token[i] ^ (unsigned char) (i < m ? given[i] : 0);
        return d == 0;
}

/* "Authorization: Bearer TOKEN", or ?token=TOKEN (a browser's address bar, EventSource): the query's
 * token, as the request's arguments hold it. */
static bool token_ok(const HttpServer *s, struct MHD_Connection *c, const HttpRequest *req) {
        if (!s->token)
                return true;
        const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
        if (auth && strncasecmp(auth, "Bearer ", 7) == 0)
                return same_secret(auth + 7 + strspn(auth + 7, " "), s->token);
        return same_secret(http_request_arg(req, "token", 0), s->token);
}

/* The request's arguments from its query string as sent (a bad one is refused by the route's
 * answer: 400), token left out: it is the server's (token_ok), not the route's. */
static int parse(Req *q, bool head) {
        int r = http_request_new(head, &q->req);
        if (r < 0)
                return r;
        r = http_request_parse_query(q->req, q->query ? q->query : "");
        return r == -ENOMEM ? r : 0;
}

/* Any body at all: no route takes one, so it is refused at the head, before a byte of it is read (a
 * body sent slowly would hold the connection past the head's deadline, under the idle timeout alone). */
static bool has_body(struct MHD_Connection *c) {
        const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        return (len && strcmp(len, "0") != 0) ||
                MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
}

/* 503 while the answers held for their readers are too many bytes (HTTP_QUEUED_MAX). */
static enum MHD_Result reply_busy(HttpServer *s, struct MHD_Connection *c) {
        return reply_error(s, c, MHD_HTTP_SERVICE_UNAVAILABLE,
                           "the answers waiting for their readers pass 8 MiB: retry "
                           "in a second, or ask for a shorter range",
                           "1", NULL);
}

/* The route's answer to the whole request: its body, its length alone for a HEAD, or the error. */
static enum MHD_Result answer(HttpServer *s, struct MHD_Connection *c, const HttpRoute *route, Req *q) {
        HttpRequest *req = q->req;
        char *body = NULL;
        size_t len = 0;
        int r = http_request_refusal(req, NULL, NULL) ? -EINVAL : route->get(s->userdata, req, &body, &len);
        enum MHD_Result ok;
        if (r == -EINVAL)
                ok = reply_error(s, c, MHD_HTTP_BAD_REQUEST, http_request_refusal(req, NULL, NULL) ?: "bad arguments",
                                 NULL, req);
        else if (r < 0)
                ok = reply_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR,
                                 r == -ENOMEM ? "out of memory" : "internal error", NULL, NULL);
        else if (!body)
                ok = reply_head(c, route->content_type, len);
        else if (s->queued > 0 && len > HTTP_QUEUED_MAX - MIN(s->queued, HTTP_QUEUED_MAX)) {
                free(body);
                ok = reply_busy(s, c);
        } else {
                s->queued += len;
                q->queued = len;
                ok = reply(c, MHD_HTTP_OK, route->content_type, body, len, NULL);
        }
        if (r < 0)
                free(body);
        return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **req_cls) {
        HttpServer *s = cls;
        Req *q = *req_cls;
        if (!q)
                return MHD_NO; /* on_uri ran out of memory */
        bool first = !q->req;
        Conn *k = first ? conn_of(c) : NULL;
        if (k)
                k->whole = true;
        if (first && parse(q, strcmp(method, MHD_HTTP_METHOD_HEAD) == 0) < 0)
                return MHD_NO;
        if (s->check_host && !host_ok(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST)))
                return reply_error(s, c, MHD_HTTP_MISDIRECTED_REQUEST,
                                   "this API answers only requests for 127.0.0.1, [::1] or localhost (a page under "
                                   "another name reaching it is refused)",
                                   NULL, NULL);
        /* Checked once, at the head: the token is then dropped from the arguments. */
        if (first && !token_ok(s, c, q->req))
                return reply_unauthorized(s, c);
        if (first)
                http_request_remove(q->req, "token");
        if (http_cross_site(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST),
                            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ORIGIN),
                            MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site")))
                return reply_error(s, c, MHD_HTTP_FORBIDDEN,
                                   "a request of a page of another site (Origin or Sec-Fetch-Site): this API "
                                   "answers its own pages, scripts and tools",
                                   NULL, NULL);
        const HttpRoute *route = NULL;
        for (size_t i = 0; i < s->n && !route; i++)
                if (strcmp(url, s->routes[i].path) == 0)
                        route = &s->routes[i];
        if (!route)
                return reply_error(s, c, MHD_HTTP_NOT_FOUND, "no such path", NULL, NULL);
        if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
                return reply_error(s, c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD", "GET, HEAD", NULL);
        if (first && has_body(c))
                return reply_error(s, c, MHD_HTTP_CONTENT_TOO_LARGE,
                                   "a request body (these paths take none: send no Content-Length or body)", NULL,
                                   NULL);
        /* The errors above answer at once and close the connection (MHD does, since a body may
         * follow); a GET is answered at the second call, once the request is whole, so that the
         * connection stays open for the next scrape. */
        if (first)
                return MHD_YES;
        if (*upload_data_size > 0)
                return MHD_NO; /* refused at the head (has_body): not reached */
        return answer(s, c, route, q);
}

/* MHD on the listening socket, driven by e: 0, -EIO when it refuses to start, or sd-event's error. */
static int mhd_start(HttpServer *s, sd_event *e) {
        /* From here the socket is MHD's: MHD_stop_daemon() closes it. */
        s->mhd = MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, s->fd,
                                  MHD_OPTION_CONNECTION_LIMIT, (unsigned) HTTP_CONNECTIONS_MAX,
                                  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) HTTP_TIMEOUT_S,
                                  MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_NOTIFY_COMPLETED,
                                  on_completed, s, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_END);
        if (!s->mhd)
                return -EIO;
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_EPOLL_FD);
        int r = info ? 0 : -EIO;
        if (r >= 0)
                r = sd_event_add_io(e, &s->io, info->epoll_fd, EPOLLIN, on_io, s);
        if (r >= 0)
                r = sd_event_add_time(e, &s->timer, CLOCK_MONOTONIC, UINT64_MAX, 1000, on_timer, s);
        return r < 0 ? r : run(s);
}

/* The first connection waits in the backlog: MHD is loaded and started, and accepts it. A failure
 * closes the socket (clients are refused, not kept waiting) and says so once. */
static int on_first(sd_event_source *src, int fd, uint32_t revents, void *userdata) {
        HttpServer *s = userdata;
        sd_event *e = sd_event_source_get_event(src);
        s->first = sd_event_source_disable_unref(s->first);
        const char *missing = http_mhd_missing();
        int r = missing ? -ENOPKG : mhd_start(s, e);
        if (r >= 0)
                return 0;
        log_error("the HTTP API on %s stops until the daemon is reloaded (systemctl reload skytune-monitor) or "
                  "restarted: %s",
                  s->where,
                  missing
                          ?: r == -EIO ? "libmicrohttpd refused to start on the socket"
                                       : strerror(-r));
        s->io = sd_event_source_disable_unref(s->io);
        s->timer = sd_event_source_disable_unref(s->timer);
        if (s->mhd)
                MHD_stop_daemon(s->mhd);
        /* Whether a failed start closed the socket is not documented: close it if it is still
         * open (one thread: the number cannot have been reused meanwhile). */
        else if (fcntl(s->fd, F_GETFD) >= 0)
                close(s->fd);
        s->mhd = NULL;
        s->fd = -1;
        return 0;
}

int http_server_start(sd_event *e, const ListenAddr *a, const char *token, const HttpRoute *routes, size_t n,
                      void *userdata, HttpServer **ret) {
        int fd = listen_socket(a);
        if (fd < 0)
                return fd;
        HttpServer *s = calloc(1, sizeof(*s));
        if (!s) {
                close(fd);
                return -ENOMEM;
        }
        *s = (HttpServer) { .fd = fd, .routes = routes, .n = n, .userdata = userdata, .check_host = a->loopback };
        snprintf(s->where, sizeof(s->where), "%s", a->text);
        int r = http_server_set_token(s, token);
        if (r >= 0)
                r = sd_event_add_io(e, &s->first, fd, EPOLLIN, on_first, s);
        if (r < 0) {
                http_server_stop(s);
                return r;
        }
        *ret = s;
        return 0;
}

HttpServer *http_server_stop(HttpServer *s) {
        if (!s)
                return NULL;
        sd_event_source_disable_unref(s->first);
        sd_event_source_disable_unref(s->io);
        sd_event_source_disable_unref(s->timer);
        if (s->mhd)
                MHD_stop_daemon(s->mhd);
        else if (s->fd >= 0)
                close(s->fd);
        http_server_set_token(s, NULL);
        free(s);
        return NULL;
}

bool http_server_gave_up(const HttpServer *s) {
        return s && s->fd < 0;
}

int http_server_set_token(HttpServer *s, const char *token) {
        char *copy = token ? strdup(token) : NULL;
        if (token && !copy)
                return -ENOMEM;
        if (s->token)
                explicit_bzero(s->token, strlen(s->token));
        free(s->token);
        s->token = copy;
        return 0;
}

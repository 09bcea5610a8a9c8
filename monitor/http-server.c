/* SPDX-License-Identifier: MIT */
/* The loopback HTTP server on sd-event (http-server.h). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "http-server.h"
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
/* Routes take no body: a larger one is 413 (when announced at once; a chunked one once it ends), and
 * a chunked one past HTTP_BODY_DROP closes the connection (MHD answers only at the head or the end). */
#define HTTP_BODY_MAX  1024
#define HTTP_BODY_DROP (64 * 1024)

/* A connection open now, linked in HttpServer.conns; its MHD socket context. */
typedef struct Conn {
        struct MHD_Connection *c;
        uint64_t start_usec; /* CLOCK_MONOTONIC: opened, or its last request ended */
        bool whole;          /* its current request's head has been read */
        bool shut;           /* shut down by sweep(): MHD closes it */
        struct Conn *prev, *next;
} Conn;

/* Per request (MHD's req_cls): the body bytes seen. */
typedef struct Req {
        size_t body;
} Req;

struct HttpServer {
        struct MHD_Daemon *mhd;
        sd_event_source *io, *timer;
        const HttpRoute *routes;
        size_t n;
        void *userdata;
        char *token;     /* every request must send it; NULL: none asked */
        bool check_host; /* a loopback listener: Host must be a loopback name */
        Conn *conns;
};

static int listen_socket(const ListenAddr *a) {
        int fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        int one = 1;
        /* SO_REUSEADDR rebinds over TIME_WAIT after a restart; it never shares a port that listens. */
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
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

/* A request ended: the next one's head is due within the deadline from now. */
static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode toe) {
        Conn *k = conn_of(c);
        if (k && !k->shut) {
                k->whole = false;
                k->start_usec = now_usec();
        }
        free(*req_cls);
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

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *type, char *body, size_t len,
                             const char *allow) {
        struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
        if (!resp) {
                free(body);
                return MHD_NO;
        }
        enum MHD_Result ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
        if (ok == MHD_YES)
                ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
        if (ok == MHD_YES)
                ok = MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
        if (ok == MHD_YES && allow)
                ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
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
        enum MHD_Result ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
        if (ok == MHD_YES)
                ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
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
                                   const char *allow, const HttpRequest *req) {
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
        return reply(c, code, "application/json", body, len, allow);
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

/* The query's arguments but token, which is the server's (token_ok), not the route's. */
static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
        if (strcmp(key, "token") == 0)
                return MHD_YES;
        return http_request_add_arg(cls, key, value) < 0 ? MHD_NO : MHD_YES;
}

/* given equals token, in a time that depends on token's length alone (not on where they differ). */
static bool same_secret(const char *given, const char *token) {
        size_t n = strlen(token), m = given ? strlen(given) : 0;
        unsigned char d = m != n;
        for (size_t i = 0; i < n; i++)
                d |= (unsigned char) token[i] ^ (unsigned char) (i < m ? given[i] : 0);
        return d == 0;
}

/* "Authorization: Bearer TOKEN", or ?token=TOKEN (a browser's address bar, EventSource). */
static bool token_ok(const HttpServer *s, struct MHD_Connection *c) {
        if (!s->token)
                return true;
        const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
        if (auth && strncasecmp(auth, "Bearer ", 7) == 0)
                return same_secret(auth + 7 + strspn(auth + 7, " "), s->token);
        return same_secret(MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token"), s->token);
}

/* A body announced (at the head) or sent (at the end: more is 0 then) beyond HTTP_BODY_MAX. */
static bool body_too_large(struct MHD_Connection *c, const Req *q, size_t more) {
        const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (!q)
                return len &&
                        (strspn(len, "0123456789") != strlen(len) || strlen(len) > 9 || atol(len) > HTTP_BODY_MAX);
        return more == 0 && q->body > HTTP_BODY_MAX;
}

/* The route's answer to the whole request: its body, its length alone for a HEAD, or the error. */
static enum MHD_Result answer(HttpServer *s, struct MHD_Connection *c, const HttpRoute *route, bool head) {
        HttpRequest *req = NULL;
        if (http_request_new(head, &req) < 0)
                return MHD_NO;
        (void) MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_arg, req);
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
        else
                ok = reply(c, MHD_HTTP_OK, route->content_type, body, len, NULL);
        if (r < 0)
                free(body);
        http_request_free(req);
        return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **req_cls) {
        HttpServer *s = cls;
        Conn *k = !*req_cls ? conn_of(c) : NULL;
        if (k)
                k->whole = true;
        if (s->check_host && !host_ok(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST)))
                return reply_error(s, c, MHD_HTTP_MISDIRECTED_REQUEST,
                                   "this API answers only requests for 127.0.0.1, [::1] or localhost (a page under "
                                   "another name reaching it is refused)",
                                   NULL, NULL);
        if (!token_ok(s, c))
                return reply_unauthorized(s, c);
        if (body_too_large(c, *req_cls, *upload_data_size))
                return reply_error(
                        s, c, MHD_HTTP_CONTENT_TOO_LARGE,
                        "a request body larger than " STRINGIFY(HTTP_BODY_MAX) " bytes (these paths take none)", NULL,
                        NULL);
        const HttpRoute *route = NULL;
        for (size_t i = 0; i < s->n && !route; i++)
                if (strcmp(url, s->routes[i].path) == 0)
                        route = &s->routes[i];
        if (!route)
                return reply_error(s, c, MHD_HTTP_NOT_FOUND, "no such path", NULL, NULL);
        if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
                return reply_error(s, c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD", "GET, HEAD", NULL);
        /* The errors above answer at once and close the connection (MHD does, since a body may
         * follow); a GET is answered at the second call, once the request is whole, so that the
         * connection stays open for the next scrape. */
        if (!*req_cls) {
                *req_cls = calloc(1, sizeof(Req)); /* freed by on_completed */
                return *req_cls ? MHD_YES : MHD_NO;
        }
        if (*upload_data_size > 0) {
                Req *q = *req_cls;
                q->body += *upload_data_size;
                if (q->body > HTTP_BODY_DROP)
                        return MHD_NO;
                *upload_data_size = 0; /* a GET with a small body: the body is ignored */
                return MHD_YES;
        }
        return answer(s, c, route, strcmp(method, MHD_HTTP_METHOD_HEAD) == 0);
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
        *s = (HttpServer) { .routes = routes, .n = n, .userdata = userdata, .check_host = a->loopback };
        if (http_server_set_token(s, token) < 0) {
                close(fd);
                free(s);
                return -ENOMEM;
        }
        /* From here the socket is MHD's: MHD_stop_daemon() closes it. */
        s->mhd =
                MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, fd,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned) HTTP_CONNECTIONS_MAX,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) HTTP_TIMEOUT_S, MHD_OPTION_NOTIFY_CONNECTION,
                                 on_connection, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
        if (!s->mhd) {
                /* Whether a failed start closed the socket is not documented: close it if it is
                 * still open (one thread: the number cannot have been reused meanwhile). */
                if (fcntl(fd, F_GETFD) >= 0)
                        close(fd);
                http_server_set_token(s, NULL);
                free(s);
                return -EIO;
        }
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_EPOLL_FD);
        int r = info ? 0 : -EIO;
        if (r >= 0)
                r = sd_event_add_io(e, &s->io, info->epoll_fd, EPOLLIN, on_io, s);
        if (r >= 0)
                r = sd_event_add_time(e, &s->timer, CLOCK_MONOTONIC, UINT64_MAX, 1000, on_timer, s);
        if (r >= 0)
                r = rearm(s, false);
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
        sd_event_source_disable_unref(s->io);
        sd_event_source_disable_unref(s->timer);
        if (s->mhd)
                MHD_stop_daemon(s->mhd);
        http_server_set_token(s, NULL);
        free(s);
        return NULL;
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

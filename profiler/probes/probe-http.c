/* SPDX-License-Identifier: MIT */
/* http: a load generator against the URL the user names: one worker per thread (--threads, default
 * 1), each with its own connections, histograms and counters, merged per round.
 *
 * libcurl makes the connections: name resolution, TCP, TLS and their timeouts, as CURLOPT_CONNECT_ONLY
 * transfers on a multi handle that the worker's own epoll set drives with curl_multi_socket_action.
 * The requests then go over those connections with curl_easy_send and curl_easy_recv, HTTP/1.1 with
 * keep-alive: the request's bytes are built once and responses are parsed in place by http1.c. A
 * whole libcurl transfer per request costs about 15 us of CPU in libcurl 7.88 (setting the transfer
 * up, finding the connection, a poll to check it is alive, formatting the request, storing each
 * response header), more than the kernel's share of a loopback exchange; this way a request costs
 * about what it costs wrk (docs/probes.md, "Cost").
 *
 * Closed model: `users` slots, each starting its next request as soon as its last one ends.
 * Open model: requests are due at a fixed arrival rate (constant spacing or Poisson) whether or not
 * earlier ones ended; at most `users` are in flight, and a due request that finds every slot busy
 * waits. Latency is measured from each request's intended send time, so a stalled server shows in the
 * percentiles instead of hiding behind a waiting client (coordinated omission); the service time from
 * the actual send is reported beside it, and so is the send lateness.
 *
 * A slot keeps its connection between requests and opens a new one when the server closed it (or
 * said Connection: close). A request that finds its kept connection closed by the server before any
 * byte of the answer came back is sent again once on a fresh connection, as libcurl does.
 *
 * Memory is fixed: histograms are log-linear and counters are per status code, whatever the run's
 * length. Bodies are discarded. Proxies from the environment are ignored, the resolver runs once per
 * connection, and only http and https are allowed. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "curl-api.h"
#include "histogram.h"
#include "http1.h"
#include "macro.h"
#include "probe.h"
#include "series.h"
#include "stats.h"

enum {
        M_RPS_OK, M_RPS_DONE, M_RPS_SENT, M_SUCCESS, M_P50, M_P90, M_P95, M_P99, M_P999, M_MAX,
        M_SVC_P50, M_SVC_P99, M_COUNT
};

static const ProbeMetricDef http_metrics[] = {
        [M_RPS_OK] = { "successful_rps", "req/s", true },
        [M_RPS_DONE] = { "completed_rps", "req/s", true },
        [M_RPS_SENT] = { "attempted_rps", "req/s", true },
        [M_SUCCESS] = { "success_rate", "ratio", true },
        [M_P50] = { "latency_p50_ms", "ms", false },
        [M_P90] = { "latency_p90_ms", "ms", false },
        [M_P95] = { "latency_p95_ms", "ms", false },
        [M_P99] = { "latency_p99_ms", "ms", false },
        [M_P999] = { "latency_p99_9_ms", "ms", false },
        [M_MAX] = { "latency_max_ms", "ms", false },
        [M_SVC_P50] = { "service_p50_ms", "ms", false },
        [M_SVC_P99] = { "service_p99_ms", "ms", false },
};

typedef enum ErrClass { ERR_CONNECT, ERR_TLS, ERR_TIMEOUT, ERR_SEND, ERR_READ, ERR_OTHER, ERR_COUNT } ErrClass;
static const char *const err_names[ERR_COUNT] = { "connect", "tls", "timeout", "send", "read", "other" };

typedef enum Hist { H_LATENCY, H_SERVICE, H_CONNECT, H_TLS, H_TTFB, H_TOTAL, H_LATENESS, H_COUNT } Hist;
static const char *const hist_names[H_COUNT] = {
        "latency_ms", "service_ms", "connect_ms", "tls_ms", "first_byte_ms", "curl_total_ms", "send_lateness_ms",
};

typedef struct Slot {
        CURL *easy;                     /* its connection: a connect-only transfer */
        struct Worker *w;
        uint64_t intended_ns, sent_ns, first_byte_ns, deadline_ns;
        unsigned index;
        curl_socket_t fd;               /* the connection's socket once connected, else -1 */
        bool in_multi;                  /* easy is in the multi handle (connecting, or holding the connection) */
        bool busy;                      /* a request is in flight */
        bool reused;                    /* that request went out on a connection that carried one before */
        bool retried;                   /* and was sent again on a fresh one */
        uint64_t backoff_ns;            /* after failed connects: the pause before the next try */
        uint64_t cool_until_ns;         /* out of free_stack until then (cool()) */
        size_t req_sent;                /* bytes of the request sent so far */
        Http1Parser parser;
} Slot;

typedef struct Counters {
        uint64_t sent, done, ok, late, cut, not_sent, new_connections;
        uint64_t errors[ERR_COUNT];
        uint64_t status[600];           /* by HTTP status; [0] = no response */
} Counters;

/* One thread's share of the load. */
typedef struct Worker {
        const ProbeConfig *cfg;
        const char *req;                /* the request's bytes, shared, read-only */
        size_t req_len;
        bool head, tls;
        CURLM *multi;
        CURLU *url;
        int epfd;                       /* every socket of the worker: libcurl's while connecting, then ours */
        uint8_t *fd_state;              /* by fd: FD_* */
        unsigned *fd_slot;              /* by fd: the slot whose connection it is (FD_EXCHANGE) */
        size_t n_fd_state;
        int *fresh;                     /* sockets opened since the last epoll_wait (FD_FRESH) */
        size_t n_fresh, fresh_cap;
        uint64_t timer_ns;              /* when libcurl wants CURL_SOCKET_TIMEOUT; UINT64_MAX: never */
        uint64_t timeout_ns;            /* of a request */
        uint64_t next_deadline_ns;      /* the earliest request deadline, or later; UINT64_MAX: none */
        uint64_t next_thaw_ns;          /* the earliest end of a slot's pause after a failed connect */
        int cb_error;                   /* set by the callbacks */
        bool no_pwait2;                 /* the kernel lacks epoll_pwait2: whole milliseconds */
        Slot *slots;
        unsigned nslots;
        unsigned *free_stack;           /* indexes of idle slots */
        unsigned nfree;
        unsigned nbusy;                 /* slots with a request in flight */
        char *rbuf;                     /* receive buffer, RBUF_SIZE */
        Histogram *h[H_COUNT];
        Counters c;
        StatsRng rng;
        double rate;                    /* open model: this thread's share */
        uint64_t t0, end;
        double cpu_s;
        int r;
        pthread_t tid;
} Worker;

enum { RBUF_SIZE = 64 * 1024 };

typedef struct HttpState {
        Worker *w;
        unsigned nthreads, users;
        char *req;                      /* the request's bytes */
        size_t req_len;
        Histogram *sum[H_COUNT];        /* this round, all threads */
        Counters total;
        Histogram *all[H_COUNT];        /* every round so far */
        Counters all_total;
        unsigned rounds;
        double all_elapsed_s;
        bool global_init, loopback, head, tls;
} HttpState;

static ErrClass classify(CURLcode code) {
        switch (code) {
        case CURLE_COULDNT_CONNECT:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
                return ERR_CONNECT;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
                return ERR_TLS;
        case CURLE_OPERATION_TIMEDOUT:
                return ERR_TIMEOUT;
        case CURLE_SEND_ERROR:
                return ERR_SEND;
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_WEIRD_SERVER_REPLY:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
                return ERR_READ;
        default:
                return ERR_OTHER;
        }
}

/* 127.0.0.0/8, ::1 or localhost (a URL's host): the server's CPU is on this host and counts as
 * foreign by design. */
static bool host_is_loopback(const char *host) {
        return strncmp(host, "127.", 4) == 0 || strcmp(host, "[::1]") == 0 || strcmp(host, "localhost") == 0;
}

/* What the worker knows of a socket (Worker.fd_state, by fd). */
enum {
        FD_IN = CURL_POLL_IN,           /* the events registered with epfd */
        FD_OUT = CURL_POLL_OUT,
        FD_REGISTERED = 1 << 2,         /* in epfd */
        FD_WANTED = 1 << 3,             /* libcurl waits on it; a registered socket without this is parked */
        FD_OURS = 1 << 4,               /* opened by open_socket(), to be closed by close_socket() */
        FD_FRESH = 1 << 5,              /* opened after the epoll_wait whose events are being handled: an
                                         * event of that batch with its number was for the closed socket */
        FD_EXCHANGE = 1 << 6,           /* connected: its events are the slot's (fd_slot), not libcurl's */
};

static int fd_state_reserve(Worker *w, curl_socket_t fd) {
        size_t i = (size_t) fd;
        if (i < w->n_fd_state)
                return 0;
        size_t n = MAX(i + 1, MAX(w->n_fd_state * 2, (size_t) 64));
        uint8_t *t = realloc(w->fd_state, n);
        if (!t)
                return -ENOMEM;
        w->fd_state = t;
        unsigned *s = realloc(w->fd_slot, n * sizeof(unsigned));
        if (!s)
                return -ENOMEM;         /* fd_state grew alone: n_fd_state still bounds both */
        w->fd_slot = s;
        memset(t + w->n_fd_state, 0, n - w->n_fd_state);
        w->n_fd_state = n;
        return 0;
}

static int epoll_set(Worker *w, curl_socket_t fd, int op, unsigned bits) {
        struct epoll_event ev = {
                .events = (bits & FD_IN ? EPOLLIN : 0) | (bits & FD_OUT ? EPOLLOUT : 0),
                .data.fd = fd,
        };
        int r = epoll_ctl(w->epfd, op, fd, &ev);
        /* The table and the kernel disagree when a socket was closed behind our back (which takes it
         * out of epoll) and its number was reused: do the other operation. */
        if (r < 0 && op == EPOLL_CTL_ADD && errno == EEXIST)
                r = epoll_ctl(w->epfd, EPOLL_CTL_MOD, fd, &ev);
        else if (r < 0 && op == EPOLL_CTL_MOD && errno == ENOENT)
                r = epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev);
        else if (r < 0 && op == EPOLL_CTL_DEL && (errno == ENOENT || errno == EBADF))
                r = 0;
        return r < 0 ? -errno : 0;
}

/* Registers fd for exactly `bits` (FD_IN, FD_OUT), with as few system calls as the table allows. */
static int fd_want(Worker *w, curl_socket_t fd, unsigned bits) {
        uint8_t *st = &w->fd_state[fd];
        int r = 0;
        if (!(*st & FD_REGISTERED))
                r = epoll_set(w, fd, EPOLL_CTL_ADD, bits);
        else if ((*st & (FD_IN | FD_OUT)) != bits)
                r = epoll_set(w, fd, EPOLL_CTL_MOD, bits);
        if (r >= 0)
                *st = (uint8_t) ((*st & ~(FD_IN | FD_OUT)) | FD_REGISTERED | bits);
        return r;
}

/* libcurl's socket callback, for the sockets of connections being made. A socket it lets go of when
 * its connect-only transfer is done stays registered (parked) for the slot to take over. */
static int on_socket(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp) {
        Worker *w = userp;
        if (fd < 0)
                return 0;
        if (fd_state_reserve(w, fd) < 0) {
                w->cb_error = -ENOMEM;
                return -1;
        }
        uint8_t *st = &w->fd_state[fd];
        if (*st & FD_EXCHANGE)
                return 0;               /* the slot's now */
        int r = 0;
        if (what == CURL_POLL_REMOVE) {
                if ((*st & FD_REGISTERED) && !(*st & FD_OURS))
                        r = epoll_set(w, fd, EPOLL_CTL_DEL, 0);
                *st = (uint8_t) (*st & FD_OURS ? *st & ~FD_WANTED : 0);
        } else {
                r = fd_want(w, fd, (unsigned) what & (FD_IN | FD_OUT));
                *st |= FD_WANTED;
        }
        if (r < 0) {
                w->cb_error = r;
                return -1;
        }
        return 0;
}

static curl_socket_t open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a) {
        Worker *w = clientp;
        int fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
        if (fd < 0)
                return CURL_SOCKET_BAD;
        if (fd_state_reserve(w, fd) < 0) {
                close(fd);
                return CURL_SOCKET_BAD;
        }
        if (array_reserve((void **) &w->fresh, &w->fresh_cap, w->n_fresh, sizeof(int)) < 0) {
                close(fd);
                return CURL_SOCKET_BAD;
        }
        /* A new file: whatever had this number left epoll when it closed. */
        w->fd_state[fd] = FD_OURS | FD_FRESH;
        w->fresh[w->n_fresh++] = fd;
        return fd;
}

static int close_socket(void *clientp, curl_socket_t fd) {
        Worker *w = clientp;
        if ((size_t) fd < w->n_fd_state)
                w->fd_state[fd] = 0;
        return close(fd);
}

/* libcurl's timer callback: when it next wants CURL_SOCKET_TIMEOUT (0: at once, -1: never). */
static int on_timer(CURLM *multi, long timeout_ms, void *userp) {
        Worker *w = userp;
        w->timer_ns = timeout_ms < 0 ? UINT64_MAX
                      : timeout_ms == 0 ? 0 : probe_now_ns() + (uint64_t) timeout_ms * 1000000;
        return 0;
}

static int setup_easy(Worker *w, Slot *slot, const HttpOptions *o, char **ret_error) {
        CURL *e = slot->easy = curl_easy_init();
        if (!e)
                return -ENOMEM;
        long timeout_ms = (long) ((o->timeout_s > 0 ? o->timeout_s : 10) * 1000);
        CURLcode c = CURLE_OK;
#define SET(opt, val) if (c == CURLE_OK) c = curl_easy_setopt(e, opt, val)
        SET(CURLOPT_CURLU, w->url);                     /* parsed once, not for every connection */
        SET(CURLOPT_CONNECT_ONLY, 1L);
        SET(CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_1_1);        /* what TLS's ALPN offers */
        SET(CURLOPT_PRIVATE, slot);
        SET(CURLOPT_OPENSOCKETFUNCTION, open_socket);
        SET(CURLOPT_OPENSOCKETDATA, w);
        SET(CURLOPT_CLOSESOCKETFUNCTION, close_socket);
        SET(CURLOPT_CLOSESOCKETDATA, w);
        SET(CURLOPT_NOSIGNAL, 1L);
        SET(CURLOPT_TIMEOUT_MS, timeout_ms);            /* of connecting, here */
        SET(CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
        SET(CURLOPT_PROXY, "");                         /* never through a proxy from the environment */
        SET(CURLOPT_NOPROXY, "*");
        SET(CURLOPT_PROTOCOLS_STR, "http,https");
        SET(CURLOPT_TCP_NODELAY, 1L);
        if (o->cacert)
                SET(CURLOPT_CAINFO, o->cacert);
#undef SET
        if (c != CURLE_OK) {
                if (asprintf(ret_error, "cannot configure the connection to '%s': %s", o->url, curl_easy_strerror(c)) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }
        slot->fd = -1;
        return 0;
}

/* Ends the slot's connection (or the connecting of one): libcurl closes the socket, which takes it out
 * of epoll. */
static void conn_close(Worker *w, Slot *slot) {
        if (slot->fd >= 0 && (size_t) slot->fd < w->n_fd_state)
                w->fd_state[slot->fd] &= (uint8_t) ~FD_EXCHANGE;
        slot->fd = -1;
        if (slot->in_multi)
                curl_multi_remove_handle(w->multi, slot->easy);
        slot->in_multi = false;
}

/* Starts connecting; the request goes out when the connection is made (harvest). */
static int conn_open(Worker *w, Slot *slot) {
        conn_close(w, slot);
        if (curl_multi_add_handle(w->multi, slot->easy) != CURLM_OK)
                return -ENOMEM;
        slot->in_multi = true;
        slot->reused = false;
        return 0;
}

/* The request in flight on the slot ended: counted, recorded, and the slot is free again. status 0:
 * no (complete) response; err: its class when the request failed, ERR_COUNT when it did not. */
static void finish(Worker *w, Slot *slot, uint64_t now, int status, ErrClass err) {
        w->c.done++;
        w->c.status[status > 0 && status < 600 ? status : 0]++;
        if (err != ERR_COUNT)
                w->c.errors[err]++;
        else if (status >= 200 && status < 400)
                w->c.ok++;
        /* Times describe responses (as wrk's do): a refused connection or a reset is fast, and would
         * make a broken server look quick. Failures show in the error counts and success_rate. */
        if (err == ERR_COUNT) {
                histogram_record(w->h[H_LATENCY], (now - slot->intended_ns) / 1000);
                histogram_record(w->h[H_SERVICE], (now - slot->sent_ns) / 1000);
                histogram_record(w->h[H_TOTAL], (now - slot->sent_ns) / 1000);
                if (slot->first_byte_ns)
                        histogram_record(w->h[H_TTFB], (slot->first_byte_ns - slot->sent_ns) / 1000);
        }
        slot->busy = false;
        w->nbusy--;
        if (slot->cool_until_ns > now) {
                /* It failed to connect: it waits before trying again (thaw()). */
                w->next_thaw_ns = MIN(w->next_thaw_ns, slot->cool_until_ns);
                return;
        }
        slot->cool_until_ns = 0;
        w->free_stack[w->nfree++] = slot->index;
}

/* Slots whose pause after a failed connect is over are free again. */
static void thaw(Worker *w, uint64_t now) {
        if (now < w->next_thaw_ns)
                return;
        w->next_thaw_ns = UINT64_MAX;
        for (unsigned i = 0; i < w->nslots; i++) {
                Slot *slot = &w->slots[i];
                if (slot->busy || slot->cool_until_ns == 0)
                        continue;
                if (slot->cool_until_ns <= now) {
                        slot->cool_until_ns = 0;
                        w->free_stack[w->nfree++] = slot->index;
                } else
                        w->next_thaw_ns = MIN(w->next_thaw_ns, slot->cool_until_ns);
        }
}

/* The request failed on its connection, which is closed. A request that went out on a kept
 * connection and saw no byte of an answer is sent once more on a fresh one: the server may have
 * closed the connection as the request was on its way. */
static int fail(Worker *w, Slot *slot, uint64_t now, ErrClass err) {
        bool retry = slot->busy && slot->reused && !slot->retried && !slot->parser.started &&
                     (err == ERR_SEND || err == ERR_READ);
        conn_close(w, slot);
        if (!slot->busy)
                return 0;
        if (retry) {
                slot->retried = true;
                return conn_open(w, slot);
        }
        finish(w, slot, now, 0, err);
        return 0;
}

/* Sends what is left of the request; waits for writability when the socket is full. */
static int send_more(Worker *w, Slot *slot, uint64_t now) {
        while (slot->req_sent < w->req_len) {
                size_t n = 0;
                CURLcode c = curl_easy_send(slot->easy, w->req + slot->req_sent, w->req_len - slot->req_sent, &n);
                if (c == CURLE_AGAIN)
                        break;
                if (c != CURLE_OK)
                        return fail(w, slot, now, ERR_SEND);
                slot->req_sent += n;
        }
        return fd_want(w, slot->fd, FD_IN | (slot->req_sent < w->req_len ? FD_OUT : 0));
}

static int send_request(Worker *w, Slot *slot, uint64_t now) {
        http1_parser_init(&slot->parser, w->head);
        slot->req_sent = 0;
        slot->first_byte_ns = 0;
        return send_more(w, slot, now);
}

/* Feeds what arrived to the slot's parser; a response that ends frees the slot. */
static int received(Worker *w, Slot *slot, const char *buf, size_t n, uint64_t now) {
        if (!slot->busy)
                return fail(w, slot, now, ERR_READ);    /* bytes nobody asked for: the connection is unusable */
        if (!slot->first_byte_ns)
                slot->first_byte_ns = now;
        bool done = false;
        ssize_t k = http1_parse(&slot->parser, buf, n, &done);
        if (k < 0)
                return fail(w, slot, now, ERR_READ);
        if (!done)
                return 0;
        finish(w, slot, now, slot->parser.status, ERR_COUNT);
        /* Bytes past the response (nothing was pipelined), an unsent rest of the request, or the
         * server's word: the connection cannot carry the next request. */
        if ((size_t) k < n || slot->req_sent < w->req_len || !slot->parser.keep_alive)
                conn_close(w, slot);
        else
                slot->reused = true;
        return 0;
}

/* The server closed the connection (or it broke: error true). */
static int ended(Worker *w, Slot *slot, bool error, uint64_t now) {
        if (!slot->busy) {
                conn_close(w, slot);    /* an idle connection the server let go */
                return 0;
        }
        if (!error && http1_parse_eof(&slot->parser) == 1) {
                finish(w, slot, now, slot->parser.status, ERR_COUNT);  /* a body that ran until the close */
                conn_close(w, slot);
                return 0;
        }
        return fail(w, slot, now, ERR_READ);
}

/* Events on a connected slot's socket. A read that fills the buffer may leave more behind; on plain
 * TCP a shorter one means the socket is drained (epoll says when more comes), but TLS can hold
 * decrypted bytes that epoll does not see, so there the loop reads until libcurl says CURLE_AGAIN. */
static int slot_event(Worker *w, Slot *slot, uint32_t events) {
        uint64_t now = probe_now_ns();
        if ((events & EPOLLOUT) && slot->busy && slot->req_sent < w->req_len) {
                int r = send_more(w, slot, now);
                if (r < 0 || slot->fd < 0)
                        return r;
        }
        if (!(events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP | EPOLLERR)))
                return 0;
        for (;;) {
                size_t n = 0;
                CURLcode c = curl_easy_recv(slot->easy, w->rbuf, RBUF_SIZE, &n);
                if (c == CURLE_AGAIN)
                        return 0;
                if (c != CURLE_OK || n == 0)
                        return ended(w, slot, c != CURLE_OK, now);
                int r = received(w, slot, w->rbuf, n, now);
                if (r < 0 || slot->fd < 0 || !slot->busy || (!w->tls && n < RBUF_SIZE))
                        return r;
        }
}

/* A connect-only transfer ended: the slot's connection is made (and its request goes out), or the
 * request failed to connect. */
static int connected(Worker *w, Slot *slot, CURLcode code) {
        uint64_t now = probe_now_ns();
        if (code != CURLE_OK) {
                conn_close(w, slot);
                /* A refused connect on loopback fails at once: without a pause the slot would try
                 * again and again as fast as the CPU allows, taking it from a server that restarts. */
                slot->backoff_ns = MIN(MAX(slot->backoff_ns * 2, (uint64_t) 1000000), (uint64_t) 100000000);
                slot->cool_until_ns = now + slot->backoff_ns;
                if (slot->busy)
                        finish(w, slot, now, 0, classify(code));
                return 0;
        }
        slot->backoff_ns = 0;
        curl_socket_t fd = CURL_SOCKET_BAD;
        if (curl_easy_getinfo(slot->easy, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK || fd < 0 ||
            fd_state_reserve(w, fd) < 0) {
                conn_close(w, slot);
                if (slot->busy)
                        finish(w, slot, now, 0, ERR_OTHER);
                return 0;
        }
        w->c.new_connections++;
        /* Both count from the transfer's start: the handshake is the difference. */
        curl_off_t tcp_us = 0, tls_us = 0;
        if (curl_easy_getinfo(slot->easy, CURLINFO_CONNECT_TIME_T, &tcp_us) == CURLE_OK && tcp_us > 0)
                histogram_record(w->h[H_CONNECT], (uint64_t) tcp_us);
        if (w->tls && curl_easy_getinfo(slot->easy, CURLINFO_APPCONNECT_TIME_T, &tls_us) == CURLE_OK && tls_us > tcp_us)
                histogram_record(w->h[H_TLS], (uint64_t) (tls_us - tcp_us));
        slot->fd = fd;
        w->fd_state[fd] |= FD_EXCHANGE;
        w->fd_slot[fd] = slot->index;
        if (!slot->busy)
                return fd_want(w, fd, FD_IN);
        return send_request(w, slot, now);
}

/* Connections that libcurl finished making during the last call into it. */
static int harvest(Worker *w) {
        CURLMsg *msg;
        int left, r = 0;
        while ((msg = curl_multi_info_read(w->multi, &left)) && r >= 0) {
                if (msg->msg != CURLMSG_DONE)
                        continue;
                Slot *slot = NULL;
                curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &slot);
                r = connected(w, slot, msg->data.result);
        }
        return r;
}

static int start(Worker *w, uint64_t intended, uint64_t now) {
        Slot *slot = &w->slots[w->free_stack[--w->nfree]];
        slot->intended_ns = intended;
        slot->sent_ns = now;
        slot->deadline_ns = now + w->timeout_ns;
        w->next_deadline_ns = MIN(w->next_deadline_ns, slot->deadline_ns);
        slot->busy = true;
        w->nbusy++;
        slot->retried = false;
        w->c.sent++;
        if (now - intended > 1000000)
                w->c.late++;            /* sent more than 1 ms after its intended time */
        histogram_record(w->h[H_LATENESS], (now - intended) / 1000);
        if (slot->fd >= 0)
                return send_request(w, slot, now);
        return conn_open(w, slot);
}

/* Requests past their deadline fail as timeouts, and their connections close (an answer could still
 * come), also while connecting: a request retried on a fresh connection keeps its first deadline. */
static void expire(Worker *w, uint64_t now) {
        if (now < w->next_deadline_ns)
                return;
        w->next_deadline_ns = UINT64_MAX;
        for (unsigned i = 0; i < w->nslots; i++) {
                Slot *slot = &w->slots[i];
                if (!slot->busy)
                        continue;
                if (slot->deadline_ns <= now) {
                        conn_close(w, slot);
                        finish(w, slot, now, 0, ERR_TIMEOUT);
                } else
                        w->next_deadline_ns = MIN(w->next_deadline_ns, slot->deadline_ns);
        }
}

static int histograms_new(Histogram **h) {
        for (size_t i = 0; i < H_COUNT; i++) {
                int r = histogram_new(UINT64_C(3600000000), 3, &h[i]);     /* us, up to 1 h */
                if (r < 0)
                        return r;
        }
        return 0;
}

static int worker_setup(Worker *w, const HttpState *s, const ProbeConfig *cfg, unsigned nslots, double rate,
                        uint64_t seed, char **ret_error) {
        w->cfg = cfg;
        w->req = s->req;
        w->req_len = s->req_len;
        w->head = s->head;
        w->tls = s->tls;
        w->timeout_ns = (uint64_t) ((cfg->http.timeout_s > 0 ? cfg->http.timeout_s : 10) * 1e9);
        w->nslots = nslots;
        w->rate = rate;
        w->slots = calloc(nslots, sizeof(Slot));
        w->free_stack = calloc(nslots, sizeof(unsigned));
        w->rbuf = malloc(RBUF_SIZE);
        w->multi = curl_multi_init();
        w->url = curl_url();
        if (!w->slots || !w->free_stack || !w->rbuf || !w->multi || !w->url)
                return -ENOMEM;
        if (curl_url_set(w->url, CURLUPART_URL, cfg->http.url, 0) != CURLUE_OK)
                return -EINVAL;         /* http_setup checked it */
        w->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (w->epfd < 0)
                return -errno;
        w->timer_ns = UINT64_MAX;
        curl_multi_setopt(w->multi, CURLMOPT_MAXCONNECTS, (long) nslots);
        curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
        curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
        curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, on_timer);
        curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
        for (unsigned i = 0; i < nslots; i++) {
                w->slots[i].index = i;
                w->slots[i].w = w;
                int r = setup_easy(w, &w->slots[i], &cfg->http, ret_error);
                if (r < 0)
                        return r;
        }
        stats_rng_seed(&w->rng, seed);
        return histograms_new(w->h);
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

/* The request's bytes, from the URL (target, Host, credentials as Basic authorization, as libcurl
 * sends them) and the options. */
static int build_request(HttpState *s, const HttpOptions *o, CURLU *u, char **ret_error) {
        _cleanup_free_ char *target = NULL, *host_port = NULL, *auth = NULL;
        char *path = NULL, *query = NULL, *host = NULL, *port = NULL, *scheme = NULL, *user = NULL, *pass = NULL;
        int r = -ENOMEM;
        curl_url_get(u, CURLUPART_PATH, &path, 0);
        curl_url_get(u, CURLUPART_QUERY, &query, 0);
        curl_url_get(u, CURLUPART_HOST, &host, 0);
        curl_url_get(u, CURLUPART_PORT, &port, 0);
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
        curl_url_get(u, CURLUPART_USER, &user, 0);
        curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
        const char *method = o->method ? o->method : o->body ? "POST" : "GET";
        s->head = strcasecmp(method, "HEAD") == 0;
        s->tls = scheme && strcasecmp(scheme, "https") == 0;
        s->loopback = host && host_is_loopback(host);
        size_t n_headers = 0;
        for (char **h = o->headers; h && *h; h++)
                n_headers++;
        bool has_auth = false;
        for (char **h = o->headers; h && *h; h++)
                has_auth |= strncasecmp(*h, "Authorization:", 14) == 0;
        _cleanup_free_ char **headers = calloc(n_headers + 2, sizeof(char *));
        if (!headers || !host)
                goto out;
        if (asprintf(&target, "%s%s%s", isempty(path) ? "/" : path, query ? "?" : "", query ? query : "") < 0 ||
            asprintf(&host_port, "%s%s%s", host, port ? ":" : "", port ? port : "") < 0) {
                target = host_port = NULL;
                goto out;
        }
        size_t k = 0;
        for (char **h = o->headers; h && *h; h++)
                headers[k++] = *h;
        if (user && !has_auth) {
                _cleanup_free_ char *plain = NULL, *coded = NULL;
                if (asprintf(&plain, "%s:%s", user, pass ? pass : "") < 0) {
                        plain = NULL;
                        goto out;
                }
                if (!(coded = base64(plain)) || asprintf(&auth, "Authorization: Basic %s", coded) < 0) {
                        auth = NULL;
                        goto out;
                }
                headers[k++] = auth;
        }
        r = http1_request_build(method, target, host_port, headers, o->body, o->body ? strlen(o->body) : 0,
                                &s->req, &s->req_len);
        if (r == -EINVAL && asprintf(ret_error, "cannot send the request to '%s': the method, a header or the URL's "
                                     "path has a space, a line break or a NUL where none may be, or a header sets "
                                     "Content-Length (it is computed from --data)", o->url) < 0)
                *ret_error = NULL;
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

static int http_setup(void *state, const ProbeConfig *cfg, char **ret_error) {
        HttpState *s = state;
        const HttpOptions *o = &cfg->http;
        if (isempty(o->url)) {
                *ret_error = strdup("no URL: name one with --url (for example --url http://127.0.0.1:8080/)");
                return -EINVAL;
        }
        if (o->model == HTTP_MODEL_OPEN && !(o->rate > 0)) {
                *ret_error = strdup("the open model needs an arrival rate (--rate N requests per second)");
                return -EINVAL;
        }
        int loaded = curl_api_load(ret_error);
        if (loaded < 0)
                return loaded;
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                return -ENOMEM;
        s->global_init = true;
        CURLU *u = curl_url();
        CURLUcode uc = u ? curl_url_set(u, CURLUPART_URL, o->url, 0) : CURLUE_OUT_OF_MEMORY;
        if (uc != CURLUE_OK) {
                curl_url_cleanup(u);
                if (asprintf(ret_error, "'%s' is not a URL: %s", o->url, curl_url_strerror(uc)) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }
        int r = build_request(s, o, u, ret_error);
        curl_url_cleanup(u);
        if (r < 0)
                return r;
        s->users = o->users ? o->users : (o->model == HTTP_MODEL_OPEN ? 100 : 10);
        s->nthreads = MIN(MAX(o->threads, 1u), s->users);
        s->w = calloc(s->nthreads, sizeof(Worker));
        if (!s->w)
                return -ENOMEM;
        for (unsigned t = 0; t < s->nthreads; t++)
                s->w[t].epfd = -1;
        for (unsigned t = 0; t < s->nthreads; t++) {
                /* Users and rate split evenly; a sum of independent Poisson streams is Poisson. */
                unsigned share = s->users / s->nthreads + (t < s->users % s->nthreads);
                r = worker_setup(&s->w[t], s, cfg, share, o->rate / s->nthreads,
                                 (o->seed ? o->seed : 0x68747470) + t, ret_error);
                if (r < 0)
                        return r;
        }
        r = histograms_new(s->sum);
        return r < 0 ? r : histograms_new(s->all);
}

static void worker_teardown(Worker *w) {
        for (unsigned i = 0; w->slots && i < w->nslots; i++)
                if (w->slots[i].easy) {
                        if (w->multi)
                                conn_close(w, &w->slots[i]);
                        curl_easy_cleanup(w->slots[i].easy);
                }
        if (w->multi)
                curl_multi_cleanup(w->multi);
        curl_url_cleanup(w->url);
        if (w->epfd >= 0)
                close(w->epfd);
        free(w->fd_state);
        free(w->fd_slot);
        free(w->fresh);
        free(w->slots);
        free(w->free_stack);
        free(w->rbuf);
        for (size_t i = 0; i < H_COUNT; i++)
                histogram_free(w->h[i]);
}

static void http_teardown(void *state) {
        HttpState *s = state;
        for (unsigned t = 0; s->w && t < s->nthreads; t++)
                worker_teardown(&s->w[t]);
        free(s->w);
        free(s->req);
        for (size_t i = 0; i < H_COUNT; i++) {
                histogram_free(s->sum[i]);
                histogram_free(s->all[i]);
        }
        if (s->global_init)
                curl_global_cleanup();
}

static double ms(const Histogram *h, double p) {
        return histogram_count(h) ? (double) histogram_percentile(h, p) / 1e3 : NAN;
}

static json_t *counts_json(const Counters *c, Histogram *const *h) {
        json_t *d = json_object(), *status = json_object(), *errors = json_object(), *hist = json_object();
        if (!d || !status || !errors || !hist) {
                json_decref(d);
                json_decref(status);
                json_decref(errors);
                json_decref(hist);
                return NULL;
        }
        for (size_t i = 0; i < ELEMENTSOF(c->status); i++)
                if (c->status[i]) {
                        char key[8];
                        snprintf(key, sizeof(key), "%zu", i);
                        json_object_set_new(status, i == 0 ? "none" : key, json_integer((json_int_t) c->status[i]));
                }
        for (size_t i = 0; i < ERR_COUNT; i++)
                json_object_set_new(errors, err_names[i], json_integer((json_int_t) c->errors[i]));
        for (size_t i = 0; i < H_COUNT; i++)
                json_object_set_new(hist, hist_names[i], probe_histogram_json(h[i], 1e-3));
        json_object_set_new(d, "attempted", json_integer((json_int_t) c->sent));
        json_object_set_new(d, "completed", json_integer((json_int_t) c->done));
        json_object_set_new(d, "successful", json_integer((json_int_t) c->ok));
        json_object_set_new(d, "cut_at_deadline", json_integer((json_int_t) c->cut));
        json_object_set_new(d, "not_sent", json_integer((json_int_t) c->not_sent));
        json_object_set_new(d, "new_connections", json_integer((json_int_t) c->new_connections));
        json_object_set_new(d, "status", status);
        json_object_set_new(d, "errors", errors);
        json_object_set_new(d, "histograms", hist);
        return d;
}

static json_t *round_detail(HttpState *s, const HttpOptions *o, double send_window_s, double elapsed_s) {
        json_t *d = counts_json(&s->total, s->sum);
        if (!d)
                return NULL;
        json_object_set_new(d, "url", json_string(o->url));
        json_object_set_new(d, "model", json_string(o->model == HTTP_MODEL_OPEN ? "open" : "closed"));
        json_object_set_new(d, "users", json_integer(s->users));
        json_object_set_new(d, "threads", json_integer(s->nthreads));
        if (o->model == HTTP_MODEL_OPEN) {
                json_object_set_new(d, "target_rps", json_real(o->rate));
                json_object_set_new(d, "arrival", json_string(o->arrival == HTTP_ARRIVAL_POISSON ? "poisson" : "constant"));
                json_object_set_new(d, "late_sends", json_integer((json_int_t) s->total.late));
        }
        json_object_set_new(d, "send_window_s", json_real(send_window_s));
        json_object_set_new(d, "elapsed_s", json_real(elapsed_s));
        return d;
}

/* Every round merged: percentiles over all requests of the run. */
static json_t *http_summary(void *state) {
        HttpState *s = state;
        json_t *d = counts_json(&s->all_total, s->all);
        if (d) {
                json_object_set_new(d, "rounds", json_integer(s->rounds));
                json_object_set_new(d, "elapsed_s", json_real(s->all_elapsed_s));
                if (s->all_total.sent + s->all_total.not_sent > s->all_total.cut)
                        json_object_set_new(d, "success_rate", json_real((double) s->all_total.ok /
                                                                         (double) (s->all_total.sent + s->all_total.not_sent -
                                                                                   s->all_total.cut)));
        }
        return d;
}

/* Lets libcurl act on one socket's events (or on its timer, CURL_SOCKET_TIMEOUT), then takes the
 * connections it made. */
static int drive(Worker *w, curl_socket_t fd, int bits) {
        int running;
        if (curl_multi_socket_action(w->multi, fd, bits, &running) != CURLM_OK)
                return -EIO;
        return w->cb_error < 0 ? w->cb_error : harvest(w);
}

/* epoll_wait for at most timeout_ns. epoll_pwait2 (Linux 5.11) takes the timeout in nanoseconds:
 * with epoll_wait's whole milliseconds, the open model's requests went out 0.6 ms late on average,
 * which its latency (from the intended send time) then counted as the server's. */
static int wait_events(Worker *w, struct epoll_event *events, int max, uint64_t timeout_ns) {
        if (!w->no_pwait2) {
                struct timespec ts = { .tv_sec = (time_t) (timeout_ns / 1000000000), .tv_nsec = (long) (timeout_ns % 1000000000) };
                int n = epoll_pwait2(w->epfd, events, max, &ts, NULL);
                if (n >= 0 || (errno != ENOSYS && errno != EPERM))     /* EPERM: an older seccomp filter */
                        return n;
                w->no_pwait2 = true;
        }
        return epoll_wait(w->epfd, events, max, (int) ((timeout_ns + 999999) / 1000000));
}

/* Open model: when request k is due, request k - 1 having been due at prev. */
static uint64_t next_due(Worker *w, uint64_t prev, uint64_t k, double interval_ns) {
        if (w->cfg->http.arrival == HTTP_ARRIVAL_POISSON)
                return prev + (uint64_t) stats_rng_exponential(&w->rng, interval_ns);
        return w->t0 + (uint64_t) ((double) k * interval_ns);
}

/* One thread's round: send until the deadline, drain, cut what is left. */
static void *worker_run(void *arg) {
        Worker *w = arg;
        const ProbeConfig *cfg = w->cfg;
        const HttpOptions *o = &cfg->http;
        bool open_model = o->model == HTTP_MODEL_OPEN;
        memset(&w->c, 0, sizeof(w->c));
        w->cb_error = 0;
        w->next_deadline_ns = w->next_thaw_ns = UINT64_MAX;
        for (size_t i = 0; i < H_COUNT; i++)
                histogram_reset(w->h[i]);
        w->nfree = w->nbusy = 0;
        for (unsigned i = w->nslots; i > 0; i--) {
                w->slots[i - 1].cool_until_ns = 0;
                w->free_stack[w->nfree++] = i - 1;
        }

        double cpu0 = probe_thread_cpu_s();
        /* The open model's sends are due to the microsecond: no 50 us of timer slack on the waits. */
        int slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
        if (open_model)
                (void) prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0);
        uint64_t t0 = w->t0, end = w->end;
        double grace_s = MIN(o->timeout_s > 0 ? o->timeout_s : 10, 2.0);
        uint64_t drain_end = end + (uint64_t) (grace_s * 1e9);
        double interval_ns = open_model ? 1e9 / w->rate : 0;
        uint64_t k = 0, next = t0;      /* open model: index and intended time of the next request */
        if (open_model && o->arrival == HTTP_ARRIVAL_POISSON)
                next = t0 + (uint64_t) stats_rng_exponential(&w->rng, interval_ns);
        int r = 0;
        struct epoll_event events[64];
        uint64_t send_end = end;        /* when sending stopped: the deadline, or a stop */
        for (;;) {
                uint64_t now = probe_now_ns();
                bool sending = now < end && !probe_stopped(cfg);
                if (!sending)
                        send_end = MIN(send_end, now);
                thaw(w, now);
                if (sending && !open_model) {
                        while (w->nfree > 0 && r >= 0)
                                r = start(w, now, now);
                } else if (sending) {
                        while (next <= now && next < end && r >= 0) {
                                if (w->nfree == 0)
                                        break;          /* due, but every slot is busy: it waits */
                                r = start(w, next, now);
                                next = next_due(w, next, ++k, interval_ns);
                        }
                }
                if (r < 0)
                        break;
                /* Connections just asked for are due at once (libcurl set its timer to 0). If the call
                 * does not move the timer (libcurl's clock being a little behind), look again in a
                 * millisecond. */
                if (w->timer_ns <= now) {
                        w->timer_ns = now + 1000000;
                        r = drive(w, CURL_SOCKET_TIMEOUT, 0);
                        if (r < 0)
                                break;
                }
                expire(w, now);
                if (!sending && w->nbusy == 0)
                        break;                  /* everything sent has ended */
                if (!sending && (now >= drain_end || probe_stopped(cfg)))
                        break;
                if (sending && !open_model && w->nfree > 0)
                        continue;               /* a slot freed (a failed connect, a timeout): use it now */
                uint64_t wake = MIN(MIN(w->timer_ns, w->next_deadline_ns), sending ? end : drain_end);
                if (sending)
                        wake = MIN(wake, w->next_thaw_ns);
                if (sending && open_model && w->nfree > 0)
                        wake = MIN(wake, next);
                int n = wait_events(w, events, (int) ELEMENTSOF(events), wake <= now ? 0 : MIN(wake - now, 100000000));
                if (n < 0 && errno != EINTR) {
                        r = -errno;
                        break;
                }
                for (size_t i = 0; i < w->n_fresh; i++)
                        w->fd_state[w->fresh[i]] &= (uint8_t) ~FD_FRESH;
                w->n_fresh = 0;
                for (int i = 0; i < n && r >= 0; i++) {
                        int fd = events[i].data.fd;
                        uint32_t e = events[i].events;
                        uint8_t st = (size_t) fd < w->n_fd_state ? w->fd_state[fd] : 0;
                        if (st & FD_FRESH)
                                continue;       /* this event was for the socket that had its number */
                        if (st & FD_EXCHANGE) {
                                r = slot_event(w, &w->slots[w->fd_slot[fd]], e);
                                continue;
                        }
                        if (!(st & FD_WANTED)) {
                                /* Nobody waits on it (a socket libcurl let go of and nobody took, or
                                 * one closed earlier in this batch): it leaves epoll. */
                                r = epoll_set(w, fd, EPOLL_CTL_DEL, 0);
                                if ((size_t) fd < w->n_fd_state)
                                        w->fd_state[fd] &= (uint8_t) ~FD_REGISTERED;
                                continue;
                        }
                        int bits = (e & (EPOLLIN | EPOLLHUP | EPOLLRDHUP) ? CURL_CSELECT_IN : 0) |
                                   (e & EPOLLOUT ? CURL_CSELECT_OUT : 0) | (e & EPOLLERR ? CURL_CSELECT_ERR : 0);
                        r = drive(w, fd, bits);
                }
                if (r < 0)
                        break;
        }
        w->cpu_s = probe_thread_cpu_s() - cpu0;
        if (open_model && slack > 0)
                (void) prctl(PR_SET_TIMERSLACK, slack, 0, 0, 0);
        /* Open model: requests that fell due while every slot was busy and were still waiting when
         * sending stopped did not succeed either (the server fell behind): counted, so that
         * success_rate shows it. */
        for (; open_model && next < send_end; w->c.not_sent++)
                next = next_due(w, next, ++k, interval_ns);
        /* Requests still in flight after the grace period are cut, not counted as errors; their
         * connections close, as their answers could still come. */
        for (unsigned i = 0; i < w->nslots; i++)
                if (w->slots[i].busy) {
                        conn_close(w, &w->slots[i]);
                        w->slots[i].busy = false;
                        w->nbusy--;
                        w->c.cut++;
                }
        w->r = r;
        return NULL;
}

static void counters_add(Counters *to, const Counters *from) {
        to->sent += from->sent;
        to->done += from->done;
        to->ok += from->ok;
        to->late += from->late;
        to->cut += from->cut;
        to->not_sent += from->not_sent;
        to->new_connections += from->new_connections;
        for (size_t i = 0; i < ERR_COUNT; i++)
                to->errors[i] += from->errors[i];
        for (size_t i = 0; i < ELEMENTSOF(to->status); i++)
                to->status[i] += from->status[i];
}

static int http_round(void *state, const ProbeConfig *cfg, ProbeRoundOut *out) {
        HttpState *s = state;
        const HttpOptions *o = &cfg->http;
        uint64_t t0 = probe_now_ns(), end = t0 + (uint64_t) (cfg->duration_s * 1e9);
        unsigned started = 1;
        int r = 0;
        for (unsigned t = 0; t < s->nthreads; t++) {
                s->w[t].t0 = t0;
                s->w[t].end = end;
                s->w[t].r = 0;
        }
        for (; started < s->nthreads; started++) {
                r = -pthread_create(&s->w[started].tid, NULL, worker_run, &s->w[started]);
                if (r < 0)
                        break;
        }
        worker_run(&s->w[0]);           /* worker 0 runs on the calling thread */
        for (unsigned t = 1; t < started; t++)
                pthread_join(s->w[t].tid, NULL);
        uint64_t t1 = probe_now_ns();

        memset(&s->total, 0, sizeof(s->total));
        for (size_t i = 0; i < H_COUNT; i++)
                histogram_reset(s->sum[i]);
        bool client_bound = false;
        double cpu = 0;
        double window = (double) (MIN(t1, end) - t0) / 1e9, elapsed = (double) (t1 - t0) / 1e9;
        for (unsigned t = 0; t < started; t++) {
                Worker *w = &s->w[t];
                if (w->r < 0 && r >= 0)
                        r = w->r;
                counters_add(&s->total, &w->c);
                for (size_t i = 0; i < H_COUNT; i++)
                        histogram_merge(s->sum[i], w->h[i]);
                cpu += w->cpu_s;
                /* A thread busy nearly all the time: the probe, not the server, set the pace. */
                client_bound |= w->cpu_s > 0.9 * elapsed;
        }
        if (r < 0)
                return r;

        counters_add(&s->all_total, &s->total);
        for (size_t i = 0; i < H_COUNT; i++)
                histogram_merge(s->all[i], s->sum[i]);
        s->rounds++;
        s->all_elapsed_s += elapsed;

        const Counters *c = &s->total;
        double *v = out->values;
        v[M_RPS_SENT] = (double) c->sent / window;
        v[M_RPS_DONE] = (double) c->done / elapsed;
        v[M_RPS_OK] = (double) c->ok / elapsed;
        uint64_t owed = c->sent + c->not_sent - c->cut;     /* requests that should have been answered */
        v[M_SUCCESS] = owed > 0 ? (double) c->ok / (double) owed : NAN;
        const Histogram *lat = s->sum[H_LATENCY];
        v[M_P50] = ms(lat, 50);
        v[M_P90] = ms(lat, 90);
        v[M_P95] = ms(lat, 95);
        v[M_P99] = ms(lat, 99);
        v[M_P999] = ms(lat, 99.9);
        v[M_MAX] = histogram_count(lat) ? (double) histogram_max(lat) / 1e3 : NAN;
        v[M_SVC_P50] = ms(s->sum[H_SERVICE], 50);
        v[M_SVC_P99] = ms(s->sum[H_SERVICE], 99);
        out->lateness_s = histogram_count(s->sum[H_LATENESS]) ? ms(s->sum[H_LATENESS], 99) / 1e3 : 0;
        out->client_bound = client_bound;
        out->foreign_expected = s->loopback;
        out->detail = round_detail(s, o, window, elapsed);
        if (out->detail)
                json_object_set_new(out->detail, "probe_cpu_s", json_real(cpu));
        return 0;
}

const ProbeBackend probe_http = {
        .name = "http",
        .summary = "HTTP load with libcurl: closed (N users) or open (arrival rate) model, latency percentiles",
        .metrics = http_metrics,
        .n_metrics = M_COUNT,
        .primary = M_RPS_OK,
        .state_size = sizeof(HttpState),
        .setup = http_setup,
        .round = http_round,
        .overall = http_summary,
        .teardown = http_teardown,
};

/* SPDX-License-Identifier: MIT */
/* http: a libcurl-multi load generator against the URL the user names: one multi handle per thread
 * (--threads, default 1), each with its own connections, histograms and counters, merged per round.
 *
 * Closed model: `users` easy handles, each re-added as soon as its request ends, and the multi
 * handle is driven again right away. Latency is from the moment a request is added to when it ends.
 *
 * The loop is the worker's own epoll set driving curl_multi_socket_action: libcurl works only on the
 * sockets that have events and on the transfers whose timer is due, where curl_multi_perform would walk
 * every transfer (and poll each one's socket) on every pass. Connections stay open between requests,
 * and their sockets stay registered with epoll while idle, so a request costs no epoll_ctl.
 *
 * Open model: requests are due at a fixed arrival rate (constant spacing or Poisson) whether or not
 * earlier ones ended; at most `users` are in flight, and a due request that finds every connection
 * busy waits. Latency is measured from each request's intended send time, so a stalled server shows
 * in the percentiles instead of hiding behind a waiting client (coordinated omission); the service
 * time from the actual send is reported beside it, and so is the send lateness.
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
#include <unistd.h>

#include "curl-api.h"
#include "histogram.h"
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
        CURL *easy;
        struct Worker *w;
        uint64_t intended_ns, sent_ns;
        unsigned index;
} Slot;

typedef struct Counters {
        uint64_t sent, done, ok, late, cut, new_connections;
        uint64_t errors[ERR_COUNT];
        uint64_t status[600];           /* by HTTP status; [0] = no response */
} Counters;

/* One thread's share of the load. */
typedef struct Worker {
        const ProbeConfig *cfg;
        struct curl_slist *headers;     /* shared, read-only */
        CURLM *multi;
        CURLU *url;
        int epfd;                       /* the multi's sockets, driven with curl_multi_socket_action */
        uint8_t *fd_state;              /* by fd: FD_* */
        size_t n_fd_state;
        int *fresh;                     /* sockets opened since the last epoll_wait (FD_FRESH) */
        size_t n_fresh, fresh_cap;
        uint64_t timer_ns;              /* when libcurl wants CURL_SOCKET_TIMEOUT; UINT64_MAX: never */
        int cb_error;                   /* set by the callbacks */
        Slot *slots;
        unsigned nslots;
        unsigned *free_stack;           /* indexes of idle slots */
        unsigned nfree;
        Histogram *h[H_COUNT];
        Counters c;
        StatsRng rng;
        double rate;                    /* open model: this thread's share */
        uint64_t t0, end;
        double cpu_s;
        int r;
        pthread_t tid;
} Worker;

typedef struct HttpState {
        Worker *w;
        unsigned nthreads, users;
        struct curl_slist *headers;
        Histogram *sum[H_COUNT];        /* this round, all threads */
        Counters total;
        Histogram *all[H_COUNT];        /* every round so far */
        Counters all_total;
        unsigned rounds;
        double all_elapsed_s;
        bool global_init, loopback;
} HttpState;

static size_t discard(char *ptr, size_t size, size_t n, void *userdata) {
        return size * n;
}

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

/* 127.0.0.0/8, ::1 or localhost: the server's CPU is on this host and counts as foreign by design. */
static bool url_is_loopback(const char *url) {
        bool r = false;
        CURLU *u = curl_url();
        char *host = NULL;
        if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
                r = strncmp(host, "127.", 4) == 0 || strcmp(host, "[::1]") == 0 || strcmp(host, "localhost") == 0;
        curl_free(host);
        curl_url_cleanup(u);
        return r;
}

/* What the worker knows of a socket (Worker.fd_state, by fd). */
enum {
        FD_IN = CURL_POLL_IN,           /* the events registered with epfd */
        FD_OUT = CURL_POLL_OUT,
        FD_REGISTERED = 1 << 2,         /* in epfd */
        FD_WANTED = 1 << 3,             /* libcurl waits on it; a registered socket without this is parked */
        FD_OURS = 1 << 4,               /* a connection opened by open_socket(), to be closed by close_socket() */
        FD_FRESH = 1 << 5,              /* opened after the epoll_wait whose events are being handled: an
                                         * event of that batch with its number was for the closed socket */
};

static int fd_state_reserve(Worker *w, curl_socket_t fd) {
        size_t i = (size_t) fd;
        if (i < w->n_fd_state)
                return 0;
        size_t n = MAX(i + 1, MAX(w->n_fd_state * 2, (size_t) 64));
        uint8_t *t = realloc(w->fd_state, n);
        if (!t)
                return -ENOMEM;
        memset(t + w->n_fd_state, 0, n - w->n_fd_state);
        w->fd_state = t;
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

/* libcurl's socket callback: keeps epfd in step with what each socket waits for, with as few system
 * calls as the table allows. A connection's socket is removed when its request ends and wanted again
 * when the next request reuses it, twice per request: so one of ours stays registered, parked, while
 * it idles in libcurl's connection cache (close_socket() forgets it when it closes, and an event on a
 * parked socket takes it out then). */
static int on_socket(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp) {
        Worker *w = userp;
        if (fd < 0)
                return 0;
        if (fd_state_reserve(w, fd) < 0) {
                w->cb_error = -ENOMEM;
                return -1;
        }
        uint8_t *st = &w->fd_state[fd];
        int r = 0;
        if (what == CURL_POLL_REMOVE) {
                if ((*st & FD_REGISTERED) && !(*st & FD_OURS))
                        r = epoll_set(w, fd, EPOLL_CTL_DEL, 0);
                *st = (uint8_t) (*st & FD_OURS ? *st & ~FD_WANTED : 0);
        } else {
                unsigned bits = (unsigned) what & (FD_IN | FD_OUT);
                if (!(*st & FD_REGISTERED))
                        r = epoll_set(w, fd, EPOLL_CTL_ADD, bits);
                else if ((*st & (FD_IN | FD_OUT)) != bits)
                        r = epoll_set(w, fd, EPOLL_CTL_MOD, bits);
                *st = (uint8_t) ((*st & FD_OURS) | FD_REGISTERED | FD_WANTED | bits);
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
        SET(CURLOPT_CURLU, w->url);                     /* parsed once, not for every request */
        SET(CURLOPT_PRIVATE, slot);
        SET(CURLOPT_OPENSOCKETFUNCTION, open_socket);
        SET(CURLOPT_OPENSOCKETDATA, w);
        SET(CURLOPT_CLOSESOCKETFUNCTION, close_socket);
        SET(CURLOPT_CLOSESOCKETDATA, w);
        SET(CURLOPT_WRITEFUNCTION, discard);
        SET(CURLOPT_NOSIGNAL, 1L);
        SET(CURLOPT_TIMEOUT_MS, timeout_ms);
        SET(CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
        SET(CURLOPT_PROXY, "");                         /* never through a proxy from the environment */
        SET(CURLOPT_NOPROXY, "*");                      /* nor read the environment for every request */
        SET(CURLOPT_PROTOCOLS_STR, "http,https");
        SET(CURLOPT_TCP_NODELAY, 1L);
        SET(CURLOPT_HTTPHEADER, w->headers);
        if (o->body) {
                SET(CURLOPT_POSTFIELDS, o->body);
                SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) strlen(o->body));
        }
        if (o->method)
                SET(CURLOPT_CUSTOMREQUEST, o->method);
#undef SET
        if (c != CURLE_OK) {
                if (asprintf(ret_error, "cannot configure the request to '%s': %s", o->url, curl_easy_strerror(c)) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }
        return 0;
}

static int histograms_new(Histogram **h) {
        for (size_t i = 0; i < H_COUNT; i++) {
                int r = histogram_new(UINT64_C(3600000000), 3, &h[i]);     /* us, up to 1 h */
                if (r < 0)
                        return r;
        }
        return 0;
}

static int worker_setup(Worker *w, const ProbeConfig *cfg, unsigned nslots, double rate, uint64_t seed, char **ret_error) {
        w->cfg = cfg;
        w->nslots = nslots;
        w->rate = rate;
        w->slots = calloc(nslots, sizeof(Slot));
        w->free_stack = calloc(nslots, sizeof(unsigned));
        w->multi = curl_multi_init();
        w->url = curl_url();
        if (!w->slots || !w->free_stack || !w->multi || !w->url)
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
        if (curl_api_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                return -ENOMEM;
        s->global_init = true;
        CURLU *u = curl_url();
        CURLUcode uc = u ? curl_url_set(u, CURLUPART_URL, o->url, 0) : CURLUE_OUT_OF_MEMORY;
        curl_url_cleanup(u);
        if (uc != CURLUE_OK) {
                if (asprintf(ret_error, "'%s' is not a URL: %s", o->url, curl_url_strerror(uc)) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }
        s->loopback = url_is_loopback(o->url);
        /* Requests carry only Host and the user's headers, like wrk's: libcurl's default Accept header
         * is dropped unless the user names one (each header costs formatting, bytes and parsing on
         * both sides, for every request). */
        bool has_accept = false;
        for (char **hdr = o->headers; hdr && *hdr; hdr++) {
                has_accept |= strncasecmp(*hdr, "Accept:", 7) == 0;
                struct curl_slist *l = curl_slist_append(s->headers, *hdr);
                if (!l)
                        return -ENOMEM;
                s->headers = l;
        }
        if (!has_accept) {
                struct curl_slist *l = curl_slist_append(s->headers, "Accept:");
                if (!l)
                        return -ENOMEM;
                s->headers = l;
        }
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
                s->w[t].headers = s->headers;
                int r = worker_setup(&s->w[t], cfg, share, o->rate / s->nthreads,
                                     (o->seed ? o->seed : 0x68747470) + t, ret_error);
                if (r < 0)
                        return r;
        }
        int r = histograms_new(s->sum);
        return r < 0 ? r : histograms_new(s->all);
}

static void worker_teardown(Worker *w) {
        for (unsigned i = 0; w->slots && i < w->nslots; i++)
                if (w->slots[i].easy) {
                        if (w->multi)
                                curl_multi_remove_handle(w->multi, w->slots[i].easy);
                        curl_easy_cleanup(w->slots[i].easy);
                }
        if (w->multi)
                curl_multi_cleanup(w->multi);
        curl_url_cleanup(w->url);
        if (w->epfd >= 0)
                close(w->epfd);
        free(w->fd_state);
        free(w->fresh);
        free(w->slots);
        free(w->free_stack);
        for (size_t i = 0; i < H_COUNT; i++)
                histogram_free(w->h[i]);
}

static void http_teardown(void *state) {
        HttpState *s = state;
        for (unsigned t = 0; s->w && t < s->nthreads; t++)
                worker_teardown(&s->w[t]);
        free(s->w);
        curl_slist_free_all(s->headers);
        for (size_t i = 0; i < H_COUNT; i++) {
                histogram_free(s->sum[i]);
                histogram_free(s->all[i]);
        }
        if (s->global_init)
                curl_global_cleanup();
}

static int start(Worker *w, uint64_t intended, uint64_t now) {
        Slot *slot = &w->slots[w->free_stack[--w->nfree]];
        slot->intended_ns = intended;
        slot->sent_ns = now;
        if (curl_multi_add_handle(w->multi, slot->easy) != CURLM_OK) {
                w->free_stack[w->nfree++] = slot->index;
                return -ENOMEM;
        }
        w->c.sent++;
        if (now - intended > 1000000)
                w->c.late++;            /* sent more than 1 ms after its intended time */
        histogram_record(w->h[H_LATENESS], (now - intended) / 1000);
        return 0;
}

static void record_phase(Worker *w, CURL *e, CURLINFO info, Hist h) {
        curl_off_t us = 0;
        if (curl_easy_getinfo(e, info, &us) == CURLE_OK && us > 0)
                histogram_record(w->h[h], (uint64_t) us);
}

/* Collect the transfers that the last call into libcurl finished; returns how many. They ended
 * during that call, so one timestamp serves them all. */
static unsigned harvest(Worker *w) {
        unsigned n = 0;
        uint64_t now = 0;
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(w->multi, &left))) {
                if (msg->msg != CURLMSG_DONE)
                        continue;
                if (n == 0)
                        now = probe_now_ns();
                CURL *e = msg->easy_handle;
                CURLcode code = msg->data.result;
                Slot *slot = NULL;
                curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **) &slot);
                long status = 0;
                curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
                w->c.done++;
                w->c.status[status > 0 && status < 600 ? status : 0]++;
                if (code == CURLE_OK && status >= 200 && status < 400)
                        w->c.ok++;
                else if (code != CURLE_OK)
                        w->c.errors[classify(code)]++;
                histogram_record(w->h[H_LATENCY], (now - slot->intended_ns) / 1000);
                histogram_record(w->h[H_SERVICE], (now - slot->sent_ns) / 1000);
                curl_off_t connect_us = 0;
                if (curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect_us) == CURLE_OK && connect_us > 0) {
                        w->c.new_connections++;
                        histogram_record(w->h[H_CONNECT], (uint64_t) connect_us);
                        record_phase(w, e, CURLINFO_APPCONNECT_TIME_T, H_TLS);
                }
                record_phase(w, e, CURLINFO_STARTTRANSFER_TIME_T, H_TTFB);
                record_phase(w, e, CURLINFO_TOTAL_TIME_T, H_TOTAL);
                curl_multi_remove_handle(w->multi, e);
                w->free_stack[w->nfree++] = slot->index;
                n++;
        }
        return n;
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
                if (s->all_total.sent > s->all_total.cut)
                        json_object_set_new(d, "success_rate", json_real((double) s->all_total.ok /
                                                                         (double) (s->all_total.sent - s->all_total.cut)));
        }
        return d;
}

/* Lets libcurl act on one socket's events (or on its timer, CURL_SOCKET_TIMEOUT). */
static int drive(Worker *w, curl_socket_t fd, int bits) {
        int running;
        if (curl_multi_socket_action(w->multi, fd, bits, &running) != CURLM_OK)
                return -EIO;
        return w->cb_error;
}

/* One thread's round: send until the deadline, drain, cut what is left. */
static void *worker_run(void *arg) {
        Worker *w = arg;
        const ProbeConfig *cfg = w->cfg;
        const HttpOptions *o = &cfg->http;
        bool open_model = o->model == HTTP_MODEL_OPEN;
        memset(&w->c, 0, sizeof(w->c));
        w->cb_error = 0;
        for (size_t i = 0; i < H_COUNT; i++)
                histogram_reset(w->h[i]);
        w->nfree = 0;
        for (unsigned i = w->nslots; i > 0; i--)
                w->free_stack[w->nfree++] = i - 1;

        curl_api_cache_begin();
        double cpu0 = probe_thread_cpu_s();
        uint64_t t0 = w->t0, end = w->end;
        double grace_s = MIN(o->timeout_s > 0 ? o->timeout_s : 10, 2.0);
        uint64_t drain_end = end + (uint64_t) (grace_s * 1e9);
        double interval_ns = open_model ? 1e9 / w->rate : 0;
        uint64_t k = 0, next = t0;      /* open model: index and intended time of the next request */
        if (open_model && o->arrival == HTTP_ARRIVAL_POISSON)
                next = t0 + (uint64_t) stats_rng_exponential(&w->rng, interval_ns);
        int r = 0;
        struct epoll_event events[64];
        for (;;) {
                uint64_t now = probe_now_ns();
                bool sending = now < end && !probe_stopped(cfg);
                if (sending && !open_model) {
                        while (w->nfree > 0 && r >= 0)
                                r = start(w, now, now);
                } else if (sending) {
                        while (next <= now && next < end && r >= 0) {
                                if (w->nfree == 0)
                                        break;          /* due, but every connection is busy: it waits */
                                r = start(w, next, now);
                                k++;
                                next = o->arrival == HTTP_ARRIVAL_POISSON
                                               ? next + (uint64_t) stats_rng_exponential(&w->rng, interval_ns)
                                               : t0 + (uint64_t) ((double) k * interval_ns);
                        }
                }
                if (r < 0)
                        break;
                /* Requests just added are due at once (libcurl set its timer to 0): drive them now, in
                 * one pass that sends them all. If the call does not move the timer (nothing was due
                 * yet, libcurl's clock being a little behind), look again in a millisecond. */
                unsigned finished = 0;
                if (w->timer_ns <= now) {
                        w->timer_ns = now + 1000000;
                        r = drive(w, CURL_SOCKET_TIMEOUT, 0);
                        finished = harvest(w);
                        if (r < 0)
                                break;
                }
                if (!sending && w->nfree == w->nslots)
                        break;                  /* everything sent has ended */
                if (!sending && (now >= drain_end || probe_stopped(cfg)))
                        break;
                /* Finished transfers free connections: re-add them at once and drive again. */
                if (finished > 0 && sending)
                        continue;
                uint64_t wake = MIN(w->timer_ns, sending ? end : drain_end);
                if (sending && open_model && w->nfree > 0)
                        wake = MIN(wake, next);
                int timeout_ms = wake <= now ? 0 : (int) MIN((wake - now + 999999) / 1000000, 100);
                int n = epoll_wait(w->epfd, events, (int) ELEMENTSOF(events), timeout_ms);
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
                        if (w->fd_state[fd] & FD_FRESH)
                                continue;       /* this event was for the socket that had its number */
                        if (!(w->fd_state[fd] & FD_WANTED)) {
                                /* A parked socket woke (the server closed an idle connection): it
                                 * leaves epoll, and libcurl finds out when it next checks the
                                 * connection. */
                                r = epoll_set(w, fd, EPOLL_CTL_DEL, 0);
                                w->fd_state[fd] &= (uint8_t) ~FD_REGISTERED;
                                continue;
                        }
                        int bits = (e & (EPOLLIN | EPOLLHUP | EPOLLRDHUP) ? CURL_CSELECT_IN : 0) |
                                   (e & EPOLLOUT ? CURL_CSELECT_OUT : 0) | (e & EPOLLERR ? CURL_CSELECT_ERR : 0);
                        r = drive(w, fd, bits);
                        harvest(w);
                }
                if (r < 0)
                        break;
        }
        w->cpu_s = probe_thread_cpu_s() - cpu0;
        /* Requests still in flight after the grace period are cut, not counted as errors. */
        for (unsigned i = 0; i < w->nslots; i++) {
                bool idle = false;
                for (unsigned j = 0; j < w->nfree && !idle; j++)
                        idle = w->free_stack[j] == i;
                if (!idle) {
                        curl_multi_remove_handle(w->multi, w->slots[i].easy);
                        w->c.cut++;
                }
        }
        curl_api_cache_end();
        w->r = r;
        return NULL;
}

static void counters_add(Counters *to, const Counters *from) {
        to->sent += from->sent;
        to->done += from->done;
        to->ok += from->ok;
        to->late += from->late;
        to->cut += from->cut;
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
        v[M_SUCCESS] = c->sent > c->cut ? (double) c->ok / (double) (c->sent - c->cut) : NAN;
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

/* SPDX-License-Identifier: MIT */
/* skytune-testserver: the tests' HTTP/1.1 server that injects known faults (testserver-inject.h):
 * a fixed or distributed delay, an error rate, stalls, connection resets, a capacity (at most R
 * answers per second, the rest queue, so latency grows past it) and a maximum queue (then 503).
 * GET /_control?key=value&... changes the settings while it runs; GET /_stats gives the counters, so
 * that a test compares what was injected with what its client measured. One thread, epoll,
 * keep-alive, loopback only, bounded in time (--lifetime) and connections (--max-conns). Prints its
 * port on stdout when it is ready (--port 0: the kernel picks one).
 *
 *   skytune-testserver [--port N] [--bind 127.0.0.1|::1] [--lifetime S] [--max-conns N]
 *                      [--delay-ms D] [--delay-dist fixed|uniform|exponential] [--delay-spread-ms S]
 *                      [--error-rate P] [--error-status 500|503] [--reset-rate P]
 *                      [--stall-every-s N --stall-ms M] [--capacity R] [--max-queue Q] [--seed N] */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "testserver-http.h"
#include "testserver-inject.h"

#define IN_MAX 16384
#define PIPELINE_MAX 64
#define FD_MAX 65536

typedef struct Conn {
        int fd;
        uint32_t gen;
        char in[IN_MAX];
        size_t n_in;
        char *out;
        size_t n_out, cap_out;
        unsigned pending;
        uint64_t last_ready_ns;
        bool close_after;       /* close when everything pending is written */
} Conn;

typedef struct Pending {
        uint64_t ready_ns, seq;
        int fd;
        uint32_t gen;
        unsigned status;
        bool reset, close;
        char *body;             /* control and stats answers (malloc'ed); NULL: the injected one */
} Pending;

typedef struct Server {
        Injector in;
        int ep, listen_fd, timer_fd, signal_fd;
        Conn *conns[FD_MAX];
        Pending *heap;
        size_t n_heap, cap_heap;
        uint64_t seq;
        uint32_t gen;
        unsigned n_conns, max_conns;
        double lifetime_s;
        uint64_t start_ns;
} Server;

static uint64_t now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static bool before(const Pending *a, const Pending *b)
{
        return a->ready_ns < b->ready_ns || (a->ready_ns == b->ready_ns && a->seq < b->seq);
}

static int heap_push(Server *s, Pending p)
{
        if (s->n_heap == s->cap_heap) {
                size_t cap = s->cap_heap ? 2 * s->cap_heap : 256;
                Pending *h = realloc(s->heap, cap * sizeof(*h));
                if (!h)
                        return -ENOMEM;
                s->heap = h;
                s->cap_heap = cap;
        }
        size_t i = s->n_heap++;
        for (; i > 0 && before(&p, &s->heap[(i - 1) / 2]); i = (i - 1) / 2)
                s->heap[i] = s->heap[(i - 1) / 2];
        s->heap[i] = p;
        return 0;
}

static Pending heap_pop(Server *s)
{
        Pending top = s->heap[0], last = s->heap[--s->n_heap];
        size_t i = 0;
        for (;;) {
                size_t c = 2 * i + 1;
                if (c >= s->n_heap)
                        break;
                if (c + 1 < s->n_heap && before(&s->heap[c + 1], &s->heap[c]))
                        c++;
                if (!before(&s->heap[c], &last))
                        break;
                s->heap[i] = s->heap[c];
                i = c;
        }
        if (s->n_heap)
                s->heap[i] = last;
        return top;
}

static void arm_timer(Server *s)
{
        struct itimerspec its = {};
        if (s->n_heap) {
                uint64_t t = MAX(s->heap[0].ready_ns, (uint64_t) 1);
                its.it_value = (struct timespec) { .tv_sec = (time_t) (t / 1000000000u), .tv_nsec = (long) (t % 1000000000u) };
        }
        (void) timerfd_settime(s->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void conn_close(Server *s, Conn *c, bool reset)
{
        if (reset) {
                struct linger l = { .l_onoff = 1, .l_linger = 0 };
                (void) setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
        }
        s->conns[c->fd] = NULL;
        close(c->fd);
        free(c->out);
        free(c);
        s->n_conns--;
}

static void conn_watch(Server *s, Conn *c)
{
        struct epoll_event ev = { .events = EPOLLIN | (c->n_out ? EPOLLOUT : 0), .data.fd = c->fd };
        (void) epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Write what is buffered; false when the connection was closed. */
static bool conn_flush(Server *s, Conn *c)
{
        size_t off = 0;
        while (off < c->n_out) {
                ssize_t w = send(c->fd, c->out + off, c->n_out - off, MSG_NOSIGNAL);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0 && errno == EAGAIN)
                        break;
                if (w <= 0) {
                        conn_close(s, c, false);
                        return false;
                }
                off += (size_t) w;
        }
        memmove(c->out, c->out + off, c->n_out - off);
        c->n_out -= off;
        if (c->n_out == 0 && c->pending == 0 && c->close_after) {
                conn_close(s, c, false);
                return false;
        }
        conn_watch(s, c);
        return true;
}

static const char *reason(unsigned status)
{
        switch (status) {
        case 200: return "OK";
        case 400: return "Bad Request";
        case 404: return "Not Found";
        case 413: return "Payload Too Large";
        case 500: return "Internal Server Error";
        default: return "Service Unavailable";
        }
}

static int conn_answer(Conn *c, unsigned status, const char *body, bool close)
{
        size_t need = c->n_out + strlen(body) + 160;
        if (need > c->cap_out) {
                char *o = realloc(c->out, need * 2);
                if (!o)
                        return -ENOMEM;
                c->out = o;
                c->cap_out = need * 2;
        }
        int n = snprintf(c->out + c->n_out, c->cap_out - c->n_out,
                         "HTTP/1.1 %u %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n%s\r\n%s", status,
                         reason(status), strlen(body), close ? "Connection: close\r\n" : "", body);
        c->n_out += (size_t) n;
        return 0;
}

static bool conn_requests(Server *s, Conn *c);

/* Answer every pending request that is due. */
static void fire(Server *s)
{
        uint64_t expirations, now = now_ns();
        (void) !read(s->timer_fd, &expirations, sizeof(expirations));
        while (s->n_heap && s->heap[0].ready_ns <= now) {
                Pending p = heap_pop(s);
                Conn *c = s->conns[p.fd];
                if (!c || c->gen != p.gen) {
                        free(p.body);
                        continue;
                }
                c->pending--;
                if (p.reset) {
                        free(p.body);
                        conn_close(s, c, true);
                        continue;
                }
                const char *body = p.body ? p.body : p.status == 200 ? "ok\n" : "injected error\n";
                if (p.close)
                        c->close_after = true;
                if (conn_answer(c, p.status, body, p.close) < 0)
                        c->close_after = true;
                free(p.body);
                if (conn_flush(s, c) && c->n_in)
                        conn_requests(s, c);
        }
        arm_timer(s);
}


static int queue_answer(Server *s, Conn *c, uint64_t ready, unsigned status, bool reset, bool close, char *body)
{
        ready = MAX(ready, c->last_ready_ns);
        c->last_ready_ns = ready;
        int r = heap_push(s, (Pending) { .ready_ns = ready, .seq = s->seq++, .fd = c->fd, .gen = c->gen,
                                         .status = status, .reset = reset, .close = close, .body = body });
        if (r < 0) {
                free(body);
                return r;
        }
        c->pending++;
        if (close)
                c->close_after = true;
        return 0;
}

/* The control and stats endpoints answer at once; every other path gets the injected answer. */
static int handle(Server *s, Conn *c, const TestRequest *rq)
{
        uint64_t now = now_ns();
        size_t size = 2048;
        if (rq->bad)
                return queue_answer(s, c, now, 400, false, true, strdup("bad request line\n"));
        if (strcmp(rq->path, "/_stats") == 0 || strncmp(rq->path, "/_control", 9) == 0) {
                char *body = malloc(size);
                if (!body)
                        return -ENOMEM;
                unsigned status = 200;
                if (strcmp(rq->path, "/_stats") == 0)
                        injector_stats(&s->in, now, s->n_heap, body, size);
                else if (rq->path[9] == 0 || rq->path[9] == '?')
                        status = injector_control(&s->in, rq->path[9] ? rq->path + 10 : "", body, size);
                else
                        status = 404, snprintf(body, size, "%s: no such endpoint (/_control?key=value, /_stats)\n", rq->path);
                return queue_answer(s, c, now, status, false, rq->close, body);
        }
        Decision d;
        injector_decide(&s->in, now, &d);
        return queue_answer(s, c, d.ready_ns, d.status, d.reset, rq->close, NULL);
}

/* Parse and queue the complete requests in c->in (at most PIPELINE_MAX pending per connection). */
static bool conn_requests(Server *s, Conn *c)
{
        size_t off = 0;
        while (c->pending < PIPELINE_MAX && !c->close_after && off < c->n_in) {
                char *start = c->in + off, *end = memmem(start, c->n_in - off, "\r\n\r\n", 4);
                if (!end && c->n_in - off < IN_MAX)
                        break;
                TestRequest rq = { .bad = true };
                size_t head = end ? (size_t) (end + 4 - start) : c->n_in - off;
                if (end)
                        testserver_parse_head(start, head, &rq);
                if (!rq.bad && rq.content_length > IN_MAX - head) {
                        (void) queue_answer(s, c, now_ns(), 413, false, true, strdup("body over 16 KiB\n"));
                        break;
                }
                if (!rq.bad && c->n_in - off < head + rq.content_length)
                        break;
                off += rq.bad ? c->n_in - off : head + rq.content_length;
                if (handle(s, c, &rq) < 0)
                        c->close_after = true;
        }
        memmove(c->in, c->in + off, c->n_in - off);
        c->n_in -= off;
        arm_timer(s);
        return true;
}

static void accept_all(Server *s)
{
        for (;;) {
                int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0)
                        return;
                Conn *c = fd < FD_MAX && s->n_conns < s->max_conns ? calloc(1, sizeof(*c)) : NULL;
                struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
                if (!c || epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
                        free(c);
                        close(fd);
                        continue;
                }
                int one = 1;
                (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                *c = (Conn) { .fd = fd, .gen = ++s->gen };
                s->conns[fd] = c;
                s->n_conns++;
                s->in.st.connections++;
        }
}

static void conn_event(Server *s, Conn *c, uint32_t events)
{
        if (events & EPOLLOUT && !conn_flush(s, c))
                return;
        if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                return;
        ssize_t n = recv(c->fd, c->in + c->n_in, IN_MAX - c->n_in, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return;
        if (n <= 0) {
                conn_close(s, c, false);
                return;
        }
        c->n_in += (size_t) n;
        conn_requests(s, c);
}

static int listen_on(const char *bind_addr, unsigned port)
{
        struct sockaddr_storage ss = {};
        socklen_t len;
        struct sockaddr_in *a4 = (struct sockaddr_in *) &ss;
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *) &ss;
        if (strcmp(bind_addr, "127.0.0.1") == 0) {
                *a4 = (struct sockaddr_in) { .sin_family = AF_INET, .sin_port = htons(port),
                                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
                len = sizeof(*a4);
        } else if (strcmp(bind_addr, "::1") == 0) {
                *a6 = (struct sockaddr_in6) { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = in6addr_loopback };
                len = sizeof(*a6);
        } else
                return -EADDRNOTAVAIL;
        int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
        if (fd < 0)
                return -errno;
        (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *) &ss, len) < 0 || listen(fd, 1024) < 0 ||
            getsockname(fd, (struct sockaddr *) &ss, &len) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        printf("%u\n", ntohs(ss.ss_family == AF_INET ? a4->sin_port : a6->sin6_port));
        fflush(stdout);
        return fd;
}

static int setup(Server *s, const char *bind_addr, unsigned port)
{
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        s->ep = epoll_create1(EPOLL_CLOEXEC);
        s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        s->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
        if (s->ep < 0 || s->timer_fd < 0 || s->signal_fd < 0)
                return -errno;
        s->listen_fd = listen_on(bind_addr, port);
        if (s->listen_fd < 0)
                return s->listen_fd;
        int fds[] = { s->listen_fd, s->timer_fd, s->signal_fd };
        for (size_t i = 0; i < ELEMENTSOF(fds); i++) {
                struct epoll_event ev = { .events = EPOLLIN, .data.fd = fds[i] };
                if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fds[i], &ev) < 0)
                        return -errno;
        }
        return 0;
}

static int run(Server *s)
{
        struct epoll_event evs[64];
        for (;;) {
                int n = epoll_wait(s->ep, evs, ELEMENTSOF(evs), 200);
                if (n < 0 && errno != EINTR)
                        return -errno;
                if ((double) (now_ns() - s->start_ns) / 1e9 > s->lifetime_s)
                        return 0;
                for (int i = 0; i < n; i++) {
                        int fd = evs[i].data.fd;
                        if (fd == s->signal_fd)
                                return 0;
                        if (fd == s->listen_fd)
                                accept_all(s);
                        else if (fd == s->timer_fd)
                                fire(s);
                        else if (s->conns[fd])
                                conn_event(s, s->conns[fd], evs[i].events);
                }
        }
}

static int usage(FILE *f)
{
        fprintf(f, "usage: skytune-testserver [--port N] [--bind 127.0.0.1|::1] [--lifetime S] [--max-conns N]\n"
                   "       [--KEY VALUE]... with KEY one of");
        for (size_t i = 0; settings_key(i); i++)
                fprintf(f, " %s", settings_key(i));
        fprintf(f, " ('_' written '-')\n"
                   "GET /_control?KEY=VALUE&... changes settings while running; GET /_stats gives the counters.\n"
                   "Prints the port on stdout when ready.\n");
        return f == stderr ? 2 : 0;
}

int main(int argc, char **argv)
{
        static Server s;
        Settings set;
        settings_defaults(&set);
        const char *bind_addr = "127.0.0.1";
        unsigned port = 0;
        s.lifetime_s = 300;
        s.max_conns = 1000;
        struct option opts[32] = {
                { "port", required_argument, NULL, 'p' }, { "bind", required_argument, NULL, 'b' },
                { "lifetime", required_argument, NULL, 'l' }, { "max-conns", required_argument, NULL, 'm' },
                { "help", no_argument, NULL, 'h' },
        };
        char names[16][32];
        size_t k = 5;
        for (size_t i = 0; settings_key(i) && i < ELEMENTSOF(names); i++, k++) {
                snprintf(names[i], sizeof(names[i]), "%s", settings_key(i));
                for (char *p = names[i]; *p; p++)
                        *p = *p == '_' ? '-' : *p;
                opts[k] = (struct option) { names[i], required_argument, NULL, 1000 + (int) i };
        }
        for (int o; (o = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
                const char *why = NULL;
                if (o == 'p')
                        port = (unsigned) atoi(optarg);
                else if (o == 'b')
                        bind_addr = optarg;
                else if (o == 'l')
                        s.lifetime_s = MIN(atof(optarg), 86400.0);
                else if (o == 'm')
                        s.max_conns = (unsigned) MAX(1, MIN(atoi(optarg), FD_MAX - 16));
                else if (o == 'h')
                        return usage(stdout);
                else if (o >= 1000 && settings_set(&set, settings_key((size_t) (o - 1000)), optarg, &why) < 0) {
                        fprintf(stderr, "skytune-testserver: --%s %s: bad value; give %s\n", names[o - 1000], optarg, why);
                        return 2;
                } else if (o < 1000)
                        return usage(stderr);
        }
        if (port > 65535 || !(s.lifetime_s > 0)) {
                fprintf(stderr, "skytune-testserver: --port must be 0..65535 and --lifetime positive\n");
                return 2;
        }
        s.start_ns = now_ns();
        injector_init(&s.in, &set, s.start_ns);
        int r = setup(&s, bind_addr, port);
        if (r == -EADDRNOTAVAIL) {
                fprintf(stderr, "skytune-testserver: --bind %s: only 127.0.0.1 or ::1 (loopback)\n", bind_addr);
                return 2;
        }
        if (r >= 0)
                r = run(&s);
        if (r < 0) {
                fprintf(stderr, "skytune-testserver: %s\n", strerror(-r));
                return 1;
        }
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* net: loopback TCP only (127.0.0.1). Half of each round is request/response: 64-byte messages
 * bounced one at a time over one connection (round-trip latency and transactions per second); the
 * other half is a connection burst: BURST non-blocking connects at once to a listener whose backlog
 * is whatever net.core.somaxconn allows, accepted by a server thread, repeated (connections per
 * second; when the accept queue is shorter than the burst, SYNs are dropped and retried a second
 * later, and the rate collapses). Client sockets close with an RST, so the burst leaves no TIME_WAIT behind.
 * Refused, reset and timed-out connects and a lack of descriptors are failed operations of the round
 * (connect_success_ratio), not a failed probe. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "histogram.h"
#include "macro.h"
#include "probe.h"

enum { M_RR_TPS, M_RR_P50, M_RR_P99, M_CONNECT_RATE, M_CONNECT_SUCCESS, M_COUNT };

static const ProbeMetricDef net_metrics[] = {
        [M_RR_TPS] = { "rr_transactions_per_s", "op/s", true },
        [M_RR_P50] = { "rr_p50_us", "us", false },
        [M_RR_P99] = { "rr_p99_us", "us", false },
        [M_CONNECT_RATE] = { "connects_per_s", "op/s", true },
        [M_CONNECT_SUCCESS] = { "connect_success_ratio", "ratio", true },
};

#define MSG 64
#define BURST 256
/* Asked for at listen(); the kernel caps it at net.core.somaxconn, which is what the burst tests. */
#define BACKLOG 65535
#define MAX_CONNECTS_PER_ROUND 200000u

typedef struct NetState {
        Histogram *h;
} NetState;

static int listen_loopback(int backlog, struct sockaddr_in *ret_addr) {
        _cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return negative_errno();
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(a);
        if (bind(fd, (struct sockaddr *) &a, sizeof(a)) < 0 || listen(fd, backlog) < 0 ||
            getsockname(fd, (struct sockaddr *) &a, &len) < 0)
                return negative_errno();
        *ret_addr = a;
        return TAKE_FD(fd);
}

static int read_full(int fd, char *buf, size_t n) {
        for (size_t got = 0; got < n;) {
                ssize_t k = read(fd, buf + got, n - got);
                if (k <= 0)
                        return k < 0 ? negative_errno() : -ECONNRESET;
                got += (size_t) k;
        }
        return 0;
}

static void *echo_server(void *arg) {
        int lfd = (int) (intptr_t) arg;
        _cleanup_close_ int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
                return NULL;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        char buf[MSG];
        while (read_full(fd, buf, MSG) >= 0)
                if (write(fd, buf, MSG) != MSG)
                        break;
        return NULL;
}

/* A failure of the host (refused, reset, out of descriptors) is counted and ends the exchange; any
 * other stops the round. */
static int count_failure(int r, ProbeRoundOut *out) {
        if (!probe_failure_is_measurement(r))
                return r;
        out->failed_ops++;
        return 0;
}

static int request_response(NetState *s, const ProbeConfig *cfg, double seconds, ProbeRoundOut *out) {
        double *v = out->values;
        struct sockaddr_in a;
        _cleanup_close_ int lfd = listen_loopback(1, &a);
        if (lfd < 0)
                return lfd;
        pthread_t tid;
        int r = -pthread_create(&tid, NULL, echo_server, (void *) (intptr_t) lfd);
        if (r < 0)
                return r;
        _cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        bool broke = false;
        if (fd < 0 || connect(fd, (struct sockaddr *) &a, sizeof(a)) < 0)
                r = negative_errno();
        else
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (r < 0) {
                out->ops++;
                broke = true;
                r = count_failure(r, out);
        }
        histogram_reset(s->h);
        char buf[MSG] = "skytune";
        uint64_t t0 = probe_now_ns(), end = t0 + (uint64_t) (seconds * 1e9), now = t0;
        while (!broke && now < end && !probe_stopped(cfg)) {
                out->ops++;
                if (write(fd, buf, MSG) != MSG)
                        r = negative_errno();
                else
                        r = read_full(fd, buf, MSG);
                if (r < 0) {
                        broke = true;
                        r = count_failure(r, out);
                        break;
                }
                uint64_t t = probe_now_ns();
                histogram_record(s->h, t - now);
                now = t;
        }
        if (fd >= 0)
                shutdown(fd, SHUT_RDWR);        /* ends the server's loop */
        if (broke)
                shutdown(lfd, SHUT_RDWR);       /* wakes a server still in accept */
        pthread_join(tid, NULL);
        if (r < 0)
                return r;
        uint64_t el = (broke ? probe_now_ns() : now) - t0;
        v[M_RR_TPS] = el > 0 ? (double) histogram_count(s->h) / ((double) el / 1e9) : 0;
        if (histogram_count(s->h) > 0) {
                v[M_RR_P50] = (double) histogram_percentile(s->h, 50) / 1e3;
                v[M_RR_P99] = (double) histogram_percentile(s->h, 99) / 1e3;
        }
        return 0;
}

/* done is set by the prober and read by the acceptor thread: an atomic, not a volatile (which orders
 * nothing between threads; ThreadSanitizer reports it as a data race). */
typedef struct Acceptor {
        int lfd;
        atomic_bool done;
        uint64_t accepted;
} Acceptor;

static void *acceptor(void *arg) {
        Acceptor *ac = arg;
        while (!atomic_load(&ac->done)) {
                struct pollfd p = { .fd = ac->lfd, .events = POLLIN };
                if (poll(&p, 1, 50) <= 0)
                        continue;
                for (;;) {
                        int fd = accept4(ac->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
                        if (fd < 0)
                                break;
                        close(fd);
                        ac->accepted++;
                }
        }
        return NULL;
}

/* One burst: up to BURST non-blocking connects, then wait until each completed, failed or 2 s passed.
 * Refused, reset and timed-out connects and a lack of descriptors are counted as failed. */
static int burst(const struct sockaddr_in *a, uint64_t *connected, ProbeRoundOut *out) {
        struct pollfd p[BURST];
        struct linger rst = { .l_onoff = 1, .l_linger = 0 };
        size_t n = 0;
        int r = 0;
        for (size_t k = 0; k < BURST && r >= 0; k++) {
                out->ops++;
                int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
                if (fd < 0) {
                        r = count_failure(negative_errno(), out);
                        if (r >= 0)
                                r = 1;          /* out of descriptors: end the burst */
                        break;
                }
                setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
                if (connect(fd, (const struct sockaddr *) a, sizeof(*a)) < 0 && errno != EINPROGRESS) {
                        r = count_failure(negative_errno(), out);
                        close(fd);
                        continue;
                }
                p[n++] = (struct pollfd) { .fd = fd, .events = POLLOUT };
        }
        uint64_t limit = probe_now_ns() + 2000000000u;
        size_t pending = n;
        while (r >= 0 && pending > 0 && probe_now_ns() < limit) {
                if (poll(p, n, 100) < 0 && errno != EINTR)
                        break;
                for (size_t i = 0; i < n; i++)
                        if (p[i].fd >= 0 && p[i].revents) {
                                int err = 0;
                                socklen_t len = sizeof(err);
                                getsockopt(p[i].fd, SOL_SOCKET, SO_ERROR, &err, &len);
                                if (err == 0)
                                        (*connected)++;
                                else
                                        out->failed_ops++;
                                close(p[i].fd);
                                p[i].fd = -1;
                                pending--;
                        }
        }
        for (size_t i = 0; i < n; i++)
                if (p[i].fd >= 0) {
                        close(p[i].fd);
                        out->failed_ops++;      /* not connected within 2 s: timed out */
                }
        return r;
}

static int connect_burst(const ProbeConfig *cfg, double seconds, ProbeRoundOut *out) {
        struct sockaddr_in a;
        _cleanup_close_ int lfd = listen_loopback(BACKLOG, &a);
        if (lfd < 0)
                return lfd;
        int fl = fcntl(lfd, F_GETFL);
        if (fl < 0 || fcntl(lfd, F_SETFL, fl | O_NONBLOCK) < 0)
                return negative_errno();
        Acceptor ac = { .lfd = lfd };
        pthread_t tid;
        int r = -pthread_create(&tid, NULL, acceptor, &ac);
        if (r < 0)
                return r;
        uint64_t t0 = probe_now_ns(), end = t0 + (uint64_t) (seconds * 1e9), connected = 0, ops0 = out->ops;
        while (r >= 0 && probe_now_ns() < end && !probe_stopped(cfg) && connected < MAX_CONNECTS_PER_ROUND) {
                r = burst(&a, &connected, out);
                if (r > 0) {
                        usleep(10000);          /* descriptors ran out: let the acceptor close some */
                        r = 0;
                }
        }
        double el = (double) (probe_now_ns() - t0) / 1e9;
        atomic_store(&ac.done, true);
        pthread_join(tid, NULL);
        if (r < 0)
                return r;
        out->values[M_CONNECT_RATE] = (double) connected / el;
        uint64_t tried = out->ops - ops0;
        if (tried > 0)
                out->values[M_CONNECT_SUCCESS] = (double) connected / (double) tried;
        return 0;
}

static int net_setup(void *state, const ProbeConfig *cfg, Error *e) {
        NetState *s = state;
        return histogram_new(UINT64_C(10000000000), 3, &s->h);
}

static int net_round(void *state, const ProbeConfig *cfg, ProbeRoundOut *out) {
        int r = request_response(state, cfg, cfg->duration_s / 2, out);
        if (r >= 0)
                r = connect_burst(cfg, cfg->duration_s / 2, out);
        return r;
}

static void net_teardown(void *state) {
        NetState *s = state;
        histogram_free(s->h);
}

const ProbeBackend probe_net = {
        .name = "net",
        .summary = "loopback TCP request/response latency and rate, connect rate under a burst",
        .metrics = net_metrics,
        .n_metrics = M_COUNT,
        .primary = M_RR_TPS,
        .state_size = sizeof(NetState),
        .setup = net_setup,
        .round = net_round,
        .teardown = net_teardown,
};

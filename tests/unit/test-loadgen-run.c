/* SPDX-License-Identifier: MIT */
/* The load engine against a real server on 127.0.0.1 (a small one in this file, a thread per
 * connection, counting what it served): intervals harvested while the workers run merge into exactly
 * the whole-run histograms and their counters add up to what the server answered; a request table's
 * weights, methods, headers and bodies reach the server as given; the open model's send lateness is
 * accounted (latency = lateness + service time; due requests that never went out are counted); closed
 * users that change over time change the load. Every run is under a second and bounded. */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loadgen.h"
#include "macro.h"
#include "support.h"
#include "time-util.h"

enum { MAX_CONN = 64 };

typedef struct Server {
        int fd;
        unsigned port;
        unsigned delay_us;              /* before each response */
        pthread_t accept_tid, conn_tid[MAX_CONN];
        unsigned n_conn;
        pthread_mutex_t lock;
        uint64_t served, served_a, served_b, posts_with_header;
        _Atomic uint64_t t0;            /* served before and after t0 + 0.3 s (0: not counted) */
        uint64_t before, after;
} Server;

typedef struct Conn {
        Server *s;
        int fd;
} Conn;

/* One request whole in buf[0..n): its length, or 0 when more must come. */
static size_t request_length(const char *buf, size_t n) {
        const char *end = memmem(buf, n, "\r\n\r\n", 4);
        if (!end)
                return 0;
        size_t head = (size_t) (end - buf) + 4, body = 0;
        const char *cl = memmem(buf, head, "Content-Length: ", 16);
        if (cl)
                body = strtoul(cl + 16, NULL, 10);
        return n >= head + body ? head + body : 0;
}

static void count(Server *s, const char *req, size_t len) {
        uint64_t t0 = atomic_load(&s->t0), now = loadgen_now_ns();
        pthread_mutex_lock(&s->lock);
        s->served++;
        if (t0 && now < t0 + UINT64_C(300000000))
                s->before++;
        else if (t0)
                s->after++;
        if (strncmp(req, "GET /a ", 7) == 0)
                s->served_a++;
        if (strncmp(req, "POST /b ", 8) == 0) {
                s->served_b++;
                if (memmem(req, len, "\r\nX-Test: yes\r\n", 15) && memmem(req, len, "\r\n\r\nxyz", 7))
                        s->posts_with_header++;
        }
        pthread_mutex_unlock(&s->lock);
}

static void *serve(void *arg) {
        Conn *c = arg;
        static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        char buf[8192];
        size_t have = 0;
        for (;;) {
                ssize_t k = read(c->fd, buf + have, sizeof(buf) - have);
                if (k <= 0)
                        break;
                have += (size_t) k;
                size_t len;
                while ((len = request_length(buf, have)) > 0) {
                        if (c->s->delay_us)
                                usleep(c->s->delay_us);
                        count(c->s, buf, len);
                        if (write(c->fd, reply, STRLEN(reply)) != (ssize_t) STRLEN(reply))
                                goto out;
                        memmove(buf, buf + len, have - len);
                        have -= len;
                }
                if (have == sizeof(buf))
                        break;
        }
out:
        close(c->fd);
        free(c);
        return NULL;
}

static void *accept_loop(void *arg) {
        Server *s = arg;
        for (;;) {
                int fd = accept(s->fd, NULL, NULL);
                if (fd < 0)
                        return NULL;            /* shut down */
                Conn *c = malloc(sizeof(Conn));
                if (c)
                        *c = (Conn) { .s = s, .fd = fd };
                if (!c || s->n_conn == MAX_CONN || pthread_create(&s->conn_tid[s->n_conn], NULL, serve, c) != 0) {
                        close(fd);
                        free(c);
                        continue;
                }
                s->n_conn++;
        }
}

static void server_start(Server *s, unsigned delay_us) {
        *s = (Server) { .delay_us = delay_us };
        pthread_mutex_init(&s->lock, NULL);
        s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(s->fd >= 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(a);
        assert_int_equal(bind(s->fd, (struct sockaddr *) &a, sizeof(a)), 0);
        assert_int_equal(listen(s->fd, 64), 0);
        assert_int_equal(getsockname(s->fd, (struct sockaddr *) &a, &len), 0);
        s->port = ntohs(a.sin_port);
        assert_int_equal(pthread_create(&s->accept_tid, NULL, accept_loop, s), 0);
}

/* After the client closed its connections: every connection thread ends. */
static void server_stop(Server *s) {
        shutdown(s->fd, SHUT_RDWR);
        pthread_join(s->accept_tid, NULL);
        close(s->fd);
        for (unsigned i = 0; i < s->n_conn; i++)
                pthread_join(s->conn_tid[i], NULL);
        pthread_mutex_destroy(&s->lock);
}

typedef struct Harvest {
        LoadgenResults merged;
        unsigned intervals;
        double last_end_s;
        uint64_t first_at_ns;           /* when the first interval came */
        uint64_t done[64];              /* by interval */
} Harvest;

static void on_interval(const LoadgenInterval *iv, void *userdata) {
        Harvest *h = userdata;
        assert_int_equal(iv->index, h->intervals);
        assert_true(iv->start_s >= h->last_end_s - 1e-9 && iv->end_s > iv->start_s);
        if (h->intervals == 0)
                h->first_at_ns = loadgen_now_ns();
        if (iv->index < ELEMENTSOF(h->done))
                h->done[iv->index] = iv->results->c.done;
        h->last_end_s = iv->end_s;
        h->intervals++;
        loadgen_results_merge(&h->merged, iv->results);
}

static void assert_same_histogram(const Histogram *a, const Histogram *b) {
        assert_int_equal(histogram_count(a), histogram_count(b));
        assert_int_equal(histogram_min(a), histogram_min(b));
        assert_int_equal(histogram_max(a), histogram_max(b));
        static const double ps[] = { 1, 10, 50, 90, 99, 99.9 };
        for (size_t i = 0; i < ELEMENTSOF(ps); i++)
                assert_int_equal(histogram_percentile(a, ps[i]), histogram_percentile(b, ps[i]));
        if (histogram_count(a))
                assert_true(fabs(histogram_mean(a) - histogram_mean(b)) <= 1e-9 * histogram_mean(a));
}

static char *url_of(const Server *s, const char *path) {
        char *u;
        assert_true(asprintf(&u, "http://127.0.0.1:%u%s", s->port, path) > 0);
        return u;
}

static Loadgen *engine(const LoadgenConfig *cfg) {
        Loadgen *lg = NULL;
        _cleanup_(error_done) Error error = ERROR_NULL;
        int r = loadgen_new(cfg, &lg, &error);
        if (r < 0)
                print_message("loadgen_new: %s (%d)\n", error_message(&error), r);
        assert_int_equal(r, 0);
        return lg;
}

static void results_init(LoadgenResults *r) {
        assert_int_equal(loadgen_results_init(r), 0);
}

/* One run of duration_s into *total (initialised here), then the engine's and the server's end.
 * slots: how many the engine should have made (0: any). */
static void run_and_stop(Server *s, const LoadgenConfig *cfg, unsigned slots, double duration_s, LoadgenResults *total) {
        Loadgen *lg = engine(cfg);
        if (slots)
                assert_int_equal(loadgen_slots(lg), slots);
        results_init(total);
        LoadgenRunInfo info;
        atomic_store(&s->t0, loadgen_now_ns());
        assert_int_equal(loadgen_run(lg, duration_s, total, &info), 0);
        loadgen_free(lg);
        server_stop(s);
}

static void test_interval_harvest(void **state) {
        Server s;
        server_start(&s, 0);
        _cleanup_free_ char *url = url_of(&s, "/x");
        Harvest h = { 0 };
        results_init(&h.merged);
        LoadgenConfig cfg = {
                .url = url, .threads = 2, .schedule = { .model = LOADGEN_CLOSED, .value = 4 },
                .interval_s = 0.1, .on_interval = on_interval, .userdata = &h, .record_run = true,
        };
        Loadgen *lg = engine(&cfg);
        LoadgenResults total;
        results_init(&total);
        LoadgenRunInfo info;
        uint64_t t0 = loadgen_now_ns();
        assert_int_equal(loadgen_run(lg, 0.8, &total, &info), 0);
        /* Harvested while the workers ran, one interval per 0.1 s at most (9: the one that ends with
         * the run); a slow harvester (ThreadSanitizer) makes the workers fold intervals together. */
        assert_true(h.first_at_ns < t0 + UINT64_C(800000000));
        if (h.intervals < 6)
                print_message("only %u intervals: a slow harvester\n", h.intervals);
        assert_true(h.intervals >= 2 && h.intervals <= 9);
        assert_true(h.last_end_s >= 0.8);
        /* The intervals add up to the run, counters and histograms, and equal the whole-run record. */
        assert_memory_equal(&h.merged.c, &total.c, sizeof(total.c));
        const LoadgenResults *whole = loadgen_run_record(lg);
        assert_non_null(whole);
        for (size_t i = 0; i < _LOADGEN_H_MAX; i++) {
                assert_same_histogram(h.merged.h[i], whole->h[i]);
                assert_same_histogram(total.h[i], whole->h[i]);
        }
        assert_true(total.c.done > 100);
        assert_int_equal(total.c.cut, 0);
        assert_int_equal(total.c.ok, total.c.done);
        assert_int_equal(total.c.sent, total.c.done);
        assert_int_equal(total.c.by_request[0], total.c.sent);
        assert_int_equal(histogram_count(whole->h[LOADGEN_H_LATENCY]), total.c.ok);
        /* Closed model: each request is due when it is sent. */
        assert_int_equal(total.c.late, 0);
        assert_int_equal(histogram_max(total.h[LOADGEN_H_LATENESS]), 0);
        loadgen_free(lg);
        server_stop(&s);
        assert_int_equal(s.served, total.c.done);
        loadgen_results_done(&total);
        loadgen_results_done(&h.merged);
}

static void test_request_table(void **state) {
        Server s;
        server_start(&s, 0);
        _cleanup_free_ char *url = url_of(&s, "/");
        char *headers[] = { "X-Test: yes", NULL };
        const LoadgenRequest reqs[] = {
                { .path = "/a", .weight = 1 },
                { .path = "/b", .method = "POST", .body = "xyz", .headers = headers, .weight = 3 },
        };
        LoadgenConfig cfg = {
                .url = url, .schedule = { .model = LOADGEN_CLOSED, .value = 2 }, .requests = reqs, .n_requests = 2,
                .seed = 9,
        };
        LoadgenResults total;
        run_and_stop(&s, &cfg, 0, 0.5, &total);
        assert_int_equal(total.c.cut, 0);
        assert_int_equal(s.served_a, total.c.by_request[0]);
        assert_int_equal(s.served_b, total.c.by_request[1]);
        assert_int_equal(s.posts_with_header, s.served_b);     /* method, header and body as given */
        assert_int_equal(s.served, s.served_a + s.served_b);
        double n = (double) s.served, p = (double) s.served_b / n;
        assert_true(n >= 200);
        assert_true(fabs(p - 0.75) <= 4 * sqrt(0.75 * 0.25 / n));
        loadgen_results_done(&total);
}

/* 200 requests/s due, 2 slots, 20 ms per response (at most 100/s): sends go out late and some never. */
static void test_lateness(void **state) {
        Server s;
        server_start(&s, 20000);
        _cleanup_free_ char *url = url_of(&s, "/");
        LoadgenConfig cfg = {
                .url = url, .slots = 2, .schedule = { .model = LOADGEN_OPEN, .value = 200 },
        };
        LoadgenResults total;
        run_and_stop(&s, &cfg, 0, 0.5, &total);
        /* Every intended time in [0, 0.5 s) was either sent or counted as never sent. */
        assert_int_equal(total.c.sent + total.c.not_sent, 100);
        assert_true(total.c.not_sent > 0);
        assert_true(total.c.late > 0);
        assert_int_equal(total.c.cut, 0);
        assert_int_equal(total.c.ok, total.c.sent);
        const Histogram *late = total.h[LOADGEN_H_LATENESS], *lat = total.h[LOADGEN_H_LATENCY];
        const Histogram *svc = total.h[LOADGEN_H_SERVICE];
        assert_int_equal(histogram_count(late), total.c.sent);
        assert_true(histogram_max(late) >= 20000);
        assert_true(histogram_percentile(lat, 50) >= 20000);
        /* From the intended time: the wait to be sent plus the service (each truncated to a us). */
        double sum = histogram_mean(late) + histogram_mean(svc);
        assert_true(fabs(histogram_mean(lat) - sum) <= 1.5);
        assert_true(histogram_mean(lat) > histogram_mean(svc) + 1000);
        loadgen_results_done(&total);
}

/* Closed users that change: 1 user for 0.3 s, then 4, 10 ms per response (by the server's clock). */
static void test_closed_steps(void **state) {
        Server s;
        server_start(&s, 10000);
        _cleanup_free_ char *url = url_of(&s, "/");
        static const LoadgenStep users[] = { { 0.3, 1 }, { 0.3, 4 } };
        LoadgenConfig cfg = {
                .url = url, .schedule = { .model = LOADGEN_CLOSED, .shape = LOADGEN_STEPS, .steps = users, .n_steps = 2 },
        };
        LoadgenResults total;
        run_and_stop(&s, &cfg, 4, 0.6, &total);         /* slots: the schedule's peak */
        assert_true(s.before <= 31);            /* one request at a time, 10 ms each */
        assert_true((double) s.after >= 2.5 * (double) s.before);
        assert_int_equal(s.served, total.c.done);
        loadgen_results_done(&total);
}

/* Closed users with think time, results kept per request table entry: 3 users, 0.1 s of thought
 * after each answer, 0.55 s: about 6 requests each (without thought: thousands); the entries add up
 * to the totals and hold a latency per answer. */
static void test_think_and_entries(void **state) {
        Server s;
        server_start(&s, 0);
        _cleanup_free_ char *url = url_of(&s, "/");
        const LoadgenRequest reqs[] = { { .path = "/a", .weight = 1 }, { .path = "/b", .weight = 1 } };
        LoadgenConfig cfg = {
                .url = url, .schedule = { .model = LOADGEN_CLOSED, .value = 3 }, .requests = reqs, .n_requests = 2,
                .think_s = 0.1, .per_request = true,
        };
        Loadgen *lg = engine(&cfg);
        LoadgenResults total;
        assert_int_equal(loadgen_results_init_entries(&total, 2), 0);
        LoadgenRunInfo info;
        assert_int_equal(loadgen_run(lg, 0.55, &total, &info), 0);
        loadgen_free(lg);
        server_stop(&s);
        if (!(total.c.done >= 12 && total.c.done <= 21))
                print_message("%lu requests with think time\n", (unsigned long) total.c.done);
        assert_true(total.c.done >= 12 && total.c.done <= 21);
        assert_int_equal(s.served, total.c.done);
        uint64_t sent = 0, done = 0, ok = 0;
        for (size_t i = 0; i < 2; i++) {
                const LoadgenEntryResults *e = &total.entries[i];
                assert_int_equal(e->sent, total.c.by_request[i]);
                assert_int_equal(histogram_count(e->latency), e->ok);
                assert_int_equal(histogram_count(e->lateness), e->sent);
                assert_int_equal(e->status[200], e->ok);
                sent += e->sent;
                done += e->done;
                ok += e->ok;
        }
        assert_int_equal(s.served_a, total.entries[0].done);
        assert_int_equal(sent, total.c.sent);
        assert_int_equal(done, total.c.done);
        assert_int_equal(ok, total.c.ok);
        loadgen_results_done(&total);
}

/* Two agents of one closed schedule of 5 users (--segment 0/2 and 1/2) make 3 and 2 users; a run
 * told to start at a wall time waits for it. */
static void test_segments_start_at(void **state) {
        Server s;
        server_start(&s, 0);
        _cleanup_free_ char *url = url_of(&s, "/");
        unsigned want[] = { 3, 2 };
        for (unsigned i = 0; i < 2; i++) {
                LoadgenConfig cfg = {
                        .url = url, .schedule = { .model = LOADGEN_CLOSED, .value = 5 }, .segment_index = i,
                        .segment_count = 2,
                };
                Loadgen *lg = engine(&cfg);
                assert_int_equal(loadgen_slots(lg), want[i]);
                loadgen_free(lg);
        }
        LoadgenConfig bad = { .url = url, .schedule = { .model = LOADGEN_CLOSED, .value = 5 }, .segment_index = 2,
                              .segment_count = 2 };
        Loadgen *lg = NULL;
        _cleanup_(error_done) Error e = ERROR_NULL;
        assert_int_equal(loadgen_new(&bad, &lg, &e), -EINVAL);
        LoadgenConfig cfg = { .url = url, .schedule = { .model = LOADGEN_CLOSED, .value = 1 } };
        lg = engine(&cfg);
        LoadgenResults total;
        results_init(&total);
        LoadgenRunInfo info;
        uint64_t t0 = loadgen_now_ns();
        loadgen_start_at(lg, time_now_realtime_usec() + 300000);
        assert_int_equal(loadgen_run(lg, 0.1, &total, &info), 0);
        assert_true(loadgen_now_ns() - t0 >= UINT64_C(390000000));
        assert_true(info.start_skew_s < 0.05);
        assert_true(total.c.done > 0);
        loadgen_free(lg);
        server_stop(&s);
        loadgen_results_done(&total);
}

/* An open ramp from 100 to 500 requests/s over 0.6 s: L(0.3 s) = 60, L(0.6 s) = 180. */
static void test_open_ramp(void **state) {
        Server s;
        server_start(&s, 0);
        _cleanup_free_ char *url = url_of(&s, "/");
        LoadgenConfig cfg = {
                .url = url, .slots = 20,
                .schedule = { .model = LOADGEN_OPEN, .shape = LOADGEN_RAMP, .from = 100, .to = 500, .ramp_s = 0.6 },
        };
        LoadgenResults total;
        run_and_stop(&s, &cfg, 0, 0.6, &total);
        /* Requests k = 0, 1, ... are due at L(t) = k: 180 in [0, 0.6 s), one more by rounding at most. */
        assert_true(total.c.sent + total.c.not_sent >= 180 && total.c.sent + total.c.not_sent <= 181);
        assert_int_equal(s.served, total.c.done);
        assert_true(s.before >= 45 && s.before <= 75);
        assert_true((double) s.after >= 1.5 * (double) s.before);
        loadgen_results_done(&total);
}

static void expect_refused(const LoadgenConfig *cfg, int want, const char *reason) {
        Loadgen *lg = NULL;
        _cleanup_(error_done) Error error = ERROR_NULL;
        assert_int_equal(loadgen_new(cfg, &lg, &error), want);
        assert_null(lg);
        assert_non_null(error.message);
        assert_non_null(strstr(error.message, reason));
}

static void test_refused(void **state) {
        const LoadgenSchedule closed = { .model = LOADGEN_CLOSED, .value = 1 };
        expect_refused(&(LoadgenConfig) { .url = "not a url", .schedule = closed }, -EINVAL, "is not a URL");
        expect_refused(&(LoadgenConfig) { .url = "", .schedule = closed }, -EINVAL, "no URL");
        expect_refused(&(LoadgenConfig) { .url = "http://127.0.0.1:1/", .schedule = { .model = LOADGEN_OPEN } },
                       -EINVAL, "schedule");
        LoadgenRequest many[LOADGEN_REQUESTS_MAX + 1] = { 0 };
        expect_refused(&(LoadgenConfig) { .url = "http://127.0.0.1:1/", .schedule = closed, .requests = many,
                                          .n_requests = ELEMENTSOF(many) }, -E2BIG, "at most 64");
        const LoadgenRequest spaced[] = { { .path = "/a" }, { .path = "/a b" } };
        expect_refused(&(LoadgenConfig) { .url = "http://127.0.0.1:1/", .schedule = closed, .requests = spaced,
                                          .n_requests = 2 }, -EINVAL, "request for '/a b'");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_interval_harvest),
                cmocka_unit_test(test_request_table),
                cmocka_unit_test(test_lateness),
                cmocka_unit_test(test_closed_steps),
                cmocka_unit_test(test_think_and_entries),
                cmocka_unit_test(test_segments_start_at),
                cmocka_unit_test(test_open_ramp),
                cmocka_unit_test(test_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

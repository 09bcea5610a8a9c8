/* SPDX-License-Identifier: MIT */
/* Every probe on a tiny budget (2 rounds of 0.1-0.2 s) returns sane samples; the JSON entry has the
 * documented shape; the disk probe refuses when space is short and leaves no file behind; the http
 * probe against an in-process loopback server counts statuses and connect errors. */
#include <dirent.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "macro.h"
#include "probe-http.h"
#include "probe.h"
#include "verify.h"
#include "stats.h"
#include "support.h"

static double value(const ProbeResult *r, unsigned round, const char *metric) {
        const ProbeBackend *b = r->backend;
        for (size_t m = 0; m < b->n_metrics; m++)
                if (strcmp(b->metrics[m].name, metric) == 0)
                        return r->values[(size_t) round * b->n_metrics + m];
        fail_msg("no metric %s in %s", metric, b->name);
        return NAN;
}

static ProbeResult *run(const char *name, ProbeConfig *cfg) {
        const ProbeBackend *b = probe_find(name);
        assert_non_null(b);
        ProbeResult *r = NULL;
        int k = probe_run(b, cfg, &r);
        if (k < 0)
                fail_msg("probe %s: %s", name, r && r->error ? r->error : strerror(-k));
        assert_int_equal(r->rounds, cfg->rounds);
        for (unsigned i = 0; i < r->rounds; i++) {
                assert_true(r->info[i].wall_s >= cfg->duration_s * 0.9);
                assert_true(r->info[i].wall_s < cfg->duration_s * 20 + 1);
                assert_true(r->info[i].own_cpu_s >= 0);
                assert_true(r->info[i].foreign_cpu_s >= 0);
        }
        /* The document entry: every metric with one sample per round and a median. */
        json_t *j = probe_result_json(r, cfg);
        assert_non_null(j);
        assert_string_equal(json_string_value(json_object_get(j, "name")), name);
        json_t *metrics = json_object_get(j, "metrics");
        assert_int_equal(json_object_size(metrics), b->n_metrics);
        const char *key;
        json_t *m;
        json_object_foreach(metrics, key, m) {
                assert_int_equal(json_array_size(json_object_get(m, "samples")), cfg->rounds);
                assert_non_null(json_object_get(m, "median"));
        }
        assert_int_equal(json_array_size(json_object_get(j, "round_info")), cfg->rounds);
        json_decref(j);
        return r;
}

static void test_table(void **state) {
        const char *names[] = { "cpu", "memory", "disk", "net", "sched", "http" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                const ProbeBackend *b = probe_find(names[i]);
                assert_non_null(b);
                assert_true(b->primary < b->n_metrics);
        }
        assert_null(probe_find("gpu"));
}

static void test_cpu(void **state) {
        ProbeConfig cfg = { .duration_s = 0.15, .rounds = 2 };
        ProbeResult *r = run("cpu", &cfg);
        for (unsigned i = 0; i < 2; i++) {
                assert_true(value(r, i, "int_ops_per_s_1thread") > 1e6);
                assert_true(value(r, i, "fp_ops_per_s_1thread") > 1e6);
                assert_true(value(r, i, "int_ops_per_s_all") > 1e6);
        }
        probe_result_free(r);
}

static void test_memory(void **state) {
        /* A small working set keeps the test quick (the default 64 MiB is for real runs). */
        ProbeConfig cfg = { .duration_s = 0.2, .rounds = 2, .memory_bytes = 4u << 20 };
        ProbeResult *r = run("memory", &cfg);
        for (unsigned i = 0; i < 2; i++) {
                assert_true(value(r, i, "copy_bytes_per_s") > 1e8);
                double ns = value(r, i, "chase_latency_ns");
                assert_true(ns > 0.5 && ns < 100000);
        }
        probe_result_free(r);
}

static size_t count_entries(const char *dir) {
        _cleanup_closedir_ DIR *d = opendir(dir);
        assert_non_null(d);
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d)))
                n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
        return n;
}

static void test_disk(void **state) {
        char *dir = test_tmpdir();
        ProbeConfig cfg = { .duration_s = 0.15, .rounds = 2, .dir = dir, .disk_bytes = 4u << 20 };
        ProbeResult *r = run("disk", &cfg);
        for (unsigned i = 0; i < 2; i++) {
                assert_true(value(r, i, "randread_iops") > 0);
                assert_true(value(r, i, "randwrite_iops") > 0);
                assert_true(value(r, i, "randread_p50_us") > 0);
                assert_true(value(r, i, "randread_p99_us") >= value(r, i, "randread_p50_us"));
                assert_true(value(r, i, "seqwrite_bytes_per_s") > 0);
                assert_true(value(r, i, "seqread_bytes_per_s") > 0);
                assert_true(value(r, i, "fsync_p50_us") > 0);
        }
        probe_result_free(r);
        assert_int_equal(count_entries(dir), 0);        /* nothing left behind */

        /* A file larger than the free space: refused before anything is written, with a reason. */
        cfg.disk_bytes = UINT64_C(1) << 60;
        assert_int_equal(probe_run(probe_find("disk"), &cfg, &r), -ENOSPC);
        assert_non_null(r->error);
        assert_non_null(strstr(r->error, "--dir"));
        assert_int_equal(r->rounds, 0);
        probe_result_free(r);
        assert_int_equal(count_entries(dir), 0);
        test_rm_rf(dir);
        free(dir);
}

static void test_net(void **state) {
        ProbeConfig cfg = { .duration_s = 0.2, .rounds = 2 };
        ProbeResult *r = run("net", &cfg);
        for (unsigned i = 0; i < 2; i++) {
                assert_true(value(r, i, "rr_transactions_per_s") > 100);
                assert_true(value(r, i, "rr_p50_us") > 0);
                assert_true(value(r, i, "rr_p99_us") >= value(r, i, "rr_p50_us"));
                assert_true(value(r, i, "connects_per_s") > 10);
        }
        probe_result_free(r);
}

static void test_sched(void **state) {
        ProbeConfig cfg = { .duration_s = 0.15, .rounds = 2 };
        ProbeResult *r = run("sched", &cfg);
        for (unsigned i = 0; i < 2; i++) {
                double p50 = value(r, i, "wakeup_p50_us"), p99 = value(r, i, "wakeup_p99_us");
                assert_true(p50 >= 0 && p50 < 1e6);
                assert_true(p99 >= p50);
                assert_true(value(r, i, "wakeup_max_us") >= p99);
        }
        probe_result_free(r);
}

/* A minimal HTTP/1.1 keep-alive server: one thread per connection, every 4th response is a 503. */
typedef struct Server {
        int lfd;
        unsigned port;
        pthread_t tid;
        unsigned requests;
        pthread_mutex_t lock;
        volatile unsigned delay_us;     /* added to every response (a switchable "setting") */
        volatile bool no_errors;        /* answer 200 only */
} Server;

typedef struct Conn {
        Server *srv;
        int fd;
} Conn;

static void *serve_conn(void *arg) {
        Conn *c = arg;
        char buf[4096];
        size_t have = 0;
        for (;;) {
                ssize_t n = read(c->fd, buf + have, sizeof(buf) - have - 1);
                if (n <= 0)
                        break;
                have += (size_t) n;
                buf[have] = '\0';
                char *end;
                while ((end = strstr(buf, "\r\n\r\n"))) {
                        pthread_mutex_lock(&c->srv->lock);
                        unsigned k = ++c->srv->requests;
                        pthread_mutex_unlock(&c->srv->lock);
                        if (c->srv->delay_us)
                                usleep(c->srv->delay_us);
                        const char *resp = k % 4 == 0 && !c->srv->no_errors ? "HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy"
                                                      : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                        if (write(c->fd, resp, strlen(resp)) < 0)
                                goto out;
                        size_t used = (size_t) (end + 4 - buf);
                        memmove(buf, end + 4, have - used + 1);
                        have -= used;
                }
        }
out:
        close(c->fd);
        free(c);
        return NULL;
}

static void *serve(void *arg) {
        Server *s = arg;
        for (;;) {
                int fd = accept(s->lfd, NULL, NULL);
                if (fd < 0)
                        return NULL;
                Conn *c = malloc(sizeof(Conn));
                assert_non_null(c);
                *c = (Conn) { s, fd };
                pthread_t t;
                assert_int_equal(pthread_create(&t, NULL, serve_conn, c), 0);
                pthread_detach(t);
        }
}

static unsigned listen_port(int *ret_fd) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(a);
        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (struct sockaddr *) &a, sizeof(a)), 0);
        assert_int_equal(getsockname(fd, (struct sockaddr *) &a, &len), 0);
        *ret_fd = fd;
        return ntohs(a.sin_port);
}

static void test_http(void **state) {
        Server s = { .lock = PTHREAD_MUTEX_INITIALIZER };
        s.port = listen_port(&s.lfd);
        assert_int_equal(listen(s.lfd, 64), 0);
        assert_int_equal(pthread_create(&s.tid, NULL, serve, &s), 0);

        char url[64];
        snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", s.port);
        char *headers[] = { "Authorization: Bearer test", NULL };
        HttpOptions http = { .url = url, .users = 2, .headers = headers };
        ProbeConfig cfg = { .duration_s = 0.2, .rounds = 2, .options = &http };
        ProbeResult *r = run("http", &cfg);
        for (unsigned i = 0; i < 2; i++) {
                assert_true(value(r, i, "completed_rps") > 10);
                assert_true(value(r, i, "attempted_rps") >= value(r, i, "completed_rps") * 0.9);
                double ok = value(r, i, "success_rate");
                assert_true(ok > 0.70 && ok < 0.80);            /* every 4th is a 503 */
                assert_true(value(r, i, "latency_p50_ms") > 0);
                assert_true(value(r, i, "latency_p99_ms") >= value(r, i, "latency_p50_ms"));
                json_t *st = json_object_get(r->details[i], "status");
                assert_true(json_integer_value(json_object_get(st, "503")) > 0);
                assert_true(json_integer_value(json_object_get(st, "200")) > 0);
                assert_true(r->info[i].foreign_cpu_s >= 0);
        }
        /* Every round merged equals the sum of the rounds. */
        assert_non_null(r->summary);
        json_int_t sum = 0;
        for (unsigned i = 0; i < 2; i++)
                sum += json_integer_value(json_object_get(r->details[i], "completed"));
        assert_int_equal(json_integer_value(json_object_get(r->summary, "completed")), sum);
        json_t *all = json_object_get(json_object_get(r->summary, "histograms"), "latency_ms");
        assert_int_equal(json_integer_value(json_object_get(all, "count")), sum);
        probe_result_free(r);

        /* Two threads: their counters and histograms merge into one round. */
        http.users = 4;
        http.threads = 2;
        r = run("http", &cfg);
        for (unsigned i = 0; i < 2; i++) {
                json_t *d = r->details[i];
                assert_int_equal(json_integer_value(json_object_get(d, "threads")), 2);
                json_int_t done = json_integer_value(json_object_get(d, "completed"));
                json_t *lat = json_object_get(json_object_get(d, "histograms"), "latency_ms");
                assert_int_equal(json_integer_value(json_object_get(lat, "count")), done);
                double ok = value(r, i, "success_rate");
                assert_true(ok > 0.70 && ok < 0.80);
        }
        probe_result_free(r);
        http.users = 2;
        http.threads = 0;

        /* Open model at 200/s: about 40 requests a round, latency from the intended time. */
        http.rate = 200;
        http.model = HTTP_MODEL_OPEN;
        http.arrival = HTTP_ARRIVAL_POISSON;
        http.seed = 5;
        r = run("http", &cfg);
        for (unsigned i = 0; i < 2; i++) {
                double sent = value(r, i, "attempted_rps");
                assert_true(sent > 100 && sent < 400);
                assert_true(value(r, i, "latency_p50_ms") >= value(r, i, "service_p50_ms"));
        }
        probe_result_free(r);
        shutdown(s.lfd, SHUT_RDWR);
        pthread_join(s.tid, NULL);
        close(s.lfd);

        /* Nothing listens: every request is a connect error, none a success. */
        int fd;
        unsigned port = listen_port(&fd);
        close(fd);
        snprintf(url, sizeof(url), "http://127.0.0.1:%u/", port);
        http = (HttpOptions) { .url = url, .users = 1 };
        cfg = (ProbeConfig) { .duration_s = 0.1, .rounds = 1, .options = &http };
        r = run("http", &cfg);
        assert_true(value(r, 0, "success_rate") == 0);
        json_t *errors = json_object_get(r->details[0], "errors");
        assert_true(json_integer_value(json_object_get(errors, "connect")) > 0);
        probe_result_free(r);

        /* No URL and a bad URL are refused with a reason. */
        http.url = "not a url";
        assert_true(probe_run(probe_find("http"), &cfg, &r) < 0);
        assert_non_null(r->error);
        probe_result_free(r);
}

/* A synthetic probe whose throughput is base x factor (the "setting") with 0.5 % noise. */
static double fake_factor = 1;
static unsigned fake_switches;
static StatsRng fake_rng;

static const ProbeMetricDef fake_metrics[] = { { "throughput", "op/s", true }, { "latency", "ms", false } };

static int fake_round(void *state, const ProbeConfig *cfg, ProbeRoundOut *out) {
        double noise = 1 + 0.005 * (2 * stats_rng_uniform(&fake_rng) - 1);
        out->values[0] = 1000 * fake_factor * noise;
        out->values[1] = 2 / fake_factor * noise;
        return 0;
}

static const ProbeBackend fake_probe = {
        .name = "fake", .summary = "synthetic", .metrics = fake_metrics, .n_metrics = 2, .round = fake_round,
};

typedef struct Change {
        double on;              /* factor with the change applied */
        int fail;
} Change;

static int fake_switch(bool candidate, void *userdata) {
        Change *c = userdata;
        fake_switches++;
        if (c->fail)
                return c->fail;
        fake_factor = candidate ? c->on : 1;
        return 0;
}

static Verdict fake_verify(double on, bool sequential, VerifyResult **ret) {
        const ProbeBackend *probes[] = { &fake_probe };
        VerifyOptions o = { .probes = probes, .n_probes = 1, .cfg = { .duration_s = 0.01, .rounds = 6 },
                            .sequential = sequential, .seed = 1 };
        Change c = { .on = on };
        fake_switches = 0;
        stats_rng_seed(&fake_rng, 77);
        assert_int_equal(probe_verify(&o, fake_switch, &c, ret), 0);
        assert_int_equal((*ret)->rounds_a, 6);
        assert_int_equal((*ret)->rounds_b, 6);
        assert_true((*ret)->ended_candidate);
        assert_true(fake_factor == on);                 /* left in the candidate state */
        assert_int_equal((*ret)->n_metrics, 2);
        assert_true((*ret)->metrics[0].primary);
        return (*ret)->metrics[0].cmp.verdict;
}

static void test_verify_synthetic(void **state) {
        VerifyResult *r = NULL;
        assert_int_equal(fake_verify(1.2, false, &r), VERDICT_IMPROVED);
        assert_int_equal(r->metrics[1].cmp.verdict, VERDICT_IMPROVED);          /* lower latency */
        assert_false(r->primary_regressed);
        assert_true(fake_switches >= 6);                /* alternating: at least one switch a pair */
        json_t *j = verify_result_json(r);
        assert_string_equal(json_string_value(json_object_get(j, "schema")), "skytune.verify/1");
        json_t *m0 = json_array_get(json_object_get(j, "metrics"), 0);
        assert_string_equal(json_string_value(json_object_get(m0, "verdict")), "improved");
        assert_true(fabs(json_real_value(json_object_get(m0, "ratio")) - 1.2) < 0.01);
        json_decref(j);
        verify_result_free(r);

        assert_int_equal(fake_verify(0.8, false, &r), VERDICT_REGRESSED);
        assert_int_equal(r->metrics[1].cmp.verdict, VERDICT_REGRESSED);
        assert_true(r->primary_regressed);
        verify_result_free(r);

        assert_int_equal(fake_verify(1.0, false, &r), VERDICT_UNCHANGED);
        verify_result_free(r);

        /* Sequential: all baseline, then all candidate: exactly two switches. */
        assert_int_equal(fake_verify(1.2, true, &r), VERDICT_IMPROVED);
        assert_int_equal(fake_switches, 2);
        verify_result_free(r);

        /* A failing switch stops the run with the reason. */
        const ProbeBackend *probes[] = { &fake_probe };
        VerifyOptions o = { .probes = probes, .n_probes = 1, .cfg = { .duration_s = 0.01, .rounds = 3 } };
        Change bad = { .fail = -EPERM };
        assert_int_equal(probe_verify(&o, fake_switch, &bad, &r), -EPERM);
        assert_non_null(strstr(r->error, "switching"));
        verify_result_free(r);

        /* A probe that cannot be set up (bad URL) stops the run before any switch, with its name. */
        const ProbeBackend *two[] = { probe_find("http"), &fake_probe };
        o = (VerifyOptions) { .probes = two, .n_probes = 2,
                              .cfg = { .duration_s = 0.01, .rounds = 3 },
                              .options = (const void *const[]) { &(HttpOptions) { .url = "not a url" }, NULL } };
        Change ok = { .on = 1.2 };
        fake_switches = 0;
        assert_true(probe_verify(&o, fake_switch, &ok, &r) < 0);
        assert_non_null(strstr(r->error, "http"));
        assert_int_equal(fake_switches, 0);
        verify_result_free(r);
}

/* A real loopback setting: the server's response delay, switched between rounds. */
static int delay_switch(bool candidate, void *userdata) {
        Server *s = userdata;
        s->delay_us = candidate ? 3000 : 0;
        return 0;
}

static int undelay_switch(bool candidate, void *userdata) {
        Server *s = userdata;
        s->delay_us = candidate ? 0 : 3000;
        return 0;
}

static void test_verify_loopback(void **state) {
        Server s = { .lock = PTHREAD_MUTEX_INITIALIZER, .no_errors = true };
        s.port = listen_port(&s.lfd);
        assert_int_equal(listen(s.lfd, 64), 0);
        assert_int_equal(pthread_create(&s.tid, NULL, serve, &s), 0);
        char url[64];
        snprintf(url, sizeof(url), "http://127.0.0.1:%u/", s.port);
        const ProbeBackend *probes[] = { probe_find("http") };
        VerifyOptions o = { .probes = probes, .n_probes = 1, .seed = 3,
                            .cfg = { .duration_s = 0.06, .rounds = 7 },
                            .options = (const void *const[]) { &(HttpOptions) { .url = url, .users = 2 } } };
        VerifyResult *r = NULL;

        /* Harmful: +3 ms per response. Throughput (primary) and latency regress. 7 rounds a side:
         * the latency metric is one of 11 secondary ones, and after the Holm adjustment 5 rounds
         * (smallest exact p 0.0079, times 11) could never be significant. */
        assert_int_equal(probe_verify(&o, delay_switch, &s, &r), 0);
        for (size_t i = 0; i < r->n_metrics; i++) {
                const char *name = r->metrics[i].probe->metrics[r->metrics[i].metric].name;
                if (strcmp(name, "successful_rps") == 0 || strcmp(name, "latency_p50_ms") == 0)
                        assert_int_equal(r->metrics[i].cmp.verdict, VERDICT_REGRESSED);
        }
        assert_true(r->primary_regressed);
        verify_result_free(r);

        /* Helpful: the delay removed. */
        assert_int_equal(probe_verify(&o, undelay_switch, &s, &r), 0);
        for (size_t i = 0; i < r->n_metrics; i++) {
                const char *name = r->metrics[i].probe->metrics[r->metrics[i].metric].name;
                if (strcmp(name, "successful_rps") == 0 || strcmp(name, "latency_p50_ms") == 0)
                        assert_int_equal(r->metrics[i].cmp.verdict, VERDICT_IMPROVED);
        }
        assert_false(r->primary_regressed);
        verify_result_free(r);

        shutdown(s.lfd, SHUT_RDWR);
        pthread_join(s.tid, NULL);
        close(s.lfd);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),
                cmocka_unit_test(test_cpu),
                cmocka_unit_test(test_memory),
                cmocka_unit_test(test_disk),
                cmocka_unit_test(test_net),
                cmocka_unit_test(test_sched),
                cmocka_unit_test(test_http),
                cmocka_unit_test(test_verify_synthetic),
                cmocka_unit_test(test_verify_loopback),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

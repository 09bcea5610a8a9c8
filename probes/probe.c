/* SPDX-License-Identifier: MIT */
/* The probe framework: rounds, self-accounting (own and foreign CPU), result documents. */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "histogram.h"
#include "macro.h"
#include "proc-stat.h"
#include "stats.h"
#include "sysroot.h"

const ProbeBackend *probe_find(const char *name) {
        for (size_t i = 0; i < probe_table_size; i++)
                if (strcmp(probe_table[i]->name, name) == 0)
                        return probe_table[i];
        return NULL;
}

const ProbeBackend *probe_find_by_target(const char *name, size_t *i) {
        for (; *i < probe_table_size; (*i)++) {
                const ProbeBackend *b = probe_table[*i];
                if (b->target_option && strcmp(b->target_option, name) == 0) {
                        (*i)++;
                        return b;
                }
        }
        return NULL;
}

const ProbeOption *probe_option_find(const ProbeBackend *b, const char *name) {
        for (size_t i = 0; i < b->n_options; i++)
                if (strcmp(b->options[i].name, name) == 0)
                        return &b->options[i];
        return NULL;
}

uint64_t probe_now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

bool probe_stopped(const ProbeConfig *cfg) {
        return cfg->stop && *cfg->stop;
}

unsigned probe_ncpu(void) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        return n > 0 ? (unsigned) n : 1;
}

double probe_thread_cpu_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int probe_default_dir(char **ret) {
        _cleanup_free_ char *dir = NULL;
        const char *xdg = getenv("XDG_STATE_HOME");
        if (geteuid() == 0)
                dir = strdup("/var/lib/skytune");
        else if (!isempty(xdg) && xdg[0] == '/') {
                if (asprintf(&dir, "%s/skytune", xdg) < 0)
                        dir = NULL;
        } else {
                const char *home = getenv("HOME");
                if (isempty(home)) {
                        struct passwd *pw = getpwuid(geteuid());
                        home = pw ? pw->pw_dir : "/tmp";
                }
                if (asprintf(&dir, "%s/.local/state/skytune", home) < 0)
                        dir = NULL;
        }
        if (!dir)
                return -ENOMEM;
        /* The nearest existing ancestor: the same file system the state directory will be on. */
        for (;;) {
                struct stat st;
                if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
                        break;
                char *slash = strrchr(dir, '/');
                if (!slash || slash == dir) {
                        strcpy(dir, "/");
                        break;
                }
                *slash = '\0';
        }
        *ret = TAKE_PTR(dir);
        return 0;
}

static double own_cpu_s(void) {
        struct rusage ru;
        if (getrusage(RUSAGE_SELF, &ru) < 0)
                return NAN;
        return (double) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                (double) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

ProbeResult *probe_result_free(ProbeResult *r) {
        if (!r)
                return NULL;
        if (r->details)
                for (unsigned i = 0; i < r->rounds; i++)
                        json_decref(r->details[i]);
        free(r->details);
        json_decref(r->summary);
        free(r->values);
        free(r->info);
        free(r->error);
        free(r);
        return NULL;
}

struct ProbeSession {
        const ProbeBackend *b;
        ProbeConfig cfg;
        ProbeResult *res;
        unsigned capacity;
        void *state;
        bool torn_down;
        Sysroot *own_root; /* the host's /, when the caller gave no sysroot */
        KeptFile stat;     /* <sysroot>/proc/stat */
};

/* Busy CPU seconds of the whole host since boot: user+nice+system+steal, from <sysroot>/proc/stat.
 * Interrupt and softirq time is left out: loopback networking runs in softirq on behalf of the probe
 * itself, and the kernel does not charge it to the probe's rusage. Only the first line, the "cpu"
 * total, is parsed (a large host's file is long). NAN when it cannot be read. */
static double host_busy_s(ProbeSession *s) {
        const char *text;
        size_t len;
        if (!kept_file_is_open(&s->stat) || kept_file_read(&s->stat, &text, &len) < 0 || strncmp(text, "cpu ", 4) != 0)
                return NAN;
        uint64_t t[CPU_TICK_FIELDS_SUMMED] = {};
        const char *p = text + 4;
        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                char *end;
                unsigned long long v = strtoull(p, &end, 10);
                if (end == p || *p == '\n')
                        break; /* older kernels have fewer columns */
                t[i] = v;
                p = end;
        }
        uint64_t busy = t[CPU_USER] + t[CPU_NICE] + t[CPU_SYSTEM] + t[CPU_STEAL];
        long hz = sysconf(_SC_CLK_TCK);
        return (double) busy / (double) (hz > 0 ? hz : 100);
}

static int result_reserve(ProbeSession *s, unsigned rounds) {
        if (rounds <= s->capacity)
                return 0;
        ProbeResult *res = s->res;
        size_t nm = s->b->n_metrics ? s->b->n_metrics : 1;
        double *v = realloc(res->values, (size_t) rounds * nm * sizeof(double));
        if (!v)
                return -ENOMEM;
        res->values = v;
        ProbeRoundInfo *info = realloc(res->info, rounds * sizeof(ProbeRoundInfo));
        if (!info)
                return -ENOMEM;
        res->info = info;
        json_t **d = realloc(res->details, rounds * sizeof(json_t *));
        if (!d)
                return -ENOMEM;
        res->details = d;
        s->capacity = rounds;
        return 0;
}

static void session_teardown(ProbeSession *s) {
        if (!s->torn_down && s->b->overall && s->res->rounds > 0 && !s->res->summary)
                s->res->summary = s->b->overall(s->state);
        if (!s->torn_down && s->b->teardown)
                s->b->teardown(s->state); /* backends also undo a partial setup */
        s->torn_down = true;
}

int probe_session_open(const ProbeBackend *b, const ProbeConfig *cfg, ProbeSession **ret) {
        _cleanup_(probe_session_closep) ProbeSession *s = calloc(1, sizeof(ProbeSession));
        if (!s)
                return -ENOMEM;
        s->b = b;
        s->cfg = *cfg;
        s->stat = KEPT_FILE_INIT;
        s->torn_down = true; /* nothing to tear down until setup runs */
        s->res = calloc(1, sizeof(ProbeResult));
        s->state = calloc(1, b->state_size ? b->state_size : 1);
        if (!s->res || !s->state)
                return -ENOMEM;
        s->res->backend = b;
        s->res->ncpu = probe_ncpu();
        const Sysroot *root = cfg->sysroot;
        if (!root && sysroot_open("/", &s->own_root) >= 0)
                root = s->own_root;
        /* Without /proc/stat the rounds still run; only their foreign CPU is unknown (NAN). */
        if (root)
                (void) kept_file_open(&s->stat, root, "proc/stat");
        int r = result_reserve(s, cfg->rounds ? cfg->rounds : 1);
        if (r < 0)
                return r;
        s->torn_down = false;
        Error e = ERROR_NULL;
        r = b->setup ? b->setup(s->state, cfg, &e) : 0;
        if (r < 0) {
                if (asprintf(&s->res->error, "%s", e.message ? e.message : strerror(-r)) < 0)
                        s->res->error = NULL;
                session_teardown(s);
        }
        error_done(&e);
        *ret = TAKE_PTR(s);
        return r;
}

int probe_session_round(ProbeSession *s) {
        const ProbeBackend *b = s->b;
        ProbeResult *res = s->res;
        if (s->torn_down)
                return -ESHUTDOWN;
        if (probe_stopped(&s->cfg)) {
                res->interrupted = true;
                return -ECANCELED;
        }
        int r = result_reserve(s, MAX(res->rounds + 1, s->capacity * 2));
        if (r < 0)
                return r;
        unsigned i = res->rounds;
        double *vals = res->values + (size_t) i * b->n_metrics;
        for (size_t m = 0; m < b->n_metrics; m++)
                vals[m] = NAN;
        ProbeRoundOut out = { .values = vals };
        double busy0 = host_busy_s(s), own0 = own_cpu_s();
        uint64_t t0 = probe_now_ns();
        r = b->round(s->state, &s->cfg, &out);
        uint64_t t1 = probe_now_ns();
        double busy1 = host_busy_s(s), own1 = own_cpu_s();
        if (r < 0 && probe_stopped(&s->cfg)) {
                json_decref(out.detail); /* the backend saw the stop itself: not a failure */
                free(out.error);
                res->interrupted = true;
                return -ECANCELED;
        }
        if (r < 0 && probe_failure_is_measurement(r)) {
                /* The host refused the work (a full queue, a limit): a measurement, not a stop. */
                json_decref(out.detail);
                out.detail = json_pack("{s:s}", "error", out.error ? out.error : strerror(-r));
                for (size_t m = 0; m < b->n_metrics; m++)
                        vals[m] = NAN;
        } else if (r < 0) {
                json_decref(out.detail);
                if (!res->error &&
                    asprintf(&res->error, "round %u: %s", i + 1, out.error ? out.error : strerror(-r)) < 0)
                        res->error = NULL;
                free(out.error);
                return r;
        }
        free(out.error);
        if (probe_stopped(&s->cfg)) {
                json_decref(out.detail); /* cut short: not a sample of the same length */
                res->interrupted = true;
                return -ECANCELED;
        }
        ProbeRoundInfo *info = &res->info[i];
        *info = (ProbeRoundInfo) {
                .wall_s = (double) (t1 - t0) / 1e9,
                .own_cpu_s = own1 - own0,
                .host_busy_s = busy1 - busy0,
                .lateness_s = out.lateness_s,
                .client_bound = out.client_bound,
                .ops = out.ops,
                .failed_ops = out.failed_ops,
                .failed = MIN(r, 0),
        };
        info->foreign_cpu_s = MAX(0.0, info->host_busy_s - info->own_cpu_s);
        double machine = info->wall_s * res->ncpu;
        info->foreign_share = out.foreign_expected || !(machine > 0) ? 0 : MIN(1.0, info->foreign_cpu_s / machine);
        /* Others on the host used more than a tenth of the machine (plus two clock ticks of /proc/stat
         * granularity per CPU): the round measured a shared machine. When the workload's target runs
         * on this host (a local HTTP server) its CPU is foreign by design, and the round is judged by
         * client-boundness instead. */
        double allowance = 0.10 * info->wall_s * res->ncpu + 0.02 * res->ncpu;
        info->contaminated = !out.foreign_expected && info->foreign_cpu_s > allowance;
        res->details[i] = out.detail;
        res->rounds = i + 1;
        return 0;
}

const ProbeResult *probe_session_result(const ProbeSession *s) {
        return s->res;
}

ProbeResult *probe_session_close(ProbeSession *s, bool keep_result) {
        if (!s)
                return NULL;
        session_teardown(s);
        free(s->state);
        kept_file_close(&s->stat);
        sysroot_free(s->own_root);
        ProbeResult *res = s->res;
        free(s);
        if (keep_result)
                return res;
        probe_result_free(res);
        return NULL;
}

void probe_session_closep(ProbeSession **s) {
        probe_session_close(*s, false);
}

int probe_run(const ProbeBackend *b, const ProbeConfig *cfg, ProbeResult **ret) {
        ProbeSession *s = NULL;
        int r = probe_session_open(b, cfg, &s);
        if (!s)
                return r;
        unsigned rounds = cfg->rounds ? cfg->rounds : 1;
        for (unsigned i = 0; r >= 0 && i < rounds; i++)
                r = probe_session_round(s);
        ProbeResult *res = probe_session_close(s, true);
        *ret = res;
        return res->rounds > 0 ? 0 : (r < 0 ? r : -ECANCELED);
}

size_t probe_result_series(const ProbeResult *r, size_t m, bool clean, double *out) {
        size_t n = 0;
        for (unsigned i = 0; i < r->rounds; i++) {
                if (clean && (r->info[i].contaminated || r->info[i].client_bound))
                        continue;
                double v = r->values[(size_t) i * r->backend->n_metrics + m];
                if (!isnan(v))
                        out[n++] = v;
        }
        return n;
}

static json_t *json_num(double v) {
        return isfinite(v) ? json_real(v) : json_null();
}

json_t *probe_histogram_json(const Histogram *h, double scale) {
        static const struct {
                const char *name;
                double p;
        } pcts[] = { { "p50", 50 }, { "p90", 90 }, { "p95", 95 }, { "p99", 99 }, { "p99_9", 99.9 } };
        json_t *o = json_object();
        if (!o)
                return NULL;
        json_object_set_new(o, "count", json_integer((json_int_t) histogram_count(h)));
        if (histogram_count(h) == 0)
                return o;
        json_object_set_new(o, "min", json_real((double) histogram_min(h) * scale));
        json_object_set_new(o, "mean", json_num(histogram_mean(h) * scale));
        for (size_t i = 0; i < ELEMENTSOF(pcts); i++)
                json_object_set_new(o, pcts[i].name, json_real((double) histogram_percentile(h, pcts[i].p) * scale));
        json_object_set_new(o, "max", json_real((double) histogram_max(h) * scale));
        return o;
}

json_t *probe_result_json(const ProbeResult *r, const ProbeConfig *cfg) {
        const ProbeBackend *b = r->backend;
        json_t *o = json_object(), *metrics = json_object(), *rounds = json_array();
        if (!o || !metrics || !rounds) {
                json_decref(o);
                json_decref(metrics);
                json_decref(rounds);
                return NULL;
        }
        json_object_set_new(o, "name", json_string(b->name));
        json_object_set_new(o, "rounds", json_integer(r->rounds));
        json_object_set_new(o, "duration_s", json_real(cfg->duration_s));
        if (b->n_metrics)
                json_object_set_new(o, "primary", json_string(b->metrics[b->primary].name));
        if (r->error)
                json_object_set_new(o, "error", json_string(r->error));
        if (r->interrupted)
                json_object_set_new(o, "interrupted", json_true());
        _cleanup_free_ double *buf = malloc((r->rounds + 1) * sizeof(double));
        unsigned contaminated = 0, client_bound = 0, failed = 0;
        for (unsigned i = 0; i < r->rounds; i++) {
                contaminated += r->info[i].contaminated;
                client_bound += r->info[i].client_bound;
                failed += r->info[i].failed < 0;
        }
        for (size_t m = 0; buf && m < b->n_metrics; m++) {
                json_t *mo = json_object(), *samples = json_array();
                for (unsigned i = 0; i < r->rounds; i++)
                        json_array_append_new(samples, json_num(r->values[(size_t) i * b->n_metrics + m]));
                json_object_set_new(mo, "unit", json_string(b->metrics[m].unit));
                json_object_set_new(mo, "higher_is_better", json_boolean(b->metrics[m].higher_is_better));
                json_object_set_new(mo, "samples", samples);
                size_t n = probe_result_series(r, m, false, buf);
                json_object_set_new(mo, "median", json_num(stats_median(buf, n)));
                json_object_set_new(mo, "mad", json_num(stats_mad(buf, n)));
                n = probe_result_series(r, m, true, buf);
                json_object_set_new(mo, "clean_rounds", json_integer((json_int_t) n));
                json_object_set_new(mo, "clean_median", json_num(stats_median(buf, n)));
                json_object_set_new(metrics, b->metrics[m].name, mo);
        }
        for (unsigned i = 0; i < r->rounds; i++) {
                const ProbeRoundInfo *info = &r->info[i];
                json_t *ro =
                        json_pack("{s:f,s:f,s:f,s:f,s:b,s:b}", "wall_s", info->wall_s, "own_cpu_s", info->own_cpu_s,
                                  "foreign_cpu_s", info->foreign_cpu_s, "lateness_s", info->lateness_s, "contaminated",
                                  info->contaminated, "client_bound", info->client_bound);
                if (ro) {
                        json_object_set_new(ro, "foreign_share", json_num(info->foreign_share));
                        if (info->ops)
                                json_object_set_new(ro, "operations",
                                                    json_pack("{s:I,s:I}", "tried", (json_int_t) info->ops, "failed",
                                                              (json_int_t) info->failed_ops));
                        if (info->failed < 0)
                                json_object_set_new(ro, "failed", json_string(strerror(-info->failed)));
                }
                if (ro && r->details[i])
                        json_object_set(ro, "detail", r->details[i]);
                json_array_append_new(rounds, ro);
        }
        json_object_set_new(o, "metrics", metrics);
        json_object_set_new(o, "round_info", rounds);
        if (r->summary)
                json_object_set(o, "all_rounds", r->summary);
        json_object_set_new(o, "contaminated_rounds", json_integer(contaminated));
        json_object_set_new(o, "client_bound_rounds", json_integer(client_bound));
        json_object_set_new(o, "failed_rounds", json_integer(failed));
        return o;
}

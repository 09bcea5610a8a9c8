/* SPDX-License-Identifier: MIT */
/* The host beside a load run (cli/load-host.h). The profiler streams every collector's points at
 * each tick into collect(); the series kept for the charts go into growing arrays; every point whose
 * path a finding rule names (the rule's '$' matching one object) updates that rule's first crossing
 * of its threshold. At the end the profile of the whole run gives the findings, each matched to its
 * crossing (began_at_s, load_at_begin) and to the changes of a plan built from the same profile. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finding-table.h"
#include "json-util.h"
#include "load-host.h"
#include "log.h"
#include "macro.h"
#include "plan-common.h"
#include "plan.h"
#include "proc-tree.h"
#include "profiler.h"

/* The host series on the charts (paths of skytune profile --json, without the summary's member). */
static const char *const kept_paths[] = {
        "cpu.utilization_pct",  "cpu.psi_some_pct",           "cpu.run_queue",       "memory.used_pct",
        "memory.psi_some_pct",  "disk.psi_some_pct",          "files.used_pct",      "network.tcp.curr_estab",
        "network.tcp.time_wait", "network.tcp.listen_overflows_per_s", "network.tcp.retrans_pct", "tasks.threads",
};
#define N_KEPT ELEMENTSOF(kept_paths)
/* The server's series (docs/load.md "system.server"), in the order server_sample() fills them. */
static const char *const server_names[] = { "cpu_pct", "rss_bytes", "threads", "fds" };
#define N_SERVER ELEMENTSOF(server_names)

/* A rule's metric met at one object: when it first reached the rule's threshold. */
typedef struct Crossing {
        char *path;
        double threshold;
        double t_s, planned;    /* NAN: not yet */
} Crossing;

struct LoadHost {
        Sysroot *root;
        Profiler *profiler;
        FindingTable *rules;
        double *t_s, *planned, *kept[N_KEPT];   /* per tick; NAN where a series had no point */
        ProcTree *server;                       /* --server-pid, --server-unit */
        char server_what[300];                  /* "--server-pid 123", for the warning when it is gone */
        double *server_series[N_SERVER];        /* per tick, beside the host's */
        bool server_gone;
        size_t n, cap;
        Crossing *crossings;
        size_t n_crossings;
        double now_t, now_planned;
        bool ignore;                    /* a last sample too soon after the previous one: noise */
        uint64_t started_usec;
        bool oom;
};

/* Does path match a rule's metric, where '$' stands for one object name (no dot)? */
static bool path_matches(const char *pattern, const char *path) {
        const char *dollar = strchr(pattern, '$');
        if (!dollar)
                return strcmp(pattern, path) == 0;
        size_t pre = (size_t) (dollar - pattern), post = strlen(dollar + 1), n = strlen(path);
        if (n < pre + post + 1 || strncmp(pattern, path, pre) != 0 || strcmp(path + n - post, dollar + 1) != 0)
                return false;
        return memchr(path + pre, '.', n - pre - post) == NULL;
}

static void crossing_note(LoadHost *h, const char *path, double value) {
        for (size_t i = 0; i < h->rules->n; i++) {
                const FindingRule *r = &h->rules->rules[i];
                if (r->threshold_expr || !(value >= r->threshold) || !path_matches(r->metric, path))
                        continue;
                bool seen = false;
                for (size_t k = 0; k < h->n_crossings && !seen; k++)
                        seen = h->crossings[k].threshold == r->threshold && strcmp(h->crossings[k].path, path) == 0;
                if (seen)
                        continue;
                Crossing *c = realloc(h->crossings, (h->n_crossings + 1) * sizeof(*c));
                char *p = strdup(path);
                if (!c || !p) {
                        free(p);
                        h->crossings = c ? c : h->crossings;
                        h->oom = true;
                        return;
                }
                h->crossings = c;
                c[h->n_crossings++] = (Crossing) { p, r->threshold, h->now_t, h->now_planned };
        }
}

static int collect(void *userdata, const MetricPoint *p) {
        LoadHost *h = userdata;
        char path[256];
        if (metric_point_path(p, path, sizeof(path)) < 0 || h->n == 0 || h->ignore)
                return 0;
        for (size_t i = 0; i < N_KEPT; i++)
                if (strcmp(kept_paths[i], path) == 0)
                        h->kept[i][h->n - 1] = p->value;
        crossing_note(h, path, p->value);
        return 0;
}

/* One more row (every kept series NAN until a point fills it). */
static int row_add(LoadHost *h, double t_s, double planned) {
        if (h->n == h->cap) {
                size_t cap = h->cap ? 2 * h->cap : 64;
                double **arrays[] = { &h->t_s, &h->planned };
                for (size_t i = 0; i < ELEMENTSOF(arrays) + N_KEPT + N_SERVER; i++) {
                        size_t k = i - ELEMENTSOF(arrays);
                        double **a = i < ELEMENTSOF(arrays) ? arrays[i]
                                     : k < N_KEPT           ? &h->kept[k]
                                                            : &h->server_series[k - N_KEPT];
                        double *v = realloc(*a, cap * sizeof(double));
                        if (!v)
                                return -ENOMEM;
                        *a = v;
                }
                h->cap = cap;
        }
        h->t_s[h->n] = t_s;
        h->planned[h->n] = planned;
        for (size_t i = 0; i < N_KEPT; i++)
                h->kept[i][h->n] = NAN;
        for (size_t i = 0; i < N_SERVER; i++)
                h->server_series[i][h->n] = NAN;
        h->n++;
        return 0;
}

/* The server's processes into the last row; a server gone is warned about once, and the run goes on. */
static void server_sample(LoadHost *h, double t_s) {
        ProcTreeSample s;
        int r = h->server ? proc_tree_sample(h->server, profiler_now_usec(), &s) : 1;
        if (!h->server || r == -ENOMEM) {
                h->oom |= r == -ENOMEM;
                return;
        }
        double v[N_SERVER] = { s.cpu_pct, s.rss_bytes, s.threads, s.fds };
        for (size_t i = 0; i < N_SERVER; i++)
                h->server_series[i][h->n - 1] = v[i];
        if (r == 0 && !h->server_gone) {
                log_warning("%s: the server's processes are gone %.0f s into the run: its series are null from "
                            "then on", h->server_what, t_s);
                h->server_gone = true;
        }
}

static int server_open(LoadHost *h, int pid, const char *unit) {
        _cleanup_(error_done) Error e = ERROR_NULL;
        int r;
        if (unit) {
                snprintf(h->server_what, sizeof(h->server_what), "--server-unit %s", unit);
                r = proc_tree_open_unit(h->root, unit, profiler_now_usec(), &h->server, &e);
        } else {
                snprintf(h->server_what, sizeof(h->server_what), "--server-pid %d", pid);
                r = proc_tree_open_pid(h->root, pid, profiler_now_usec(), &h->server, &e);
        }
        if (r < 0)
                log_error("%s: %s", h->server_what, error_message(&e));
        return r;
}

double load_host_server_rss(const LoadHost *h) {
        return h->server ? proc_tree_last(h->server)->rss_bytes : NAN;
}

int load_host_new(const char *sysroot, int server_pid, const char *server_unit, LoadHost **ret) {
        LoadHost *h = calloc(1, sizeof(*h));
        if (!h)
                return log_error_errno(-ENOMEM, "cannot sample the host: %m");
        _cleanup_(error_done) Error e = ERROR_NULL;
        int r = sysroot_open(sysroot ? sysroot : "/", &h->root);
        if (r < 0)
                log_error_errno(r, "--sysroot %s: cannot open it: %m", sysroot);
        else if ((r = finding_table_builtin(&h->rules, &e)) < 0)
                log_error("the built-in finding rules: %s", error_message(&e));
        else if ((r = profiler_new(h->root, &h->profiler)) < 0)
                log_error_errno(r, "cannot start the profiler for the host's metrics: %m");
        else if ((r = profiler_add_sink(h->profiler, &(MetricSink) { .emit = collect, .userdata = h })) >= 0) {
                h->started_usec = profiler_now_usec();
                r = profiler_sample(h->profiler, h->started_usec, false);
                if (r < 0)
                        log_error_errno(r, "cannot sample the host's metrics: %m");
        }
        if (r >= 0 && (server_pid > 0 || server_unit))
                r = server_open(h, server_pid, server_unit);
        if (r < 0) {
                load_host_free(h);
                return r;
        }
        *ret = h;
        return 0;
}

/* Closer samples give rates over a few milliseconds (the drain's short last interval): not kept. */
#define MIN_GAP_S 0.5

void load_host_tick(LoadHost *h, double t_s, double planned) {
        if (h->n && t_s - h->t_s[h->n - 1] < MIN_GAP_S)
                return;
        if (h->oom || row_add(h, t_s, planned) < 0) {
                h->oom = true;
                return;
        }
        h->now_t = t_s;
        h->now_planned = planned;
        if (profiler_sample(h->profiler, profiler_now_usec(), false) == -ENOMEM)
                h->oom = true;
        server_sample(h, t_s);
}

static json_t *array_of(const double *v, size_t n) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(a, json_num(v[i]));
        return a;
}

static json_t *server_json(const LoadHost *h) {
        if (!h->server)
                return json_null();
        json_t *series = json_object();
        for (size_t i = 0; i < N_SERVER; i++)
                json_object_set_new(series, server_names[i], array_of(h->server_series[i], h->n));
        return json_pack("{s:i, s:s?, s:o}", "pid", proc_tree_pid(h->server), "unit", proc_tree_unit(h->server),
                         "series", series);
}

static json_t *system_json(const LoadHost *h) {
        json_t *s = json_object(), *series = json_object();
        json_object_set_new(s, "interval_s", json_integer(1));
        json_object_set_new(s, "t_s", array_of(h->t_s, h->n));
        json_object_set_new(s, "planned", array_of(h->planned, h->n));
        for (size_t i = 0; i < N_KEPT; i++) {
                bool any = false;
                for (size_t k = 0; k < h->n && !any; k++)
                        any = isfinite(h->kept[i][k]);
                if (any)
                        json_object_set_new(series, kept_paths[i], array_of(h->kept[i], h->n));
        }
        json_object_set_new(s, "series", series);
        json_object_set_new(s, "server", server_json(h));
        return s;
}

/* Whether the last word of a change's key ("process:nginx:nofile": nofile) is in the metric. */
static bool key_names(const char *key, const char *metric) {
        const char *w = key ? key + strlen(key) : NULL;
        while (w && w > key && !strchr(":.", w[-1]))
                w--;
        return w && metric && strlen(w) >= 4 && strstr(metric, w);
}

/* The plan's changes whose evidence names a metric of the finding's resource, or whose key names
 * what the finding measures. */
static json_t *changes_for(const json_t *finding, const json_t *plan) {
        json_t *out = json_array();
        const char *resource = jstr(finding, "resource"), *metric = jstr(finding, "metric");
        size_t i, len = resource ? strlen(resource) : 0;
        const json_t *c;
        json_array_foreach(json_object_get(plan, "changes"), i, c) {
                const char *key;
                json_t *v;
                bool hit = key_names(jstr(c, "key"), metric);
                json_object_foreach((json_t *) json_object_get(c, "evidence"), key, v) hit |=
                        (resource && strncmp(key, resource, len) == 0 && key[len] == '.') ||
                        (metric && strncmp(key, metric, strlen(metric)) == 0);
                if (hit)
                        json_array_append_new(out, json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?}", "kind",
                                                             json_object_get(c, "kind"), "key", json_object_get(c, "key"),
                                                             "current", json_object_get(c, "current"), "proposed",
                                                             json_object_get(c, "proposed"), "rule",
                                                             json_object_get(c, "rule")));
        }
        return out;
}

/* A plan from the run's profile with the default policy; NULL (warned) when none can be made. */
static json_t *plan_of(const LoadHost *h, const json_t *profile) {
        _cleanup_(policy_freep) Policy *policy = NULL;
        if (cli_load_policy(sysroot_path(h->root), PLAN_DEFAULT_POLICY, &policy) < 0) {
                log_warning("no changes proposed for the host's findings: the policy " PLAN_DEFAULT_POLICY " did not load");
                return NULL;
        }
        PlanOptions o = { .policy = policy, .profile = profile, .root = h->root, .allow_risk = _RISK_INVALID };
        _cleanup_(error_done) Error e = ERROR_NULL;
        json_t *plan = NULL;
        if (plan_build(&o, &plan, &e) < 0)
                log_warning("no changes proposed for the host's findings: %s", error_message(&e));
        return plan;
}

static json_t *findings_json(const LoadHost *h, const json_t *profile) {
        json_t *out = json_array();
        _cleanup_(json_decrefp) json_t *plan = json_array_size(json_object_get(profile, "findings")) ? plan_of(h, profile)
                                                                                                 : NULL;
        size_t i;
        const json_t *f;
        json_array_foreach(json_object_get(profile, "findings"), i, f) {
                json_t *o = json_deep_copy(f);
                const Crossing *c = NULL;
                for (size_t k = 0; k < h->n_crossings && !c; k++)
                        if (jstreq(f, "metric", h->crossings[k].path) &&
                            h->crossings[k].threshold == json_number_value(json_object_get(f, "threshold")))
                                c = &h->crossings[k];
                json_object_set_new(o, "began_at_s", c ? json_num(c->t_s) : json_null());
                json_object_set_new(o, "load_at_begin", c ? json_num(c->planned) : json_null());
                json_object_set_new(o, "changes", plan ? changes_for(f, plan) : json_array());
                json_array_append_new(out, o);
        }
        return out;
}

int load_host_finish(LoadHost *h, json_t *doc) {
        _cleanup_(json_decrefp) json_t *profile = NULL;
        uint64_t now = profiler_now_usec();
        double t_end = json_number_value(json_object_get(doc, "duration_s"));
        int r = 0;
        h->ignore = h->n && t_end - h->t_s[h->n - 1] < MIN_GAP_S;
        if (!h->ignore && (r = row_add(h, t_end, NAN)) >= 0)
                server_sample(h, t_end);
        h->now_t = t_end;
        h->now_planned = NAN;
        if (r >= 0)
                r = profiler_sample(h->profiler, now, true);
        if (r >= 0)
                r = profiler_report(h->profiler, (double) (now - h->started_usec) / 1e6, 1, &profile);
        if (r >= 0 && h->oom)
                r = -ENOMEM;
        if (r < 0)
                return log_error_errno(r, "cannot summarise the host's metrics over the run: %m");
        json_object_set_new(doc, "system", system_json(h));
        json_object_set_new(doc, "findings", findings_json(h, profile));
        return 0;
}

LoadHost *load_host_free(LoadHost *h) {
        if (!h)
                return NULL;
        profiler_free(h->profiler);
        finding_table_free(h->rules);
        sysroot_free(h->root);
        free(h->t_s);
        free(h->planned);
        for (size_t i = 0; i < N_KEPT; i++)
                free(h->kept[i]);
        for (size_t i = 0; i < N_SERVER; i++)
                free(h->server_series[i]);
        proc_tree_free(h->server);
        for (size_t i = 0; i < h->n_crossings; i++)
                free(h->crossings[i].path);
        free(h->crossings);
        free(h);
        return NULL;
}

/* SPDX-License-Identifier: MIT */
/* The skytune.db-sweep/1 document (docs/db.md): per size the throughput's median and its
 * order-statistic interval over the ok repeats (with the level it really has), the merged latency percentiles, errors and wait events; then the
 * recommendation and, when it fits, the USL curve. */
#include <math.h>
#include <string.h>

#include "db-sweep.h"
#include "macro.h"
#include "schema.h"
#include "stats.h"

#define CI_LEVEL 0.95

void db_sweep_size_add_wait(DbSweepSize *s, const char *type, const char *event, uint64_t count) {
        for (size_t i = 0; i < s->n_waits; i++)
                if (strcmp(s->waits[i].type, type) == 0 && strcmp(s->waits[i].event, event) == 0) {
                        s->waits[i].count += count;
                        return;
                }
        if (s->n_waits >= DB_SWEEP_MAX_WAITS) {
                s->wait_other += count;
                return;
        }
        DbSweepWait *w = &s->waits[s->n_waits++];
        snprintf(w->type, sizeof w->type, "%s", type);
        snprintf(w->event, sizeof w->event, "%s", event);
        w->count = count;
}

static int cmp_wait(const void *x, const void *y) {
        const DbSweepWait *a = x, *b = y;
        return a->count < b->count ? 1 : a->count > b->count ? -1 : strcmp(a->event, b->event);
}

static json_t *waits_json(const DbSweepSize *s) {
        DbSweepWait sorted[DB_SWEEP_MAX_WAITS];
        memcpy(sorted, s->waits, s->n_waits * sizeof *sorted);
        qsort(sorted, s->n_waits, sizeof *sorted, cmp_wait);
        uint64_t total = s->wait_other;
        for (size_t i = 0; i < s->n_waits; i++)
                total += sorted[i].count;
        json_t *o = json_object(), *a = json_array();
        for (size_t i = 0; i < s->n_waits; i++) {
                json_t *w = json_object();
                json_object_set_new(w, "type", json_string(sorted[i].type));
                json_object_set_new(w, "event", json_string(sorted[i].event));
                json_object_set_new(w, "count", json_integer((json_int_t) sorted[i].count));
                json_object_set_new(w, "share", json_real((double) sorted[i].count / (double) total));
                json_array_append_new(a, w);
        }
        json_object_set_new(o, "samples", json_integer((json_int_t) s->wait_samples));
        json_object_set_new(o, "backends_seen", json_integer((json_int_t) total));
        json_object_set_new(o, "other", json_integer((json_int_t) s->wait_other));
        json_object_set_new(o, "events", a);
        return o;
}

static json_t *num_or_null(double v) {
        return isfinite(v) ? json_real(v) : json_null();
}

/* The size's point for the recommendation, and its JSON. */
static json_t *size_json(const DbSweepSize *s, DbSweepPoint *p) {
        *p = (DbSweepPoint) {
                .clients = s->clients, .ok_repeats = s->ok, .median = NAN, .lo = NAN, .hi = NAN, .p95_ms = NAN
        };
        double level = NAN;
        if (s->ok > 0) {
                p->median = stats_median(s->tps, s->ok);
                if (stats_median_order_ci(s->tps, s->ok, CI_LEVEL, &p->lo, &p->hi, &level) < 0)
                        p->lo = p->hi = p->median;
        }
        uint64_t n = histogram_count(s->merged->latency);
        if (n > 0)
                p->p95_ms = (double) histogram_percentile(s->merged->latency, 95) / 1e6;
        json_t *o = json_object(), *tps = json_object(), *values = json_array();
        for (unsigned i = 0; i < s->ok; i++)
                json_array_append_new(values, json_real(s->tps[i]));
        json_object_set_new(tps, "median", num_or_null(p->median));
        json_object_set_new(tps, "ci_lo", num_or_null(p->lo));
        json_object_set_new(tps, "ci_hi", num_or_null(p->hi));
        json_object_set_new(tps, "level", num_or_null(level));
        json_object_set_new(tps, "repeats", values);
        json_object_set_new(o, "clients", json_integer(s->clients));
        json_object_set_new(o, "runs", json_integer(s->runs));
        json_object_set_new(o, "ok_repeats", json_integer(s->ok));
        json_object_set_new(o, "tps", tps);
        json_object_set_new(o, "transactions", json_integer((json_int_t) s->merged->transactions));
        json_object_set_new(o, "failed", json_integer((json_int_t) s->merged->failed));
        json_object_set_new(o, "latency_ms", db_latency_json(s->merged->latency));
        json_object_set_new(o, "errors", db_errors_json(s->merged));
        json_object_set_new(o, "wait_events", waits_json(s));
        return o;
}

static json_t *usl_json(const DbSweepPoint *p, size_t n) {
        double ns[DB_SWEEP_MAX_SIZES], xs[DB_SWEEP_MAX_SIZES];
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                if (p[i].ok_repeats > 0 && isfinite(p[i].median) && p[i].median > 0)
                        ns[k] = p[i].clients, xs[k++] = p[i].median;
        DbUslFit f;
        json_t *o = json_object();
        if (db_usl_fit(ns, xs, k, &f) < 0) {
                json_object_set_new(o, "shown", json_false());
                json_object_set_new(o, "reason",
                                    json_string("fewer than 4 sizes with throughput: three parameters "
                                                "would fit any three points"));
                return o;
        }
        bool shown = f.r2 >= DB_USL_MIN_R2;
        json_object_set_new(o, "shown", json_boolean(shown));
        json_object_set_new(o, "reason",
                            shown ? json_null()
                                  : json_sprintf("R^2 %.3f is below %.1f: the curve does not "
                                                 "describe these sizes",
                                                 f.r2, DB_USL_MIN_R2));
        json_object_set_new(o, "r2", num_or_null(f.r2));
        json_object_set_new(o, "lambda", num_or_null(f.lambda));
        json_object_set_new(o, "sigma", num_or_null(f.sigma));
        json_object_set_new(o, "kappa", num_or_null(f.kappa));
        json_object_set_new(o, "peak_clients", num_or_null(f.peak_clients));
        json_object_set_new(o, "peak_tps",
                            isfinite(f.peak_clients) ? num_or_null(db_usl_eval(&f, f.peak_clients)) : json_null());
        return o;
}

static json_t *config_json(const DbSweepConfig *c) {
        json_t *o = json_object(), *sizes = json_array();
        for (size_t i = 0; i < c->n_sizes; i++)
                json_array_append_new(sizes, json_integer(c->sizes[i]));
        json_object_set_new(o, "workload", json_string(c->workload ? c->workload : ""));
        json_object_set_new(o, "protocol", json_string(db_protocol_name(c->run.protocol)));
        json_object_set_new(o, "sizes", sizes);
        json_object_set_new(o, "repeats", json_integer(c->repeats));
        json_object_set_new(o, "order", json_string("interleaved"));
        json_object_set_new(o, "duration_s", json_real(c->run.duration_s));
        json_object_set_new(o, "warmup_s", json_real(c->warmup_s));
        json_object_set_new(o, "sample_s", json_real(c->sample_s));
        json_object_set_new(o, "slo_p95_ms", c->slo_p95_ms > 0 ? json_real(c->slo_p95_ms) : json_null());
        json_object_set_new(o, "scale", json_integer(c->run.scale));
        return o;
}

static json_t *recommendation_json(const DbSweepPoint *p, size_t n, double slo) {
        DbSweepVerdict v;
        db_sweep_recommend(p, n, slo, &v);
        json_t *o = json_object();
        json_object_set_new(o, "clients", v.recommended >= 0 ? json_integer(p[v.recommended].clients) : json_null());
        json_object_set_new(o, "best_clients", v.best >= 0 ? json_integer(p[v.best].clients) : json_null());
        json_object_set_new(o, "enough_evidence", json_boolean(v.enough));
        json_object_set_new(o, "reason", json_string(v.reason));
        return o;
}

json_t *db_sweep_doc(const DbSweepConfig *c, const DbSweepSize *sizes, json_t *runs, double elapsed_s, bool interrupted,
                     const char *error, const char *server_version) {
        DbSweepPoint pts[DB_SWEEP_MAX_SIZES];
        json_t *doc = json_object(), *arr = json_array(), *srv = json_object();
        for (size_t i = 0; i < c->n_sizes; i++)
                json_array_append_new(arr, size_json(&sizes[i], &pts[i]));
        _cleanup_free_ char *dsn = db_dsn_redact(c->run.conn.dsn);
        json_object_set_new(srv, "dsn", json_string(dsn ? dsn : ""));
        json_object_set_new(srv, "database", c->run.conn.database ? json_string(c->run.conn.database) : json_null());
        json_object_set_new(srv, "version", json_string(server_version ? server_version : ""));
        json_object_set_new(doc, "schema", json_string(DB_SWEEP_SCHEMA));
        json_object_set_new(doc, "command", json_string("pool-sweep"));
        json_object_set_new(doc, "server", srv);
        json_object_set_new(doc, "config", config_json(c));
        json_object_set_new(doc, "elapsed_s", json_real(elapsed_s));
        json_object_set_new(doc, "interrupted", json_boolean(interrupted));
        json_object_set_new(doc, "error", error ? json_string(error) : json_null());
        json_object_set_new(doc, "runs", runs);
        json_object_set_new(doc, "sizes", arr);
        json_object_set_new(doc, "recommendation", recommendation_json(pts, c->n_sizes, c->slo_p95_ms));
        json_object_set_new(doc, "usl", usl_json(pts, c->n_sizes));
        return doc;
}

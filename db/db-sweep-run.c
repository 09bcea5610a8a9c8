/* SPDX-License-Identifier: MIT */
/* The pool sweep's runs: a warm-up at the largest size, then every size once per repeat in the
 * given order, each a db_run; beside them a thread on its own connection samples pg_stat_activity
 * for the sweep's backends (found by their application_name) into the size that runs. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db-internal.h"
#include "db-sweep.h"
#include "macro.h"

typedef struct Sampler {
        DbConn *conn;
        pthread_t thread;
        bool started;
        atomic_bool stop;
        pthread_mutex_t lock;
        DbSweepSize *current; /* under lock; NULL between runs */
        const char *app;
        double interval_s;
} Sampler;

static const char wait_sql[] = "SELECT coalesce(wait_event_type, 'CPU'), coalesce(wait_event, 'running'), count(*)"
                               " FROM pg_stat_activity WHERE application_name = $1 AND state <> 'idle' GROUP BY 1, 2";

/* The query without blocking a stop: a backend that does not answer (stopped, or behind a lock)
 * must not hold up Ctrl-C, so wait for it in 10 ms steps and cancel it when the sweep ends. */
static PGresult *query_until_stop(Sampler *s) {
        PGconn *pg = s->conn->pg;
        if (!PQsendQueryParams(pg, wait_sql, 1, NULL, &s->app, NULL, NULL, 0))
                return NULL;
        while (PQisBusy(pg)) {
                if (atomic_load(&s->stop)) {
                        char buf[256];
                        PGcancel *c = PQgetCancel(pg);
                        if (c)
                                (void) PQcancel(c, buf, sizeof buf);
                        PQfreeCancel(c);
                        return NULL; /* the connection is closed next, its answer unread */
                }
                struct pollfd p = { .fd = PQsocket(pg), .events = POLLIN };
                int k = poll(&p, 1, 10);
                if ((k < 0 && errno != EINTR) || (k > 0 && !PQconsumeInput(pg)))
                        return NULL;
        }
        PGresult *res = PQgetResult(pg);
        for (PGresult *more; (more = PQgetResult(pg));)
                PQclear(more);
        return res;
}

static void sample_once(Sampler *s) {
        PGresult *res = query_until_stop(s);
        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
                PQclear(res);
                if (PQstatus(s->conn->pg) != CONNECTION_OK)
                        atomic_store(&s->stop, true); /* the server went away: the runs report it */
                return;
        }
        pthread_mutex_lock(&s->lock);
        if (s->current) {
                s->current->wait_samples++;
                for (int i = 0; i < PQntuples(res); i++)
                        db_sweep_size_add_wait(s->current, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
                                               strtoull(PQgetvalue(res, i, 2), NULL, 10));
        }
        pthread_mutex_unlock(&s->lock);
        PQclear(res);
}

static void *sampler_main(void *userdata) {
        Sampler *s = userdata;
        uint64_t step = (uint64_t) (s->interval_s * 1e9), next = db_now_ns();
        while (!atomic_load(&s->stop)) {
                /* After a slow sample the next is one step from now, not a burst to catch up. */
                next = MAX(next, db_now_ns()) + step;
                sample_once(s);
                for (uint64_t now = db_now_ns(); now < next && !atomic_load(&s->stop); now = db_now_ns()) {
                        uint64_t left = MIN(next - now, 10000000u);
                        nanosleep(&(struct timespec) { .tv_nsec = (long) left }, NULL);
                }
        }
        return NULL;
}

static void sampler_set(Sampler *s, DbSweepSize *size) {
        pthread_mutex_lock(&s->lock);
        s->current = size;
        pthread_mutex_unlock(&s->lock);
}

static int sampler_start(Sampler *s, const DbSweepConfig *c, const char *app, Error *e) {
        DbConnOpts o = c->run.conn;
        o.application_name = "skytune-sweep-sampler";
        uint64_t ns;
        int r = db_connect(&o, &s->conn, &ns, e);
        if (r < 0)
                return r;
        s->app = app;
        s->interval_s = c->sample_s > 0 ? c->sample_s : 0.1;
        pthread_mutex_init(&s->lock, NULL);
        s->started = pthread_create(&s->thread, NULL, sampler_main, s) == 0;
        return 0;
}

static void sampler_stop(Sampler *s) {
        atomic_store(&s->stop, true);
        if (s->started)
                pthread_join(s->thread, NULL);
        s->started = false;
        if (s->conn)
                pthread_mutex_destroy(&s->lock);
        s->conn = db_close(s->conn);
}

static bool run_ok(const DbResult *r) {
        return !r->interrupted && !r->clients_lost && !r->clients_unstarted && r->transactions > r->failed;
}

static json_t *run_json(unsigned index, unsigned clients, unsigned repeat, const DbResult *r) {
        json_t *o = json_object();
        json_object_set_new(o, "index", json_integer(index));
        json_object_set_new(o, "clients", json_integer(clients));
        json_object_set_new(o, "repeat", json_integer(repeat));
        json_object_set_new(o, "ok", json_boolean(run_ok(r)));
        json_object_set_new(o, "elapsed_s", json_real(r->elapsed_s));
        json_object_set_new(o, "transactions", json_integer((json_int_t) r->transactions));
        json_object_set_new(o, "failed", json_integer((json_int_t) r->failed));
        json_object_set_new(o, "tps",
                            r->elapsed_s > 0 ? json_real((double) (r->transactions - r->failed) / r->elapsed_s)
                                             : json_null());
        json_object_set_new(o, "p95_ms",
                            histogram_count(r->latency) ? json_real((double) histogram_percentile(r->latency, 95) / 1e6)
                                                        : json_null());
        return o;
}

typedef struct SweepState {
        const DbSweepConfig *c;
        DbRunConfig run;
        DbSweepSize *sizes;
        Sampler sampler;
        json_t *runs;
        char *error, *version;
        bool interrupted;
} SweepState;

static bool stop_requested(const SweepState *st) {
        return st->c->run.stop && st->c->run.stop(st->c->run.userdata);
}

/* One run of size i; false ends the sweep (lost server, stop). */
static bool run_size(SweepState *st, size_t i, unsigned repeat, unsigned index, unsigned total) {
        DbSweepSize *s = &st->sizes[i];
        st->run.clients = s->clients;
        st->run.duration_s = st->c->run.duration_s;
        Error e = ERROR_NULL;
        DbResult *r = NULL;
        sampler_set(&st->sampler, s);
        int k = db_run(&st->run, &r, &e);
        sampler_set(&st->sampler, NULL);
        DbSweepRunInfo info = { .index = index,
                                .total = total,
                                .clients = s->clients,
                                .repeat = repeat,
                                .result = r,
                                .error = k < 0 ? error_message(&e) : NULL };
        if (st->c->on_run)
                st->c->on_run(&info, st->run.userdata);
        bool go_on = k >= 0 && !r->interrupted && !r->clients_lost && !r->clients_unstarted;
        if (k < 0 || r->clients_lost || r->clients_unstarted)
                (void) !asprintf(&st->error, "run %u of %u (%u clients, repeat %u): %s", index, total, s->clients,
                                 repeat,
                                 k < 0                    ? error_message(&e)
                                         : r->first_error ? r->first_error
                                         : r->start_error ? r->start_error
                                                          : "a client lost its connection");
        if (k >= 0) {
                s->runs++;
                json_array_append_new(st->runs, run_json(index, s->clients, repeat, r));
                st->interrupted = st->interrupted || r->interrupted;
                if (run_ok(r) && s->ok < DB_SWEEP_MAX_REPEATS)
                        s->tps[s->ok++] = (double) (r->transactions - r->failed) / r->elapsed_s;
                if (run_ok(r))
                        db_result_merge(s->merged, r);
                if (!st->version && r->server_version)
                        st->version = strdup(r->server_version);
        }
        db_result_free(r);
        error_done(&e);
        return go_on;
}

static int warm_up(SweepState *st, Error *e) {
        unsigned most = 0;
        for (size_t i = 0; i < st->c->n_sizes; i++)
                most = MAX(most, st->c->sizes[i]);
        st->run.clients = most;
        st->run.duration_s = st->c->warmup_s;
        DbResult *r = NULL;
        int k = db_run(&st->run, &r, e);
        if (k < 0)
                return k;
        DbSweepRunInfo info = { .clients = most, .warmup = true, .result = r };
        if (st->c->on_run)
                st->c->on_run(&info, st->run.userdata);
        st->interrupted = r->interrupted;
        db_result_free(r);
        return 0;
}

static void sweep_free(SweepState *st) {
        sampler_stop(&st->sampler);
        for (size_t i = 0; st->sizes && i < st->c->n_sizes; i++)
                db_result_free(st->sizes[i].merged);
        free(st->sizes);
        json_decref(st->runs);
        free(st->error);
        free(st->version);
}

static int sweep_init(SweepState *st, const char *app, Error *e) {
        const DbSweepConfig *c = st->c;
        if (c->n_sizes == 0 || c->n_sizes > DB_SWEEP_MAX_SIZES || c->repeats < 1 || c->repeats > DB_SWEEP_MAX_REPEATS ||
            c->run.duration_s <= 0)
                return error_set(e, -EINVAL, "a sweep needs 1 to %d sizes, 1 to %d repeats and a duration",
                                 DB_SWEEP_MAX_SIZES, DB_SWEEP_MAX_REPEATS);
        st->run = c->run;
        st->run.conn.application_name = app;
        st->run.transactions = 0;
        st->sizes = calloc(c->n_sizes, sizeof *st->sizes);
        st->runs = json_array();
        if (!st->sizes || !st->runs)
                return error_set(e, -ENOMEM, "out of memory");
        for (size_t i = 0; i < c->n_sizes; i++) {
                st->sizes[i].clients = c->sizes[i];
                if (db_result_new(c->run.script->n_stmts, &st->sizes[i].merged) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
        }
        return sampler_start(&st->sampler, c, app, e);
}

int db_sweep(const DbSweepConfig *c, json_t **ret, Error *e) {
        SweepState st = { .c = c };
        char app[64];
        snprintf(app, sizeof app, "skytune-sweep-%ld", (long) getpid());
        uint64_t t0 = db_now_ns();
        int r = sweep_init(&st, app, e);
        if (r >= 0 && c->warmup_s > 0)
                r = warm_up(&st, e);
        if (r < 0) {
                sweep_free(&st);
                return r;
        }
        unsigned total = (unsigned) c->n_sizes * c->repeats, index = 0;
        for (unsigned rep = 1; rep <= c->repeats && !st.interrupted && !st.error; rep++)
                for (size_t i = 0; i < c->n_sizes; i++) {
                        if (stop_requested(&st))
                                st.interrupted = true;
                        if (st.interrupted || !run_size(&st, i, rep, ++index, total))
                                break;
                }
        sampler_stop(&st.sampler);
        *ret = db_sweep_doc(c, st.sizes, TAKE_PTR(st.runs), (double) (db_now_ns() - t0) / 1e9, st.interrupted, st.error,
                            st.version);
        sweep_free(&st);
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* A run: start the clients, wait until all connected (the clock starts then, as pgbench's tps
 * leaves the connection time out), report progress each interval from the clients' interval
 * counters, stop on the duration, the count or a stop request, and merge the clients' results. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db-client.h"
#include "macro.h"

#define DB_MAX_CLIENTS 1000

static int check_config(const DbRunConfig *c, Error *e) {
        if (!c->script || c->script->n_stmts == 0)
                return error_set(e, -EINVAL, "no statement to run");
        if (c->clients < 1 || c->clients > DB_MAX_CLIENTS)
                return error_set(e, -EINVAL, "--clients %u is out of range: 1 to %d", c->clients, DB_MAX_CLIENTS);
        if (c->script->max_user_param > c->n_params)
                return error_set(e, -EINVAL, "the SQL uses $%u but %zu --param %s given: add one --param per $N",
                                 c->script->max_user_param, c->n_params, c->n_params == 1 ? "was" : "were");
        if (c->duration_s <= 0 && c->transactions == 0)
                return error_set(e, -EINVAL, "neither a duration nor a transaction count: the run would not end");
        return 0;
}

static void clients_free(DbClient *cls, unsigned n) {
        for (unsigned i = 0; cls && i < n; i++) {
                db_result_free(cls[i].res);
                histogram_free(cls[i].iv_latency);
                pthread_mutex_destroy(&cls[i].lock);
        }
        free(cls);
}

/* The clients' interval counters into p (and reset). */
static void harvest(DbClient *cls, unsigned n, DbProgress *p) {
        histogram_reset(p->latency);
        p->transactions = p->failed = p->skipped = 0;
        for (unsigned i = 0; i < n; i++) {
                pthread_mutex_lock(&cls[i].lock);
                histogram_merge(p->latency, cls[i].iv_latency);
                histogram_reset(cls[i].iv_latency);
                p->transactions += cls[i].iv_tx;
                p->failed += cls[i].iv_failed;
                p->skipped += cls[i].iv_skipped;
                cls[i].iv_tx = cls[i].iv_failed = cls[i].iv_skipped = 0;
                pthread_mutex_unlock(&cls[i].lock);
        }
}

static bool all_done(DbClient *cls, unsigned n) {
        for (unsigned i = 0; i < n; i++)
                if (!atomic_load(&cls[i].done))
                        return false;
        return true;
}

static void nap_ms(unsigned ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
}

/* Wait for the clients, with progress each interval; a stop request tells them to end. */
static void supervise(const DbRunConfig *c, DbClient *cls, uint64_t t0, atomic_bool *stop, DbResult *res) {
        DbProgress p = { .interval_s = c->progress_s };
        if (c->progress && c->progress_s > 0 && histogram_new(1000000000000ull, 3, &p.latency) < 0)
                p.latency = NULL;
        uint64_t next = t0 + (uint64_t) (c->progress_s * 1e9);
        while (!all_done(cls, c->clients)) {
                nap_ms(10);
                if (!atomic_load(stop) && c->stop && c->stop(c->userdata)) {
                        atomic_store(stop, true);
                        res->interrupted = true;
                        /* A long statement would keep the run (and Ctrl-C) waiting. */
                        for (unsigned i = 0; i < c->clients; i++)
                                db_client_cancel(&cls[i]);
                }
                uint64_t now = db_now_ns();
                if (p.latency && now >= next) {
                        harvest(cls, c->clients, &p);
                        p.t_s = (double) (now - t0) / 1e9;
                        c->progress(&p, c->userdata);
                        next += (uint64_t) (c->progress_s * 1e9);
                }
        }
        /* The last, shorter interval, when transactions ended in it. */
        uint64_t last = next - (uint64_t) (c->progress_s * 1e9), now = db_now_ns();
        if (p.latency && now > last) {
                harvest(cls, c->clients, &p);
                p.t_s = (double) (now - t0) / 1e9;
                p.interval_s = (double) (now - last) / 1e9;
                if (p.transactions + p.skipped > 0)
                        c->progress(&p, c->userdata);
        }
        histogram_free(p.latency);
}

static int clients_new(const DbRunConfig *c, DbClient **ret) {
        DbClient *cls = calloc(c->clients, sizeof *cls);
        if (!cls)
                return -ENOMEM;
        for (unsigned i = 0; i < c->clients; i++) {
                DbClient *cl = &cls[i];
                cl->cfg = c;
                cl->id = i;
                pthread_mutex_init(&cl->lock, NULL);
                stats_rng_seed(&cl->rng, c->seed * 1000003u + i + 1);
                if (db_result_new(c->script->n_stmts, &cl->res) < 0 || histogram_new(1000000000000ull, 3, &cl->iv_latency) < 0) {
                        clients_free(cls, i + 1);
                        return -ENOMEM;
                }
        }
        *ret = cls;
        return 0;
}

int db_run(const DbRunConfig *c, DbResult **ret, Error *e) {
        int r = check_config(c, e);
        if (r < 0)
                return r;
        DbClient *cls = NULL;
        DbResult *res = NULL;
        if (clients_new(c, &cls) < 0 || db_result_new(c->script->n_stmts, &res) < 0) {
                clients_free(cls, c->clients);
                return error_set(e, -ENOMEM, "out of memory");
        }
        atomic_bool stop = false, go = false;
        uint64_t t0 = 0, end = UINT64_MAX;
        unsigned started = 0;
        for (; started < c->clients; started++) {
                DbClient *cl = &cls[started];
                cl->go = &go, cl->t0_ns = &t0, cl->end_ns = &end, cl->stop = &stop;
                if (pthread_create(&cl->thread, NULL, db_client_main, cl) != 0)
                        break;
        }
        for (unsigned i = started; i < c->clients; i++) {
                atomic_store(&cls[i].ready, true);
                atomic_store(&cls[i].done, true);
                atomic_store(&stop, true);      /* no thread for every client: let the others go */
        }
        for (unsigned i = 0; i < c->clients; i++)
                while (!atomic_load(&cls[i].ready))
                        nap_ms(1);
        t0 = db_now_ns();
        end = c->duration_s > 0 ? t0 + (uint64_t) (c->duration_s * 1e9) : UINT64_MAX;
        atomic_store(&go, true);
        supervise(c, cls, t0, &stop, res);
        for (unsigned i = 0; i < started; i++)
                pthread_join(cls[i].thread, NULL);
        res->elapsed_s = (double) (db_now_ns() - t0) / 1e9;
        for (unsigned i = 0; i < c->clients; i++)
                db_result_merge(res, cls[i].res);
        clients_free(cls, c->clients);
        if (started < c->clients) {
                db_result_free(res);
                return error_set(e, -EAGAIN, "cannot start %u client threads (started %u): lower --clients",
                                 c->clients, started);
        }
        if (res->clients_unstarted == c->clients) {
                r = error_set(e, -ECONNREFUSED, "%s", res->start_error ? res->start_error : "no client could start");
                db_result_free(res);
                return r;
        }
        *ret = res;
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* The database's worker thread (db-sampler.h). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db-figures.h"
#include "db-inspect.h"
#include "db-sampler.h"
#include "macro.h"
#include "profiler.h"

#define CONNECT_TIMEOUT_S 5
#define BACKOFF_MIN_MS    INT64_C(1000)
#define BACKOFF_MAX_MS    INT64_C(60000)

struct DbSampler {
        pthread_t thread;
        pthread_mutex_t lock; /* everything below */
        pthread_cond_t wake;  /* stop */
        bool stop;
        DbConn *conn; /* while connected: what stop cancels */
        json_t *snapshot;
        bool tried, up;
        char *error;
        /* the thread's own */
        char *dsn;
        int64_t interval_ms;
};

static int64_t mono_ms(void) {
        return (int64_t) (profiler_now_usec() / 1000u);
}

/* Waits until at_ms on the monotonic clock: true when told to stop. */
static bool wait_until(DbSampler *s, int64_t at_ms) {
        struct timespec ts = { .tv_sec = at_ms / 1000, .tv_nsec = (at_ms % 1000) * 1000000 };
        pthread_mutex_lock(&s->lock);
        while (!s->stop && mono_ms() < at_ms)
                (void) pthread_cond_timedwait(&s->wake, &s->lock, &ts);
        bool stop = s->stop;
        pthread_mutex_unlock(&s->lock);
        return stop;
}

static void set_conn(DbSampler *s, DbConn *c) {
        pthread_mutex_lock(&s->lock);
        s->conn = c;
        pthread_mutex_unlock(&s->lock);
}

/* A snapshot (up) or a failure's message (down) into the slot. */
static void publish(DbSampler *s, json_t *snapshot, const char *error) {
        char *copy = error ? strdup(error) : NULL;
        pthread_mutex_lock(&s->lock);
        s->tried = true;
        s->up = snapshot != NULL;
        if (snapshot) {
                json_decref(s->snapshot);
                s->snapshot = snapshot;
        }
        if (error) {
                free(s->error);
                s->error = copy;
        }
        pthread_mutex_unlock(&s->lock);
}

/* One snapshot, connecting first when needed: 0, or a failure with *e. */
static int sample(DbSampler *s, DbConn **c, Error *e) {
        if (!*c) {
                uint64_t ns;
                int r = db_connect(&(DbConnOpts) { .dsn = s->dsn,
                                                   .connect_timeout_s = CONNECT_TIMEOUT_S,
                                                   .dsn_from = "the file of database.dsn_file in monitor.conf" },
                                   c, &ns, e);
                if (r < 0)
                        return r;
                /* A server that stalls holds the thread no longer than this. */
                (void) db_exec(*c, "SET statement_timeout = '5s'", NULL);
                set_conn(s, *c);
        }
        json_t *rows = NULL;
        int r = db_query_json(*c, db_figures_sql, &rows, e);
        if (r < 0) {
                set_conn(s, NULL);
                *c = db_close(*c);
                return r;
        }
        json_t *snap = json_incref(json_array_get(rows, 0));
        json_decref(rows);
        if (!snap)
                return error_set(e, -ENOENT, "pg_stat_database has no row for the DSN's database");
        json_object_set_new(snap, "mono_s", json_real((double) mono_ms() / 1000));
        publish(s, snap, NULL);
        return 0;
}

static void *worker(void *userdata) {
        DbSampler *s = userdata;
        DbConn *c = NULL;
        int64_t next = mono_ms(), backoff = BACKOFF_MIN_MS;
        while (!wait_until(s, next)) {
                Error e = ERROR_NULL;
                int r = sample(s, &c, &e);
                int64_t now = mono_ms();
                if (r < 0) {
                        publish(s, NULL, error_message(&e));
                        next = now + backoff;
                        backoff = MIN(backoff * 2, BACKOFF_MAX_MS);
                } else {
                        backoff = BACKOFF_MIN_MS;
                        next += s->interval_ms;
                        if (next <= now) /* a slow server: the next slot, not a burst */
                                next = now + s->interval_ms;
                }
                error_done(&e);
        }
        set_conn(s, NULL);
        db_close(c);
        return NULL;
}

static void sampler_free(DbSampler *s) {
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
        json_decref(s->snapshot);
        free(s->error);
        if (s->dsn)
                explicit_bzero(s->dsn, strlen(s->dsn));
        free(s->dsn);
        free(s);
}

int db_sampler_start(const char *dsn, int64_t interval_ms, DbSampler **ret) {
        DbSampler *s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_mutex_init(&s->lock, NULL);
        pthread_cond_init(&s->wake, &ca);
        pthread_condattr_destroy(&ca);
        s->interval_ms = interval_ms;
        if (!(s->dsn = strdup(dsn))) {
                sampler_free(s);
                return -ENOMEM;
        }
        int r = pthread_create(&s->thread, NULL, worker, s);
        if (r != 0) {
                sampler_free(s);
                return -r;
        }
        *ret = s;
        return 0;
}

void db_sampler_take(DbSampler *s, DbSamplerTake *t) {
        pthread_mutex_lock(&s->lock);
        *t = (DbSamplerTake) { .snapshot = TAKE_PTR(s->snapshot), .tried = s->tried, .up = s->up };
        if (!s->up && s->error)
                t->error = strdup(s->error);
        pthread_mutex_unlock(&s->lock);
}

DbSampler *db_sampler_stop(DbSampler *s) {
        if (!s)
                return NULL;
        pthread_mutex_lock(&s->lock);
        s->stop = true;
        if (s->conn)
                (void) db_cancel(s->conn);
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->thread, NULL);
        sampler_free(s);
        return NULL;
}

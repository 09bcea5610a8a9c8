/* SPDX-License-Identifier: MIT */
/* db advise on a connection: the settings from pg_settings (in bytes where they are sizes), the
 * data directory when this role may read it, whether the server is on this host, and the evidence
 * from pg_stat_database and pg_stat_activity (since the reset, or over a window). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db-advise.h"
#include "db-internal.h"
#include "macro.h"

static const char settings_sql[] =
        "SELECT name, setting, coalesce(unit, ''), source FROM pg_settings WHERE name IN ('shared_buffers',"
        " 'effective_cache_size', 'work_mem', 'max_connections', 'random_page_cost', 'effective_io_concurrency',"
        " 'huge_pages', 'shared_memory_size_in_huge_pages', 'data_directory', 'hash_mem_multiplier')";

static PGresult *query(DbConn *c, const char *sql, Error *e) {
        PGresult *res = PQexec(c->pg, sql);
        if (PQresultStatus(res) == PGRES_TUPLES_OK)
                return res;
        _cleanup_free_ char *m = db_conn_message(c, res);
        PQclear(res);
        error_set(e, -EIO, "PostgreSQL at %s: %s", c->dsn_shown, m ? m : "out of memory");
        return NULL;
}

static uint64_t size_bytes(const char *setting, const char *unit) {
        return strtoull(setting, NULL, 10) * db_advise_unit_bytes(unit);
}

static void take_setting(DbAdviseFacts *f, const char *name, const char *v, const char *unit, const char *source) {
        db_advise_set_source(f, name, source);
        if (strcmp(name, "shared_buffers") == 0)
                f->shared_buffers = size_bytes(v, unit);
        else if (strcmp(name, "effective_cache_size") == 0)
                f->effective_cache_size = size_bytes(v, unit);
        else if (strcmp(name, "work_mem") == 0)
                f->work_mem = size_bytes(v, unit);
        else if (strcmp(name, "max_connections") == 0)
                f->max_connections = strtoll(v, NULL, 10);
        else if (strcmp(name, "random_page_cost") == 0)
                f->random_page_cost = strtod(v, NULL);
        else if (strcmp(name, "hash_mem_multiplier") == 0)
                f->hash_mem_multiplier = strtod(v, NULL);
        else if (strcmp(name, "effective_io_concurrency") == 0)
                f->effective_io_concurrency = strtoll(v, NULL, 10);
        else if (strcmp(name, "huge_pages") == 0)
                snprintf(f->huge_pages, sizeof f->huge_pages, "%s", v);
        else if (strcmp(name, "shared_memory_size_in_huge_pages") == 0)
                f->shm_huge_pages = strtoll(v, NULL, 10);
        else if (strcmp(name, "data_directory") == 0)
                snprintf(f->data_directory, sizeof f->data_directory, "%s", v);
}

int db_advise_settings(DbConn *c, DbAdviseFacts *f, Error *e) {
        PGresult *res = query(c, settings_sql, e);
        if (!res)
                return -EIO;
        f->shm_huge_pages = -1;
        for (int i = 0; i < PQntuples(res); i++)
                take_setting(f, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
                             PQgetvalue(res, i, 3));
        PQclear(res);
        snprintf(f->database, sizeof f->database, "%s", PQdb(c->pg) ? PQdb(c->pg) : "");
        snprintf(f->role, sizeof f->role, "%s", PQuser(c->pg) ? PQuser(c->pg) : "");
        f->server_local = db_advise_host_is_local(PQhost(c->pg));
        return 0;
}

static const char stats_sql[] =
        "SELECT temp_files, temp_bytes, xact_commit + xact_rollback, coalesce(stats_reset::text, '')"
        " FROM pg_stat_database WHERE datname = current_database()";
static const char conns_sql[] = "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'";

typedef struct Stats {
        int64_t temp_files, temp_bytes, transactions;
} Stats;

static int read_stats(DbConn *c, Stats *s, DbAdviseFacts *f, Error *e) {
        PQclear(PQexec(c->pg, "SELECT pg_stat_clear_snapshot()"));
        PGresult *res = query(c, stats_sql, e);
        if (!res)
                return -EIO;
        int r = PQntuples(res) == 1 ? 0 : error_set(e, -ENOENT, "pg_stat_database has no row for this database");
        if (r == 0) {
                *s = (Stats) { strtoll(PQgetvalue(res, 0, 0), NULL, 10), strtoll(PQgetvalue(res, 0, 1), NULL, 10),
                               strtoll(PQgetvalue(res, 0, 2), NULL, 10) };
                snprintf(f->stats_reset, sizeof f->stats_reset, "%s", PQgetvalue(res, 0, 3));
        }
        PQclear(res);
        return r;
}

static int sample_connections(DbConn *c, DbAdviseFacts *f, Error *e) {
        int64_t n;
        int r = db_query_int(c, conns_sql, &n, e);
        if (r >= 0)
                f->peak_connections = MAX(f->peak_connections, n);
        return r;
}

int db_advise_evidence(DbConn *c, double window_s, bool (*stop)(void *), void *userdata, DbAdviseFacts *f, Error *e) {
        Stats before, after;
        f->window_s = window_s;
        int r = read_stats(c, &before, f, e);
        if (r >= 0)
                r = sample_connections(c, f, e);
        uint64_t end = db_now_ns() + (uint64_t) (window_s * 1e9);
        while (r >= 0 && window_s > 0 && db_now_ns() < end) {
                if (stop && stop(userdata))
                        return error_set(e, -EINTR, "interrupted during the window");
                nanosleep(&(struct timespec) { .tv_nsec = 100000000 }, NULL);
                r = sample_connections(c, f, e);
        }
        if (r >= 0 && window_s > 0)
                r = read_stats(c, &after, f, e);
        if (r < 0)
                return r;
        if (window_s > 0)
                before = (Stats) { after.temp_files - before.temp_files, after.temp_bytes - before.temp_bytes,
                                   after.transactions - before.transactions };
        f->temp_files = before.temp_files;
        f->temp_bytes = before.temp_bytes;
        f->transactions = before.transactions;
        return 0;
}

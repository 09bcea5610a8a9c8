/* SPDX-License-Identifier: MIT */
/* db advise (docs/db.md, "Advise"): PostgreSQL settings weighed against the host (memory, huge
 * pages, the data directory's disk) and the server's own statistics (temporary files, connections),
 * and a pool sweep's recommendation when given. Each advice names the setting, its value, the
 * proposal, the evidence in figures, the risk and the SQL; skytune never runs that SQL. The rules are
 * a pure function of DbAdviseFacts (db-advise-rules.c); gathering them needs a server (db-advise.c)
 * and the host (the CLI reads it through the sysroot). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"

typedef struct DbAdviseHost {
        uint64_t mem_total;             /* bytes; 0: unknown */
        uint64_t huge_total, huge_free; /* huge pages reserved, free */
        uint64_t huge_size;             /* bytes; 0: unknown (no HugePages in meminfo) */
        int rotational;                 /* 1 rotational, 0 not, -1 unknown */
        char device[160];               /* the data directory's disk ("sda"), or why it is unknown */
} DbAdviseHost;

/* Where a setting's value comes from (pg_settings.source): which SQL can change it. */
#define DB_ADVISE_MAX_SOURCES 12
typedef struct DbAdviseSource {
        char setting[40], source[32];
} DbAdviseSource;

typedef struct DbAdviseFacts {
        DbAdviseHost host;
        bool server_local; /* the server runs on this host (a socket or a loopback address) */
        char database[64], role[64];
        /* Settings as the server reports them. */
        uint64_t shared_buffers, effective_cache_size, work_mem; /* bytes */
        DbAdviseSource sources[DB_ADVISE_MAX_SOURCES];           /* "default", "configuration file", "database" ... */
        size_t n_sources;
        int64_t max_connections, effective_io_concurrency;
        double random_page_cost;
        double hash_mem_multiplier; /* PostgreSQL 13+; 0: unknown */
        char huge_pages[16];
        int64_t shm_huge_pages;   /* shared_memory_size_in_huge_pages (PostgreSQL 15+); -1: unknown */
        char data_directory[512]; /* "": not readable by this role */
        /* Evidence. */
        double window_s; /* 0: since the statistics reset */
        char stats_reset[64];
        int64_t temp_files, temp_bytes, transactions;
        int64_t peak_connections; /* client backends: the most seen in the window, or now */
        unsigned sweep_clients;   /* a pool sweep's recommended size; 0: none given */
} DbAdviseFacts;

/* Record a setting's pg_settings.source (a setting not recorded counts as "default"). */
void db_advise_set_source(DbAdviseFacts *f, const char *setting, const char *source);

/* The advice array: one object per setting (docs/db.md). Its SQL matches where the value comes
 * from: ALTER SYSTEM for the configuration files and defaults, ALTER DATABASE, ALTER ROLE or ALTER
 * ROLE ... IN DATABASE for those per-database and per-role values (ALTER SYSTEM would not override
 * them); none for a command-line, client or session value, and the evidence says where it is set. */
json_t *db_advise_rules(const DbAdviseFacts *f);
/* skytune.db-advise/1 around it: the facts, the advice, how many propose a change. */
json_t *db_advise_doc(const DbAdviseFacts *f, const char *dsn, const char *server_version);
/* "128MB", "64kB", "1536kB": the largest unit that divides b (PostgreSQL's own notation). */
void db_advise_format_bytes(uint64_t b, char *buf, size_t size);
/* A pg_settings unit ("8kB", "16kB", "kB", "MB", "B": an optional count and a size) as a byte
 * multiplier; 0 for other units (db-advise-parse.c). */
uint64_t db_advise_unit_bytes(const char *unit);
/* A Unix socket, localhost or a loopback address (127.0.0.0/8, ::1, ::ffff:127.x): the server
 * shares this host's memory and disks. A name is not resolved: "127.db.internal" is not local. */
bool db_advise_host_is_local(const char *host);

/* The settings, the data directory and whether the server is local (db-advise.c). */
int db_advise_settings(DbConn *c, DbAdviseFacts *f, Error *e);
/* pg_stat_database of the connection's database and the client backends: since the reset
 * (window_s 0), or as deltas over window_s with the connections sampled every 100 ms; a stop
 * request ends the window with -EINTR. */
int db_advise_evidence(DbConn *c, double window_s, bool (*stop)(void *), void *userdata, DbAdviseFacts *f, Error *e);

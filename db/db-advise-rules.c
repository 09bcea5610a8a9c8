/* SPDX-License-Identifier: MIT */
/* db advise's rules: each a table entry that weighs one setting against the facts and proposes a
 * value only where the figures support it; otherwise "no change" and why. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "db-advise.h"
#include "macro.h"

#define MiB (1024ull * 1024)
#define GiB (1024ull * MiB)

typedef struct Advice {
        char current[64], proposed[64]; /* proposed "": no change */
        char evidence[768], risk[400];
        char host_change[160];
        bool restart;
} Advice;

void db_advise_format_bytes(uint64_t b, char *buf, size_t size) {
        static const struct {
                const char *unit;
                uint64_t bytes;
        } units[] = { { "TB", 1024 * GiB }, { "GB", GiB }, { "MB", MiB }, { "kB", 1024 } };
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (b >= units[i].bytes && b % units[i].bytes == 0) {
                        snprintf(buf, size, "%" PRIu64 "%s", b / units[i].bytes, units[i].unit);
                        return;
                }
        snprintf(buf, size, "%" PRIu64 "B", b);
}

static void set_bytes(char *buf, size_t size, uint64_t b) {
        db_advise_format_bytes(b, buf, size);
}

static double pct(uint64_t part, uint64_t whole) {
        return whole ? 100.0 * (double) part / (double) whole : NAN;
}

/* Memory rules need the server's host: this one, with its MemTotal read. */
static bool memory_unknown(const DbAdviseFacts *f, Advice *a) {
        if (!f->server_local)
                snprintf(a->evidence, sizeof a->evidence,
                         "no change: the server is not on this host, so its memory "
                         "is unknown here (run skytune db advise on the database host)");
        else if (!f->host.mem_total)
                snprintf(a->evidence, sizeof a->evidence, "no change: the host's MemTotal could not be read");
        return !f->server_local || !f->host.mem_total;
}

static void rule_shared_buffers(const DbAdviseFacts *f, Advice *a) {
        set_bytes(a->current, sizeof a->current, f->shared_buffers);
        a->restart = true;
        if (memory_unknown(f, a))
                return;
        char mem[32], target[32];
        uint64_t want = MAX(f->host.mem_total / 4 / (128 * MiB) * (128 * MiB), 128 * MiB);
        set_bytes(mem, sizeof mem, f->host.mem_total / MiB * MiB);
        set_bytes(target, sizeof target, want);
        double share = pct(f->shared_buffers, f->host.mem_total);
        if (share >= 15 && share <= 40) {
                snprintf(a->evidence, sizeof a->evidence,
                         "no change: %s is %.0f%% of the host's %s, within the "
                         "usual 15-40%% for a dedicated server",
                         a->current, share, mem);
                return;
        }
        snprintf(a->proposed, sizeof a->proposed, "%s", target);
        snprintf(a->evidence, sizeof a->evidence,
                 "%s is %.0f%% of the host's %s MemTotal; a quarter (%s) is the "
                 "usual start for a dedicated database host",
                 a->current, share, mem, target);
        snprintf(a->risk, sizeof a->risk,
                 share < 15 ? "needs a restart; the memory leaves the page cache and other "
                              "processes on the host: take less if PostgreSQL shares it"
                            : "needs a restart; above 40%% the page cache double-buffers less but checkpoints write "
                              "more at once");
}

static void rule_effective_cache_size(const DbAdviseFacts *f, Advice *a) {
        set_bytes(a->current, sizeof a->current, f->effective_cache_size);
        if (memory_unknown(f, a))
                return;
        uint64_t want = f->host.mem_total * 3 / 4 / MiB * MiB;
        char mem[32];
        set_bytes(mem, sizeof mem, f->host.mem_total / MiB * MiB);
        double share = pct(f->effective_cache_size, f->host.mem_total);
        if (share >= 50 && share <= 90) {
                snprintf(a->evidence, sizeof a->evidence, "no change: %s is %.0f%% of the host's %s, within 50-90%%",
                         a->current, share, mem);
                return;
        }
        set_bytes(a->proposed, sizeof a->proposed, want);
        snprintf(a->evidence, sizeof a->evidence,
                 "%s is %.0f%% of the host's %s MemTotal; shared_buffers plus the "
                 "page cache can hold about three quarters (%s)",
                 a->current, share, mem, a->proposed);
        snprintf(a->risk, sizeof a->risk,
                 "low: only the planner's estimate of the cache (no memory is taken); too "
                 "high a value favours index scans that then read from disk");
}

static uint64_t pow2_at_least(uint64_t v) {
        uint64_t p = 64 * 1024;
        while (p < v && p < (1ull << 40))
                p <<= 1;
        return p;
}

static void rule_work_mem(const DbAdviseFacts *f, Advice *a) {
        set_bytes(a->current, sizeof a->current, f->work_mem);
        char span[160];
        if (f->window_s > 0)
                snprintf(span, sizeof span, "in the %.0f s window", f->window_s);
        else
                snprintf(span, sizeof span, "since the statistics %s%s",
                         f->stats_reset[0] ? "reset at " : "began (never reset)", f->stats_reset);
        if (f->temp_files <= 0) {
                snprintf(a->evidence, sizeof a->evidence, "no change: no sort or hash spilled to temporary files %s",
                         span);
                return;
        }
        uint64_t avg = (uint64_t) (f->temp_bytes / f->temp_files);
        uint64_t conns = f->max_connections > 0 ? (uint64_t) f->max_connections : 100;
        uint64_t cap = f->server_local && f->host.mem_total ? f->host.mem_total / 4 / conns : 256 * MiB;
        uint64_t want = MIN(pow2_at_least(MAX(avg, f->work_mem * 2)), MAX(cap / MiB * MiB, 64 * 1024));
        char avg_s[32], cap_s[32];
        set_bytes(avg_s, sizeof avg_s, avg / 1024 * 1024);
        set_bytes(cap_s, sizeof cap_s, cap / 1024 * 1024);
        if (want <= f->work_mem) {
                snprintf(a->evidence, sizeof a->evidence,
                         "no change: %" PRId64 " temporary files (%s each on average) "
                         "%s, but more than %s would let %" PRIu64 " connections take over a quarter of memory (%s "
                         "each): raise it per query (SET work_mem) instead",
                         f->temp_files, avg_s, span, a->current, conns, cap_s);
                return;
        }
        set_bytes(a->proposed, sizeof a->proposed, want);
        snprintf(a->evidence, sizeof a->evidence,
                 "%" PRId64 " temporary files, %" PRId64 " bytes (%s each on "
                 "average) %s over %" PRId64 " transactions: sorts and hashes larger than %s spilled to disk "
                 "(the count also holds CREATE INDEX and CLUSTER spills, which maintenance_work_mem bounds: if "
                 "those ran, part of it is theirs)",
                 f->temp_files, f->temp_bytes, avg_s, span, f->transactions, a->current);
        char hash[96];
        if (f->hash_mem_multiplier > 0)
                snprintf(hash, sizeof hash, "%g times it (hash_mem_multiplier)", f->hash_mem_multiplier);
        else
                snprintf(hash, sizeof hash, "hash_mem_multiplier times it (2 by default from PostgreSQL 15)");
        snprintf(a->risk, sizeof a->risk,
                 "each sort node of each connection may take this much and each hash node %s: %" PRIu64
                 " connections x %s, more with parallel workers; for a few large queries SET work_mem in their "
                 "session instead",
                 hash, conns, a->proposed);
}

/* The connections seen, "now" or "at most in the window". */
static const char *seen_when(const DbAdviseFacts *f) {
        return f->window_s > 0 ? "at most in the window" : "now";
}

static void rule_max_connections(const DbAdviseFacts *f, Advice *a) {
        snprintf(a->current, sizeof a->current, "%" PRId64, f->max_connections);
        a->restart = true;
        const char *s = f->peak_connections == 1 ? "" : "s";
        bool near_limit = f->max_connections > 0 && (double) f->peak_connections >= 0.8 * (double) f->max_connections;
        /* A sweep that found the throughput at a fraction of the connections seen: more connections
         * are not the fix, fewer active ones are. */
        if (f->sweep_clients && f->peak_connections >= 2 * (int64_t) f->sweep_clients) {
                snprintf(a->evidence, sizeof a->evidence,
                         "no change: %" PRId64 " client connection%s %s of %" PRId64
                         " allowed, but the pool sweep's recommended size is %u: more active connections add no "
                         "throughput; put a pooler in transaction mode (PgBouncer, pool size %u) in front of the "
                         "server instead of %s the limit",
                         f->peak_connections, s, seen_when(f), f->max_connections, f->sweep_clients, f->sweep_clients,
                         near_limit ? "raising" : "approaching");
                return;
        }
        char sweep[160] = "";
        if (f->sweep_clients)
                snprintf(sweep, sizeof sweep, "; the pool sweep's recommended size is %u", f->sweep_clients);
        if (near_limit) {
                snprintf(a->proposed, sizeof a->proposed, "%" PRId64, (f->peak_connections * 3 / 2 + 9) / 10 * 10);
                snprintf(a->evidence, sizeof a->evidence, "%" PRId64 " client connection%s %s, %.0f%% of %" PRId64 "%s",
                         f->peak_connections, s, seen_when(f),
                         pct((uint64_t) f->peak_connections, (uint64_t) f->max_connections), f->max_connections, sweep);
                snprintf(a->risk, sizeof a->risk,
                         "needs a restart; every connection costs memory (work_mem per "
                         "sort) and lock contention: a connection pooler is often the better fix");
                return;
        }
        snprintf(a->evidence, sizeof a->evidence,
                 "no change: %" PRId64 " client connection%s %s of %" PRId64 " allowed%s", f->peak_connections, s,
                 seen_when(f), f->max_connections, sweep);
}

static bool device_unknown(const DbAdviseFacts *f, Advice *a) {
        if (!f->server_local || f->host.rotational < 0)
                snprintf(a->evidence, sizeof a->evidence, "no change: the data directory's device type is unknown (%s)",
                         !f->server_local ? "the server is not on this host" : f->host.device);
        return !f->server_local || f->host.rotational < 0;
}

static void rule_random_page_cost(const DbAdviseFacts *f, Advice *a) {
        snprintf(a->current, sizeof a->current, "%g", f->random_page_cost);
        if (device_unknown(f, a))
                return;
        bool ssd = f->host.rotational == 0;
        if (ssd ? f->random_page_cost <= 1.5 : f->random_page_cost >= 2) {
                snprintf(a->evidence, sizeof a->evidence, "no change: %s suits the data directory's %s disk (%s)",
                         a->current, ssd ? "non-rotational" : "rotational", f->host.device);
                return;
        }
        snprintf(a->proposed, sizeof a->proposed, ssd ? "1.1" : "4");
        snprintf(a->evidence, sizeof a->evidence,
                 "the data directory is on %s, %s: a random read costs %s a "
                 "sequential one",
                 f->host.device, ssd ? "not rotational" : "rotational", ssd ? "about as much as" : "several times");
        snprintf(a->risk, sizeof a->risk,
                 ssd ? "the planner picks index scans more often; slower if the virtual "
                       "disk is backed by a spinning one"
                     : "the planner picks sequential scans more often");
}

static void rule_effective_io_concurrency(const DbAdviseFacts *f, Advice *a) {
        snprintf(a->current, sizeof a->current, "%" PRId64, f->effective_io_concurrency);
        if (device_unknown(f, a))
                return;
        if (f->host.rotational == 1 || f->effective_io_concurrency >= 100) {
                snprintf(a->evidence, sizeof a->evidence, "no change: %s suits the data directory's %s disk (%s)",
                         a->current, f->host.rotational ? "rotational" : "non-rotational", f->host.device);
                return;
        }
        snprintf(a->proposed, sizeof a->proposed, "200");
        snprintf(a->evidence, sizeof a->evidence,
                 "the data directory is on %s, not rotational: it serves many "
                 "reads at once, and %s prefetches little in bitmap heap scans",
                 f->host.device, a->current);
        snprintf(a->risk, sizeof a->risk, "low: more read-ahead requests in bitmap heap scans");
}

static void rule_huge_pages(const DbAdviseFacts *f, Advice *a) {
        snprintf(a->current, sizeof a->current, "%s", f->huge_pages);
        a->restart = true;
        char sb[32];
        set_bytes(sb, sizeof sb, f->shared_buffers);
        if (!f->server_local || !f->host.huge_size) {
                snprintf(a->evidence, sizeof a->evidence, "no change: %s",
                         !f->server_local ? "the server is not on this host"
                                          : "the host's huge page size is unknown (no Hugepagesize in /proc/meminfo)");
                return;
        }
        if (f->shared_buffers < GiB) {
                snprintf(a->evidence, sizeof a->evidence,
                         "no change: shared_buffers %s is under 1GB: huge pages would "
                         "save little page-table memory",
                         sb);
                return;
        }
        /* Before PostgreSQL 15 the server does not say: shared_buffers and 5% for the rest. */
        bool estimate = f->shm_huge_pages <= 0;
        uint64_t need = !estimate ? (uint64_t) f->shm_huge_pages
                                  : (f->shared_buffers + f->shared_buffers / 20) / f->host.huge_size + 1;
        const char *how = estimate ? " (an estimate: shared_buffers + 5%; PostgreSQL 15+ reports "
                                     "shared_memory_size_in_huge_pages)"
                                   : " (shared_memory_size_in_huge_pages)";
        bool off = strcmp(f->huge_pages, "off") == 0;
        if (off)
                snprintf(a->proposed, sizeof a->proposed, "try");
        if (f->host.huge_total < need)
                snprintf(a->host_change, sizeof a->host_change,
                         "vm.nr_hugepages=%" PRIu64 " (skytune set "
                         "vm.nr_hugepages=%" PRIu64 ")",
                         need, need);
        if (!off && f->host.huge_total >= need) {
                snprintf(a->evidence, sizeof a->evidence,
                         "no change: %" PRIu64 " huge pages are reserved, %" PRIu64 " needed for shared_buffers %s%s",
                         f->host.huge_total, need, sb, how);
                return;
        }
        snprintf(a->evidence, sizeof a->evidence,
                 "shared_buffers %s needs %" PRIu64 " huge pages of %" PRIu64 " kB%s; "
                 "%" PRIu64 " are reserved",
                 sb, need, f->host.huge_size / 1024, how, f->host.huge_total);
        snprintf(a->risk, sizeof a->risk,
                 "reserved huge pages are taken from the host's memory whether PostgreSQL "
                 "uses them or not; 'try' falls back to normal pages when they are short");
}

static const struct {
        const char *setting;
        void (*rule)(const DbAdviseFacts *f, Advice *a);
} rules[] = {
        { "shared_buffers", rule_shared_buffers },
        { "effective_cache_size", rule_effective_cache_size },
        { "work_mem", rule_work_mem },
        { "max_connections", rule_max_connections },
        { "random_page_cost", rule_random_page_cost },
        { "effective_io_concurrency", rule_effective_io_concurrency },
        { "huge_pages", rule_huge_pages },
};

void db_advise_set_source(DbAdviseFacts *f, const char *setting, const char *source) {
        size_t i = 0;
        while (i < f->n_sources && strcmp(f->sources[i].setting, setting) != 0)
                i++;
        if (i == DB_ADVISE_MAX_SOURCES)
                return;
        f->n_sources = MAX(f->n_sources, i + 1);
        snprintf(f->sources[i].setting, sizeof f->sources[i].setting, "%s", setting);
        snprintf(f->sources[i].source, sizeof f->sources[i].source, "%s", source);
}

static const char *source_of(const DbAdviseFacts *f, const char *setting) {
        for (size_t i = 0; i < f->n_sources; i++)
                if (strcmp(f->sources[i].setting, setting) == 0)
                        return f->sources[i].source;
        return "default";
}

/* The statement that reaches a value from each source; the sources above these (command line,
 * client, session ...) outrank every ALTER, so they get none. */
static const struct {
        const char *source;
        bool role, database;
} targets[] = {
        { "default", false, false },
        { "environment variable", false, false },
        { "configuration file", false, false },
        { "database", false, true },
        { "user", true, false },
        { "database user", true, true },
};

static void quote_ident(const char *name, char *buf, size_t size) {
        size_t n = 0;
        buf[n++] = '"';
        for (const char *p = name; *p && n < size - 3; p++) {
                if (*p == '"')
                        buf[n++] = '"';
                buf[n++] = *p;
        }
        buf[n++] = '"';
        buf[n] = 0;
}

static json_t *sql_json(const char *setting, Advice *a, const DbAdviseFacts *f) {
        if (!a->proposed[0])
                return json_null();
        const char *source = source_of(f, setting);
        for (size_t i = 0; i < ELEMENTSOF(targets); i++) {
                if (strcmp(source, targets[i].source) != 0)
                        continue;
                char role[160], db[160], where[360];
                quote_ident(f->role, role, sizeof role);
                quote_ident(f->database, db, sizeof db);
                if (targets[i].role)
                        snprintf(where, sizeof where, "ROLE %s%s%s", role, targets[i].database ? " IN DATABASE " : "",
                                 targets[i].database ? db : "");
                else
                        snprintf(where, sizeof where, "%s%s", targets[i].database ? "DATABASE " : "SYSTEM",
                                 targets[i].database ? db : "");
                return json_sprintf("ALTER %s SET %s = '%s';", where, setting, a->proposed);
        }
        size_t n = strlen(a->evidence);
        snprintf(a->evidence + n, sizeof a->evidence - n,
                 "; the value is set by the %s, which outranks ALTER SYSTEM, DATABASE and ROLE: change it there",
                 source);
        return json_null();
}

json_t *db_advise_rules(const DbAdviseFacts *f) {
        json_t *arr = json_array();
        for (size_t i = 0; i < ELEMENTSOF(rules); i++) {
                Advice a = {};
                rules[i].rule(f, &a);
                json_t *o = json_object();
                json_object_set_new(o, "setting", json_string(rules[i].setting));
                json_object_set_new(o, "current", json_string(a.current));
                json_object_set_new(o, "proposed", a.proposed[0] ? json_string(a.proposed) : json_null());
                json_object_set_new(o, "change", json_boolean(a.proposed[0] || a.host_change[0]));
                json_t *sql = sql_json(rules[i].setting, &a, f); /* may add to the evidence */
                json_object_set_new(o, "evidence", json_string(a.evidence));
                json_object_set_new(o, "risk", a.risk[0] ? json_string(a.risk) : json_null());
                json_object_set_new(o, "restart", json_boolean(a.restart));
                json_object_set_new(o, "sql", sql);
                json_object_set_new(o, "host_change", a.host_change[0] ? json_string(a.host_change) : json_null());
                json_array_append_new(arr, o);
        }
        return arr;
}

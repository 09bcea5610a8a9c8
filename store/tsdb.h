/* SPDX-License-Identifier: MIT */
/* The monitor's time-series store: one SQLite file (WAL, synchronous=NORMAL) holding series, sealed
 * per-series chunks of 1 s samples (store/chunk-codec.h) and 1-minute and 1-hour rollups (min, max,
 * sum, count), each tier pruned by age and by bytes. docs/store.md gives the tables, the crash-safety
 * argument and the figures. Timestamps are ms since the epoch and never negative; values are scaled
 * integers (value * 10^scale of their series). Every function returns a negative errno on failure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chunk-codec.h"

struct tsdb;

/* Where skytune-monitor keeps its store (its StateDirectory), and where `skytune monitor` reads. */
#define TSDB_DEFAULT_PATH "/var/lib/skytune-monitor/store.db"

#define TSDB_MINUTE_MS INT64_C(60000)
#define TSDB_HOUR_MS   INT64_C(3600000)
#define TSDB_DAY_MS    (24 * TSDB_HOUR_MS)

/* Opens (creating it if missing) the store at path. A file that is not SQLite, is corrupt
 * (quick_check) or belongs to something else (another application_id) is renamed aside to
 * PATH.corrupt-YYYYmmddTHHMMSSZ[.N] (never deleted, never over an existing file; its -wal and -shm
 * go along) and a fresh store is created: *ret_moved (when not NULL) receives the malloc'd new path
 * of the old file, or NULL. A newer user_version: -EPROTO, the file untouched. Locked: -EBUSY. */
int tsdb_open(const char *path, struct tsdb **ret, char **ret_moved);
/* Opens the store at path to read it, beside its writer or without one: no lock, nothing created,
 * nothing moved (a missing or empty file: -ENOENT; foreign, older or not SQLite: -EBADMSG; newer:
 * -EPROTO). No -wal or -shm file is made: with no -wal beside it the file is read as immutable
 * (store/tsdb-open.c reader_uri). Writes through it fail with -EACCES. */
int tsdb_open_reader(const char *path, struct tsdb **ret);
void tsdb_close(struct tsdb *t);
/* Frees the connection's cached pages no statement holds (after a seal, which reads and writes
 * many: up to the writer's 512 KiB cache otherwise kept while the daemon runs; the daemon also
 * calls it at its start and after a reload). */
void tsdb_release_memory(struct tsdb *t);

/* The id of series name, created with scale (0..18) when new; an existing series with another
 * scale: -EEXIST. */
int tsdb_series(struct tsdb *t, const char *name, int scale, int64_t *ret_id);

/* The id and scale of an existing series: -ENOENT. */
int tsdb_series_find(struct tsdb *t, const char *name, int64_t *ret_id, int *ret_scale);
/* Calls fn for every series in name order; a negative return of fn stops and is returned. */
typedef int (*tsdb_series_fn)(int64_t id, const char *name, int scale, void *userdata);
int tsdb_series_each(struct tsdb *t, tsdb_series_fn fn, void *userdata);

/* Stores points (1..CHUNK_MAX_POINTS, timestamps >= 0 and strictly increasing) as one sealed chunk
 * and adds them to the r1m and r1h rollups, in one transaction. A range that overlaps a stored
 * chunk of the series or reaches its logged points (tsdb_log): -EEXIST; a rollup sum beyond int64:
 * -ERANGE; unknown series: -ENOENT. */
int tsdb_append_chunk(struct tsdb *t, int64_t series, const struct store_point *p, size_t n);

/* Several chunks (of one series or of many: a seal) in one transaction, all stored or none; the
 * errors of tsdb_append_chunk, the first one met. One commit per seal instead of one per series:
 * each commit writes its dirty pages to the WAL again (docs/store.md, Figures). */
struct tsdb_chunk_in {
        int64_t series;
        const struct store_point *p;
        size_t n;
};
int tsdb_append_chunks(struct tsdb *t, const struct tsdb_chunk_in *c, size_t n);

/* The log of unsealed points: a flush of the latest points of some series (1..CHUNK_MAX_POINTS each,
 * after everything stored for the series: -EEXIST otherwise) in one transaction. Cheap to write
 * (the rows append to a table without index; no rollups yet) and read by queries like chunks; a kill
 * loses only what was not flushed. The errors of tsdb_append_chunks. */
int tsdb_log(struct tsdb *t, const struct tsdb_chunk_in *c, size_t n);

/* Moves the logged points of the rows before the first one that does not end before before_ms (in
 * the order logged: a series' points stay after its chunks) into chunks, one per series (more past
 * CHUNK_MAX_POINTS), with their rollups, and deletes those rows, in one transaction.
 * ret_points (may be NULL) gets the points sealed. Log rows that overlap: -EBADMSG. */
int tsdb_seal(struct tsdb *t, int64_t before_ms, int64_t *ret_points);

struct tsdb_bucket {
        int64_t t; /* from + k * step */
        int64_t min, max, sum, count;
        double avg;
};
typedef int (*tsdb_bucket_fn)(const struct tsdb_bucket *b, void *userdata);

/* Decode the chunks even where a rollup would answer (benchmarks and tests compare the two). */
#define TSDB_QUERY_CHUNKS 1u

/* Calls fn for each non-empty bucket [from + k*step, from + (k+1)*step) within [from, to), in order;
 * a negative return of fn stops the query and is returned. From r1h when step, from and to are
 * multiples of an hour, from r1m when they are multiples of a minute, otherwise from the chunks.
 * A sum beyond int64: -ERANGE. */
int tsdb_query(struct tsdb *t, int64_t series, int64_t from, int64_t to, int64_t step, unsigned flags,
               tsdb_bucket_fn fn, void *userdata);
/* The same into a malloc'd array. */
int tsdb_query_array(struct tsdb *t, int64_t series, int64_t from, int64_t to, int64_t step, unsigned flags,
                     struct tsdb_bucket **ret, size_t *ret_n);

enum tsdb_tier { TSDB_TIER_CHUNK, TSDB_TIER_R1M, TSDB_TIER_R1H, TSDB_TIERS };
/* The tier tsdb_query() reads for these arguments (a caller bounds its cost by the rows it reads). */
enum tsdb_tier tsdb_query_tier(int64_t from, int64_t to, int64_t step, unsigned flags);

/* Per tier: the age beyond which rows go (by their last timestamp) and the byte budget (blob bytes
 * plus a fixed cost per row, docs/store.md), oldest rows first. 0 means no limit. */
struct tsdb_limits {
        int64_t age_ms[TSDB_TIERS];
        int64_t bytes[TSDB_TIERS];
};
/* 1 s chunks 2 days and 256 MiB, r1m 30 days and 64 MiB, r1h 2 years and 64 MiB. */
extern const struct tsdb_limits tsdb_limits_default;

struct tsdb_tier_stats {
        int64_t rows;
        int64_t bytes;      /* as the byte budget counts them */
        int64_t blob_bytes; /* chunk blobs alone (0 for rollups) */
        int64_t points;     /* samples in the chunks, rows' counts in the rollups */
};

/* Deletes by age (before now_ms - age) and then by bytes, tier by tier, in one transaction, then
 * returns freed pages to the file system (incremental vacuum). ret_deleted (may be NULL) gets rows
 * deleted per tier. */
int tsdb_prune(struct tsdb *t, int64_t now_ms, const struct tsdb_limits *limits, int64_t ret_deleted[TSDB_TIERS]);
int tsdb_stats(struct tsdb *t, struct tsdb_tier_stats ret[TSDB_TIERS]);
/* Small named records of the writer beside the series (the monitor's alert states): text values,
 * keys of 1..256 bytes. put replaces the record in one transaction; get gives a malloc'ed copy
 * (-ENOENT: none, also in a store written before records existed); each calls fn for every key
 * that starts with prefix, in key order (a negative return of fn stops and is returned); del removes
 * the record if it is there. */
int tsdb_state_put(struct tsdb *t, const char *key, const char *value);
int tsdb_state_get(struct tsdb *t, const char *key, char **ret);
typedef int (*tsdb_state_fn)(const char *key, const char *value, void *userdata);
int tsdb_state_each(struct tsdb *t, const char *prefix, tsdb_state_fn fn, void *userdata);
int tsdb_state_del(struct tsdb *t, const char *key);

/* The writer's outgoing queue (the monitor's notifications): per receiver, in the order pushed, so
 * that a receiver that is down gets everything, in order, when it is back. */
struct tsdb_queue_item {
        int64_t id;
        int64_t created_ms, due_ms; /* pushed; the next try not before */
        int attempts;
        char *body; /* malloc'ed */
};
/* Appends body for receiver (1..256 bytes), due at once. */
int tsdb_queue_push(struct tsdb *t, const char *receiver, int64_t now_ms, const char *body);
/* The oldest item of receiver: -ENOENT when there is none. */
int tsdb_queue_head(struct tsdb *t, const char *receiver, struct tsdb_queue_item *ret);
/* After a failed try: the attempts made and when to try again. */
int tsdb_queue_retry(struct tsdb *t, int64_t id, int attempts, int64_t due_ms);
/* Sent (or given up): removed. */
int tsdb_queue_del(struct tsdb *t, int64_t id);
/* Items of receiver (NULL: of all). */
int tsdb_queue_count(struct tsdb *t, const char *receiver, int64_t *ret);
/* Keeps the newest max items of receiver; *ret_dropped (may be NULL) gets the number removed. */
int tsdb_queue_trim(struct tsdb *t, const char *receiver, int64_t max, int64_t *ret_dropped);
/* Every item of receivers not in keep (n_keep names): removed (a receiver taken out of the
 * configuration); *ret_dropped (may be NULL) the number. */
int tsdb_queue_forget(struct tsdb *t, const char *const *keep, size_t n_keep, int64_t *ret_dropped);

/* The alert events the writer keeps (the monitor's alert history), in time order. */
struct tsdb_event {
        int64_t t_ms;
        const char *name, *event, *level; /* 1..256 bytes each */
        double value;                     /* NaN: no data */
};
int tsdb_event_add(struct tsdb *t, const struct tsdb_event *ev);
typedef int (*tsdb_event_fn)(const struct tsdb_event *ev, void *userdata);
/* The events of [from_ms, to_ms), oldest first; name NULL: of every alert. A store written before
 * the table has none. */
int tsdb_event_each(struct tsdb *t, int64_t from_ms, int64_t to_ms, const char *name, tsdb_event_fn fn, void *userdata);
/* The same for the newest max of them alone (max < 0: all), still oldest first. */
int tsdb_event_newest(struct tsdb *t, int64_t from_ms, int64_t to_ms, const char *name, int64_t max, tsdb_event_fn fn,
                      void *userdata);
/* Removes the events before before_ms and all but the newest max; *ret_dropped (may be NULL). */
int tsdb_event_prune(struct tsdb *t, int64_t before_ms, int64_t max, int64_t *ret_dropped);

/* Copies the WAL into the main file and truncates it (the file's size is then its content). */
int tsdb_checkpoint(struct tsdb *t);

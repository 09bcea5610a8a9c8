/* SPDX-License-Identifier: MIT */
/* store/tsdb: chunks and rollups round trip and answer queries at several steps exactly as a brute
 * force over the points does; overlaps, scale changes and sum overflow are refused without a trace;
 * garbage and foreign files are moved aside with their bytes, a newer schema is refused; retention by
 * age and by bytes; a reopened store keeps its data. */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "schema.h"
#include "support.h"
#include "tsdb.h"
#include "store-brute.h"

#define T0 INT64_C(1700000040000) /* a whole hour */
#define NPTS 7200

struct fixture {
        char *dir, path[512];
        struct tsdb *t;
        int64_t id;
        struct store_point p[NPTS];
};

static int setup(void **state) {
        struct fixture *f = calloc(1, sizeof(*f));
        f->dir = test_tmpdir();
        snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
        srand(11);
        for (int i = 0; i < NPTS; i++)
                f->p[i] = (struct store_point){ T0 - T0 % TSDB_HOUR_MS + 1000 * (int64_t) i + rand() % 7,
                                                rand() % 1000 - 300 };
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;
        tsdb_close(f->t);
        test_rm_rf(f->dir);
        free(f->dir);
        free(f);
        return 0;
}

static void open_store(struct fixture *f) {
        char *moved = (char *) 1;
        assert_int_equal(tsdb_open(f->path, &f->t, &moved), 0);
        assert_null(moved);
        assert_int_equal(tsdb_series(f->t, "cpu.user", 2, &f->id), 0);
}

/* The points in chunks of 600. */
static void fill(struct fixture *f) {
        for (int i = 0; i < NPTS; i += 600)
                assert_int_equal(tsdb_append_chunk(f->t, f->id, f->p + i, 600), 0);
}

static void assert_query(struct fixture *f, int64_t from, int64_t to, int64_t step, unsigned flags) {
        assert_buckets(f->t, f->id, f->p, NPTS, from, to, step, flags);
}

static void test_queries_equal_brute_force(void **state) {
        struct fixture *f = *state;
        open_store(f);
        fill(f);
        const int64_t start = f->p[0].t_ms - f->p[0].t_ms % TSDB_HOUR_MS, end = start + 2 * TSDB_HOUR_MS;
        for (unsigned flags = 0; flags <= TSDB_QUERY_CHUNKS; flags++) {
                assert_query(f, start, end, TSDB_HOUR_MS, flags);
                assert_query(f, start, end, TSDB_MINUTE_MS, flags);
                assert_query(f, start + 5 * TSDB_MINUTE_MS, start + 65 * TSDB_MINUTE_MS, 5 * TSDB_MINUTE_MS, flags);
        }
        /* Unaligned ranges and steps decode the chunks, including a range inside one chunk. */
        assert_query(f, start + 1234, start + 4321000, 7000, 0);
        assert_query(f, start + 601500, start + 700000, 1000, 0);
        assert_query(f, start - 5000, end + 9000, 90000, 0);
        struct tsdb_bucket *b;
        size_t n;
        assert_int_equal(tsdb_query_array(f->t, f->id, end, end + TSDB_HOUR_MS, TSDB_MINUTE_MS, 0, &b, &n), 0);
        assert_int_equal(n, 0);
        free(b);
        assert_int_equal(tsdb_query_array(f->t, f->id, start, end, 0, 0, &b, &n), -EINVAL);
}

/* A range that starts before the epoch keeps its own bucket grid (from + k * step), and its tier
 * is chosen by that from, not by 0; INT64_MIN as from does not overflow. */
static void test_query_from_negative(void **state) {
        struct fixture *f = *state;
        open_store(f);
        fill(f);
        const int64_t start = f->p[0].t_ms - f->p[0].t_ms % TSDB_HOUR_MS, end = start + 2 * TSDB_HOUR_MS;
        for (unsigned flags = 0; flags <= TSDB_QUERY_CHUNKS; flags++) {
                assert_query(f, -1000, end, 7 * TSDB_MINUTE_MS + 1, flags);
                assert_query(f, -30 * TSDB_MINUTE_MS, end, TSDB_HOUR_MS, flags);
                assert_query(f, -TSDB_HOUR_MS, end, TSDB_HOUR_MS, flags);
        }
        struct tsdb_bucket *b;
        size_t n;
        assert_int_equal(tsdb_query_array(f->t, f->id, INT64_MIN, INT64_MAX, INT64_MAX, 0, &b, &n), 0);
        /* [INT64_MIN, -1) is empty, every point is in [-1, INT64_MAX - 1). */
        assert_int_equal(n, 1);
        assert_int_equal(b[0].t, -1);
        assert_int_equal(b[0].count, NPTS);
        free(b);
}

static int count_buckets(const struct tsdb_bucket *b, void *userdata) {
        (void) b;
        ++*(size_t *) userdata;
        return 1;
}

/* Only a negative return of the callback stops a query: a positive one goes on. */
static void test_query_positive_callback_goes_on(void **state) {
        struct fixture *f = *state;
        open_store(f);
        fill(f);
        const int64_t start = f->p[0].t_ms - f->p[0].t_ms % TSDB_HOUR_MS, end = start + 2 * TSDB_HOUR_MS;
        for (unsigned flags = 0; flags <= TSDB_QUERY_CHUNKS; flags++) {
                size_t n = 0;
                assert_int_equal(tsdb_query(f->t, f->id, start, end, TSDB_MINUTE_MS, flags, count_buckets, &n), 0);
                assert_int_equal(n, 120);
        }
}

static int64_t rows(struct fixture *f, enum tsdb_tier tier) {
        struct tsdb_tier_stats s[TSDB_TIERS];
        assert_int_equal(tsdb_stats(f->t, s), 0);
        return s[tier].rows;
}

static void test_refusals_leave_no_trace(void **state) {
        struct fixture *f = *state;
        open_store(f);
        int64_t id;
        assert_int_equal(tsdb_series(f->t, "cpu.user", 3, &id), -EEXIST);
        assert_int_equal(tsdb_series(f->t, "cpu.user", 2, &id), 0);
        assert_int_equal(id, f->id);
        assert_int_equal(tsdb_append_chunk(f->t, f->id, f->p + 600, 600), 0);
        /* Overlaps at either end, inside, around: refused; touching neighbours: stored. */
        assert_int_equal(tsdb_append_chunk(f->t, f->id, f->p + 1199, 10), -EEXIST);
        assert_int_equal(tsdb_append_chunk(f->t, f->id, f->p + 590, 11), -EEXIST);
        assert_int_equal(tsdb_append_chunk(f->t, f->id, f->p + 700, 5), -EEXIST);
        assert_int_equal(tsdb_append_chunk(f->t, f->id, f->p + 500, 800), -EEXIST);
        assert_int_equal(rows(f, TSDB_TIER_CHUNK), 1);
        assert_int_equal(tsdb_append_chunk(f->t, f->id, f->p, 600), 0);
        assert_int_equal(tsdb_append_chunk(f->t, f->id, f->p + 1200, 600), 0);
        assert_int_equal(tsdb_append_chunk(f->t, 999, f->p + 3000, 6), -ENOENT);
        /* Two INT64_MAX in one minute: the rollup's sum overflows, nothing of the chunk stays. */
        int64_t r1m = rows(f, TSDB_TIER_R1M);
        const struct store_point big[] = { { T0 + 10 * TSDB_HOUR_MS, INT64_MAX }, { T0 + 10 * TSDB_HOUR_MS + 1, 1 } };
        assert_int_equal(tsdb_append_chunk(f->t, f->id, big, 2), -ERANGE);
        assert_int_equal(rows(f, TSDB_TIER_CHUNK), 3);
        assert_int_equal(rows(f, TSDB_TIER_R1M), r1m);
        const struct store_point back[] = { { T0, 1 }, { T0, 2 } }, neg[] = { { -1, 1 } };
        assert_int_equal(tsdb_append_chunk(f->t, f->id, back, 2), -EINVAL);
        assert_int_equal(tsdb_append_chunk(f->t, f->id, neg, 1), -EINVAL);
}

/* A seal: several series' chunks in one transaction. One bad chunk (overlapping one stored earlier
 * in the same batch, or of an unknown series) and none of the batch stays; a good batch answers as
 * the same chunks appended one by one. */
static void test_batch_all_or_nothing(void **state) {
        struct fixture *f = *state;
        open_store(f);
        int64_t other;
        assert_int_equal(tsdb_series(f->t, "mem.used", 0, &other), 0);
        const struct tsdb_chunk_in bad[] = { { f->id, f->p, 600 }, { other, f->p, 600 }, { f->id, f->p + 599, 10 } };
        assert_int_equal(tsdb_append_chunks(f->t, bad, ELEMENTSOF(bad)), -EEXIST);
        const struct tsdb_chunk_in unknown[] = { { f->id, f->p, 600 }, { 999, f->p, 600 } };
        assert_int_equal(tsdb_append_chunks(f->t, unknown, ELEMENTSOF(unknown)), -ENOENT);
        assert_int_equal(rows(f, TSDB_TIER_CHUNK), 0);
        assert_int_equal(rows(f, TSDB_TIER_R1M), 0);
        assert_int_equal(rows(f, TSDB_TIER_R1H), 0);
        assert_int_equal(tsdb_append_chunks(f->t, NULL, 0), -EINVAL);
        struct tsdb_chunk_in good[NPTS / 600];
        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                good[i] = (struct tsdb_chunk_in){ f->id, f->p + 600 * i, 600 };
        assert_int_equal(tsdb_append_chunks(f->t, good, ELEMENTSOF(good)), 0);
        assert_int_equal(rows(f, TSDB_TIER_CHUNK), (int64_t) ELEMENTSOF(good));
        assert_query(f, T0 - T0 % TSDB_HOUR_MS, T0 - T0 % TSDB_HOUR_MS + 2 * TSDB_HOUR_MS, TSDB_MINUTE_MS, 0);
        assert_query(f, T0 - T0 % TSDB_HOUR_MS, T0 - T0 % TSDB_HOUR_MS + 2 * TSDB_HOUR_MS, 7000, 0);
}

/* A chunk row whose t_last is not its blob's last point (a damaged or hand-edited file): the query
 * says so instead of answering from it. */
static void test_chunk_row_disagrees_with_blob(void **state) {
        struct fixture *f = *state;
        open_store(f);
        assert_int_equal(tsdb_append_chunk(f->t, f->id, f->p, 600), 0);
        tsdb_close(f->t);
        f->t = NULL;
        sqlite3 *db;
        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, "UPDATE chunk SET t_last = t_last + 1", NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_close(db), SQLITE_OK);
        open_store(f);
        struct tsdb_bucket *b;
        size_t n;
        assert_int_equal(tsdb_query_array(f->t, f->id, 0, INT64_MAX, TSDB_DAY_MS, TSDB_QUERY_CHUNKS, &b, &n), -EBADMSG);
}

static char *slurp(const char *path, size_t *len) {
        FILE *fp = fopen(path, "rb");
        assert_non_null(fp);
        char *buf = malloc(1 << 16);
        *len = fread(buf, 1, 1 << 16, fp);
        fclose(fp);
        return buf;
}

static void write_garbage(const char *path, char *bytes, size_t len) {
        for (size_t i = 0; i < len; i++)
                bytes[i] = (char) (i * 131 + 7);
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        assert_int_equal(fwrite(bytes, 1, len, fp), len);
        assert_int_equal(fclose(fp), 0);
}

static void test_garbage_moved_aside(void **state) {
        struct fixture *f = *state;
        char bytes[5000], *moved[2];
        for (int round = 0; round < 2; round++) {
                write_garbage(f->path, bytes, sizeof(bytes));
                assert_int_equal(tsdb_open(f->path, &f->t, &moved[round]), 0);
                assert_non_null(moved[round]);
                assert_non_null(strstr(moved[round], "/store.db.corrupt-"));
                assert_int_equal(tsdb_series(f->t, "x", 0, &f->id), 0);
                assert_int_equal(tsdb_append_chunk(f->t, f->id, f->p, 60), 0);
                tsdb_close(f->t);
                f->t = NULL;
        }
        /* Two moves in the same second do not share a name: both old files are there, unchanged. */
        assert_string_not_equal(moved[0], moved[1]);
        for (int round = 0; round < 2; round++) {
                size_t len;
                char *got = slurp(moved[round], &len);
                assert_int_equal(len, sizeof(bytes));
                assert_memory_equal(got, bytes, len);
                free(got);
                free(moved[round]);
        }
}

static void make_sqlite(const char *path, const char *sql) {
        sqlite3 *db;
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void test_foreign_moved_aside(void **state) {
        struct fixture *f = *state;
        make_sqlite(f->path, "PRAGMA application_id = 42; CREATE TABLE t(x); INSERT INTO t VALUES ('theirs');");
        size_t len;
        char *before = slurp(f->path, &len), *moved;
        assert_int_equal(tsdb_open(f->path, &f->t, &moved), 0);
        assert_non_null(moved);
        size_t len2;
        char *after = slurp(moved, &len2);
        assert_int_equal(len2, len);
        assert_memory_equal(after, before, len);
        free(before);
        free(after);
        free(moved);
        /* A plain SQLite file with tables but no application_id is not ours either. */
        tsdb_close(f->t);
        f->t = NULL;
        unlink(f->path);
        make_sqlite(f->path, "CREATE TABLE series(id)");
        assert_int_equal(tsdb_open(f->path, &f->t, &moved), 0);
        assert_non_null(moved);
        free(moved);
}

/* An SQLite file in WAL mode whose last commit is still in its -wal (as after a crash). */
static void make_sqlite_wal(const char *path, const char *sql) {
        sqlite3 *db;
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void assert_same_file(const char *path, const char *want, size_t want_len) {
        size_t len;
        char *got = slurp(path, &len);
        assert_int_equal(len, want_len);
        assert_memory_equal(got, want, len);
        free(got);
}

/* The checking handle must not checkpoint a foreign WAL into its file or delete it on close: both go
 * aside byte for byte, even when the first free name for the file has its -wal name taken. */
static void test_foreign_wal_moved_aside(void **state) {
        struct fixture *f = *state;
        make_sqlite_wal(f->path, "PRAGMA application_id = 42; CREATE TABLE t(x); INSERT INTO t VALUES ('theirs');");
        char wal[600], taken[600];
        snprintf(wal, sizeof(wal), "%s-wal", f->path);
        size_t len, wal_len;
        char *before = slurp(f->path, &len), *wal_before = slurp(wal, &wal_len);
        assert_true(wal_len > 0);
        /* Someone else's file at the -wal name of this second's and the next seconds' first choice. */
        for (int i = 0; i < 3; i++) {
                char stamp[32];
                time_t now = time(NULL) + i;
                struct tm tm;
                assert_non_null(gmtime_r(&now, &tm));
                assert_true(strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) > 0);
                snprintf(taken, sizeof(taken), "%s.corrupt-%s-wal", f->path, stamp);
                test_write("/", taken, "not theirs");
        }
        char *moved;
        assert_int_equal(tsdb_open(f->path, &f->t, &moved), 0);
        assert_non_null(moved);
        assert_same_file(moved, before, len);
        snprintf(wal, sizeof(wal), "%s-wal", moved);
        assert_same_file(wal, wal_before, wal_len);
        assert_same_file(taken, "not theirs", strlen("not theirs"));
        free(before);
        free(wal_before);
        free(moved);
}

static void test_newer_schema_refused(void **state) {
        struct fixture *f = *state;
        open_store(f);
        tsdb_close(f->t);
        f->t = NULL;
        make_sqlite(f->path, "PRAGMA user_version = 2");
        char *moved = (char *) 1;
        assert_int_equal(tsdb_open(f->path, &f->t, &moved), -EPROTO);
        assert_null(moved);
        assert_null(f->t);
        /* Still in place and still ours, with its series. */
        sqlite3 *db;
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM series), application_id FROM"
                                                " pragma_application_id", -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), 1);
        assert_int_equal(sqlite3_column_int(st, 1), STORE_TSDB_APPLICATION_ID);
        sqlite3_finalize(st);
        sqlite3_close(db);
        /* Untouched means its -wal too: not checkpointed, not deleted. */
        make_sqlite_wal(f->path, "PRAGMA user_version = 3");
        char wal[600];
        snprintf(wal, sizeof(wal), "%s-wal", f->path);
        size_t len, wal_len;
        char *before = slurp(f->path, &len), *wal_before = slurp(wal, &wal_len);
        assert_int_equal(tsdb_open(f->path, &f->t, &moved), -EPROTO);
        assert_same_file(f->path, before, len);
        assert_same_file(wal, wal_before, wal_len);
        free(before);
        free(wal_before);
}

static void test_prune(void **state) {
        struct fixture *f = *state;
        open_store(f);
        fill(f);
        int64_t deleted[TSDB_TIERS];
        const int64_t end = f->p[NPTS - 1].t_ms;
        /* Nothing is two days old. */
        assert_int_equal(tsdb_prune(f->t, end, NULL, deleted), 0);
        assert_int_equal(deleted[TSDB_TIER_CHUNK] + deleted[TSDB_TIER_R1M] + deleted[TSDB_TIER_R1H], 0);
        /* By age, an hour at 2:30: the chunks that end before 1:30 go (9 of 10 minutes), rollups stay. */
        const int64_t start = f->p[0].t_ms - f->p[0].t_ms % TSDB_HOUR_MS;
        struct tsdb_limits lim = { .age_ms = { TSDB_HOUR_MS, 0, 0 } };
        assert_int_equal(tsdb_prune(f->t, start + 150 * TSDB_MINUTE_MS, &lim, deleted), 0);
        assert_int_equal(deleted[TSDB_TIER_CHUNK], 9);
        assert_int_equal(rows(f, TSDB_TIER_CHUNK), 3);
        assert_int_equal(rows(f, TSDB_TIER_R1M), 120);
        /* By bytes: half the rollup budget keeps the newer half of the minutes. */
        struct tsdb_tier_stats s[TSDB_TIERS];
        assert_int_equal(tsdb_stats(f->t, s), 0);
        assert_int_equal(s[TSDB_TIER_R1M].points, NPTS);
        lim = (struct tsdb_limits){ .bytes = { s[TSDB_TIER_CHUNK].bytes / 2, s[TSDB_TIER_R1M].bytes / 2, 0 } };
        assert_int_equal(tsdb_prune(f->t, end, &lim, deleted), 0);
        assert_int_equal(deleted[TSDB_TIER_R1M], 60);
        assert_int_equal(deleted[TSDB_TIER_CHUNK], 2);
        assert_int_equal(tsdb_stats(f->t, s), 0);
        assert_true(s[TSDB_TIER_CHUNK].bytes <= lim.bytes[TSDB_TIER_CHUNK]);
        assert_int_equal(s[TSDB_TIER_R1H].rows, 2);
        /* The newest chunk is what is left. */
        struct tsdb_bucket *b;
        size_t n;
        assert_int_equal(tsdb_query_array(f->t, f->id, 0, INT64_MAX, TSDB_DAY_MS * 365, TSDB_QUERY_CHUNKS, &b, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(b[0].count, 600);
        int64_t min = INT64_MAX;
        for (int i = NPTS - 600; i < NPTS; i++)
                min = MIN(min, f->p[i].v);
        assert_int_equal(b[0].min, min);
        free(b);
}

/* A rollup row's last timestamp is the end of its bucket: the row that straddles the age cutoff
 * stays, as a chunk that does. A now near INT64_MIN deletes nothing and does not overflow. */
static void test_prune_rollup_age_and_extremes(void **state) {
        struct fixture *f = *state;
        open_store(f);
        fill(f);
        int64_t deleted[TSDB_TIERS];
        const int64_t start = f->p[0].t_ms - f->p[0].t_ms % TSDB_HOUR_MS;
        assert_int_equal(tsdb_prune(f->t, INT64_MIN, NULL, deleted), 0);
        assert_int_equal(deleted[TSDB_TIER_CHUNK] + deleted[TSDB_TIER_R1M] + deleted[TSDB_TIER_R1H], 0);
        struct tsdb_limits lim = { .age_ms = { 0, TSDB_HOUR_MS, TSDB_HOUR_MS } };
        assert_int_equal(tsdb_prune(f->t, INT64_MIN + 1, &lim, deleted), 0);
        assert_int_equal(deleted[TSDB_TIER_R1M] + deleted[TSDB_TIER_R1H], 0);
        /* Cutoff 1 ms before 1:30: minutes 0:00-1:28 and hour 0 end before it; minute 1:29 ends after it. */
        assert_int_equal(tsdb_prune(f->t, start + 150 * TSDB_MINUTE_MS - 1, &lim, deleted), 0);
        assert_int_equal(deleted[TSDB_TIER_R1M], 89);
        assert_int_equal(deleted[TSDB_TIER_R1H], 1);
        /* At 1:30 minute 1:29 has ended too; hour 1 (up to 1:59:59.999) stays. */
        assert_int_equal(tsdb_prune(f->t, start + 150 * TSDB_MINUTE_MS, &lim, deleted), 0);
        assert_int_equal(deleted[TSDB_TIER_R1M], 1);
        assert_int_equal(deleted[TSDB_TIER_R1H], 0);
        assert_int_equal(rows(f, TSDB_TIER_R1M), 30);
        assert_int_equal(rows(f, TSDB_TIER_R1H), 1);
        assert_int_equal(rows(f, TSDB_TIER_CHUNK), NPTS / 600);
}

static void test_reopen_keeps_data(void **state) {
        struct fixture *f = *state;
        open_store(f);
        fill(f);
        tsdb_close(f->t);
        f->t = NULL;
        open_store(f);
        assert_int_equal(rows(f, TSDB_TIER_CHUNK), NPTS / 600);
        const int64_t start = f->p[0].t_ms - f->p[0].t_ms % TSDB_HOUR_MS;
        assert_query(f, start, start + 2 * TSDB_HOUR_MS, TSDB_MINUTE_MS, 0);
        assert_query(f, start, start + 2 * TSDB_HOUR_MS, 1000, TSDB_QUERY_CHUNKS);
        assert_int_equal(tsdb_checkpoint(f->t), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_queries_equal_brute_force, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refusals_leave_no_trace, setup, teardown),
                cmocka_unit_test_setup_teardown(test_batch_all_or_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_chunk_row_disagrees_with_blob, setup, teardown),
                cmocka_unit_test_setup_teardown(test_garbage_moved_aside, setup, teardown),
                cmocka_unit_test_setup_teardown(test_foreign_moved_aside, setup, teardown),
                cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_query_from_negative, setup, teardown),
                cmocka_unit_test_setup_teardown(test_query_positive_callback_goes_on, setup, teardown),
                cmocka_unit_test_setup_teardown(test_foreign_wal_moved_aside, setup, teardown),
                cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
                cmocka_unit_test_setup_teardown(test_prune_rollup_age_and_extremes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reopen_keeps_data, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

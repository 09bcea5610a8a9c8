/* SPDX-License-Identifier: MIT */
/* store/tsdb: the log of unsealed points and the seal. Logged points answer queries before and after
 * the seal exactly as a brute force over the points does; points that are not after everything
 * stored for the series are refused, the whole flush with them; and a writer killed with SIGKILL at
 * random moments leaves a file that opens clean and holds every flush it committed, in order. */
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "support.h"
#include "tsdb.h"
#include "store-brute.h"

#define HOUR0 INT64_C(1700002800000) /* a whole hour */
#define NPTS  7300                   /* two hours and a bit */
#define FLUSH 10

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
        srand(5);
        for (int i = 0; i < NPTS; i++)
                f->p[i] = (struct store_point) { HOUR0 + 1000 * (int64_t) i + rand() % 9, rand() % 5000 - 1000 };
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
        char *moved = NULL;
        assert_int_equal(tsdb_open(f->path, &f->t, &moved), 0);
        assert_null(moved);
        assert_int_equal(tsdb_series(f->t, "net.rx", 0, &f->id), 0);
}

/* The buckets of [from, to) at step against the first n points. */
static void assert_query(struct fixture *f, size_t n, int64_t from, int64_t to, int64_t step) {
        assert_buckets(f->t, f->id, f->p, n, from, to, step, 0);
}

static void assert_all_steps(struct fixture *f, size_t n) {
        const int64_t end = HOUR0 + 3 * TSDB_HOUR_MS;
        assert_query(f, n, HOUR0, end, TSDB_HOUR_MS);   /* r1h and the log */
        assert_query(f, n, HOUR0, end, TSDB_MINUTE_MS); /* r1m and the log */
        assert_query(f, n, HOUR0 + 1, end, 7000);       /* chunks and the log */
}

static int64_t tier_rows(struct fixture *f, enum tsdb_tier tier) {
        struct tsdb_tier_stats s[TSDB_TIERS];
        assert_int_equal(tsdb_stats(f->t, s), 0);
        return s[tier].rows;
}

static void test_log_then_seal(void **state) {
        struct fixture *f = *state;
        open_store(f);
        for (size_t i = 0; i < NPTS; i += FLUSH)
                assert_int_equal(tsdb_log(f->t, &(struct tsdb_chunk_in) { f->id, f->p + i, MIN(FLUSH, NPTS - i) }, 1),
                                 0);
        assert_int_equal(tier_rows(f, TSDB_TIER_CHUNK), 0);
        assert_all_steps(f, NPTS);
        /* The first hour: the rows that end before its end (the one across it stays logged). */
        int64_t sealed;
        assert_int_equal(tsdb_seal(f->t, HOUR0 + TSDB_HOUR_MS, &sealed), 0);
        assert_int_equal(sealed, 3600);
        assert_int_equal(tier_rows(f, TSDB_TIER_CHUNK), 1);
        assert_int_equal(tier_rows(f, TSDB_TIER_R1H), 1);
        assert_all_steps(f, NPTS);
        /* The log goes on after a seal; nothing seals twice. */
        assert_int_equal(tsdb_seal(f->t, HOUR0 + TSDB_HOUR_MS, &sealed), 0);
        assert_int_equal(sealed, 0);
        assert_int_equal(tsdb_seal(f->t, INT64_MAX, &sealed), 0);
        assert_int_equal(sealed, NPTS - 3600);
        assert_int_equal(tier_rows(f, TSDB_TIER_CHUNK), 2);
        assert_all_steps(f, NPTS);
        /* A reopened store answers the same. */
        tsdb_close(f->t);
        f->t = NULL;
        open_store(f);
        assert_all_steps(f, NPTS);
}

static void test_log_refusals(void **state) {
        struct fixture *f = *state;
        open_store(f);
        int64_t other;
        assert_int_equal(tsdb_series(f->t, "net.tx", 0, &other), 0);
        assert_int_equal(tsdb_append_chunk(f->t, f->id, f->p, 100), 0);
        /* Not after the last chunk, not after the last logged point, an unknown series: the whole
         * flush goes, the other series' points with it. */
        const struct tsdb_chunk_in into_chunk[] = { { other, f->p + 100, 10 }, { f->id, f->p + 99, 10 } };
        assert_int_equal(tsdb_log(f->t, into_chunk, ELEMENTSOF(into_chunk)), -EEXIST);
        assert_int_equal(tsdb_log(f->t, &(struct tsdb_chunk_in) { f->id, f->p + 100, 10 }, 1), 0);
        assert_int_equal(tsdb_log(f->t, &(struct tsdb_chunk_in) { f->id, f->p + 109, 10 }, 1), -EEXIST);
        assert_int_equal(tsdb_log(f->t, &(struct tsdb_chunk_in) { 999, f->p + 200, 10 }, 1), -ENOENT);
        const struct store_point back[] = { { HOUR0 + 5, 1 }, { HOUR0 + 5, 2 } };
        assert_int_equal(tsdb_log(f->t, &(struct tsdb_chunk_in) { f->id, back, 2 }, 1), -EINVAL);
        assert_int_equal(tsdb_log(f->t, NULL, 0), -EINVAL);
        const struct tsdb_chunk_in twice[] = { { f->id, f->p + 110, 5 }, { f->id, f->p + 115, 5 } };
        assert_int_equal(tsdb_log(f->t, twice, ELEMENTSOF(twice)), -EINVAL); /* one part a series */
        /* A chunk may not reach into the logged points; one before them may. */
        assert_int_equal(tsdb_append_chunk(f->t, f->id, f->p + 150, 10), -EEXIST);
        struct tsdb_bucket *b;
        size_t n;
        assert_int_equal(tsdb_query_array(f->t, other, HOUR0, HOUR0 + TSDB_HOUR_MS, TSDB_HOUR_MS, 0, &b, &n), 0);
        assert_int_equal(n, 0);
        free(b);
        assert_query(f, 110, HOUR0, HOUR0 + TSDB_HOUR_MS, TSDB_MINUTE_MS);
        /* No series 0 or below: nothing of the log's series answers for them. */
        for (int64_t none = -1; none <= 0; none++) {
                assert_int_equal(tsdb_query_array(f->t, none, HOUR0, HOUR0 + TSDB_HOUR_MS, 1000, 0, &b, &n), 0);
                assert_int_equal(n, 0);
                free(b);
        }
        assert_int_equal(tsdb_log(f->t, &(struct tsdb_chunk_in) { f->id, f->p + 110, 10 }, 1), 0);
        assert_query(f, 120, HOUR0, HOUR0 + TSDB_HOUR_MS, TSDB_MINUTE_MS);
}

/* The log's bounds live in the writer's memory: a second writer of the file is refused while the
 * first has it open, and welcome after. */
static void test_one_writer(void **state) {
        struct fixture *f = *state;
        open_store(f);
        struct tsdb *second = NULL;
        assert_int_equal(tsdb_open(f->path, &second, NULL), -EBUSY);
        assert_int_equal(tsdb_log(f->t, &(struct tsdb_chunk_in){ f->id, f->p, 10 }, 1), 0);
        tsdb_close(f->t);
        assert_int_equal(tsdb_open(f->path, &f->t, NULL), 0);
        /* The bounds are read back from the file: a point before the last logged one is refused. */
        assert_int_equal(tsdb_log(f->t, &(struct tsdb_chunk_in){ f->id, f->p + 9, 10 }, 1), -EEXIST);
        assert_int_equal(tsdb_append_chunk(f->t, f->id, f->p + 5, 1), -EEXIST);
        assert_int_equal(tsdb_log(f->t, &(struct tsdb_chunk_in){ f->id, f->p + 10, 10 }, 1), 0);
        assert_query(f, 20, HOUR0, HOUR0 + TSDB_HOUR_MS, TSDB_MINUTE_MS);
}

/* A seal takes the rows up to the first one that does not end before the time, not every row that
 * does: a later row of one series' points may end early while an earlier one, with that series'
 * earlier points, ends late (another series' points). Sealing the later row alone put a chunk after
 * logged points, and queries (chunks, then the log) out of order. */
static void test_seal_prefix(void **state) {
        struct fixture *f = *state;
        open_store(f);
        int64_t other;
        assert_int_equal(tsdb_series(f->t, "net.tx", 0, &other), 0);
        const struct store_point late[] = { { HOUR0 + 5000, 1 } }, early[] = { { HOUR0 + 100, 2 } };
        const struct store_point then[] = { { HOUR0 + 500, 3 } };
        const struct tsdb_chunk_in first[] = { { other, late, 1 }, { f->id, early, 1 } };
        assert_int_equal(tsdb_log(f->t, first, ELEMENTSOF(first)), 0);
        assert_int_equal(tsdb_log(f->t, &(struct tsdb_chunk_in){ f->id, then, 1 }, 1), 0);
        int64_t sealed;
        assert_int_equal(tsdb_seal(f->t, HOUR0 + 1000, &sealed), 0);
        assert_int_equal(sealed, 0);
        const struct store_point mine[] = { early[0], then[0] };
        assert_buckets(f->t, f->id, mine, 2, HOUR0, HOUR0 + TSDB_HOUR_MS, 100, 0);
        assert_int_equal(tsdb_seal(f->t, HOUR0 + 6000, &sealed), 0);
        assert_int_equal(sealed, 3);
        assert_buckets(f->t, f->id, mine, 2, HOUR0, HOUR0 + TSDB_HOUR_MS, 100, 0);
        assert_buckets(f->t, other, late, 1, HOUR0, HOUR0 + TSDB_HOUR_MS, 100, 0);
}

/* Some process holds a lock on the file (asked from a child: POSIX locks are per process). */
static bool locked_by_parent(const char *path) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                int fd = open(path, O_RDWR | O_CLOEXEC);
                struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
                _exit(fd < 0 || fcntl(fd, F_GETLK, &fl) < 0 ? 2 : fl.l_type == F_UNLCK ? 1 : 0);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) < 2);
        return WEXITSTATUS(status) == 0;
}

/* A second open in the same process is refused without closing an fd of the file: that would drop
 * the POSIX locks SQLite holds for the first (in WAL mode a shared lock while open, by which another
 * process's last close knows it is not the last, and so leaves the -wal alone). */
static void test_second_open_keeps_locks(void **state) {
        struct fixture *f = *state;
        open_store(f);
        assert_int_equal(tsdb_log(f->t, &(struct tsdb_chunk_in){ f->id, f->p, 10 }, 1), 0);
        assert_true(locked_by_parent(f->path));
        struct tsdb *second = NULL;
        assert_int_equal(tsdb_open(f->path, &second, NULL), -EBUSY);
        assert_true(locked_by_parent(f->path));
        assert_int_equal(tsdb_log(f->t, &(struct tsdb_chunk_in){ f->id, f->p + 10, 10 }, 1), 0);
        assert_query(f, 20, HOUR0, HOUR0 + TSDB_HOUR_MS, TSDB_MINUTE_MS);
}

/* A log row naming a series the file does not have (a damaged file) is refused at open, before the
 * bounds, indexed by id, are sized by it. */
static char *slurp(const char *path, size_t *ret_size) {
        FILE *f = fopen(path, "re");
        assert_non_null(f);
        char *buf = NULL;
        size_t cap = 0;
        FILE *m = open_memstream(&buf, &cap);
        char chunk[4096];
        for (size_t n; (n = fread(chunk, 1, sizeof(chunk), f)) > 0;)
                fwrite(chunk, 1, n, m);
        fclose(f);
        fclose(m);
        *ret_size = cap;
        return buf;
}

static void test_log_unknown_series(void **state) {
        struct fixture *f = *state;
        open_store(f);
        assert_int_equal(tsdb_log(f->t, &(struct tsdb_chunk_in){ f->id, f->p, 10 }, 1), 0);
        tsdb_close(f->t);
        f->t = NULL;
        uint8_t *blob;
        size_t len;
        const struct flush_part part = { (INT64_C(1) << 24) - 1, f->p, 10 };
        assert_int_equal(flush_encode(&part, 1, &blob, &len), 0);
        sqlite3 *db;
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "UPDATE log SET blob = ?1", -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_bind_blob(st, 1, blob, (int) len, SQLITE_STATIC), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        assert_int_equal(sqlite3_finalize(st), SQLITE_OK);
        assert_int_equal(sqlite3_close(db), SQLITE_OK);
        free(blob);
        /* A log that does not fit the series (or does not decode) is a damaged file: moved aside
         * byte for byte, and a fresh store opens in its place. */
        size_t size;
        char *before = slurp(f->path, &size), *moved = NULL;
        assert_int_equal(tsdb_open(f->path, &f->t, &moved), 0);
        assert_non_null(moved);
        size_t moved_size;
        char *after = slurp(moved, &moved_size);
        assert_int_equal(moved_size, size);
        assert_memory_equal(after, before, size);
        int64_t id;
        assert_int_equal(tsdb_series(f->t, "net.rx", 0, &id), 0);
        assert_int_equal(id, 1); /* the fresh store's first series */
        free(before);
        free(after);
        free(moved);
}

/* The child: flush after flush of 4 series, a seal every 30 flushes, each committed flush's number
 * written to fd after its commit. */
static _Noreturn void writer(const char *path, int fd) {
        struct tsdb *t;
        int64_t id[4];
        if (tsdb_open(path, &t, NULL) < 0)
                _exit(2);
        for (int s = 0; s < 4; s++) {
                char name[16];
                snprintf(name, sizeof(name), "s%d", s);
                if (tsdb_series(t, name, 0, &id[s]) < 0)
                        _exit(3);
        }
        for (int k = 0;; k++) {
                struct store_point p[4][FLUSH];
                struct tsdb_chunk_in in[4];
                for (int s = 0; s < 4; s++) {
                        for (int i = 0; i < FLUSH; i++)
                                p[s][i] =
                                        (struct store_point) { HOUR0 + 1000 * (int64_t) (k * FLUSH + i), k * 100 + s };
                        in[s] = (struct tsdb_chunk_in) { id[s], p[s], FLUSH };
                }
                if (tsdb_log(t, in, 4) < 0)
                        _exit(4);
                if (write(fd, &k, sizeof(k)) != sizeof(k))
                        _exit(5);
                if (k % 30 == 29 && tsdb_seal(t, HOUR0 + 1000 * (int64_t) (k * FLUSH), NULL) < 0)
                        _exit(6);
        }
}

/* Flushes k of each series are all there for k < n, with their values; returns n. */
static int committed_flushes(struct tsdb *t) {
        int n = -1;
        for (int s = 0; s < 4; s++) {
                char name[16];
                int64_t id;
                snprintf(name, sizeof(name), "s%d", s);
                assert_int_equal(tsdb_series(t, name, 0, &id), 0);
                struct tsdb_bucket *b;
                size_t nb;
                assert_int_equal(tsdb_query_array(t, id, HOUR0, HOUR0 + 30 * TSDB_DAY_MS, 1000 * FLUSH, 0, &b, &nb), 0);
                for (size_t k = 0; k < nb; k++) {
                        assert_int_equal(b[k].t, HOUR0 + 1000 * FLUSH * (int64_t) k);
                        assert_int_equal(b[k].count, FLUSH);
                        assert_int_equal(b[k].min, (int64_t) k * 100 + s);
                        assert_int_equal(b[k].max, (int64_t) k * 100 + s);
                }
                free(b);
                assert_true(n < 0 || n == (int) nb); /* a flush is all its series or none */
                n = (int) nb;
        }
        return n;
}

static void test_kill_during_writes(void **state) {
        struct fixture *f = *state;
        srand((unsigned) getpid());
        for (int round = 0; round < 6; round++) {
                int fds[2];
                assert_int_equal(pipe(fds), 0);
                pid_t pid = fork();
                assert_true(pid >= 0);
                if (pid == 0) {
                        close(fds[0]);
                        writer(f->path, fds[1]);
                }
                close(fds[1]);
                /* Kill after a random number of further flushes, mid-transaction or not. */
                int last = -1, want = 20 + rand() % 80;
                for (int k; last < want && read(fds[0], &k, sizeof(k)) == sizeof(k);)
                        last = k;
                usleep((useconds_t) (rand() % 3000));
                kill(pid, SIGKILL);
                int status;
                assert_int_equal(waitpid(pid, &status, 0), pid);
                assert_true(WIFSIGNALED(status));
                for (int k; read(fds[0], &k, sizeof(k)) == sizeof(k);)
                        last = k; /* reported between our read and the kill */
                close(fds[0]);
                struct tsdb *t;
                char *moved = NULL;
                assert_int_equal(tsdb_open(f->path, &t, &moved), 0);
                assert_null(moved); /* quick_check passed: not moved aside */
                int n = committed_flushes(t);
                tsdb_close(t);
                /* Every reported flush, and at most the one committed but not yet reported. */
                assert_true(n >= last + 1 && n <= last + 2);
                unlink(f->path); /* the next round starts fresh */
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_log_then_seal, setup, teardown),
                cmocka_unit_test_setup_teardown(test_log_refusals, setup, teardown),
                cmocka_unit_test_setup_teardown(test_one_writer, setup, teardown),
                cmocka_unit_test_setup_teardown(test_kill_during_writes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_seal_prefix, setup, teardown),
                cmocka_unit_test_setup_teardown(test_second_open_keeps_locks, setup, teardown),
                cmocka_unit_test_setup_teardown(test_log_unknown_series, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

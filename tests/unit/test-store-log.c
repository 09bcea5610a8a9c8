/* SPDX-License-Identifier: MIT */
/* store/tsdb: the log of unsealed points and the seal. Logged points answer queries before and after
 * the seal exactly as a brute force over the points does; points that are not after everything
 * stored for the series are refused, the whole flush with them; and a writer killed with SIGKILL at
 * random moments leaves a file that opens clean and holds every flush it committed, in order. */
#include <fcntl.h>
#include <signal.h>
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
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

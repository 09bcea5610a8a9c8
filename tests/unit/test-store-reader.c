/* SPDX-License-Identifier: MIT */
/* store/tsdb: the reader's open. It reads a store while its writer has it open (logged and sealed
 * points alike, as a brute force over them says), lists and finds series, cannot write, and leaves
 * every file it refuses as it found it: a missing or empty one not created, a foreign one not moved
 * aside, a newer one refused. */
#include <dirent.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "support.h"
#include "tsdb.h"
#include "store-brute.h"

#define HOUR0 INT64_C(1700002800000)
#define NPTS 5000

struct fixture {
        char *dir, path[512];
        struct store_point p[NPTS];
};

static int setup(void **state) {
        struct fixture *f = calloc(1, sizeof(*f));
        f->dir = test_tmpdir();
        snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
        for (int i = 0; i < NPTS; i++)
                f->p[i] = (struct store_point){ HOUR0 + 1000 * (int64_t) i, (i * 37) % 1000 };
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;
        test_rm_rf(f->dir);
        free(f->dir);
        free(f);
        return 0;
}

static int entries(const char *dir) {
        DIR *d = opendir(dir);
        int n = 0;
        assert_non_null(d);
        for (struct dirent *e; (e = readdir(d));)
                n += e->d_name[0] != '.';
        closedir(d);
        return n;
}

static int names(int64_t id, const char *name, int scale, void *userdata) {
        char *buf = userdata;
        (void) id;
        snprintf(buf + strlen(buf), 128 - strlen(buf), "%s/%d ", name, scale);
        return 0;
}

static void test_reads_beside_the_writer(void **state) {
        struct fixture *f = *state;
        struct tsdb *w, *r;
        int64_t id, other, found;
        int scale;
        assert_int_equal(tsdb_open(f->path, &w, NULL), 0);
        assert_int_equal(tsdb_series(w, "mem.used", 0, &other), 0);
        assert_int_equal(tsdb_series(w, "cpu.busy", 2, &id), 0);
        for (size_t i = 0; i < NPTS; i += 10)
                assert_int_equal(tsdb_log(w, &(struct tsdb_chunk_in){ id, f->p + i, 10 }, 1), 0);
        assert_int_equal(tsdb_seal(w, HOUR0 + TSDB_HOUR_MS, NULL), 0); /* 3600 sealed, the rest logged */
        assert_int_equal(tsdb_open_reader(f->path, &r), 0);
        assert_int_equal(tsdb_series_find(r, "cpu.busy", &found, &scale), 0);
        assert_int_equal(found, id);
        assert_int_equal(scale, 2);
        assert_int_equal(tsdb_series_find(r, "cpu.idle", &found, &scale), -ENOENT);
        char list[128] = "";
        assert_int_equal(tsdb_series_each(r, names, list), 0);
        assert_string_equal(list, "cpu.busy/2 mem.used/0 ");
        assert_buckets(r, id, f->p, NPTS, HOUR0, HOUR0 + 2 * TSDB_HOUR_MS, TSDB_MINUTE_MS, 0);
        assert_buckets(r, id, f->p, NPTS, HOUR0, HOUR0 + 2 * TSDB_HOUR_MS, 7000, 0);
        /* The writer goes on; the reader sees the new flush. */
        const struct store_point more[] = { { HOUR0 + 1000 * NPTS, 5 } };
        assert_int_equal(tsdb_log(w, &(struct tsdb_chunk_in){ id, more, 1 }, 1), 0);
        struct tsdb_bucket *b;
        size_t n;
        assert_int_equal(tsdb_query_array(r, id, HOUR0, HOUR0 + 2 * TSDB_HOUR_MS, 2 * TSDB_HOUR_MS, 0, &b, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(b[0].count, NPTS + 1);
        free(b);
        /* Nothing written through a reader. */
        assert_int_equal(tsdb_series(r, "disk.busy", 0, &found), -EACCES);
        const struct store_point later[] = { { HOUR0 + 1000 * NPTS + 1000, 6 } };
        assert_int_equal(tsdb_log(r, &(struct tsdb_chunk_in){ id, later, 1 }, 1), -EACCES);
        tsdb_close(r);
        tsdb_close(w);
}

/* With no writer there is no -wal beside the store: a reader must not make one, nor a -shm (it
 * cannot checkpoint, so they would stay behind, and it could not make them where it may not write). */
static void test_reads_a_closed_store_creating_nothing(void **state) {
        struct fixture *f = *state;
        struct tsdb *w, *r;
        int64_t id;
        assert_int_equal(tsdb_open(f->path, &w, NULL), 0);
        assert_int_equal(tsdb_series(w, "cpu.busy", 2, &id), 0);
        assert_int_equal(tsdb_log(w, &(struct tsdb_chunk_in){ id, f->p, 100 }, 1), 0);
        tsdb_close(w);
        assert_int_equal(entries(f->dir), 1);
        assert_int_equal(tsdb_open_reader(f->path, &r), 0);
        struct tsdb_bucket *b;
        size_t n;
        assert_int_equal(tsdb_query_array(r, id, HOUR0, HOUR0 + TSDB_HOUR_MS, TSDB_HOUR_MS, 0, &b, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(b[0].count, 100);
        free(b);
        tsdb_close(r);
        assert_int_equal(entries(f->dir), 1); /* no store.db-wal, no store.db-shm */
        /* A path SQLite's URIs would read otherwise. */
        char odd[600];
        snprintf(odd, sizeof(odd), "%s/a?b#c%%d.db", f->dir);
        assert_int_equal(rename(f->path, odd), 0);
        assert_int_equal(tsdb_open_reader(odd, &r), 0);
        tsdb_close(r);
        assert_int_equal(entries(f->dir), 1);
}

static void write_file(const char *path, const char *text) {
        FILE *o = fopen(path, "we");
        assert_non_null(o);
        fputs(text, o);
        fclose(o);
}

static void test_refusals_leave_files_alone(void **state) {
        struct fixture *f = *state;
        struct tsdb *r = NULL;
        assert_int_equal(tsdb_open_reader(f->path, &r), -ENOENT);
        assert_int_equal(entries(f->dir), 0); /* not created */
        write_file(f->path, "");
        assert_int_equal(tsdb_open_reader(f->path, &r), -ENOENT);
        struct stat st;
        assert_int_equal(stat(f->path, &st), 0);
        assert_int_equal(st.st_size, 0);
        write_file(f->path, "not a database, not ours either\n");
        assert_int_equal(tsdb_open_reader(f->path, &r), -EBADMSG);
        assert_int_equal(entries(f->dir), 1); /* not moved aside */
        unlink(f->path);
        sqlite3 *db;
        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, "PRAGMA application_id = 7; CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_close(db), SQLITE_OK);
        assert_int_equal(tsdb_open_reader(f->path, &r), -EBADMSG);
        assert_int_equal(entries(f->dir), 1);
        unlink(f->path);
        struct tsdb *w;
        assert_int_equal(tsdb_open(f->path, &w, NULL), 0);
        tsdb_close(w);
        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_close(db), SQLITE_OK);
        assert_int_equal(tsdb_open_reader(f->path, &r), -EPROTO);
        assert_null(r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_reads_beside_the_writer, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refusals_leave_files_alone, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reads_a_closed_store_creating_nothing, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* Named baselines: which run a suite is compared against, and which changes were accepted. */
#include <errno.h>

#include "bench-history-internal.h"

int bench_history_baseline_set(BenchHistory *h, const char *name, int64_t run, bool accepted, int64_t now_us) {
        sqlite3_stmt *st = NULL;
        int r = tsdb_begin(h->db);
        if (r == 0)
                r = tsdb_prepare(h->db,
                                 "INSERT INTO baseline(suite, name, run, set_us, accepted, previous)"
                                 " SELECT suite, ?2, id, ?3, ?4, NULL FROM run WHERE id = ?1"
                                 " ON CONFLICT(suite, name) DO UPDATE SET previous = run, run = excluded.run,"
                                 " set_us = excluded.set_us, accepted = excluded.accepted",
                                 &st);
        if (r == 0) {
                sqlite3_bind_int64(st, 1, run);
                sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 3, now_us);
                sqlite3_bind_int(st, 4, accepted);
                r = tsdb_errno(sqlite3_step(st));
                if (r == 0 && sqlite3_changes(h->db) == 0)
                        r = -ENOENT;
        }
        sqlite3_finalize(st);
        return tsdb_end(h->db, r);
}

int bench_history_baseline_get(BenchHistory *h, const char *suite, const char *name, int64_t *ret_run) {
        sqlite3_stmt *st;
        int r = tsdb_prepare(h->db, "SELECT run FROM baseline WHERE suite = ? AND name = ?", &st);
        if (r == 0) {
                sqlite3_bind_text(st, 1, suite, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
                r = tsdb_step_int(st, ret_run);
        }
        sqlite3_finalize(st);
        return r;
}

int bench_history_baselines(BenchHistory *h, json_t **ret) {
        sqlite3_stmt *st;
        int r = tsdb_prepare(h->db,
                             "SELECT suite, name, run, set_us, accepted, previous FROM baseline ORDER BY suite, name",
                             &st),
            rc;
        if (r < 0)
                return r;
        json_t *list = json_array();
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                json_array_append_new(list,
                                      json_pack("{s:s, s:s, s:I, s:I, s:b, s:o}", "suite", sqlite3_column_text(st, 0),
                                                "name", sqlite3_column_text(st, 1), "run",
                                                (json_int_t) sqlite3_column_int64(st, 2), "set_us",
                                                (json_int_t) sqlite3_column_int64(st, 3), "accepted",
                                                sqlite3_column_int(st, 4), "previous",
                                                sqlite3_column_type(st, 5) == SQLITE_NULL
                                                        ? json_null()
                                                        : json_integer(sqlite3_column_int64(st, 5))));
        r = tsdb_errno(rc);
        sqlite3_finalize(st);
        if (r < 0 || !list) {
                json_decref(list);
                return r < 0 ? r : -ENOMEM;
        }
        *ret = list;
        return 0;
}

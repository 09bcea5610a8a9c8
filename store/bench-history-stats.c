/* SPDX-License-Identifier: MIT */
/* How many runs a suite has in the history and when the newest started (bench list). */
#include "bench-history-internal.h"

int bench_history_suite_stats(BenchHistory *h, const char *suite, int64_t *ret_runs, int64_t *ret_last_us) {
        sqlite3_stmt *st;
        int r = tsdb_prepare(h->db, "SELECT count(*), coalesce(max(started_us), 0) FROM run WHERE suite = ?1", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, suite, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                *ret_runs = sqlite3_column_int64(st, 0);
                *ret_last_us = sqlite3_column_int64(st, 1);
        }
        r = rc == SQLITE_ROW ? 0 : tsdb_errno(rc);
        sqlite3_finalize(st);
        return r;
}

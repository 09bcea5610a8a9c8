/* SPDX-License-Identifier: MIT */
/* One line of a skytune export (store/bench-import-check.c), as `skytune bench import FILE` reads
 * it. A line that is accepted must go into a history (the checks leave nothing for SQLite to
 * refuse), and what the history gives back must be accepted again; a refused one says where. The
 * input as a whole file goes through the check import makes before it opens a history. */
#include <stdio.h>
#include <string.h>

#include "../../store/bench-export.h"
#include "fuzz.h"
#include "schema.h"

static BenchHistory *history(void) {
        static BenchHistory *h;
        static char path[4096];
        if (!h) {
                fuzz_check(snprintf(path, sizeof(path), "%s/h.db", fuzz_tmpdir()) < (int) sizeof(path));
                fuzz_check(bench_history_open(path, &h, NULL) == 0);
        }
        return h;
}

/* The run into the history, out again and through the checks again; then gone. */
static void round_trip(const json_t *run) {
        BenchHistory *h = history();
        int64_t id;
        fuzz_check(bench_history_add(h, run, &id, NULL) == 0);
        json_t *back = NULL;
        fuzz_check(bench_history_get(h, id, &back) == 0);
        char *line = json_dumps(back, JSON_COMPACT);
        fuzz_check(line);
        json_t *again = NULL;
        BenchLineKind kind;
        Error e = ERROR_NULL;
        fuzz_check(bench_import_parse_line(line, strlen(line), "back", 1, &again, &kind, &e) == 0);
        fuzz_check(kind == BENCH_LINE_RUN);
        fuzz_check(json_array_size(json_object_get(again, "benchmarks")) ==
                   json_array_size(json_object_get(run, "benchmarks")));
        unsigned deleted;
        fuzz_check(bench_history_prune(h, json_string_value(json_object_get(run, "suite")), INT64_MAX, 0, &deleted) ==
                   0);
        json_decref(again);
        json_decref(back);
        free(line);
}

/* The input as a whole file, checked as import checks it before opening a history. */
static void whole_file(const uint8_t *data, size_t size) {
        FILE *f = size > 0 ? fmemopen((void *) data, size, "r") : NULL;
        if (!f)
                return;
        Error e = ERROR_NULL;
        int r = bench_import_check(f, "fuzz.ndjson", size % 2, &e);
        fuzz_check(r == 0 ? !error_is_set(&e) : error_is_set(&e));
        error_done(&e);
        fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        whole_file(data, size);
        json_t *doc = NULL;
        BenchLineKind kind;
        Error e = ERROR_NULL;
        if (bench_import_parse_line((const char *) data, size, "fuzz.ndjson", 7, &doc, &kind, &e) == 0) {
                fuzz_check(doc && !error_is_set(&e));
                if (kind == BENCH_LINE_RUN)
                        round_trip(doc);
        } else
                fuzz_check(!doc && error_is_set(&e) && e.line == 7);
        json_decref(doc);
        error_done(&e);
        return 0;
}

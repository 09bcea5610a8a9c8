/* SPDX-License-Identifier: MIT */
/* What the benchmark history's unit tests share (test-bench-history.c, test-bench-export.c): a fresh
 * directory per group or test for the history files, removed after, and paths in it. */
#pragma once

#include <stdio.h>
#include <stdlib.h>

#include "support.h"

static char *bench_dir; /* the directory of the running test's files */

static inline int bench_fixture_setup(void **state) {
        (void) state;
        bench_dir = test_tmpdir();
        return 0;
}

static inline int bench_fixture_teardown(void **state) {
        (void) state;
        test_rm_rf(bench_dir);
        free(bench_dir);
        bench_dir = NULL;
        return 0;
}

/* name in the directory, malloc'ed. */
static inline char *bench_fixture_path(const char *name) {
        char *p;
        assert_true(asprintf(&p, "%s/%s", bench_dir, name) > 0);
        return p;
}

/* SPDX-License-Identifier: MIT */
/* The helper's core library on a fixture sysroot (a copy of tests/fixtures/helper-host) with a
 * state directory beside it, for the test-helper-core-*.c programs: no root, no bus, no polkit. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "helper-core.h"
#include "log.h"
#include "support.h"

typedef struct CoreFixture {
        char *dir, *root;
        Helper h;
} CoreFixture;

static inline int core_setup(void **state) {
        CoreFixture *f = calloc(1, sizeof(*f));
        assert_non_null(f);
        log_set_level(LOG_LEVEL_ERR);
        f->dir = test_tmpdir();
        assert_true(asprintf(&f->root, "%s/root", f->dir) > 0);
        test_copy_fixture("helper-host", f->root);
        f->h = (Helper) { .state_fd = -EBADF, .tx_fd = -EBADF, .lock_fd = -EBADF, .test_crash_after = -1,
                          .keep_finished = 100, .boot_id = "0123456789abcdef0123456789abcdef" };
        assert_true(asprintf(&f->h.state_dir, "%s/state", f->dir) > 0);
        assert_int_equal(sysroot_open(f->root, &f->h.root), 0);
        assert_int_equal(journal_open(&f->h), 0);
        *state = f;
        return 0;
}

static inline int core_teardown(void **state) {
        CoreFixture *f = *state;
        fileio_set_fault_hook(NULL, NULL);
        helper_core_done(&f->h);
        test_rm_rf(f->dir);
        free(f->h.state_dir);
        free(f->root);
        free(f->dir);
        free(f);
        return 0;
}

/* The first line of ROOT/rel, or NULL when there is no such file (the caller frees it). */
static inline char *core_read(CoreFixture *f, const char *rel) {
        char *path, *line = NULL;
        size_t n = 0;
        assert_true(asprintf(&path, "%s/%s", f->root, rel) > 0);
        FILE *in = fopen(path, "re");
        free(path);
        if (!in)
                return NULL;
        ssize_t len = getline(&line, &n, in);
        fclose(in);
        if (len > 0 && line[len - 1] == '\n')
                line[len - 1] = '\0';
        return line;
}

static inline void core_assert_file(CoreFixture *f, const char *rel, const char *want) {
        char *got = core_read(f, rel);
        if (!want)
                assert_null(got);
        else {
                assert_non_null(got);
                assert_string_equal(got, want);
        }
        free(got);
}

/* A validated plan of changes given as "kind key proposed" triples. */
static inline Plan *core_plan(CoreFixture *f, bool persist, const char *changes_json) {
        char *text;
        Error why = ERROR_NULL;
        Plan *plan = NULL;
        assert_true(asprintf(&text, "{\"schema\":\"skytune.plan/1\",\"persist\":%s,\"changes\":[%s]}", persist ? "true" : "false",
                             changes_json) > 0);
        int r = plan_validate(text, strlen(text), f->h.root, &plan, &why);
        if (r < 0)
                fail_msg("plan refused: %s", error_message(&why));
        error_done(&why);
        free(text);
        return plan;
}

/* The journal's record of transaction id, as the next start of the helper would read it. */
static inline json_t *core_record(CoreFixture *f, const char *id) {
        json_t *tx = NULL;
        assert_int_equal(journal_load(&f->h, id, &tx), 0);
        return tx;
}

static inline const char *core_str(const json_t *o, const char *k) {
        return json_string_value(json_object_get(o, k));
}

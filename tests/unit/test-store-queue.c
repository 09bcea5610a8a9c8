/* SPDX-License-Identifier: MIT */
/* store/tsdb-queue: items pushed per receiver come back oldest first, keep their attempts and due
 * time across a reopen, count, trim to the newest, and are forgotten with their receiver; ids keep
 * growing after the newest is removed (push order across restarts). */
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "tsdb.h"

static void head_is(struct tsdb *t, const char *receiver, const char *body, int attempts, int64_t due) {
        struct tsdb_queue_item it;
        assert_int_equal(tsdb_queue_head(t, receiver, &it), 0);
        assert_string_equal(it.body, body);
        assert_int_equal(it.attempts, attempts);
        assert_int_equal(it.due_ms, due);
        free(it.body);
}

static void test_queue(void **state) {
        char *dir = test_tmpdir(), path[512];
        snprintf(path, sizeof(path), "%s/store.db", dir);
        struct tsdb *t;
        assert_int_equal(tsdb_open(path, &t, NULL), 0);
        struct tsdb_queue_item it;
        assert_int_equal(tsdb_queue_head(t, "a", &it), -ENOENT);
        assert_int_equal(tsdb_queue_push(t, "a", 1000, "one"), 0);
        assert_int_equal(tsdb_queue_push(t, "b", 1500, "other"), 0);
        assert_int_equal(tsdb_queue_push(t, "a", 2000, "two"), 0);
        head_is(t, "a", "one", 0, 1000);
        assert_int_equal(tsdb_queue_head(t, "a", &it), 0);
        assert_int_equal(tsdb_queue_retry(t, it.id, 3, 9000), 0);
        free(it.body);
        tsdb_close(t);
        /* Reopened: the queue and the retry are kept. */
        assert_int_equal(tsdb_open(path, &t, NULL), 0);
        head_is(t, "a", "one", 3, 9000);
        int64_t n;
        assert_int_equal(tsdb_queue_count(t, "a", &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(tsdb_queue_count(t, NULL, &n), 0);
        assert_int_equal(n, 3);
        assert_int_equal(tsdb_queue_head(t, "a", &it), 0);
        assert_int_equal(tsdb_queue_del(t, it.id), 0);
        free(it.body);
        head_is(t, "a", "two", 0, 2000);
        /* The newest removed, then a new one: its id is still after every earlier one. */
        assert_int_equal(tsdb_queue_head(t, "a", &it), 0);
        int64_t last = it.id;
        assert_int_equal(tsdb_queue_del(t, it.id), 0);
        free(it.body);
        assert_int_equal(tsdb_queue_push(t, "a", 3000, "three"), 0);
        assert_int_equal(tsdb_queue_head(t, "a", &it), 0);
        assert_true(it.id > last);
        free(it.body);
        /* Trim keeps the newest. */
        for (int i = 0; i < 5; i++)
                assert_int_equal(tsdb_queue_push(t, "a", 4000 + i, i % 2 ? "odd" : "even"), 0);
        int64_t dropped = -1;
        assert_int_equal(tsdb_queue_trim(t, "a", 2, &dropped), 0);
        assert_int_equal(dropped, 4);
        head_is(t, "a", "odd", 0, 4003);
        /* Forget: receivers not kept lose their items. */
        const char *keep[] = { "a" };
        assert_int_equal(tsdb_queue_forget(t, keep, 1, &dropped), 0);
        assert_int_equal(dropped, 1);
        assert_int_equal(tsdb_queue_head(t, "b", &it), -ENOENT);
        assert_int_equal(tsdb_queue_count(t, NULL, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(tsdb_queue_push(t, "", 1, "x"), -EINVAL);
        assert_int_equal(tsdb_queue_push(t, "a", 1, NULL), -EINVAL);
        tsdb_close(t);
        test_rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_queue),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

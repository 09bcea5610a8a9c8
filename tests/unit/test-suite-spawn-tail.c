/* SPDX-License-Identifier: MIT */
/* A child's stderr (suite/spawn-tail.c, spawn.c): only its last SUITE_TAIL_MAX bytes are kept however
 * much it writes, and the line a message quotes is the last whole one, or the end of a long one (or
 * of one whose start was dropped) after "...", never a fragment passed off as the line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "spawn.h"
#include "support.h"

static void add(SuiteTail *t, const char *s) {
        assert_int_equal(suite_tail_add(t, s, strlen(s)), 0);
        assert_true(suite_tail_kept(t) <= SUITE_TAIL_MAX);
}

static void test_last_whole_line(void **state) {
        SuiteTail t = {};
        char line[512];
        suite_tail_last_line(&t, line, sizeof line);
        assert_string_equal(line, "");
        add(&t, "first\nsecond: ");
        add(&t, "it failed\r\n\n  \n");
        suite_tail_last_line(&t, line, sizeof line);
        assert_string_equal(line, "second: it failed");
        /* A line of 800 bytes: its end after the mark, 511 bytes in all. */
        char *long_line = malloc(801);
        for (int i = 0; i < 800; i++)
                long_line[i] = (char) ('a' + i % 26);
        long_line[800] = '\0';
        add(&t, "\n");
        add(&t, long_line);
        suite_tail_last_line(&t, line, sizeof line);
        assert_int_equal(strlen(line), sizeof line - 1);
        assert_memory_equal(line, "...", 3);
        assert_string_equal(line + 3, long_line + 800 - 508);
        free(long_line);
        suite_tail_done(&t);
}

/* Megabytes of stderr keep 64 KiB; a line that began before them is marked. */
static void test_bounded(void **state) {
        SuiteTail t = {};
        char chunk[4096], line[512];
        memset(chunk, 'x', sizeof chunk - 1);
        chunk[sizeof chunk - 1] = '\0';
        for (int i = 0; i < 512; i++)
                add(&t, chunk);
        assert_int_equal(suite_tail_kept(&t), SUITE_TAIL_MAX);
        add(&t, " the end");
        suite_tail_last_line(&t, line, sizeof line);
        assert_memory_equal(line, "...", 3);
        assert_non_null(strstr(line, "xxx the end"));
        /* a short last line within the tail is whole */
        add(&t, "\nerror: no such host\n");
        suite_tail_last_line(&t, line, sizeof line);
        assert_string_equal(line, "error: no such host");
        /* one write larger than the bound keeps its end */
        char *big = malloc(SUITE_TAIL_MAX * 2 + 1);
        memset(big, 'y', SUITE_TAIL_MAX * 2);
        big[SUITE_TAIL_MAX * 2] = '\0';
        memcpy(big + SUITE_TAIL_MAX * 2 - 5, "\nlast", 5);
        add(&t, big);
        free(big);
        suite_tail_last_line(&t, line, sizeof line);
        assert_string_equal(line, "last");
        suite_tail_done(&t);
}

/* Numbered lines of every length through many compactions of the buffer: the last is whole, and
 * the kept bytes are exactly the last SUITE_TAIL_MAX written. */
static void test_many_small_writes(void **state) {
        SuiteTail t = {};
        char text[64], line[512];
        size_t total = 0;
        static char all[4u << 20];
        for (unsigned i = 0; total < sizeof all - 64; i++) {
                int n = snprintf(text, sizeof text, "line %u%.*s\n", i, (int) (i % 40),
                                 "........................................");
                add(&t, text);
                memcpy(all + total, text, (size_t) n);
                total += (size_t) n;
                if (i % 9973 == 0) {
                        suite_tail_last_line(&t, line, sizeof line);
                        text[n - 1] = '\0';
                        assert_string_equal(line, text);
                }
        }
        assert_int_equal(suite_tail_kept(&t), SUITE_TAIL_MAX);
        assert_memory_equal(t.buf + t.len - SUITE_TAIL_MAX, all + total - SUITE_TAIL_MAX, SUITE_TAIL_MAX);
        suite_tail_done(&t);
}

/* The mark is not followed by half a UTF-8 character; a NUL does not end the line early. */
static void test_utf8_and_nul(void **state) {
        SuiteTail t = {};
        char line[15]; /* 11 bytes kept after the mark: the first is the second half of an é */
        add(&t, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
        suite_tail_last_line(&t, line, sizeof line);
        assert_string_equal(line, "...\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
        assert_int_equal(suite_tail_add(&t, "\na\0b", 4), 0);
        suite_tail_last_line(&t, line, sizeof line);
        assert_string_equal(line, "a b");
        suite_tail_done(&t);
}

/* Through a real child: 2 MiB of stderr, then its last words. */
static void test_child(void **state) {
        char *const argv[] = { "/bin/sh", "-c",
                               "head -c 2097152 /dev/zero | tr '\\0' z >&2; printf '\\nfailed: 42\\n' >&2; exit 3",
                               NULL };
        SuiteChild ch;
        Error e = ERROR_NULL;
        assert_int_equal(suite_child_run(argv, 20000, true, NULL, &ch, &e), 0);
        assert_true(WIFEXITED(ch.status) && WEXITSTATUS(ch.status) == 3);
        assert_string_equal(ch.err_line, "failed: 42");
        suite_child_done(&ch);
        char *const one[] = { "/bin/sh", "-c", "head -c 100000 /dev/zero | tr '\\0' q >&2", NULL };
        assert_int_equal(suite_child_run(one, 20000, true, NULL, &ch, &e), 0);
        assert_memory_equal(ch.err_line, "...qqq", 6);
        assert_int_equal(strlen(ch.err_line), sizeof ch.err_line - 1);
        suite_child_done(&ch);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_last_whole_line),
                cmocka_unit_test(test_bounded),
                cmocka_unit_test(test_many_small_writes),
                cmocka_unit_test(test_utf8_and_nul),
                cmocka_unit_test(test_child),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

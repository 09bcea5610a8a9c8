/* SPDX-License-Identifier: MIT */
/* The cgroup v2 memory.stat / memory.events / memory.max parsers, on good, old-kernel, truncated and
 * hostile input (every prefix, seeded byte mutations, overflowing numbers). */
#include <stdlib.h>
#include <string.h>

#include "cgroup-memory-stat.h"
#include "macro.h"
#include "support.h"

static const char stat_text[] =
        "anon 1048576\n"
        "file 267000000\n"
        "kernel 65536\n"
        "pgscan 5000000\n"
        "pgsteal 4900000\n"
        "pgscan_kswapd 1000\n"
        "pgscan_direct 4999000\n"
        "pgscan_khugepaged 0\n"
        "pgsteal_kswapd 900\n"
        "pgsteal_direct 4899100\n"
        "workingset_refault_anon 7\n"
        "workingset_refault_file 20000\n"
        "pgfault 100\n";

static const char events_text[] = "low 1\nhigh 2\nmax 3000\noom 4\noom_kill 5\noom_group_kill 0\n";

static void test_stat(void **state) {
        CgroupMemStat s;
        assert_int_equal(cgroup_mem_stat_parse(stat_text, strlen(stat_text), &s), 0);
        assert_int_equal(s.pgscan, 5000000);
        assert_int_equal(s.pgsteal, 4900000);
        assert_int_equal(s.pgscan_kswapd, 1000);
        assert_int_equal(s.pgscan_direct, 4999000);
        assert_int_equal(s.pgsteal_kswapd, 900);
        assert_int_equal(s.pgsteal_direct, 4899100);
        assert_int_equal(s.refault_anon, 7);
        assert_int_equal(s.refault_file, 20000);
        /* Before 5.9 one workingset_refault (file pages); before 5.8 no kswapd/direct split. */
        const char old[] = "pgscan 10\npgsteal 9\nworkingset_refault 4\n";
        assert_int_equal(cgroup_mem_stat_parse(old, strlen(old), &s), 0);
        assert_int_equal(s.refault_file, 4);
        assert_int_equal(s.pgscan_direct, 0);
        /* No reclaim counters (a kernel before 4.16): nothing to report. */
        const char none[] = "anon 1\nfile 2\n";
        assert_int_equal(cgroup_mem_stat_parse(none, strlen(none), &s), -EBADMSG);
}

static void test_events_and_values(void **state) {
        CgroupMemEvents e;
        assert_int_equal(cgroup_mem_events_parse(events_text, strlen(events_text), &e), 0);
        assert_int_equal(e.low, 1);
        assert_int_equal(e.high, 2);
        assert_int_equal(e.max, 3000);
        assert_int_equal(e.oom, 4);
        assert_int_equal(e.oom_kill, 5);
        assert_int_equal(cgroup_mem_events_parse("low 1\n", 6, &e), -EBADMSG);
        uint64_t v;
        assert_int_equal(cgroup_mem_value_parse("max\n", 4, &v), 0);
        assert_true(v == CGROUP_MEM_UNLIMITED);
        assert_int_equal(cgroup_mem_value_parse("268435456\n", 10, &v), 0);
        assert_int_equal(v, 268435456);
        assert_int_equal(cgroup_mem_value_parse("", 0, &v), -EBADMSG);
        assert_int_equal(cgroup_mem_value_parse("12x\n", 4, &v), -EBADMSG);
        assert_int_equal(cgroup_mem_value_parse("12 13\n", 6, &v), -EBADMSG);
        assert_int_equal(cgroup_mem_value_parse("-1\n", 3, &v), -EBADMSG);
        assert_int_equal(cgroup_mem_value_parse("99999999999999999999999\n", 24, &v), -EBADMSG);
}

static void check_any(const char *buf, size_t n) {
        CgroupMemStat s;
        CgroupMemEvents e;
        uint64_t v;
        int r = cgroup_mem_stat_parse(buf, n, &s);
        assert_true(r == 0 || r == -EBADMSG);
        r = cgroup_mem_events_parse(buf, n, &e);
        assert_true(r == 0 || r == -EBADMSG);
        r = cgroup_mem_stat_v1_parse(buf, n, &s);
        assert_true(r == 0 || r == -EBADMSG);
        r = cgroup_mem_oom_control_parse(buf, n, &e);
        assert_true(r == 0 || r == -EBADMSG);
        r = cgroup_mem_value_parse(buf, n, &v);
        assert_true(r == 0 || r == -EBADMSG);
}

/* Every prefix (a file cut short), read from an exact-size heap copy so that ASan sees any read
 * past the end; then seeded random mutations of bytes, including NUL and newline. */
static void test_hostile(void **state) {
        size_t len = strlen(stat_text);
        for (size_t n = 0; n <= len; n++) {
                char *copy = malloc(n ? n : 1);
                memcpy(copy, stat_text, n);
                check_any(copy, n);
                CgroupMemStat s;
                /* Cut at a line's end after pgsteal: parsed. */
                if (n >= (size_t) (strstr(stat_text, "pgsteal 4900000\n") - stat_text) + STRLEN("pgsteal 4900000\n") &&
                    stat_text[n - 1] == '\n')
                        assert_int_equal(cgroup_mem_stat_parse(copy, n, &s), 0);
                free(copy);
        }
        static const char alphabet[] = { '\0', '\n', ' ', '\t', '9', '-', 'x', '\xff', '=' };
        srand(21);
        for (unsigned round = 0; round < 20000; round++) {
                char *copy = malloc(len);
                memcpy(copy, stat_text, len);
                for (unsigned k = 0, m = 1 + (unsigned) rand() % 8; k < m; k++)
                        copy[(size_t) rand() % len] = alphabet[(size_t) rand() % sizeof(alphabet)];
                size_t cut = (size_t) rand() % (len + 1);
                check_any(copy, cut);
                free(copy);
        }
        const char overflow[] = "pgscan 184467440737095516160\npgsteal 1\n";
        CgroupMemStat s;
        assert_int_equal(cgroup_mem_stat_parse(overflow, strlen(overflow), &s), -EBADMSG);
        /* A key with no value, a value with trailing garbage, a line of blanks, no final newline. */
        const char odd[] = "pgscan\npgsteal 1\n";
        assert_int_equal(cgroup_mem_stat_parse(odd, strlen(odd), &s), -EBADMSG);
        const char tail[] = "   \npgscan 5\npgsteal 4";
        assert_int_equal(cgroup_mem_stat_parse(tail, strlen(tail), &s), 0);
        assert_int_equal(s.pgsteal, 4);
}

static void test_v1(void **state) {
        CgroupMemStat s;
        CgroupMemEvents e;
        /* A parent whose pages sit in its children: the local keys are small, the total_ ones
         * (hierarchical, like memory.usage_in_bytes) are what counts. */
        const char v1[] = "cache 10031104\nrss 8515584\nworkingset_refault_anon 2\nworkingset_refault_file 375\n"
                          "pgpgin 24205\npgpgout 19677\ntotal_pgpgout 4993967\n"
                          "total_workingset_refault_anon 40\ntotal_workingset_refault_file 9100\n";
        assert_int_equal(cgroup_mem_stat_v1_parse(v1, strlen(v1), &s), 0);
        assert_int_equal(s.pgpgout, 4993967);
        assert_int_equal(s.refault_anon, 40);
        assert_int_equal(s.refault_file, 9100);
        /* Before 5.9 one refault key; a v1 table without total_pgpgout is not a memory.stat. */
        const char old[] = "pgpgout 5\ntotal_pgpgout 7\nworkingset_refault 3\ntotal_workingset_refault 11\n";
        assert_int_equal(cgroup_mem_stat_v1_parse(old, strlen(old), &s), 0);
        assert_int_equal(s.pgpgout, 7);
        assert_int_equal(s.refault_file, 11);
        assert_int_equal(cgroup_mem_stat_v1_parse("cache 1\n", 8, &s), -EBADMSG);
        assert_int_equal(cgroup_mem_stat_v1_parse("pgpgout 1\n", 10, &s), -EBADMSG);
        const char oom[] = "oom_kill_disable 0\nunder_oom 1\noom_kill 3\n";
        assert_int_equal(cgroup_mem_oom_control_parse(oom, strlen(oom), &e), 0);
        assert_int_equal(e.oom_kill, 3);
        assert_int_equal(e.oom, 0);
        assert_int_equal(cgroup_mem_oom_control_parse("oom_kill 3\n", 11, &e), -EBADMSG);
        uint64_t v;
        assert_int_equal(cgroup_mem_value_parse("9223372036854771712\n", 20, &v), 0);
        assert_true(v == CGROUP_MEM_UNLIMITED);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_stat),
                cmocka_unit_test(test_events_and_values),
                cmocka_unit_test(test_hostile),
                cmocka_unit_test(test_v1),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

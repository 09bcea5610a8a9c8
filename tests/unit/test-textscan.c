/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "support.h"
#include "textscan.h"

static void test_lines_and_words(void **state) {
        const char text[] = "a 1 2\n\nb  x\t3\nlast";
        Scan s = scan_init(text, sizeof(text) - 1), line, w;
        assert_true(scan_line(&s, &line));
        assert_true(scan_word(&line, &w));
        assert_true(scan_eq(w, "a"));
        uint64_t v;
        assert_int_equal(scan_u64(&line, &v), 0);
        assert_int_equal(v, 1);
        assert_int_equal(scan_u64(&line, &v), 0);
        assert_int_equal(v, 2);
        assert_int_equal(scan_u64(&line, &v), -EBADMSG);       /* end of line */
        assert_true(scan_line(&s, &line));
        assert_false(scan_word(&line, &w));                    /* empty line */
        assert_true(scan_line(&s, &line));
        assert_true(scan_word_is(&line, "b"));
        assert_int_equal(scan_u64(&line, &v), -EBADMSG);       /* "x" is no number */
        assert_true(scan_line(&s, &line));                      /* no trailing newline */
        assert_true(scan_eq(line, "last"));
        assert_false(scan_line(&s, &line));
}

static void test_numbers(void **state) {
        uint64_t v;
        int64_t i;
        double d;
        Scan s = scan_str("18446744073709551615 18446744073709551616 ff 0x1F -9223372036854775808 -1x 2.5 nan");
        assert_int_equal(scan_u64(&s, &v), 0);
        assert_true(v == UINT64_MAX);
        assert_int_equal(scan_u64(&s, &v), -ERANGE);
        assert_int_equal(scan_u64_base(&s, 16, &v), 0);
        assert_int_equal(v, 255);
        assert_int_equal(scan_u64_base(&s, 16, &v), 0);
        assert_int_equal(v, 31);
        assert_int_equal(scan_i64(&s, &i), 0);
        assert_true(i == INT64_MIN);
        assert_int_equal(scan_i64(&s, &i), -EBADMSG);
        scan_skip_words(&s, 1);
        assert_int_equal(scan_double(&s, &d), 0);
        assert_true(d == 2.5);
        assert_int_equal(scan_double(&s, &d), -EBADMSG);

        /* The unchecked path of 19 digits or fewer, and its edges. */
        s = scan_str("9999999999999999999 0000000000000000000042 0 123x 12:3 07");
        assert_int_equal(scan_u64(&s, &v), 0);
        assert_true(v == UINT64_C(9999999999999999999));
        assert_int_equal(scan_u64(&s, &v), 0); /* 22 digits, checked: leading zeros do not overflow */
        assert_int_equal(v, 42);
        assert_int_equal(scan_u64(&s, &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(scan_u64(&s, &v), -EBADMSG);
        assert_int_equal(scan_u64(&s, &v), -EBADMSG);
        assert_int_equal(scan_u64(&s, &v), 0);
        assert_int_equal(v, 7);

        /* The inline path's ends of a number: a tab, a carriage return, a newline (not consumed). */
        s = scan_str("1\t2\r3\n4");
        assert_int_equal(scan_u64(&s, &v), 0);
        assert_int_equal(v, 1);
        assert_int_equal(scan_u64(&s, &v), 0);
        assert_int_equal(v, 2);
        assert_int_equal(scan_u64(&s, &v), 0);
        assert_int_equal(v, 3);
        assert_int_equal(scan_u64(&s, &v), -EBADMSG);
        assert_true(*s.p == '\n');
}

/* Plain decimals take a path of their own: it must give strtod's double, bit for bit. */
static void test_plain_decimals(void **state) {
        Scan words = scan_str("0.10 1.33 2.79 0.005 123456.789012345 999999999999999 0.000000000000001 "
                              "3.14159265358979 7 007.50"),
             w;
        char buf[64];
        for (unsigned i = 0; i < 20000; i++) {
                if (scan_word(&words, &w))
                        snprintf(buf, sizeof(buf), "%.*s", (int) scan_len(w), w.p);
                else
                        snprintf(buf, sizeof(buf), "%u.%0*u", i * 7919u % 100000, (int) (i % 9) + 1,
                                 i * 104729u % 1000000000u);
                Scan s = scan_str(buf);
                double d;
                assert_int_equal(scan_double(&s, &d), 0);
                double want = strtod(buf, NULL);
                assert_memory_equal(&d, &want, sizeof(d));
        }
        /* Not plain: through strtod, or refused as before. */
        Scan s = scan_str("1. .5 1e3 -2.5 1.2.3 0x10");
        double d;
        assert_int_equal(scan_double(&s, &d), 0);
        assert_true(d == 1.0);
        assert_int_equal(scan_double(&s, &d), 0);
        assert_true(d == 0.5);
        assert_int_equal(scan_double(&s, &d), 0);
        assert_true(d == 1000.0);
        assert_int_equal(scan_double(&s, &d), 0);
        assert_true(d == -2.5);
        assert_int_equal(scan_double(&s, &d), -EBADMSG);
        assert_int_equal(scan_double(&s, &d), 0);
        assert_true(d == 16.0);
}

static void test_truncated_buffer(void **state) {
        /* The scan must stop at len even when the memory after it holds more digits. */
        const char text[] = "12345";
        Scan s = scan_init(text, 3);
        uint64_t v;
        assert_int_equal(scan_u64(&s, &v), 0);
        assert_int_equal(v, 123);
        Scan empty = scan_init(text, 0), line;
        assert_false(scan_line(&empty, &line));
        assert_int_equal(scan_u64(&empty, &v), -EBADMSG);
}

static void test_find_key(void **state) {
        Scan s = scan_str("MemTotal:       100 kB\nMemFree: 5 kB\nMem: 7\n"), rest;
        assert_true(scan_find_key(s, "MemFree", &rest));
        uint64_t v;
        assert_int_equal(scan_u64(&rest, &v), 0);
        assert_int_equal(v, 5);
        assert_true(scan_find_key(s, "Mem", &rest));
        assert_int_equal(scan_u64(&rest, &v), 0);
        assert_int_equal(v, 7);
        assert_false(scan_find_key(s, "Swap", &rest));
        char buf[4];
        Scan w = scan_str("toolong");
        assert_int_equal(scan_copy(w, buf, sizeof(buf)), -ENAMETOOLONG);
        assert_true(scan_eq(scan_trim(scan_str("  x \n")), "x"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lines_and_words), cmocka_unit_test(test_numbers),
                cmocka_unit_test(test_plain_decimals),  cmocka_unit_test(test_truncated_buffer),
                cmocka_unit_test(test_find_key),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

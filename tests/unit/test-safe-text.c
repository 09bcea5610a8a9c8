/* SPDX-License-Identifier: MIT */
/* Host names as bytes: what passes unchanged, what becomes \xNN, cuts at character boundaries, and
 * whole documents escaped in place. */
#include <stdlib.h>
#include <string.h>

#include "safe-text.h"
#include "support.h"

static void expect(const char *in, const char *out) {
        char *e = text_escape(in);
        assert_non_null(e);
        assert_string_equal(e, out);
        assert_int_equal(text_is_printable(in), strcmp(in, out) == 0);
        /* Escaping twice changes nothing: the escaped form is printable ASCII. */
        assert_true(text_is_printable(e));
        char *again = text_escape(e);
        assert_string_equal(again, e);
        free(again);
        free(e);
}

static void test_printable_passes(void **state) {
        expect("", "");
        expect("nginx: worker", "nginx: worker");
        expect("dev-disk-by\\x2duuid", "dev-disk-by\\x2duuid");     /* systemd's own escapes stay */
        expect("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
        expect("\xc2\xa0nbsp", "\xc2\xa0nbsp");                      /* U+00A0: first printable past C1 */
}

static void test_controls_and_bad_bytes_escaped(void **state) {
        expect("\x1b[31mred", "\\x1b[31mred");
        expect("a\nb\tc\x7f", "a\\x0ab\\x09c\\x7f");
        expect("\xc2\x9b" "2J", "\\xc2\\x9b2J");                     /* C1 CSI, as UTF-8 */
        expect("\xff\xfe", "\\xff\\xfe");
        expect("\xc0\xaf", "\\xc0\\xaf");                            /* overlong '/' */
        expect("\xe0\x80\xaf", "\\xe0\\x80\\xaf");                   /* overlong, 3 bytes */
        expect("\xed\xa0\x80", "\\xed\\xa0\\x80");                   /* a surrogate */
        expect("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");          /* past U+10FFFF */
        expect("\xe2\x82", "\\xe2\\x82");                            /* truncated sequence */
        expect("ok\xe2\x82" "x", "ok\\xe2\\x82x");
}

static void test_buffer_cut_at_boundaries(void **state) {
        char buf[8];
        assert_string_equal(text_escape_buf(buf, sizeof(buf), "abc\x1b" "def"), "abc\\x1b");
        assert_string_equal(text_escape_buf(buf, 6, "abc\x1b" "def"), "abc");  /* never half an escape */
        assert_string_equal(text_escape_buf(buf, 6, "ab\xe2\x82\xac" "cd"), "ab\xe2\x82\xac");
        assert_string_equal(text_escape_buf(buf, 5, "ab\xe2\x82\xac" "cd"), "ab");    /* nor half a character */
        assert_string_equal(text_escape_buf(buf, 1, "abc"), "");
}

static void test_json_text(void **state) {
        json_t *j = json_text("\xff" "eth0");
        assert_non_null(j);
        assert_string_equal(json_string_value(j), "\\xffeth0");
        json_decref(j);
        j = json_text(NULL);
        assert_true(json_is_null(j));
        json_decref(j);
        /* jansson itself refuses such bytes: this is what made the profile fail with ENOMEM. */
        assert_null(json_string("\xff" "eth0"));
}

static void test_tree_escaped_in_place(void **state) {
        json_error_t jerr;
        json_t *doc = json_loads("{\"a\\u001b[2J\": [\"x\\u009b1m\", {\"k\": \"\\u0007bell\"}], \"ok\": \"fine\"}", 0,
                                 &jerr);
        assert_non_null(doc);
        assert_int_equal(json_escape_tree(doc), 0);
        json_t *a = json_object_get(doc, "a\\x1b[2J");
        assert_non_null(a);
        assert_null(json_object_get(doc, "a\x1b[2J"));
        assert_string_equal(json_string_value(json_array_get(a, 0)), "x\\xc2\\x9b1m");
        assert_string_equal(json_string_value(json_object_get(json_array_get(a, 1), "k")), "\\x07bell");
        assert_string_equal(json_string_value(json_object_get(doc, "ok")), "fine");
        assert_int_equal(json_object_size(doc), 2);
        json_decref(doc);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_printable_passes),
                cmocka_unit_test(test_controls_and_bad_bytes_escaped),
                cmocka_unit_test(test_buffer_cut_at_boundaries),
                cmocka_unit_test(test_json_text),
                cmocka_unit_test(test_tree_escaped_in_place),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

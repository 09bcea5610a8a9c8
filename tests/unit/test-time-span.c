/* SPDX-License-Identifier: MIT */
/* common/time-util's spans of history ("15m", "2d"): every unit, a bare number as seconds, and what
 * is refused: no number, a fraction, a sign, an unknown or doubled unit, zero, beyond 10 years. */
#include <errno.h>
#include <stdint.h>

#include "support.h"
#include "time-util.h"

static void test_span(void **state) {
        static const struct {
                const char *text;
                int r;
                int64_t ms;
        } cases[] = {
                { "90", 0, 90000 },         { "90s", 0, 90000 },      { "15m", 0, 900000 },
                { "1h", 0, 3600000 },       { "2d", 0, 172800000 },   { "1w", 0, 604800000 },
                { "3650d", 0, 315360000000 }, { "", -EINVAL, 0 },     { "m", -EINVAL, 0 },
                { "1.5h", -EINVAL, 0 },     { "-1h", -EINVAL, 0 },    { "+1h", -EINVAL, 0 },
                { " 1h", -EINVAL, 0 },      { "1hh", -EINVAL, 0 },    { "1y", -EINVAL, 0 },
                { "0", -EINVAL, 0 },        { "0s", -EINVAL, 0 },     { "600w", -ERANGE, 0 },
                { "99999999999999999999", -ERANGE, 0 },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                int64_t ms = -7;
                assert_int_equal(time_parse_span_ms(cases[i].text, &ms), cases[i].r);
                assert_int_equal(ms, cases[i].r == 0 ? cases[i].ms : -7);
        }
        assert_int_equal(time_parse_span_ms(NULL, NULL), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_span) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

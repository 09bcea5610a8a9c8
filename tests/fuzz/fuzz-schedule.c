/* SPDX-License-Identifier: MIT */
/* A unit file in a user's or the system's unit directory as `skytune bench schedule --list` reads
 * it (suite/bench-schedule.c): a calendar only from a text with the mark, one line, found after an
 * OnCalendar= of the text. And a suite name as lookup and the timer's instance take it. */
#include <string.h>

#include "bench-schedule.h"
#include "fuzz.h"
#include "suite-lookup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_cstr(data, size);
        char *cal = bench_schedule_calendar(text);
        if (cal) {
                fuzz_check(strncmp(text, BENCH_SCHEDULE_MARK, strlen(BENCH_SCHEDULE_MARK)) == 0);
                fuzz_check(*cal && !strchr(cal, '\n'));
                char *line = NULL;
                fuzz_check(asprintf(&line, "OnCalendar=%s", cal) > 0 && strstr(text, line));
                free(line);
        }
        free(cal);
        if (suite_name_valid(text))
                fuzz_check(!suite_arg_is_path(text) && strlen(text) <= SUITE_NAME_MAX && !strpbrk(text, "/\\%. \n"));
        free(text);
        return 0;
}

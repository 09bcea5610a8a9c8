/* SPDX-License-Identifier: MIT */
/* The ulimit grammar (common/tunable-ulimit.c): the first line is a key ("process:nginx:nofile"),
 * the second a value ("65536:65536", "unlimited", "64M"), the rest a /proc/PID/limits text. A value
 * accepted and formatted again must parse to the same limits; a limits.conf word likewise. */
#include <stdio.h>

#include "fuzz.h"
#include "ulimit.h"

static char *next_line(char **s) {
        char *line = *s, *nl = strchr(line, '\n');
        if (nl) {
                *nl = '\0';
                *s = nl + 1;
        } else
                *s = line + strlen(line);
        return line;
}

static void value_round_trip(const char *value, const UlimitResource *res) {
        long long soft, hard, soft2, hard2;
        if (ulimit_value_parse(value, res, &soft, &hard) < 0)
                return;
        char *again = NULL;
        fuzz_check(ulimit_value_format(soft, hard, &again) >= 0);
        fuzz_check(ulimit_value_parse(again, res, &soft2, &hard2) >= 0);
        fuzz_check(soft == soft2 && hard == hard2);
        free(again);
        char word[24];
        long long v;
        if (ulimit_limits_conf_parse(res, value, &v) >= 0)
                fuzz_check(ulimit_limits_conf_word(res, v, word) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_cstr(data, size), *rest = text;
        const char *key = next_line(&rest), *value = next_line(&rest);
        UlimitKey k;
        const UlimitResource *res = NULL;
        if (ulimit_key_parse(key, &k) >= 0)
                res = k.resource;
        for (size_t i = 0; !res && ulimit_resource_at(i); i++)
                if ((size ? data[0] : 0) % 16 == i)
                        res = ulimit_resource_at(i);
        if (!res)
                res = ulimit_resource_at(0);
        value_round_trip(value, res);
        long long soft, hard;
        (void) ulimit_parse_proc_limits(rest, strlen(rest), res, &soft, &hard);
        free(text);
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* The suite tests' helpers (test-suite-*.c): a file that must read, one that must be refused at a
 * line with a message. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite.h"
#include "support.h"

static inline Suite *suite_ok_at(const char *file, const char *text) {
        Suite *s = NULL;
        Error e = ERROR_NULL;
        if (suite_load_text(file, text, strlen(text), &s, &e) < 0)
                fail_msg("%s", error_message(&e));
        return s;
}

/* Refused at bad.conf:line (0: the file as a whole) with needle in the message. */
static inline void suite_expect_error(const char *text, unsigned line, const char *needle) {
        Suite *s = NULL;
        Error e = ERROR_NULL;
        assert_true(suite_load_text("bad.conf", text, strlen(text), &s, &e) < 0);
        assert_null(s);
        char *msg = error_format(&e);
        char at[32];
        if (line)
                snprintf(at, sizeof(at), "bad.conf:%u:", line);
        else
                snprintf(at, sizeof(at), "bad.conf: ");
        if (!strstr(msg, at) || !strstr(msg, needle))
                fail_msg("expected '%s' and '%s' in: %s", at, needle, msg);
        free(msg);
        error_done(&e);
}

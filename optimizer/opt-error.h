/* SPDX-License-Identifier: MIT */
/* Error details of the optimizer library: which file and line, and a message for a person. The library
 * never prints; it returns a negative errno and fills an OptError the caller shows. */
#pragma once

#include "macro.h"

typedef struct OptError {
        char *file;             /* NULL when the error has no file (a profile, an option) */
        unsigned line;          /* 0 when unknown */
        char *message;
} OptError;

#define OPT_ERROR_INIT ((OptError) {})

void opt_error_clear(OptError *e);
/* Sets the error (the first one wins: a later call keeps the earlier, more precise, error) and
 * returns r, which must be negative. e may be NULL. */
int opt_error_set(OptError *e, int r, const char *file, unsigned line, const char *fmt, ...) _printf_(5, 6);
/* "file:line: message", "file: message" or "message"; malloc'ed, NULL on OOM. */
char *opt_error_format(const OptError *e);

/* SPDX-License-Identifier: MIT */
/* Error details of the optimizer library: which file and line, and a message for a person. The library
 * never prints; it returns a negative errno and fills the error the caller shows. The carrier is
 * common/error.h's Error (errno, message, place in the source, and the input's file and line); these
 * names stay so that the optimizer's files keep their small hunks. */
#pragma once

#include "error.h"

typedef Error OptError;

#define OPT_ERROR_INIT ERROR_NULL

static inline void opt_error_clear(OptError *e) {
        if (e)
                error_done(e);
}

/* Sets the error (the first one wins: a later call keeps the earlier, more precise, error) and
 * returns r, which must be negative. e may be NULL. */
#define opt_error_set(e, r, file, line, ...) error_set_input((e), (r), (file), (line), __VA_ARGS__)

/* "file:line: message", "file: message" or "message"; malloc'ed, NULL on OOM. */
static inline char *opt_error_format(const OptError *e) {
        return error_format(e);
}

/* SPDX-License-Identifier: MIT */
/* The error carrier of library code that has more to say than an errno: the negative errno (what
 * callers decide on), a message for people (names the thing and what to do), and the place in the
 * source that set it (for debug logs). The transport decides how to present it: skytune-helper's bus
 * layer maps the errno to a D-Bus error name and sends the message with it. */
#pragma once

#include "macro.h"

typedef struct Error {
        int code;               /* negative errno; 0: no error */
        char *message;          /* malloc'ed; NULL: none (strerror(-code) stands in) */
        const char *place;      /* "file.c:123" of the error_set() that set it, or NULL */
        char *file;             /* the input the error is about (a policy file), malloc'ed; NULL: none */
        unsigned line;          /* its line; 0: unknown */
} Error;

#define ERROR_NULL ((Error) {})

/* Set *e (replacing what it held) and return code, so that callers can write
 * `return error_set(e, -ENOENT, "no transaction %s", id);`. e may be NULL: then only code is returned.
 * When the message cannot be formatted (no memory), message stays NULL and code is kept. */
#define error_set(e, code, ...) error_set_at((e), (code), __FILE__ ":" STRINGIFY(__LINE__), __VA_ARGS__)
int error_set_at(Error *e, int code, const char *place, const char *fmt, ...) _printf_(4, 5);
/* The same about a line of an input file (file may be NULL, line 0 when unknown). The first error
 * wins: when e already holds one, it is kept (it is the more precise) and only code is returned. */
#define error_set_input(e, code, file, line, ...) \
        error_set_input_at((e), (code), __FILE__ ":" STRINGIFY(__LINE__), (file), (line), __VA_ARGS__)
int error_set_input_at(Error *e, int code, const char *place, const char *file, unsigned line, const char *fmt, ...)
        _printf_(6, 7);
/* "file:line: message", "file: message" or the message, as people read it; malloc'ed, NULL on OOM. */
char *error_format(const Error *e);
/* The message, or strerror(-code) when there is none. */
const char *error_message(const Error *e);
bool error_is_set(const Error *e);
void error_done(Error *e);
/* Hand src's error to dst, replacing what dst held (dst NULL: src is dropped); src is left empty.
 * Returns the code. For a function that collects a callee's error before deciding what to report. */
int error_move(Error *dst, Error *src);

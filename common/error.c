/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "macro.h"

static int error_vset(Error *e, int code, const char *place, const char *fmt, va_list ap) _printf_(4, 0);
static int error_vset(Error *e, int code, const char *place, const char *fmt, va_list ap) {
        if (vasprintf(&e->message, fmt, ap) < 0)
                e->message = NULL;
        e->code = code;
        e->place = place;
        return code;
}

int error_set_at(Error *e, int code, const char *place, const char *fmt, ...) {
        if (!e)
                return code;
        error_done(e);
        va_list ap;
        va_start(ap, fmt);
        error_vset(e, code, place, fmt, ap);
        va_end(ap);
        return code;
}

int error_set_input_at(Error *e, int code, const char *place, const char *file, unsigned line, const char *fmt, ...) {
        if (!e || e->message || e->code < 0)
                return code;
        va_list ap;
        va_start(ap, fmt);
        error_vset(e, code, place, fmt, ap);
        va_end(ap);
        e->file = file ? strdup(file) : NULL;
        e->line = line;
        return code;
}

char *error_format(const Error *e) {
        char *s = NULL;
        const char *msg = !e ? "unknown error" : e->message ? e->message : e->code < 0 ? strerror(-e->code) : "unknown error";
        int n;
        if (e && e->file && e->line > 0)
                n = asprintf(&s, "%s:%u: %s", e->file, e->line, msg);
        else if (e && e->file)
                n = asprintf(&s, "%s: %s", e->file, msg);
        else
                n = asprintf(&s, "%s", msg);
        return n < 0 ? NULL : s;
}

const char *error_message(const Error *e) {
        return e->message ?: strerror(-e->code);
}

bool error_is_set(const Error *e) {
        return e->code < 0;
}

void error_done(Error *e) {
        free(e->message);
        free(e->file);
        *e = ERROR_NULL;
}

int error_move(Error *dst, Error *src) {
        int code = src->code;
        if (dst) {
                error_done(dst);
                *dst = *src;
        } else
                error_done(src);
        *src = ERROR_NULL;
        return code;
}

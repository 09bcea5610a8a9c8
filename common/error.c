/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

int error_set_at(Error *e, int code, const char *place, const char *fmt, ...) {
        if (!e)
                return code;
        error_done(e);
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&e->message, fmt, ap) < 0)
                e->message = NULL;
        va_end(ap);
        e->code = code;
        e->place = place;
        return code;
}

const char *error_message(const Error *e) {
        return e->message ?: strerror(-e->code);
}

bool error_is_set(const Error *e) {
        return e->code < 0;
}

void error_done(Error *e) {
        free(e->message);
        *e = ERROR_NULL;
}

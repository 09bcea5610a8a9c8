/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opt-error.h"

void opt_error_clear(OptError *e) {
        if (!e)
                return;
        free(e->file);
        free(e->message);
        *e = OPT_ERROR_INIT;
}

int opt_error_set(OptError *e, int r, const char *file, unsigned line, const char *fmt, ...) {
        if (!e || e->message)
                return r;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&e->message, fmt, ap) < 0)
                e->message = NULL;
        va_end(ap);
        e->file = file ? strdup(file) : NULL;
        e->line = line;
        return r;
}

char *opt_error_format(const OptError *e) {
        char *s = NULL;
        const char *msg = e && e->message ? e->message : "unknown error";
        int n;
        if (e && e->file && e->line > 0)
                n = asprintf(&s, "%s:%u: %s", e->file, e->line, msg);
        else if (e && e->file)
                n = asprintf(&s, "%s: %s", e->file, msg);
        else
                n = asprintf(&s, "%s", msg);
        return n < 0 ? NULL : s;
}

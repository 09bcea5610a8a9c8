/* SPDX-License-Identifier: MIT */
#include "log.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static LogLevel max_level = LOG_LEVEL_NOTICE;
static LogSink sink;
static void *sink_data;
static const char *program = "skytune";

void log_set_level(LogLevel max) {
        max_level = max;
}
LogLevel log_get_level(void) {
        return max_level;
}
LogSink log_get_sink(void **ret_userdata) {
        *ret_userdata = sink_data;
        return sink;
}

void log_set_sink(LogSink s, void *userdata) {
        sink = s;
        sink_data = userdata;
}
void log_set_program(const char *name) {
        program = name;
}

static void stderr_sink(LogLevel level, const char *msg) {
        static const char *const prefix[] = {
                [LOG_LEVEL_ERR] = "error: ",
                [LOG_LEVEL_WARNING] = "warning: ",
        };
        const char *p = level <= LOG_LEVEL_WARNING ? prefix[level] : "";
        bool color = isatty(STDERR_FILENO) && !getenv("NO_COLOR") && level <= LOG_LEVEL_WARNING;
        fprintf(stderr, "%s: %s%s%s%s\n", program, color ? (level == LOG_LEVEL_ERR ? "\033[1;31m" : "\033[1;33m") : "",
                p, color ? "\033[0m" : "", msg);
}

void log_msgv(LogLevel level, const char *fmt, va_list ap) {
        if (level > max_level)
                return;
        char *msg = NULL;
        if (vasprintf(&msg, fmt, ap) < 0)
                return;
        if (sink)
                sink(level, msg, sink_data);
        else
                stderr_sink(level, msg);
        free(msg);
}

void log_msg(LogLevel level, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        log_msgv(level, fmt, ap);
        va_end(ap);
}

int log_errno(LogLevel level, int r, const char *fmt, ...) {
        int saved = errno;
        errno = r < 0 ? -r : r; /* so that %m prints this error */
        va_list ap;
        va_start(ap, fmt);
        log_msgv(level, fmt, ap);
        va_end(ap);
        errno = saved;
        return r < 0 ? r : -r;
}

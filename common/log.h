/* SPDX-License-Identifier: MIT */
/* Messages for people, from the CLI and the services only (library code returns errors instead).
 * The CLI logs to stderr; the helper switches the target to the journal. */
#pragma once

#include <stdarg.h>

#include "macro.h"

typedef enum LogLevel {
        LOG_LEVEL_ERR = 3,
        LOG_LEVEL_WARNING = 4,
        LOG_LEVEL_NOTICE = 5,
        LOG_LEVEL_INFO = 6,
        LOG_LEVEL_DEBUG = 7,
} LogLevel;

typedef void (*LogSink)(LogLevel level, const char *msg, void *userdata);

void log_set_level(LogLevel max);
LogLevel log_get_level(void);
/* NULL restores the default stderr sink ("skytune: error: ..."). */
void log_set_sink(LogSink sink, void *userdata);
/* The sink in use (NULL: stderr), so that a service can catch a library's messages for a while and
 * put it back. */
LogSink log_get_sink(void **ret_userdata);
void log_set_program(const char *name);

void log_msgv(LogLevel level, const char *fmt, va_list ap) _printf_(2, 0);
void log_msg(LogLevel level, const char *fmt, ...) _printf_(2, 3);

/* Log and return r (a negative errno), so callers can write `return log_error_errno(r, ...)`.
 * %m in fmt is replaced by strerror(-r). */
int log_errno(LogLevel level, int r, const char *fmt, ...) _printf_(3, 4);

#define log_error(...)            log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warning(...)          log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_notice(...)           log_msg(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_info(...)             log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)            log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_error_errno(r, ...)   log_errno(LOG_LEVEL_ERR, r, __VA_ARGS__)
#define log_warning_errno(r, ...) log_errno(LOG_LEVEL_WARNING, r, __VA_ARGS__)

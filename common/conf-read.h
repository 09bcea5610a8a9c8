/* SPDX-License-Identifier: MIT */
/* Reading libconfig files for people: every mistake is an Error at file:line that says what to write
 * instead. Shared by the scenario reader (load/) and the monitor's configuration (monitor/). */
#pragma once

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "macro.h"

typedef struct ConfRead {
        const char *file;
        const char *doc; /* where the keys are documented ("docs/scenario.md"), for unknown keys */
        Error *e;
} ConfRead;

/* s's line in its file; 0 for NULL. */
unsigned conf_line(const config_setting_t *s);
/* -EINVAL with *c->e at s's line; the message as printf. */
int conf_fail(const ConfRead *c, const config_setting_t *s, const char *fmt, ...) _printf_(3, 4);
/* Every member of group is one of allowed (else: unknown, with the nearest name). */
int conf_keys(const ConfRead *c, const config_setting_t *group, const char *what, const char *const *allowed, size_t n);
/* Optional members: 0 when absent (*ret untouched), 1 when read, -EINVAL on a wrong type or value. */
int conf_string(const ConfRead *c, const config_setting_t *g, const char *key, char **ret);
int conf_number(const ConfRead *c, const config_setting_t *g, const char *key, double min, double max, double *ret);
int conf_bool(const ConfRead *c, const config_setting_t *g, const char *key, bool *ret);
/* A duration in ms: seconds as a number (0 .. 366 days), or a span "90s", "5m", "2h", "1d" (and "0"). */
int conf_span_ms(const ConfRead *c, const config_setting_t *g, const char *key, int64_t *ret);
/* The same, also in milliseconds ("500ms"): for a benchmark's round, which may be shorter than a
 * second. */
int conf_duration_ms(const ConfRead *c, const config_setting_t *g, const char *key, int64_t *ret);
/* One of n names (all of them in the message): *ret its index. */
int conf_choice(const ConfRead *c, const config_setting_t *g, const char *key, const char *const *names, size_t n,
                int *ret);
/* Parses text (len bytes, NUL-terminated) into cfg, config_init'ed by the caller: a NUL byte inside
 * or a syntax error is -EINVAL with *c->e at the line. */
int conf_parse_text(const ConfRead *c, config_t *cfg, const char *text, size_t len);

/* SPDX-License-Identifier: MIT */
/* The one time format of every document and record: ISO 8601 in UTC with microseconds,
 * "2026-12-02T18:24:10.123456Z" (sorts as text, parses with date -d and every JSON tool). */
#pragma once

#include <stdint.h>

#define ISO8601_USEC_SIZE 32

/* Wall-clock time in microseconds since the epoch (CLOCK_REALTIME). */
uint64_t time_now_realtime_usec(void);
/* Microseconds on CLOCK_MONOTONIC: for intervals and throttles, which a wall clock step must not move. */
uint64_t time_now_monotonic_usec(void);
/* usec since the epoch into buf (ISO8601_USEC_SIZE bytes); returns buf, "" when it cannot be formatted. */
char *time_format_iso8601(uint64_t usec, char buf[static ISO8601_USEC_SIZE]);
/* The current time, malloc'ed; NULL on ENOMEM. */
char *time_now_iso8601(void);
/* "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" back to usec since the epoch: -EINVAL for anything else. */
int time_parse_iso8601(const char *s, uint64_t *ret_usec);

/* A duration for people: "1.5", "500ms", "2s", "3m", "3min" or "1h" (seconds, 0 .. 86400); -EINVAL for
 * anything else, -ERANGE past a day. */
int time_parse_seconds(const char *s, double *ret);

/* A span of history for people: a whole number with a unit, "90s", "15m", "1h", "2d" or "1w" (a bare
 * number is seconds), 1 s .. 10 years, in milliseconds; -EINVAL for anything else, -ERANGE beyond. */
int time_parse_span_ms(const char *s, int64_t *ret);

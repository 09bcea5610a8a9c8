/* SPDX-License-Identifier: MIT */
/* The query arguments of the monitor's JSON API (docs/api.md): times, steps and ranges, each refused
 * through http_request_refuse() with the argument's name and what it accepts. Pure (now is given),
 * so that the unit tests and the fuzz target drive them without a daemon. */
#pragma once

#include <stdint.h>

#include "http-request.h"

/* The latest time the API takes: 9999-12-31T23:59:59.999Z. */
#define API_TIME_MAX_MS INT64_C(253402300799999)
/* A query's default step keeps the range to at most this many buckets (24 h at 1 min: 1440). */
#define API_DEFAULT_POINTS 1500
/* At most this many series in one query, and buckets (series times steps of the range) in one answer. */
#define API_SERIES_MAX 32
#define API_POINTS_MAX 200000

/* A time: unix ms ("1765000000000"), ISO 8601 in UTC ("2026-12-07T01:00:00Z", with .fff...), "now",
 * or now minus a span ("-24h", "-90m", "-30s", "-2d", "-1w"). -EINVAL otherwise, or before 1970 or
 * after API_TIME_MAX_MS. */
int api_parse_time(const char *s, int64_t now_ms, int64_t *ret_ms);
/* A step: "1s", "10s", "1m", "1h" (any whole number of s, m, h, d) or a number of ms; -EINVAL. */
int api_parse_step(const char *s, int64_t *ret_ms);

typedef struct ApiRange {
        int64_t from, to, step; /* [from, to), both multiples of step */
        int64_t buckets;        /* (to - from) / step */
} ApiRange;

/* from (default "-1h"), to (default "now") and step (default: the smallest of 1 s, 1 min, 1 h that
 * keeps API_DEFAULT_POINTS) of r, from aligned down to the step and to up; a bad one, from not
 * before to, or more than points_max buckets: refused (-EINVAL). */
int api_range(HttpRequest *r, int64_t now_ms, int64_t points_max, ApiRange *ret);
/* A time argument key of r (absent: def_ms): refused when not a time. */
int api_time_arg(HttpRequest *r, const char *key, int64_t now_ms, int64_t def_ms, int64_t *ret_ms);
/* Refuses r when it has an argument not in keys (NULL-terminated), naming it and the keys taken. */
int api_known_args(HttpRequest *r, const char *const *keys, const char *accepted);

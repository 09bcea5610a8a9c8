/* SPDX-License-Identifier: MIT */
/* Times, steps and ranges of the JSON API's queries (api-args.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api-args.h"
#include "macro.h"
#include "time-util.h"

#define TIME_ACCEPTED "unix ms, ISO 8601 in UTC (2026-12-07T01:00:00Z), now, or -SPAN (-30s, -15m, -24h, -7d)"
#define STEP_ACCEPTED "1s, 10s, 1m, 1h (a whole number of s, m, h or d) or a number of ms"
#define DAY_MS        INT64_C(86400000)

/* Decimal digits only, at most max of them, into *ret. */
static bool digits(const char *s, size_t max, int64_t *ret) {
        size_t n = strlen(s);
        if (n == 0 || n > max || strspn(s, "0123456789") != n)
                return false;
        int64_t v = 0;
        for (; *s; s++)
                v = v * 10 + (*s - '0');
        *ret = v;
        return true;
}

int api_parse_time(const char *s, int64_t now_ms, int64_t *ret_ms) {
        int64_t t, span;
        uint64_t usec;
        if (strcmp(s, "now") == 0)
                t = now_ms;
        else if (s[0] == '-') {
                if (time_parse_span_ms(s + 1, &span) < 0 || span > now_ms)
                        return -EINVAL;
                t = now_ms - span;
        } else if (digits(s, 15, &t))
                ;
        else if (time_parse_iso8601(s, &usec) == 0 && usec / 1000 <= (uint64_t) API_TIME_MAX_MS)
                t = (int64_t) (usec / 1000);
        else
                return -EINVAL;
        if (t < 0 || t > API_TIME_MAX_MS)
                return -EINVAL;
        *ret_ms = t;
        return 0;
}

int api_parse_step(const char *s, int64_t *ret_ms) {
        int64_t ms;
        size_t n = strlen(s);
        /* Weeks are a span of history, not a step: a year of them is 52 buckets of a calendar's. */
        if (!digits(s, 12, &ms) && (n == 0 || s[n - 1] == 'w' || time_parse_span_ms(s, &ms) < 0))
                return -EINVAL;
        if (ms <= 0 || ms > 366 * DAY_MS)
                return -EINVAL;
        *ret_ms = ms;
        return 0;
}

int api_time_arg(HttpRequest *r, const char *key, int64_t now_ms, int64_t def_ms, int64_t *ret_ms) {
        if (http_request_count(r, key) > 1)
                return http_request_refuse(r, key, "given more than once", "one time");
        const char *v = http_request_arg(r, key, 0);
        if (!v) {
                *ret_ms = def_ms;
                return 0;
        }
        if (api_parse_time(v, now_ms, ret_ms) < 0)
                return http_request_refuse(r, key, "not a time (from 1970 to 9999)", TIME_ACCEPTED);
        return 0;
}

int api_known_args(HttpRequest *r, const char *const *keys, const char *accepted) {
        const char *bad = http_request_unknown(r, keys);
        return bad ? http_request_refuse(r, bad, "no such argument here", accepted) : 0;
}

/* The default step: the smallest of 1 s, 1 min, 1 h that keeps API_DEFAULT_POINTS buckets. */
static int64_t default_step(int64_t span) {
        static const int64_t steps[] = { 1000, 60000, 3600000 };
        for (size_t i = 0; i < ELEMENTSOF(steps); i++)
                if (span / steps[i] <= API_DEFAULT_POINTS)
                        return steps[i];
        return DAY_MS;
}

int api_range(HttpRequest *r, int64_t now_ms, int64_t points_max, ApiRange *ret) {
        int64_t from, to, step = 0;
        int k = api_time_arg(r, "to", now_ms, now_ms, &to);
        if (k < 0 || (k = api_time_arg(r, "from", now_ms, now_ms > 3600000 ? now_ms - 3600000 : 0, &from)) < 0)
                return k;
        if (from >= to)
                return http_request_refuse(r, "from", "not before 'to'", "a time before 'to'");
        const char *s = http_request_arg(r, "step", 0);
        if (http_request_count(r, "step") > 1)
                return http_request_refuse(r, "step", "given more than once", STEP_ACCEPTED);
        if (s && api_parse_step(s, &step) < 0)
                return http_request_refuse(r, "step", "not a step (up to 366 days)", STEP_ACCEPTED);
        if (!s)
                step = default_step(to - from);
        from -= from % step;
        to += (step - to % step) % step;
        int64_t buckets = (to - from) / step;
        if (buckets > points_max) {
                char why[160];
                snprintf(why, sizeof(why),
                         "%" PRId64 " steps from 'from' to 'to' are more than %" PRId64 " points in one answer",
                         buckets, points_max);
                return http_request_refuse(r, "step", why, "a longer step, a shorter range or fewer series");
        }
        *ret = (ApiRange) { .from = from, .to = to, .step = step, .buckets = buckets };
        return 0;
}

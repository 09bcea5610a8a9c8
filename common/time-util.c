/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "time-util.h"

static uint64_t now_usec(clockid_t clock) {
        struct timespec ts;
        clock_gettime(clock, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

uint64_t time_now_realtime_usec(void) {
        return now_usec(CLOCK_REALTIME);
}

uint64_t time_now_monotonic_usec(void) {
        return now_usec(CLOCK_MONOTONIC);
}

char *time_format_iso8601(uint64_t usec, char buf[static ISO8601_USEC_SIZE]) {
        time_t sec = (time_t) (usec / 1000000u);
        struct tm tm;
        char day[24];
        buf[0] = '\0';
        if (!gmtime_r(&sec, &tm) || strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
                return buf;
        snprintf(buf, ISO8601_USEC_SIZE, "%s.%06uZ", day, (unsigned) (usec % 1000000u));
        return buf;
}

char *time_now_iso8601(void) {
        char buf[ISO8601_USEC_SIZE];
        return strdup(time_format_iso8601(time_now_realtime_usec(), buf));
}

int time_parse_iso8601(const char *s, uint64_t *ret_usec) {
        struct tm tm = {};
        const char *p = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
        if (!p)
                return -EINVAL;
        uint64_t frac = 0;
        if (*p == '.') {
                unsigned digits = 0;
                for (p++; *p >= '0' && *p <= '9'; p++, digits++)
                        if (digits < 6)
                                frac = frac * 10 + (uint64_t) (*p - '0');
                if (digits == 0)
                        return -EINVAL;
                for (; digits < 6; digits++)
                        frac *= 10;
        }
        if (strcmp(p, "Z") != 0)
                return -EINVAL;
        time_t sec = timegm(&tm);
        if (sec < 0)
                return -EINVAL;
        *ret_usec = (uint64_t) sec * 1000000u + frac;
        return 0;
}

int time_parse_seconds(const char *s, double *ret) {
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (end == s || errno || !isfinite(v) || v < 0)
                return -EINVAL;
        if (strcmp(end, "ms") == 0)
                v /= 1000;
        else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
                v *= 60;
        else if (strcmp(end, "h") == 0)
                v *= 3600;
        else if (*end != '\0' && strcmp(end, "s") != 0)
                return -EINVAL;
        if (v > 86400)
                return -ERANGE;
        *ret = v;
        return 0;
}

int time_parse_span_ms(const char *s, int64_t *ret) {
        static const struct {
                char unit;
                int64_t ms;
        } units[] = { { 's', 1000 }, { 'm', 60000 }, { 'h', 3600000 }, { 'd', 86400000 }, { 'w', 604800000 } };
        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        char *end;
        errno = 0;
        unsigned long long n = strtoull(s, &end, 10);
        if (errno == ERANGE)
                return -ERANGE;
        int64_t ms = *end ? -1 : 1000;
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]) && ms < 0; i++)
                if (end[0] == units[i].unit && end[1] == '\0')
                        ms = units[i].ms;
        if (ms < 0 || n == 0)
                return -EINVAL;
        if (n > (unsigned long long) (INT64_C(10) * 366 * 86400000 / ms))
                return -ERANGE;
        *ret = (int64_t) n * ms;
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* Retries of notifications (notify-retry.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "macro.h"
#include "notify-retry.h"

#define RETRY_AFTER_MAX_MS (3600 * 1000)

NotifyOutcome notify_http_outcome(long status) {
        if (status >= 200 && status < 300)
                return NOTIFY_SENT;
        static const long receiver_side[] = { 401, 403, 404, 407, 408, 410, 425, 429 };
        if (status < 400 || status >= 500)
                return NOTIFY_RETRY;
        for (size_t i = 0; i < ELEMENTSOF(receiver_side); i++)
                if (status == receiver_side[i])
                        return NOTIFY_RETRY;
        return NOTIFY_REFUSED;
}

NotifyOutcome notify_smtp_outcome(long code) {
        if (code >= 200 && code < 300)
                return NOTIFY_SENT;
        if (code == 530 || code == 534 || code == 535 || code == 538)
                return NOTIFY_RETRY;
        return code >= 500 && code < 600 ? NOTIFY_REFUSED : NOTIFY_RETRY;
}

int64_t notify_backoff_ms(int attempts, int64_t max_ms) {
        int64_t wait = 1000;
        for (int i = 1; i < attempts && wait < max_ms; i++)
                wait *= 2;
        return MIN(wait, max_ms);
}

static int month_of(const char *s) {
        static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
        for (int i = 0; i < 12; i++)
                if (strncmp(months + 3 * i, s, 3) == 0)
                        return i;
        return -1;
}

/* IMF-fixdate, the one form RFC 9110 requires senders to use: "Sun, 06 Nov 1994 08:49:37 GMT". */
static int parse_date(const char *s, int64_t *ret_ms) {
        if (strlen(s) != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
            s[19] != ':' || s[22] != ':' || strcmp(s + 25, " GMT") != 0)
                return -EINVAL;
        const int digits[] = { 5, 6, 12, 13, 14, 15, 17, 18, 20, 21, 23, 24 };
        for (size_t i = 0; i < ELEMENTSOF(digits); i++)
                if (s[digits[i]] < '0' || s[digits[i]] > '9')
                        return -EINVAL;
#define NUM2(p) ((s[p] - '0') * 10 + (s[(p) + 1] - '0'))
        struct tm tm = {
                .tm_mday = NUM2(5),
                .tm_mon = month_of(s + 8),
                .tm_year = NUM2(12) * 100 + NUM2(14) - 1900,
                .tm_hour = NUM2(17),
                .tm_min = NUM2(20),
                .tm_sec = NUM2(23),
        };
#undef NUM2
        if (tm.tm_mon < 0 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
                return -EINVAL;
        time_t t = timegm(&tm);
        if (t == (time_t) -1)
                return -EINVAL;
        *ret_ms = (int64_t) t * 1000;
        return 0;
}

int notify_retry_after(const char *value, int64_t now_ms, int64_t *ret_ms) {
        if (!value)
                return -EINVAL;
        while (*value == ' ' || *value == '\t')
                value++;
        size_t n = strlen(value);
        while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t' || value[n - 1] == '\r' || value[n - 1] == '\n'))
                n--;
        char buf[64];
        if (n == 0 || n >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, value, n);
        buf[n] = '\0';
        int64_t wait;
        if (strspn(buf, "0123456789") == n) {
                /* Ten digits are past any sensible wait; more would overflow. */
                wait = n > 10 ? RETRY_AFTER_MAX_MS : strtoll(buf, NULL, 10) * 1000;
        } else {
                int64_t at;
                if (parse_date(buf, &at) < 0)
                        return -EINVAL;
                wait = at > now_ms ? at - now_ms : 0;
        }
        *ret_ms = MIN(wait, RETRY_AFTER_MAX_MS);
        return 0;
}

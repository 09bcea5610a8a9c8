/* SPDX-License-Identifier: MIT */
#include "textscan.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

static inline bool is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\r';
}

bool scan_line(Scan *s, Scan *line) {
        if (s->p >= s->end)
                return false;
        const char *nl = memchr(s->p, '\n', (size_t) (s->end - s->p));
        const char *e = nl ? nl : s->end;
        *line = (Scan) { .p = s->p, .end = e };
        s->p = nl ? nl + 1 : s->end;
        return true;
}

bool scan_word(Scan *s, Scan *word) {
        const char *p = s->p;
        while (p < s->end && is_blank(*p))
                p++;
        const char *start = p;
        while (p < s->end && !is_blank(*p) && *p != '\n')
                p++;
        s->p = p;
        if (p == start)
                return false;
        *word = (Scan) { .p = start, .end = p };
        return true;
}

bool scan_skip_words(Scan *s, unsigned n) {
        Scan w;
        for (unsigned i = 0; i < n; i++)
                if (!scan_word(s, &w))
                        return false;
        return true;
}

int scan_u64_base(Scan *s, unsigned base, uint64_t *ret) {
        Scan w;
        if (!scan_word(s, &w))
                return -EBADMSG;
        const char *p = w.p;
        if (base == 16 && scan_len(w) > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
                p += 2;
        if (p >= w.end)
                return -EBADMSG;
        uint64_t v = 0;
        /* Up to 19 decimal digits cannot pass 2^64: no overflow check, whose division by base at every
         * digit was most of the time a profiler sample spends parsing /proc. */
        if (base == 10 && w.end - p <= 19) {
                for (; p < w.end; p++) {
                        unsigned d = (unsigned) (unsigned char) *p - '0';
                        if (d > 9)
                                return -EBADMSG;
                        v = v * 10 + d;
                }
                *ret = v;
                return 0;
        }
        for (; p < w.end; p++) {
                unsigned d;
                char c = *p;
                if (c >= '0' && c <= '9')
                        d = (unsigned) (c - '0');
                else if (base == 16 && c >= 'a' && c <= 'f')
                        d = (unsigned) (c - 'a' + 10);
                else if (base == 16 && c >= 'A' && c <= 'F')
                        d = (unsigned) (c - 'A' + 10);
                else
                        return -EBADMSG;
                if (v > (UINT64_MAX - d) / base)
                        return -ERANGE;
                v = v * base + d;
        }
        *ret = v;
        return 0;
}

int scan_i64(Scan *s, int64_t *ret) {
        Scan save = *s, w;
        if (!scan_word(&save, &w))
                return -EBADMSG;
        bool neg = *w.p == '-';
        Scan digits = { .p = w.p + (neg ? 1 : 0), .end = w.end };
        uint64_t v;
        int r = scan_u64(&digits, &v);
        if (r < 0)
                return r;
        if (!scan_eof(&digits))
                return -EBADMSG;
        if (v > (uint64_t) INT64_MAX + (neg ? 1 : 0))
                return -ERANGE;
        *ret = neg ? (int64_t) (0 - v) : (int64_t) v;
        *s = save;
        return 0;
}

/* "123.45" with at most 15 digits: digits / 10^decimals, both exact doubles, and IEEE division rounds
 * correctly, so the result is strtod's; without its copy and locale work (/proc/loadavg at every
 * sample). */
static bool plain_decimal(Scan w, double *ret) {
        static const double pow10[] = { 1,   1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                        1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
        uint64_t m = 0;
        unsigned digits = 0, decimals = 0;
        bool point = false;
        for (const char *p = w.p; p < w.end; p++) {
                unsigned d = (unsigned) (unsigned char) *p - '0';
                if (*p == '.' && !point && digits > 0 && p + 1 < w.end) {
                        point = true;
                        continue;
                }
                if (d > 9 || ++digits > 15)
                        return false;
                m = m * 10 + d;
                decimals += point;
        }
        if (digits == 0)
                return false;
        *ret = (double) m / pow10[decimals];
        return true;
}

int scan_double(Scan *s, double *ret) {
        Scan w;
        if (!scan_word(s, &w))
                return -EBADMSG;
        if (plain_decimal(w, ret))
                return 0;
        char buf[64];
        if (scan_copy(w, buf, sizeof(buf)) < 0)
                return -EBADMSG;
        char *end;
        errno = 0;
        double v = strtod(buf, &end);
        if (end == buf || *end != '\0' || !isfinite(v))
                return -EBADMSG;
        *ret = v;
        return 0;
}

bool scan_word_is(Scan *s, const char *w) {
        Scan save = *s, word;
        if (!scan_word(&save, &word) || !scan_eq(word, w))
                return false;
        *s = save;
        return true;
}

int scan_copy(Scan w, char *buf, size_t size) {
        size_t n = scan_len(w);
        if (size == 0 || n >= size)
                return -ENAMETOOLONG;
        memcpy(buf, w.p, n);
        buf[n] = '\0';
        return 0;
}

Scan scan_trim(Scan s) {
        while (s.p < s.end && (is_blank(*s.p) || *s.p == '\n'))
                s.p++;
        while (s.end > s.p && (is_blank(s.end[-1]) || s.end[-1] == '\n'))
                s.end--;
        return s;
}

bool scan_find_key(Scan s, const char *key, Scan *ret) {
        size_t n = strlen(key);
        Scan line;
        while (scan_line(&s, &line)) {
                if (scan_len(line) < n || memcmp(line.p, key, n) != 0)
                        continue;
                const char *p = line.p + n;
                if (p < line.end && *p == ':')
                        p++;
                if (p < line.end && !is_blank(*p))
                        continue;
                *ret = (Scan) { .p = p, .end = line.end };
                return true;
        }
        return false;
}

int hex_digit(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

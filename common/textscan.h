/* SPDX-License-Identifier: MIT */
/* Bounds-checked scanning of kernel text files (/proc, /sys). A Scan never reads past its end, so
 * malformed, truncated or empty input gives -EBADMSG or false, never an out-of-bounds read. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct Scan {
        const char *p;
        const char *end;
} Scan;

static inline Scan scan_init(const char *s, size_t len) {
        return (Scan) { .p = s, .end = s + len };
}
static inline Scan scan_str(const char *s) {
        return scan_init(s, strlen(s));
}
static inline bool scan_eof(const Scan *s) {
        return s->p >= s->end;
}

/* Next line (without '\n') into *line; false at the end. */
bool scan_line(Scan *s, Scan *line);
/* Skip blanks (space, tab); then the next run of non-blanks into *word; false when none. */
bool scan_word(Scan *s, Scan *word);
/* Skip n words; false if fewer remain. */
bool scan_skip_words(Scan *s, unsigned n);
/* The value of one hex digit (either case), -1 for any other character. */
int hex_digit(char c);
/* Next word parsed as unsigned decimal (or hex with base 16); -EBADMSG if absent or not a number,
 * -ERANGE on overflow. */
int scan_u64_base(Scan *s, unsigned base, uint64_t *ret);
/* Inline, one pass over the text: a profiler sample parses some 270 numbers. Anything but up to 19
 * digits ended by a blank, a newline or the end (hex, overflow, a bad word) takes scan_u64_base. */
static inline int scan_u64(Scan *s, uint64_t *ret) {
        const char *p = s->p, *end = s->end;
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
                p++;
        const char *start = p, *stop = end - p > 19 ? p + 19 : end;
        uint64_t v = 0;
        for (unsigned d; p < stop && (d = (unsigned) (unsigned char) *p - '0') <= 9; p++)
                v = v * 10 + d;
        if (p == start || (p < end && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n'))
                return scan_u64_base(s, 10, ret);
        s->p = p;
        *ret = v;
        return 0;
}
int scan_i64(Scan *s, int64_t *ret);
int scan_double(Scan *s, double *ret);
/* True (and consumes it) when the next word equals w. */
bool scan_word_is(Scan *s, const char *w);
static inline bool scan_eq(Scan w, const char *lit) {
        size_t n = strlen(lit);
        return (size_t) (w.end - w.p) == n && memcmp(w.p, lit, n) == 0;
}
static inline bool scan_starts_with(Scan w, const char *lit) {
        size_t n = strlen(lit);
        return (size_t) (w.end - w.p) >= n && memcmp(w.p, lit, n) == 0;
}
static inline size_t scan_len(Scan w) {
        return (size_t) (w.end - w.p);
}
/* Copy a word into a fixed buffer, NUL-terminated; -ENAMETOOLONG when it does not fit. */
int scan_copy(Scan w, char *buf, size_t size);
/* Remaining text with blanks trimmed at both ends. */
Scan scan_trim(Scan s);
/* Find "key" as the first word of a line in a "key value" or "key: value" table; *ret is the rest of
 * that line. */
bool scan_find_key(Scan s, const char *key, Scan *ret);

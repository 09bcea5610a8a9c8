/* SPDX-License-Identifier: MIT */
/* The end of a child's stderr, kept bounded however much it writes, and its last line for a message. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "spawn.h"

/* buf holds twice the bound: appending moves nothing until it is full, and then only the last
 * SUITE_TAIL_MAX bytes go to its start, so each byte is copied about once more however much comes. */
int suite_tail_add(SuiteTail *t, const char *p, size_t n) {
        if (!t->buf && !(t->buf = malloc(2 * SUITE_TAIL_MAX)))
                return -ENOMEM;
        if (n >= SUITE_TAIL_MAX) {
                memcpy(t->buf, p + n - SUITE_TAIL_MAX, SUITE_TAIL_MAX);
                t->cut = t->cut || n > SUITE_TAIL_MAX || t->len > 0;
                t->len = SUITE_TAIL_MAX;
                return 0;
        }
        if (t->len + n > 2 * SUITE_TAIL_MAX) {
                size_t keep = SUITE_TAIL_MAX - n; /* with the n new bytes: the bound */
                memmove(t->buf, t->buf + t->len - keep, keep);
                t->len = keep;
                t->cut = true;
        }
        memcpy(t->buf + t->len, p, n);
        t->len += n;
        return 0;
}

size_t suite_tail_kept(const SuiteTail *t) {
        return MIN(t->len, (size_t) SUITE_TAIL_MAX);
}

static bool blank(char c) {
        return c == '\n' || c == '\r' || c == ' ' || c == '\t';
}

void suite_tail_last_line(const SuiteTail *t, char *line, size_t size) {
        static const char mark[] = "...";
        /* The kept tail: the last SUITE_TAIL_MAX bytes of buf's len. */
        size_t base = t->len > SUITE_TAIL_MAX ? t->len - SUITE_TAIL_MAX : 0, end = t->len, start;
        line[0] = '\0';
        while (end > base && blank(t->buf[end - 1]))
                end--;
        if (end == base || size <= sizeof mark)
                return;
        for (start = end; start > base && t->buf[start - 1] != '\n'; start--)
                ;
        /* Its beginning was dropped (by the tail's bound or to fit): say so. */
        bool cut = (start == base && (t->cut || base > 0)) || end - start > size - 1, utf8_cut = false;
        size_t keep = MIN(end - start, size - 1 - (cut ? sizeof mark - 1 : 0)), at = 0;
        if (cut) {
                memcpy(line, mark, sizeof mark - 1);
                at = sizeof mark - 1;
        }
        for (size_t i = end - keep; i < end; i++) {
                unsigned char c = (unsigned char) t->buf[i];
                /* not half a UTF-8 character after the mark */
                if (cut && !utf8_cut && (c & 0xc0) == 0x80)
                        continue;
                utf8_cut = true;
                line[at++] = c == '\0' || c == '\r' ? ' ' : (char) c;
        }
        line[at] = '\0';
}

void suite_tail_done(SuiteTail *t) {
        free(t->buf);
        *t = (SuiteTail) {};
}

/* SPDX-License-Identifier: MIT */
#include "proc-pressure.h"

#include <errno.h>
#include <string.h>

#include "textscan.h"

static int parse_total(Scan line, uint64_t *ret) {
        /* The kernel prints total= last: the last word is tried before walking the line. */
        const char *blank = memrchr(line.p, ' ', scan_len(line));
        Scan w = { .p = blank ? blank + 1 : line.p, .end = line.end };
        if (!scan_starts_with(w, "total="))
                while (scan_word(&line, &w) && !scan_starts_with(w, "total="))
                        ;
        if (!scan_starts_with(w, "total="))
                return -EBADMSG;
        Scan num = { .p = w.p + 6, .end = w.end };
        return scan_u64(&num, ret) < 0 ? -EBADMSG : 0;
}

int psi_parse(const char *text, size_t len, PsiTotals *ret) {
        Scan s = scan_init(text, len), line, word;
        *ret = (PsiTotals) {};
        while (scan_line(&s, &line)) {
                if (!scan_word(&line, &word))
                        continue;
                if (scan_eq(word, "some")) {
                        if (parse_total(line, &ret->some_us) < 0)
                                return -EBADMSG;
                        ret->has_some = true;
                } else if (scan_eq(word, "full")) {
                        if (parse_total(line, &ret->full_us) < 0)
                                return -EBADMSG;
                        ret->has_full = true;
                }
        }
        return ret->has_some || ret->has_full ? 0 : -EBADMSG;
}

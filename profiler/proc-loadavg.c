/* SPDX-License-Identifier: MIT */
#include "proc-loadavg.h"

#include <errno.h>

#include "textscan.h"

int loadavg_parse(const char *text, size_t len, LoadAvg *ret) {
        Scan s = scan_init(text, len), line, w;
        if (!scan_line(&s, &line))
                return -EBADMSG;
        LoadAvg l = {};
        if (scan_double(&line, &l.load1) < 0 || scan_double(&line, &l.load5) < 0 || scan_double(&line, &l.load15) < 0)
                return -EBADMSG;
        if (l.load1 < 0 || l.load5 < 0 || l.load15 < 0)
                return -EBADMSG;
        if (!scan_word(&line, &w))
                return -EBADMSG;
        const char *slash = memchr(w.p, '/', scan_len(w));
        if (!slash)
                return -EBADMSG;
        Scan a = { .p = w.p, .end = slash }, b = { .p = slash + 1, .end = w.end };
        if (scan_u64(&a, &l.runnable) < 0 || !scan_eof(&a) || scan_u64(&b, &l.threads) < 0 || !scan_eof(&b))
                return -EBADMSG;
        if (scan_u64(&line, &l.last_pid) < 0)
                return -EBADMSG;
        *ret = l;
        return 0;
}

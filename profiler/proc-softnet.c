/* SPDX-License-Identifier: MIT */
#include "proc-softnet.h"

#include <errno.h>

#include "textscan.h"

int softnet_parse(const char *text, size_t len, Softnet *ret) {
        Scan s = scan_init(text, len), line;
        ret->nrows = 0;
        ret->ncols = 0;
        ret->cpu_from_column = false;
        unsigned index = 0;
        while (scan_line(&s, &line)) {
                if (scan_len(scan_trim(line)) == 0)
                        continue;
                uint64_t v[13] = {};
                unsigned ncols = 0;
                while (!scan_eof(&line)) {
                        uint64_t x;
                        int r = scan_u64_base(&line, 16, &x);
                        if (r == -EBADMSG && scan_len(scan_trim(line)) == 0)
                                break;          /* trailing blanks */
                        if (r < 0)
                                return -EBADMSG;
                        if (ncols < 13)
                                v[ncols] = x;
                        ncols++;
                }
                if (ncols < 3 || (ret->ncols != 0 && ncols != ret->ncols))
                        return -EBADMSG;
                ret->ncols = ncols;
                ret->cpu_from_column = ncols >= 13;
                if (ret->nrows < SOFTNET_MAX_CPUS) {
                        if (ncols >= 13 && v[12] > UINT32_MAX)
                                return -EBADMSG;
                        ret->row[ret->nrows++] = (SoftnetRow) {
                                .cpu = ncols >= 13 ? (unsigned) v[12] : index,
                                .dropped = v[1],
                                .time_squeeze = v[2],
                        };
                }
                index++;
        }
        return 0;
}

static int parse_row(Scan line, unsigned ncpu, uint64_t *v) {
        for (unsigned i = 0; i < ncpu; i++) {
                uint64_t x;
                if (scan_u64(&line, &x) < 0)
                        return -EBADMSG;
                if (i < SOFTNET_MAX_CPUS)
                        v[i] = x;
        }
        /* Text after the counts (none today) would mean the row does not match the header. */
        return scan_len(scan_trim(line)) == 0 ? 0 : -EBADMSG;
}

int softirqs_parse(const char *text, size_t len, Softirqs *ret) {
        Scan s = scan_init(text, len), line, w;
        bool rx = false, tx = false;
        unsigned ncpu = 0;
        ret->ncpu = 0;
        if (!scan_line(&s, &line))
                return -EBADMSG;
        while (scan_word(&line, &w)) {
                if (!scan_starts_with(w, "CPU"))
                        return -EBADMSG;
                ncpu++;
        }
        if (ncpu == 0)
                return -EBADMSG;
        while (scan_line(&s, &line)) {
                if (!scan_word(&line, &w))
                        continue;
                if (scan_eq(w, "NET_RX:")) {
                        if (parse_row(line, ncpu, ret->net_rx) < 0)
                                return -EBADMSG;
                        rx = true;
                } else if (scan_eq(w, "NET_TX:")) {
                        if (parse_row(line, ncpu, ret->net_tx) < 0)
                                return -EBADMSG;
                        tx = true;
                }
        }
        ret->ncpu = ncpu < SOFTNET_MAX_CPUS ? ncpu : SOFTNET_MAX_CPUS;
        return rx && tx ? 0 : -EBADMSG;
}

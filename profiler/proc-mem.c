/* SPDX-License-Identifier: MIT */
#include "proc-mem.h"

#include <errno.h>
#include <string.h>

#include "textscan.h"

static const char *const meminfo_keys[_MEMINFO_MAX] = {
        [MEMINFO_TOTAL] = "MemTotal",
        [MEMINFO_FREE] = "MemFree",
        [MEMINFO_AVAILABLE] = "MemAvailable",
        [MEMINFO_BUFFERS] = "Buffers",
        [MEMINFO_CACHED] = "Cached",
        [MEMINFO_SWAP_TOTAL] = "SwapTotal",
        [MEMINFO_SWAP_FREE] = "SwapFree",
        [MEMINFO_DIRTY] = "Dirty",
        [MEMINFO_WRITEBACK] = "Writeback",
        [MEMINFO_COMMITTED_AS] = "Committed_AS",
        [MEMINFO_COMMIT_LIMIT] = "CommitLimit",
};

int meminfo_parse(const char *text, size_t len, uint64_t ret[_MEMINFO_MAX]) {
        Scan s = scan_init(text, len), line;
        unsigned seen = 0;
        memset(ret, 0, _MEMINFO_MAX * sizeof(uint64_t));
        while (scan_line(&s, &line)) {
                const char *colon = memchr(line.p, ':', scan_len(line));
                if (!colon)
                        continue;
                Scan key = { .p = line.p, .end = colon };
                int k = -1;
                /* The first byte before the strlen of scan_eq: 11 keys against ~55 lines every sample. */
                for (int i = 0; i < _MEMINFO_MAX; i++)
                        if (*key.p == *meminfo_keys[i] && scan_eq(key, meminfo_keys[i])) {
                                k = i;
                                break;
                        }
                if (k < 0)
                        continue;
                Scan rest = { .p = colon + 1, .end = line.end };
                uint64_t v;
                if (scan_u64(&rest, &v) < 0)
                        return -EBADMSG;
                if (scan_word_is(&rest, "kB")) {
                        if (v > UINT64_MAX / 1024)
                                return -EBADMSG;
                        v *= 1024;
                }
                ret[k] = v;
                seen |= 1u << k;
                if (seen == (1u << _MEMINFO_MAX) - 1)
                        break; /* Committed_AS is line 32 of ~55: the rest holds no key */
        }
        if (!(seen & (1u << MEMINFO_TOTAL)) || !(seen & (1u << MEMINFO_FREE)))
                return -EBADMSG;
        if (!(seen & (1u << MEMINFO_AVAILABLE)))
                /* A rough stand-in for the kernel's own estimate on kernels that lack it. */
                ret[MEMINFO_AVAILABLE] = ret[MEMINFO_FREE] + ret[MEMINFO_BUFFERS] + ret[MEMINFO_CACHED];
        return 0;
}

/* Which counter a vmstat name feeds, or -1. */
static int vmstat_slot(Scan name) {
        switch (*name.p) {
        case 'p':
                if (scan_eq(name, "pswpin"))
                        return VMSTAT_PSWPIN;
                if (scan_eq(name, "pswpout"))
                        return VMSTAT_PSWPOUT;
                if (scan_eq(name, "pgmajfault"))
                        return VMSTAT_PGMAJFAULT;
                if (scan_eq(name, "pgfault"))
                        return VMSTAT_PGFAULT;
                /* pgscan_direct_throttle counts throttling events, not pages scanned. */
                if (scan_starts_with(name, "pgscan_direct") && !scan_eq(name, "pgscan_direct_throttle"))
                        return VMSTAT_PGSCAN_DIRECT;
                if (scan_starts_with(name, "pgscan_kswapd"))
                        return VMSTAT_PGSCAN_KSWAPD;
                return -1;
        case 'a':
                return scan_eq(name, "allocstall") || scan_starts_with(name, "allocstall_") ? VMSTAT_ALLOCSTALL : -1;
        case 'w':
                return scan_eq(name, "workingset_refault") || scan_eq(name, "workingset_refault_anon") ||
                                       scan_eq(name, "workingset_refault_file")
                               ? VMSTAT_REFAULT
                               : -1;
        case 'o':
                return scan_eq(name, "oom_kill") ? VMSTAT_OOM_KILL : -1;
        default:
                return -1;
        }
}

int vmstat_parse_lines(const char *text, size_t len, uint64_t ret[_VMSTAT_MAX], size_t *ret_end, unsigned *ret_lines) {
        Scan s = scan_init(text, len), line, name;
        unsigned lines = 0;
        size_t end = 0;
        memset(ret, 0, _VMSTAT_MAX * sizeof(uint64_t));
        while (scan_line(&s, &line)) {
                /* Most of the ~190 lines start with another letter: skip them before splitting words. */
                char c = scan_len(line) > 0 ? *line.p : '\0';
                if ((c != 'p' && c != 'a' && c != 'w' && c != 'o') || !scan_word(&line, &name))
                        continue;
                int k = vmstat_slot(name);
                if (k < 0)
                        continue;
                uint64_t v;
                if (scan_u64(&line, &v) < 0)
                        return -EBADMSG;
                ret[k] += v;
                lines++;
                end = (size_t) (s.p - text);
        }
        *ret_end = end;
        *ret_lines = lines;
        return lines ? 0 : -EBADMSG;
}

int vmstat_parse(const char *text, size_t len, uint64_t ret[_VMSTAT_MAX]) {
        size_t end;
        unsigned lines;
        return vmstat_parse_lines(text, len, ret, &end, &lines);
}

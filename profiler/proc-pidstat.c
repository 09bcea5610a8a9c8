/* SPDX-License-Identifier: MIT */
#include "proc-pidstat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "safe-text.h"
#include "textscan.h"

/* Words after ')': 1 is field 3 (state), so field k is word k - 2. */
enum { W_PPID = 2, W_UTIME = 12, W_STIME = 13, W_CUTIME = 14, W_CSTIME = 15, W_THREADS = 18, W_STARTTIME = 20 };

int pidstat_parse(const char *text, size_t len, PidStat *ret) {
        const char *open = memchr(text, '(', len), *close = NULL;
        for (const char *p = text + len; p > text; p--)
                if (p[-1] == ')') {
                        close = p - 1;
                        break;
                }
        if (!open || !close || close < open || (size_t) (close - open) > 64)
                return -EBADMSG;
        char raw[65];
        memcpy(raw, open + 1, (size_t) (close - open - 1));
        raw[close - open - 1] = '\0';
        PidStat st = {};
        text_escape_buf(st.comm, sizeof(st.comm), raw);
        Scan s = scan_init(close + 1, (size_t) (text + len - close - 1));
        uint64_t *want[W_STARTTIME + 1] = {
                [W_PPID] = &st.ppid,     [W_UTIME] = &st.utime,     [W_STIME] = &st.stime,
                [W_CUTIME] = &st.cutime, [W_CSTIME] = &st.cstime,
                [W_THREADS] = &st.threads,
                [W_STARTTIME] = &st.starttime,
        };
        /* Other fields may be negative (priority, nice): skipped as words. */
        for (unsigned w = 1; w <= W_STARTTIME; w++)
                if (want[w] ? scan_u64(&s, want[w]) < 0 : !scan_skip_words(&s, 1))
                        return -EBADMSG;
        *ret = st;
        return 0;
}

int pidstat_read(const Sysroot *root, int pid, PidStat *ret) {
        char path[48], buf[1024];
        snprintf(path, sizeof(path), "proc/%d/stat", pid);
        int fd = sysroot_openat(root, path, O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0)
                return fd;
        ssize_t n = read(fd, buf, sizeof(buf));
        int saved = errno;
        close(fd);
        if (n < 0)
                return -saved;
        return pidstat_parse(buf, (size_t) n, ret);
}

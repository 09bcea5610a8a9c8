/* SPDX-License-Identifier: MIT */
#include "proc-stat.h"

#include <errno.h>
#include <string.h>

#include "textscan.h"

static int parse_ticks(Scan *line, CpuTicks *t) {
        *t = (CpuTicks) {};
        for (int i = 0; i < CPU_TICK_FIELDS_SUMMED; i++) {
                int r = scan_u64(line, &t->t[i]);
                if (r == -EBADMSG && i >= 4 && scan_eof(line))
                        break;
                if (r < 0)
                        return r;
        }
        return 0;
}

int proc_stat_parse(const char *text, size_t len, ProcStat *ret) {
        Scan s = scan_init(text, len), line, word;
        bool have_total = false, have_ctxt = false, have_running = false;
        ret->ncpu = 0;
        ret->ctxt = ret->processes = ret->procs_running = ret->procs_blocked = 0;
        while (scan_line(&s, &line)) {
                if (!scan_word(&line, &word))
                        continue;
                int r = 0;
                if (scan_eq(word, "cpu")) {
                        r = parse_ticks(&line, &ret->total);
                        have_total = r >= 0;
                } else if (scan_starts_with(word, "cpu")) {
                        Scan id = { .p = word.p + 3, .end = word.end };
                        uint64_t n;
                        if (scan_u64(&id, &n) < 0 || n > UINT32_MAX)
                                return -EBADMSG;
                        if (ret->ncpu >= PROC_STAT_MAX_CPUS)
                                continue;
                        r = parse_ticks(&line, &ret->cpu[ret->ncpu]);
                        ret->cpu_id[ret->ncpu++] = (unsigned) n;
                } else if (scan_eq(word, "ctxt")) {
                        r = scan_u64(&line, &ret->ctxt);
                        have_ctxt = r >= 0;
                } else if (scan_eq(word, "processes"))
                        r = scan_u64(&line, &ret->processes);
                else if (scan_eq(word, "procs_running")) {
                        r = scan_u64(&line, &ret->procs_running);
                        have_running = r >= 0;
                } else if (scan_eq(word, "procs_blocked"))
                        r = scan_u64(&line, &ret->procs_blocked);
                if (r < 0)
                        return -EBADMSG;
        }
        return have_total && have_ctxt && have_running ? 0 : -EBADMSG;
}

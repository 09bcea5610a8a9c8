/* SPDX-License-Identifier: MIT */
/* CPU (USE): utilization per CPU and total, steal, iowait, run queue against the CPU count, blocked
 * tasks, context switches and forks per second, all from /proc/stat. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "macro.h"
#include "proc-stat.h"
#include "series.h"

typedef struct CpuSample {
        uint64_t at;
        CpuTicks total;
        uint64_t ctxt, processes, procs_running, procs_blocked;
        bool percpu_ok;          /* same online CPUs as the first sample */
} CpuSample;

typedef struct CpuState {
        KeptFile file;
        int open_error;
        unsigned parse_errors;
        ProcStat scratch;        /* parse target; only what is needed is kept per sample */
        unsigned ncpu;           /* online CPUs at the first sample: the per-CPU stride */
        unsigned cpu_id[PROC_STAT_MAX_CPUS];
        CpuSample *s;
        size_t n, cap;
        CpuTicks *percpu;        /* n * ncpu */
        size_t percpu_cap;
} CpuState;

static int cpu_open(void *state, const Sysroot *root) {
        CpuState *st = state;
        st->file = KEPT_FILE_INIT;
        int r = kept_file_open(&st->file, root, "proc/stat");
        if (r == -ENOMEM)
                return r;
        st->open_error = r;
        return 0;
}

static int cpu_sample(void *state, uint64_t now, bool full) {
        CpuState *st = state;
        if (!kept_file_is_open(&st->file))
                return 0;
        const char *text;
        size_t len;
        ProcStat *ps = &st->scratch;
        int r = kept_file_read(&st->file, &text, &len);
        if (r >= 0)
                r = proc_stat_parse(text, len, ps);
        if (r < 0) {
                st->parse_errors++;
                return 0;
        }
        if (st->n == 0) {
                st->ncpu = ps->ncpu;
                memcpy(st->cpu_id, ps->cpu_id, ps->ncpu * sizeof(unsigned));
        }
        r = array_reserve((void **) &st->s, &st->cap, st->n, sizeof(CpuSample));
        if (r < 0)
                return r;
        /* Keep the per-CPU array the same length as the sample array (stride ncpu). */
        while (st->percpu_cap < st->cap * st->ncpu) {
                size_t ncap = st->cap * st->ncpu;
                CpuTicks *p = realloc(st->percpu, ncap * sizeof(CpuTicks));
                if (!p)
                        return -ENOMEM;
                st->percpu = p;
                st->percpu_cap = ncap;
        }
        CpuSample *s = &st->s[st->n];
        *s = (CpuSample) {
                .at = now,
                .total = ps->total,
                .ctxt = ps->ctxt,
                .processes = ps->processes,
                .procs_running = ps->procs_running,
                .procs_blocked = ps->procs_blocked,
                .percpu_ok = ps->ncpu == st->ncpu && memcmp(ps->cpu_id, st->cpu_id, st->ncpu * sizeof(unsigned)) == 0,
        };
        if (s->percpu_ok && st->ncpu > 0)
                memcpy(&st->percpu[st->n * st->ncpu], ps->cpu, st->ncpu * sizeof(CpuTicks));
        st->n++;
        return 0;
}

/* Shares of one interval, in percent of all ticks. guest/guest_nice are inside user/nice already. */
typedef struct CpuShares {
        double util, user, system, iowait, irq, softirq, steal;
} CpuShares;

static bool shares(const CpuTicks *a, const CpuTicks *b, CpuShares *ret) {
        uint64_t d[CPU_TICK_FIELDS_SUMMED], total = 0;
        for (int i = 0; i < CPU_TICK_FIELDS_SUMMED; i++) {
                if (!counter_delta(a->t[i], b->t[i], &d[i]))
                        return false;
                total += d[i];
        }
        if (total == 0)
                return false;
        double t = (double) total / 100.0;
        *ret = (CpuShares) {
                .util = (double) (total - d[CPU_IDLE] - d[CPU_IOWAIT]) / t,
                .user = (double) (d[CPU_USER] + d[CPU_NICE]) / t,
                .system = (double) d[CPU_SYSTEM] / t,
                .iowait = (double) d[CPU_IOWAIT] / t,
                .irq = (double) d[CPU_IRQ] / t,
                .softirq = (double) d[CPU_SOFTIRQ] / t,
                .steal = (double) d[CPU_STEAL] / t,
        };
        return true;
}

static int report_cpu_intervals(CpuState *st, Report *rep) {
        size_t m = st->n - 1;
        _cleanup_free_ double *buf = calloc(m * 11, sizeof(double));
        if (!buf)
                return -ENOMEM;
        double *util = buf, *user = buf + m, *sys = buf + 2 * m, *iow = buf + 3 * m, *irq = buf + 4 * m,
               *sirq = buf + 5 * m, *steal = buf + 6 * m, *ctxt = buf + 7 * m, *forks = buf + 8 * m;
        double *w = buf + 9 * m, *wr = buf + 10 * m;    /* interval lengths: each interval weighs its time */
        size_t k = 0, kr = 0;
        for (size_t i = 1; i < st->n; i++) {
                const CpuSample *a = &st->s[i - 1], *b = &st->s[i];
                double dt = (double) (b->at - a->at) / 1e6;
                CpuShares sh;
                if (dt <= 0)
                        continue;
                if (shares(&a->total, &b->total, &sh)) {
                        util[k] = sh.util, user[k] = sh.user, sys[k] = sh.system, iow[k] = sh.iowait;
                        irq[k] = sh.irq, sirq[k] = sh.softirq, steal[k] = sh.steal, w[k] = dt;
                        k++;
                }
                uint64_t dc, dp;
                if (counter_delta(a->ctxt, b->ctxt, &dc) && counter_delta(a->processes, b->processes, &dp)) {
                        ctxt[kr] = (double) dc / dt;
                        forks[kr] = (double) dp / dt;
                        wr[kr++] = dt;
                }
        }
        int r = 0;
        r = r ?: report_series_weighted(rep, "cpu", NULL, "utilization_pct", "percent", util, w, k);
        r = r ?: report_series_weighted(rep, "cpu", NULL, "user_pct", "percent", user, w, k);
        r = r ?: report_series_weighted(rep, "cpu", NULL, "system_pct", "percent", sys, w, k);
        r = r ?: report_series_weighted(rep, "cpu", NULL, "iowait_pct", "percent", iow, w, k);
        r = r ?: report_series_weighted(rep, "cpu", NULL, "irq_pct", "percent", irq, w, k);
        r = r ?: report_series_weighted(rep, "cpu", NULL, "softirq_pct", "percent", sirq, w, k);
        r = r ?: report_series_weighted(rep, "cpu", NULL, "steal_pct", "percent", steal, w, k);
        r = r ?: report_series_weighted(rep, "cpu", NULL, "context_switches_per_s", "1/s", ctxt, wr, kr);
        r = r ?: report_series_weighted(rep, "cpu", NULL, "forks_per_s", "1/s", forks, wr, kr);
        return r;
}

/* Evidence for the imbalance finding (rules/findings.conf, cpu-imbalance): the CPU with the most
 * room and its utilization, which a condition over the per-CPU series cannot pick. */
static int report_idlest(CpuState *st, Report *rep, const double *avg, const bool *has) {
        unsigned idlest = UINT32_MAX;
        for (unsigned c = 0; c < st->ncpu; c++)
                if (has[c] && (idlest == UINT32_MAX || avg[c] < avg[idlest]))
                        idlest = c;
        if (idlest == UINT32_MAX)
                return 0;
        char name[32];
        snprintf(name, sizeof(name), "cpu%u", st->cpu_id[idlest]);
        int r = report_fact(rep, "cpu", NULL, "idlest_cpu", json_string(name));
        return r ?: report_gauge(rep, "cpu", NULL, "idlest_cpu_utilization_pct", "percent", avg[idlest]);
}

static int report_per_cpu(CpuState *st, Report *rep) {
        size_t m = st->n - 1;
        _cleanup_free_ double *util = calloc(m ? m : 1, sizeof(double)), *avg = calloc(st->ncpu + 1, sizeof(double));
        _cleanup_free_ bool *has = calloc(st->ncpu + 1, sizeof(bool));
        if (!util || !avg || !has)
                return -ENOMEM;
        for (unsigned c = 0; c < st->ncpu; c++) {
                size_t k = 0;
                for (size_t i = 1; i < st->n; i++) {
                        CpuShares sh;
                        /* A CPU going offline or coming back changes the set: no per-CPU delta then. */
                        if (st->s[i - 1].percpu_ok && st->s[i].percpu_ok &&
                            shares(&st->percpu[(i - 1) * st->ncpu + c], &st->percpu[i * st->ncpu + c], &sh))
                                util[k++] = sh.util;
                }
                char obj[32];
                snprintf(obj, sizeof(obj), "per_cpu/cpu%u", st->cpu_id[c]);
                int r = report_series(rep, "cpu", obj, "utilization_pct", "percent", util, k);
                if (r < 0)
                        return r;
                avg[c] = series_summarize(util, k).avg;
                has[c] = k > 0;
        }
        return st->ncpu > 1 ? report_idlest(st, rep, avg, has) : 0;
}

static int report_queue(CpuState *st, Report *rep) {
        _cleanup_free_ double *run = calloc(st->n, sizeof(double)), *blk = calloc(st->n, sizeof(double));
        if (!run || !blk)
                return -ENOMEM;
        for (size_t i = 0; i < st->n; i++) {
                /* procs_running counts the task that reads /proc/stat: skytune itself (as sar -q
                 * leaves out its own). */
                run[i] = st->s[i].procs_running > 0 ? (double) (st->s[i].procs_running - 1) : 0.0;
                blk[i] = (double) st->s[i].procs_blocked;
        }
        unsigned ncpu = st->ncpu;
        int r = report_series(rep, "cpu", NULL, "run_queue", "tasks", run, st->n);
        r = r ?: report_series(rep, "cpu", NULL, "procs_blocked", "tasks", blk, st->n);
        return r ?: report_gauge(rep, "cpu", NULL, "online_cpus", "cpus", ncpu);
}

static int cpu_report(void *state, const Sysroot *root, Report *rep) {
        CpuState *st = state;
        if (st->open_error < 0)
                return report_unavailable(rep, "cpu", "stat", "cannot open /proc/stat: %s", strerror(-st->open_error));
        if (st->n == 0)
                return report_unavailable(rep, "cpu", "stat", "/proc/stat could not be parsed in %u sample(s)",
                                          st->parse_errors);
        int r = report_queue(st, rep);
        if (r >= 0 && st->n >= 2)
                r = report_cpu_intervals(st, rep);
        if (r >= 0 && st->n >= 2)
                r = report_per_cpu(st, rep);
        if (r >= 0 && st->n < 2)
                r = report_rates_unavailable(rep, "cpu", "rates", "/proc/stat");
        return r;
}

static void cpu_close(void *state) {
        CpuState *st = state;
        kept_file_close(&st->file);
        free(st->s);
        free(st->percpu);
}

static const MetricSpec cpu_metrics[] = {
        { "cpu.utilization_pct", METRIC_SERIES },
        { "cpu.user_pct", METRIC_SERIES },
        { "cpu.system_pct", METRIC_SERIES },
        { "cpu.iowait_pct", METRIC_SERIES },
        { "cpu.irq_pct", METRIC_SERIES },
        { "cpu.softirq_pct", METRIC_SERIES },
        { "cpu.steal_pct", METRIC_SERIES },
        { "cpu.context_switches_per_s", METRIC_SERIES },
        { "cpu.forks_per_s", METRIC_SERIES },
        { "cpu.per_cpu.*.utilization_pct", METRIC_SERIES },
        { "cpu.idlest_cpu", METRIC_FACT },
        { "cpu.idlest_cpu_utilization_pct", METRIC_GAUGE },
        { "cpu.run_queue", METRIC_SERIES },
        { "cpu.procs_blocked", METRIC_SERIES },
        { "cpu.online_cpus", METRIC_GAUGE },
};

const Collector collector_cpu = {
        .name = "cpu",
        .state_size = sizeof(CpuState),
        .open = cpu_open,
        .sample = cpu_sample,
        .report = cpu_report,
        .close = cpu_close,
        .metrics = cpu_metrics,
        .n_metrics = ELEMENTSOF(cpu_metrics),
};

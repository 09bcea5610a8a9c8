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
        CpuTicks cpu[PROC_STAT_MAX_CPUS];
} CpuSample;

/* Streaming: only the last two readable samples are kept; each sample emits its interval. */
typedef struct CpuState {
        KeptFile file;
        int open_error;
        unsigned parse_errors;
        ProcStat scratch;        /* parse target; only what is needed is kept per sample */
        unsigned ncpu;           /* online CPUs at the first sample: the per-CPU set */
        unsigned cpu_id[PROC_STAT_MAX_CPUS];
        char cpu_obj[PROC_STAT_MAX_CPUS][24];   /* "per_cpu/cpuN", the per-CPU series' object */
        CpuSample s[2];          /* the previous and the latest readable sample */
        size_t n;                /* readable samples so far */
        bool fresh;              /* the latest sample() was readable: its interval is due */
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

static void cpu_first(CpuState *st, const ProcStat *ps) {
        st->ncpu = ps->ncpu;
        memcpy(st->cpu_id, ps->cpu_id, ps->ncpu * sizeof(unsigned));
        for (unsigned c = 0; c < st->ncpu; c++)
                snprintf(st->cpu_obj[c], sizeof(st->cpu_obj[c]), "per_cpu/cpu%u", st->cpu_id[c]);
}

static int cpu_sample(void *state, uint64_t now, SampleKind kind) {
        CpuState *st = state;
        st->fresh = false;
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
        if (st->n == 0)
                cpu_first(st, ps);
        /* Field by field: a compound literal would zero all PROC_STAT_MAX_CPUS per-CPU rows (40 KiB, the
         * size of L1) at every sample, where only the first ncpu are read. */
        CpuSample *s = &st->s[st->n % 2];
        s->at = now;
        s->total = ps->total;
        s->ctxt = ps->ctxt;
        s->processes = ps->processes;
        s->procs_running = ps->procs_running;
        s->procs_blocked = ps->procs_blocked;
        s->percpu_ok = ps->ncpu == st->ncpu && memcmp(ps->cpu_id, st->cpu_id, st->ncpu * sizeof(unsigned)) == 0;
        if (s->percpu_ok && st->ncpu > 0)
                memcpy(s->cpu, ps->cpu, st->ncpu * sizeof(CpuTicks));
        st->n++;
        st->fresh = true;
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

static int emit(const MetricSink *sink, const char *object, const char *name, const char *unit, MetricWeight kind,
                double v, double w) {
        MetricPoint p = { .resource = "cpu", .object = object, .name = name, .unit = unit, .kind = kind,
                          .value = v, .weight = w };
        return metric_emit(sink, &p);
}

/* The total shares and rates of the interval a..b, each weighing its length. */
static int emit_total(const CpuSample *a, const CpuSample *b, double dt, const MetricSink *sink) {
        CpuShares sh;
        int r = 0;
        if (shares(&a->total, &b->total, &sh)) {
                r = r ?: emit(sink, NULL, "utilization_pct", "percent", METRIC_WEIGHT_TIME, sh.util, dt);
                r = r ?: emit(sink, NULL, "user_pct", "percent", METRIC_WEIGHT_TIME, sh.user, dt);
                r = r ?: emit(sink, NULL, "system_pct", "percent", METRIC_WEIGHT_TIME, sh.system, dt);
                r = r ?: emit(sink, NULL, "iowait_pct", "percent", METRIC_WEIGHT_TIME, sh.iowait, dt);
                r = r ?: emit(sink, NULL, "irq_pct", "percent", METRIC_WEIGHT_TIME, sh.irq, dt);
                r = r ?: emit(sink, NULL, "softirq_pct", "percent", METRIC_WEIGHT_TIME, sh.softirq, dt);
                r = r ?: emit(sink, NULL, "steal_pct", "percent", METRIC_WEIGHT_TIME, sh.steal, dt);
        }
        uint64_t dc, dp;
        if (r >= 0 && counter_delta(a->ctxt, b->ctxt, &dc) && counter_delta(a->processes, b->processes, &dp)) {
                r = emit(sink, NULL, "context_switches_per_s", "1/s", METRIC_WEIGHT_TIME, (double) dc / dt, dt);
                r = r ?: emit(sink, NULL, "forks_per_s", "1/s", METRIC_WEIGHT_TIME, (double) dp / dt, dt);
        }
        return r;
}

static int cpu_interval(void *state, const MetricSink *sink) {
        CpuState *st = state;
        if (!st->fresh)
                return 0;
        const CpuSample *b = &st->s[(st->n - 1) % 2], *a = &st->s[st->n % 2];
        /* procs_running counts the task that reads /proc/stat: skytune itself (as sar -q leaves out
         * its own). */
        double run = b->procs_running > 0 ? (double) (b->procs_running - 1) : 0.0;
        int r = emit(sink, NULL, "run_queue", "tasks", METRIC_WEIGHT_EQUAL, run, 1);
        r = r ?: emit(sink, NULL, "procs_blocked", "tasks", METRIC_WEIGHT_EQUAL, (double) b->procs_blocked, 1);
        if (r < 0 || st->n < 2 || b->at <= a->at)
                return r;
        r = emit_total(a, b, (double) (b->at - a->at) / 1e6, sink);
        /* A CPU going offline or coming back changes the set: no per-CPU delta then. */
        for (unsigned c = 0; r >= 0 && a->percpu_ok && b->percpu_ok && c < st->ncpu; c++) {
                CpuShares sh;
                if (shares(&a->cpu[c], &b->cpu[c], &sh))
                        r = emit(sink, st->cpu_obj[c], "utilization_pct", "percent", METRIC_WEIGHT_EQUAL, sh.util, 1);
        }
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
        _cleanup_free_ double *avg = calloc(st->ncpu + 1, sizeof(double));
        _cleanup_free_ bool *has = calloc(st->ncpu + 1, sizeof(bool));
        if (!avg || !has)
                return -ENOMEM;
        for (unsigned c = 0; c < st->ncpu; c++) {
                SeriesSummary s;
                has[c] = report_series_summary(rep, "cpu", st->cpu_obj[c], "utilization_pct", &s) >= 0 && s.n > 0;
                avg[c] = has[c] ? s.avg : 0;
        }
        return st->ncpu > 1 ? report_idlest(st, rep, avg, has) : 0;
}

static int report_queue(CpuState *st, Report *rep) {
        return report_gauge(rep, "cpu", NULL, "online_cpus", "cpus", st->ncpu);
}

/* The series come from the emitted stream (series-table.h); this reports the rest. */
static int cpu_report(void *state, const Sysroot *root, Report *rep) {
        CpuState *st = state;
        if (st->open_error < 0)
                return report_unavailable(rep, "cpu", "stat", "cannot open /proc/stat: %s", strerror(-st->open_error));
        if (st->n == 0)
                return report_unavailable(rep, "cpu", "stat", "/proc/stat could not be parsed in %u sample(s)",
                                          st->parse_errors);
        int r = report_stream_series(rep);
        r = r ?: report_queue(st, rep);
        if (r >= 0 && st->n >= 2)
                r = report_per_cpu(st, rep);
        if (r >= 0 && st->n < 2)
                r = report_rates_unavailable(rep, "cpu", "rates", "/proc/stat");
        return r;
}

static void cpu_close(void *state) {
        CpuState *st = state;
        kept_file_close(&st->file);
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
        .interval = cpu_interval,
        .report = cpu_report,
        .close = cpu_close,
        .metrics = cpu_metrics,
        .n_metrics = ELEMENTSOF(cpu_metrics),
};

/* SPDX-License-Identifier: MIT */
/* Memory (USE): capacity used, swap and dirty pages against their thresholds (utilization), swapping,
 * direct reclaim and allocation stalls (saturation), OOM kills (errors), from /proc/meminfo and
 * /proc/vmstat. PSI memory pressure is the psi collector's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "counter-table.h"
#include "macro.h"
#include "proc-mem.h"
#include "series.h"
#include "source-error.h"

typedef struct DirtyLimits {
        uint64_t bytes, ratio, background_bytes, background_ratio;
        int error;              /* < 0: a vm.dirty_* file could not be read */
} DirtyLimits;

typedef struct MemState {
        KeptFile meminfo, vmstat;
        int meminfo_error, vmstat_error;
        unsigned meminfo_bad, vmstat_bad;
        DirtyLimits dirty;
        CounterTable mem;       /* _MEMINFO_MAX gauges per sample, the last two */
        CounterTable vm;        /* _VMSTAT_MAX counters per full sample, the last two */
        bool mem_fresh, vm_fresh;       /* a row was pushed at this sample */
        size_t mem_rows;        /* samples of /proc/meminfo taken */
        uint64_t last[_MEMINFO_MAX];    /* the latest row with a MemTotal */
        bool have_last, have_swap;
        size_t vm_head;         /* /proc/vmstat up to its last counter line, at the last full read (0: none) */
        unsigned vm_lines;      /* the counter lines in it */
        uint64_t ooms;          /* oom_kill deltas over the window */
        size_t swap_active;     /* intervals with swapping */
} MemState;

static int mem_open(void *state, const Sysroot *root) {
        MemState *st = state;
        st->meminfo = st->vmstat = KEPT_FILE_INIT;
        counter_table_init_last_two(&st->mem, _MEMINFO_MAX);
        counter_table_init_last_two(&st->vm, _VMSTAT_MAX);
        st->meminfo_error = kept_file_open(&st->meminfo, root, "proc/meminfo");
        st->vmstat_error = kept_file_open(&st->vmstat, root, "proc/vmstat");
        if (st->meminfo_error == -ENOMEM || st->vmstat_error == -ENOMEM)
                return -ENOMEM;
        DirtyLimits *d = &st->dirty;
        int r = sysroot_read_u64(root, "proc/sys/vm/dirty_bytes", &d->bytes);
        if (r >= 0)
                r = sysroot_read_u64(root, "proc/sys/vm/dirty_ratio", &d->ratio);
        if (r >= 0)
                r = sysroot_read_u64(root, "proc/sys/vm/dirty_background_bytes", &d->background_bytes);
        if (r >= 0)
                r = sysroot_read_u64(root, "proc/sys/vm/dirty_background_ratio", &d->background_ratio);
        d->error = r < 0 ? r : 0;
        return 0;
}

/* Read one kept file and parse it into a row of t; an unreadable sample is an absent row. */
static int sample_into(KeptFile *f, CounterTable *t, uint64_t now, unsigned *bad,
                       int (*parse)(const char *, size_t, uint64_t *), uint64_t *row, bool *fresh) {
        if (!kept_file_is_open(f))
                return 0;
        *fresh = true;
        const char *text;
        size_t len;
        int r = kept_file_read(f, &text, &len);
        if (r >= 0)
                r = parse(text, len, row);
        if (r < 0)
                (*bad)++;
        return counter_table_push(t, now, r < 0 ? NULL : row);
}

/* Slack past the last counter line for numbers that grew between full samples. */
#define VMSTAT_HEAD_SLACK 128

/* /proc/vmstat's counters come in its first 2.6 of 4 KiB (oom_kill last): reading only up to them
 * saves the kernel formatting the rest (5 of 17 us). The whole file when the head lacks a counter
 * line the last whole read had (lines moved or grew), and at the first sample. */
static int read_vmstat(MemState *st, uint64_t *row) {
        const char *text;
        size_t len, end;
        unsigned lines;
        bool whole;
        if (st->vm_head > 0 &&
            kept_file_read_head(&st->vmstat, st->vm_head + VMSTAT_HEAD_SLACK, &text, &len, &whole) >= 0 &&
            vmstat_parse_lines(text, len, row, &end, &lines) >= 0 && (whole || lines == st->vm_lines)) {
                st->vm_head = end;
                st->vm_lines = lines;
                return 0;
        }
        int r = kept_file_read(&st->vmstat, &text, &len);
        r = r ?: vmstat_parse_lines(text, len, row, &end, &lines);
        st->vm_head = r < 0 ? 0 : end;
        st->vm_lines = r < 0 ? 0 : lines;
        return r;
}

static int mem_sample(void *state, uint64_t now, SampleKind kind) {
        MemState *st = state;
        bool full = kind != SAMPLE_QUICK;
        uint64_t mrow[_MEMINFO_MAX], vrow[_VMSTAT_MAX];
        st->mem_fresh = st->vm_fresh = false;
        int r = sample_into(&st->meminfo, &st->mem, now, &st->meminfo_bad, meminfo_parse, mrow, &st->mem_fresh);
        st->mem_rows += st->mem_fresh;
        if (r < 0 || !full || !kept_file_is_open(&st->vmstat))
                return r;
        st->vm_fresh = true;
        r = read_vmstat(st, vrow);
        st->vmstat_bad += r < 0;
        return counter_table_push(&st->vm, now, r < 0 ? NULL : vrow);
}

/* The kernel applies the ratios to its "dirtyable" memory (free pages plus the file LRU, less the
 * reserves); MemAvailable is used here as an approximation of it. A non-zero *_bytes setting wins over
 * the ratio, and a background threshold at or above the hard one is halved, as the kernel does. */
static void dirty_thresholds(const DirtyLimits *d, uint64_t available, double *ret_hard, double *ret_bg) {
        double hard = d->bytes ? (double) d->bytes : (double) d->ratio * (double) available / 100.0;
        double bg = d->background_bytes ? (double) d->background_bytes
                                        : (double) d->background_ratio * (double) available / 100.0;
        if (bg >= hard)
                bg = hard / 2;
        *ret_hard = hard;
        *ret_bg = bg;
}

static int emit(const MetricSink *sink, const char *name, const char *unit, MetricWeight kind, double v, double w) {
        MetricPoint p = { .resource = "memory", .name = name, .unit = unit, .kind = kind, .value = v, .weight = w };
        return metric_emit(sink, &p);
}

static int gauge(const MetricSink *sink, const char *name, const char *unit, double v) {
        return emit(sink, name, unit, METRIC_WEIGHT_EQUAL, v, 1);
}

/* The gauges of the latest /proc/meminfo reading. */
static int emit_meminfo(MemState *st, const MetricSink *sink) {
        const uint64_t *p = counter_table_row(&st->mem, st->mem.n - 1);
        if (!p || p[MEMINFO_TOTAL] == 0)
                return 0;
        memcpy(st->last, p, sizeof(st->last));
        st->have_last = true;
        st->have_swap = st->have_swap || p[MEMINFO_SWAP_TOTAL] > 0;
        uint64_t avail = MIN(p[MEMINFO_AVAILABLE], p[MEMINFO_TOTAL]);
        int r = gauge(sink, "available_bytes", "bytes", (double) avail);
        r = r ?: gauge(sink, "used_pct", "percent", 100.0 * (1.0 - (double) avail / (double) p[MEMINFO_TOTAL]));
        r = r ?: gauge(sink, "swap_used_bytes", "bytes",
                       (double) (p[MEMINFO_SWAP_TOTAL] - MIN(p[MEMINFO_SWAP_FREE], p[MEMINFO_SWAP_TOTAL])));
        r = r ?: gauge(sink, "dirty_bytes", "bytes", (double) p[MEMINFO_DIRTY]);
        r = r ?: gauge(sink, "writeback_bytes", "bytes", (double) p[MEMINFO_WRITEBACK]);
        double thresh, bg;
        if (r >= 0 && st->dirty.error >= 0) {
                dirty_thresholds(&st->dirty, avail, &thresh, &bg);
                if (thresh > 0) {
                        r = gauge(sink, "dirty_threshold_bytes", "bytes", thresh);
                        r = r ?: gauge(sink, "dirty_background_threshold_bytes", "bytes", bg);
                        r = r ?: gauge(sink, "dirty_pct_of_threshold", "percent",
                                       100.0 * (double) (p[MEMINFO_DIRTY] + p[MEMINFO_WRITEBACK]) / thresh);
                }
        }
        if (r >= 0 && p[MEMINFO_COMMIT_LIMIT] > 0)
                r = gauge(sink, "committed_pct", "percent",
                          100.0 * (double) p[MEMINFO_COMMITTED_AS] / (double) p[MEMINFO_COMMIT_LIMIT]);
        return r;
}

enum { R_IN, R_OUT, R_MAJ, R_SCAN, R_STALL, R_KSWAPD, R_REFAULT, R_FAULT, _R_MAX };

/* The rates of the vmstat counters over the latest interval between full samples. */
static int emit_vmstat(MemState *st, const MetricSink *sink) {
        static const struct {
                int col;
                const char *name, *unit;
        } rates[_R_MAX] = {
                [R_IN] = { VMSTAT_PSWPIN, "swap_in_per_s", "pages/s" },
                [R_OUT] = { VMSTAT_PSWPOUT, "swap_out_per_s", "pages/s" },
                [R_MAJ] = { VMSTAT_PGMAJFAULT, "major_faults_per_s", "1/s" },
                [R_SCAN] = { VMSTAT_PGSCAN_DIRECT, "direct_scan_per_s", "pages/s" },
                [R_STALL] = { VMSTAT_ALLOCSTALL, "allocstall_per_s", "1/s" },
                [R_KSWAPD] = { VMSTAT_PGSCAN_KSWAPD, "kswapd_scan_per_s", "pages/s" },
                [R_REFAULT] = { VMSTAT_REFAULT, "refaults_per_s", "pages/s" },
                [R_FAULT] = { VMSTAT_PGFAULT, "page_faults_per_s", "1/s" },
        };
        size_t i = st->vm.n - 1;
        uint64_t d, oom;
        double dt, v[_R_MAX];
        bool ok[_R_MAX];
        int r = 0;
        for (size_t j = 0; r >= 0 && j < _R_MAX; j++) {
                ok[j] = counter_table_delta(&st->vm, i, (size_t) rates[j].col, &d, &dt);
                v[j] = ok[j] ? (double) d / dt : 0;
                if (ok[j])
                        r = emit(sink, rates[j].name, rates[j].unit, METRIC_WEIGHT_TIME, v[j], dt);
        }
        if (counter_table_delta(&st->vm, i, VMSTAT_OOM_KILL, &oom, NULL))
                st->ooms += oom;
        /* Swapping is a saturation signal when it is sustained: see report_vmstat. */
        st->swap_active += ok[R_IN] && ok[R_OUT] && v[R_IN] + v[R_OUT] > 0;
        return r;
}

static int mem_interval(void *state, const MetricSink *sink) {
        MemState *st = state;
        int r = st->mem_fresh ? emit_meminfo(st, sink) : 0;
        if (r >= 0 && st->vm_fresh && st->vm.n >= 2)
                r = emit_vmstat(st, sink);
        return r;
}

/* The series come from the stream (mem_interval); the rest here. */
static int report_meminfo(MemState *st, Report *rep) {
        const uint64_t *last = st->have_last ? st->last : NULL;
        size_t n = st->mem_rows;
        if (!last)
                return report_unavailable(rep, "memory", "meminfo", "/proc/meminfo gave no MemTotal in %zu sample(s)%s", n,
                                          source_error_hint(-EBADMSG));
        int r = 0;
        r = r ?: report_gauge(rep, "memory", NULL, "total_bytes", "bytes", (double) last[MEMINFO_TOTAL]);
        r = r ?: report_gauge(rep, "memory", NULL, "swap_total_bytes", "bytes", (double) last[MEMINFO_SWAP_TOTAL]);
        r = r ?: report_stream_series(rep);
        if (r >= 0 && st->dirty.error < 0)
                r = report_unavailable(rep, "memory", "dirty_threshold",
                                       "cannot read /proc/sys/vm/dirty_{,background_}{bytes,ratio}: %s%s",
                                       strerror(-st->dirty.error), source_error_hint(st->dirty.error));
        return r;
}

static int report_vmstat(MemState *st, Report *rep, bool have_swap) {
        SeriesSummary swap_in;
        if (report_series_summary(rep, "memory", NULL, "swap_in_per_s", &swap_in) < 0)
                return report_rates_unavailable(rep, "memory", "vmstat_rates", "/proc/vmstat");
        int r = report_gauge(rep, "memory", NULL, "oom_kills", "count", (double) st->ooms);
        /* Evidence for the swapping finding (rules/findings.conf), which counts only when sustained: the
         * intervals that swapped, given only with a swap device. */
        if (r >= 0 && have_swap)
                r = report_gauge(rep, "memory", NULL, "swap_active_intervals", "count", (double) st->swap_active);
        return r;
}

static int mem_report(void *state, const Sysroot *root, Report *rep) {
        MemState *st = state;
        int r = 0;
        bool have_swap = false;
        if (st->meminfo_error < 0)
                r = report_unavailable(rep, "memory", "meminfo", "cannot open /proc/meminfo: %s%s",
                                       strerror(-st->meminfo_error), source_error_hint(st->meminfo_error));
        else {
                r = report_meminfo(st, rep);
                have_swap = st->have_swap;
                if (r >= 0 && st->meminfo_bad > 0)
                        r = report_unavailable(rep, "memory", "meminfo_errors",
                                               "/proc/meminfo could not be parsed in %u sample(s)%s", st->meminfo_bad,
                                               source_error_hint(-EBADMSG));
        }
        if (r < 0)
                return r;
        if (st->vmstat_error < 0)
                return report_unavailable(rep, "memory", "vmstat", "cannot open /proc/vmstat: %s%s",
                                          strerror(-st->vmstat_error), source_error_hint(st->vmstat_error));
        r = report_vmstat(st, rep, have_swap);
        if (r >= 0 && st->vmstat_bad > 0)
                r = report_unavailable(rep, "memory", "vmstat_errors", "/proc/vmstat could not be parsed in %u sample(s)%s",
                                       st->vmstat_bad, source_error_hint(-EBADMSG));
        return r;
}

static void mem_close(void *state) {
        MemState *st = state;
        kept_file_close(&st->meminfo);
        kept_file_close(&st->vmstat);
        counter_table_free(&st->mem);
        counter_table_free(&st->vm);
}

static const MetricSpec memory_metrics[] = {
        { "memory.total_bytes", METRIC_GAUGE },
        { "memory.swap_total_bytes", METRIC_GAUGE },
        { "memory.available_bytes", METRIC_SERIES },
        { "memory.used_pct", METRIC_SERIES },
        { "memory.swap_used_bytes", METRIC_SERIES },
        { "memory.dirty_bytes", METRIC_SERIES },
        { "memory.writeback_bytes", METRIC_SERIES },
        { "memory.dirty_threshold_bytes", METRIC_SERIES },
        { "memory.dirty_background_threshold_bytes", METRIC_SERIES },
        { "memory.dirty_pct_of_threshold", METRIC_SERIES },
        { "memory.committed_pct", METRIC_SERIES },
        { "memory.swap_in_per_s", METRIC_SERIES },
        { "memory.swap_out_per_s", METRIC_SERIES },
        { "memory.swap_active_intervals", METRIC_GAUGE },
        { "memory.major_faults_per_s", METRIC_SERIES },
        { "memory.page_faults_per_s", METRIC_SERIES },
        { "memory.direct_scan_per_s", METRIC_SERIES },
        { "memory.allocstall_per_s", METRIC_SERIES },
        { "memory.kswapd_scan_per_s", METRIC_SERIES },
        { "memory.refaults_per_s", METRIC_SERIES },
        { "memory.oom_kills", METRIC_GAUGE },
};

const Collector collector_memory = {
        .name = "memory",
        .state_size = sizeof(MemState),
        .open = mem_open,
        .sample = mem_sample,
        .interval = mem_interval,
        .report = mem_report,
        .close = mem_close,
        .metrics = memory_metrics,
        .n_metrics = ELEMENTSOF(memory_metrics),
};

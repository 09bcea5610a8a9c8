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
        CounterTable mem;       /* _MEMINFO_MAX gauges per sample */
        CounterTable vm;        /* _VMSTAT_MAX counters per full sample */
} MemState;

static int mem_open(void *state, const Sysroot *root) {
        MemState *st = state;
        st->meminfo = st->vmstat = KEPT_FILE_INIT;
        counter_table_init(&st->mem, _MEMINFO_MAX);
        counter_table_init(&st->vm, _VMSTAT_MAX);
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
                       int (*parse)(const char *, size_t, uint64_t *), uint64_t *row) {
        if (!kept_file_is_open(f))
                return 0;
        const char *text;
        size_t len;
        int r = kept_file_read(f, &text, &len);
        if (r >= 0)
                r = parse(text, len, row);
        if (r < 0)
                (*bad)++;
        return counter_table_push(t, now, r < 0 ? NULL : row);
}

static int mem_sample(void *state, uint64_t now, bool full) {
        MemState *st = state;
        uint64_t mrow[_MEMINFO_MAX], vrow[_VMSTAT_MAX];
        int r = sample_into(&st->meminfo, &st->mem, now, &st->meminfo_bad, meminfo_parse, mrow);
        if (r < 0 || !full)
                return r;
        return sample_into(&st->vmstat, &st->vm, now, &st->vmstat_bad, vmstat_parse, vrow);
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

typedef struct MemSeries {
        double *avail, *used, *swap_used, *dirty, *wb, *thresh, *bg, *dirty_pct, *committed;
        size_t n, nd, nc;
} MemSeries;

static int report_meminfo(MemState *st, Report *rep) {
        size_t n = st->mem.n;
        _cleanup_free_ double *buf = calloc(9 * (n ? n : 1), sizeof(double));
        if (!buf)
                return -ENOMEM;
        MemSeries m = { .avail = buf, .used = buf + n, .swap_used = buf + 2 * n, .dirty = buf + 3 * n,
                        .wb = buf + 4 * n, .thresh = buf + 5 * n, .bg = buf + 6 * n, .dirty_pct = buf + 7 * n,
                        .committed = buf + 8 * n };
        const uint64_t *last = NULL;
        for (size_t i = 0; i < n; i++) {
                const uint64_t *p = counter_table_row(&st->mem, i);
                if (!p || p[MEMINFO_TOTAL] == 0)
                        continue;
                last = p;
                uint64_t avail = MIN(p[MEMINFO_AVAILABLE], p[MEMINFO_TOTAL]);
                m.avail[m.n] = (double) avail;
                m.used[m.n] = 100.0 * (1.0 - (double) avail / (double) p[MEMINFO_TOTAL]);
                m.swap_used[m.n] = (double) (p[MEMINFO_SWAP_TOTAL] - MIN(p[MEMINFO_SWAP_FREE], p[MEMINFO_SWAP_TOTAL]));
                m.dirty[m.n] = (double) p[MEMINFO_DIRTY];
                m.wb[m.n] = (double) p[MEMINFO_WRITEBACK];
                m.n++;
                if (st->dirty.error >= 0) {
                        dirty_thresholds(&st->dirty, avail, &m.thresh[m.nd], &m.bg[m.nd]);
                        if (m.thresh[m.nd] > 0) {
                                m.dirty_pct[m.nd] = 100.0 * (double) (p[MEMINFO_DIRTY] + p[MEMINFO_WRITEBACK]) /
                                                    m.thresh[m.nd];
                                m.nd++;
                        }
                }
                if (p[MEMINFO_COMMIT_LIMIT] > 0)
                        m.committed[m.nc++] = 100.0 * (double) p[MEMINFO_COMMITTED_AS] / (double) p[MEMINFO_COMMIT_LIMIT];
        }
        if (!last)
                return report_unavailable(rep, "memory", "meminfo", "/proc/meminfo gave no MemTotal in %zu sample(s)%s", n,
                                          source_error_hint(-EBADMSG));
        int r = 0;
        r = r ?: report_gauge(rep, "memory", NULL, "total_bytes", "bytes", (double) last[MEMINFO_TOTAL]);
        r = r ?: report_gauge(rep, "memory", NULL, "swap_total_bytes", "bytes", (double) last[MEMINFO_SWAP_TOTAL]);
        r = r ?: report_series(rep, "memory", NULL, "available_bytes", "bytes", m.avail, m.n);
        r = r ?: report_series(rep, "memory", NULL, "used_pct", "percent", m.used, m.n);
        r = r ?: report_series(rep, "memory", NULL, "swap_used_bytes", "bytes", m.swap_used, m.n);
        r = r ?: report_series(rep, "memory", NULL, "dirty_bytes", "bytes", m.dirty, m.n);
        r = r ?: report_series(rep, "memory", NULL, "writeback_bytes", "bytes", m.wb, m.n);
        r = r ?: report_series(rep, "memory", NULL, "dirty_threshold_bytes", "bytes", m.thresh, m.nd);
        r = r ?: report_series(rep, "memory", NULL, "dirty_background_threshold_bytes", "bytes", m.bg, m.nd);
        r = r ?: report_series(rep, "memory", NULL, "dirty_pct_of_threshold", "percent", m.dirty_pct, m.nd);
        r = r ?: report_series(rep, "memory", NULL, "committed_pct", "percent", m.committed, m.nc);
        if (r >= 0 && st->dirty.error < 0)
                r = report_unavailable(rep, "memory", "dirty_threshold",
                                       "cannot read /proc/sys/vm/dirty_{,background_}{bytes,ratio}: %s%s",
                                       strerror(-st->dirty.error), source_error_hint(st->dirty.error));
        return r;
}

enum { R_IN, R_OUT, R_MAJ, R_SCAN, R_STALL, R_KSWAPD, R_REFAULT, R_FAULT, _R_MAX };

/* Per-interval rates of the vmstat counters, v[i * n + j] with their interval lengths w (same layout). */
static int report_vmstat_rates(MemState *st, Report *rep, double *v, double *w, size_t n, size_t k[_R_MAX]) {
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
        int r = 0;
        for (size_t i = 0; i < _R_MAX; i++) {
                k[i] = counter_table_rates(&st->vm, (size_t) rates[i].col, 1.0, v + i * n, w + i * n);
                r = r ?: report_series_weighted(rep, "memory", NULL, rates[i].name, rates[i].unit, v + i * n, w + i * n,
                                                k[i]);
        }
        return r;
}

static int report_vmstat(MemState *st, Report *rep, bool have_swap) {
        size_t n = st->vm.n ? st->vm.n : 1;
        _cleanup_free_ double *v = calloc(2 * _R_MAX * n, sizeof(double));
        if (!v)
                return -ENOMEM;
        double *w = v + _R_MAX * n;
        size_t k[_R_MAX];
        int r = report_vmstat_rates(st, rep, v, w, n, k);
        if (r < 0)
                return r;
        if (k[R_IN] == 0)
                return report_rates_unavailable(rep, "memory", "vmstat_rates", "/proc/vmstat");

        uint64_t ooms = counter_table_total(&st->vm, VMSTAT_OOM_KILL);
        r = report_gauge(rep, "memory", NULL, "oom_kills", "count", (double) ooms);

        /* Evidence for the swapping finding (rules/findings.conf), which counts only when sustained: the
         * intervals that swapped, given only with a swap device. */
        size_t active = 0;
        for (size_t i = 0; i < k[R_IN] && i < k[R_OUT]; i++)
                active += v[R_IN * n + i] + v[R_OUT * n + i] > 0;
        if (r >= 0 && have_swap)
                r = report_gauge(rep, "memory", NULL, "swap_active_intervals", "count", (double) active);
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
                for (size_t i = 0; i < st->mem.n; i++) {
                        const uint64_t *p = counter_table_row(&st->mem, i);
                        have_swap = have_swap || (p && p[MEMINFO_SWAP_TOTAL] > 0);
                }
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
        .report = mem_report,
        .close = mem_close,
        .metrics = memory_metrics,
        .n_metrics = ELEMENTSOF(memory_metrics),
};

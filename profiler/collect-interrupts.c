/* SPDX-License-Identifier: MIT */
/* Network receive saturation in softirq context: packets dropped because a CPU's input backlog was
 * full, and NAPI rounds cut short by the budget (time_squeeze), from /proc/net/softnet_stat; and the
 * NET_RX/NET_TX softirq rates from /proc/softirqs. Deltas are taken per CPU at each sample (the
 * counters are 32-bit per CPU, so a sum across CPUs cannot tell a wrap from a reset). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "macro.h"
#include "proc-softnet.h"
#include "series.h"
#include "source-error.h"

typedef struct CpuSeries {
        unsigned cpu;
        Series dropped, squeeze;
} CpuSeries;

typedef struct IrqState {
        KeptFile softnet_file, softirqs_file;
        int softnet_error, softirqs_error;
        unsigned softnet_bad, softirqs_bad;
        Softnet softnet[2];      /* previous and current, alternating */
        Softirqs softirqs[2];
        unsigned softnet_cur, softirqs_cur;
        bool softnet_have_prev, softirqs_have_prev;
        uint64_t softnet_at, softirqs_at;
        Series dropped, squeeze, rx, tx;
        CpuSeries *percpu;
        size_t npercpu, percpu_cap;
} IrqState;

static int irq_open(void *state, const Sysroot *root) {
        IrqState *st = state;
        st->softnet_file = st->softirqs_file = KEPT_FILE_INIT;
        int r = kept_file_open(&st->softnet_file, root, "proc/net/softnet_stat");
        if (r == -ENOMEM)
                return r;
        st->softnet_error = r;
        r = kept_file_open(&st->softirqs_file, root, "proc/softirqs");
        if (r == -ENOMEM)
                return r;
        st->softirqs_error = r;
        return 0;
}

static CpuSeries *percpu_get(IrqState *st, unsigned cpu, size_t hint) {
        if (hint < st->npercpu && st->percpu[hint].cpu == cpu)
                return &st->percpu[hint];
        for (size_t i = 0; i < st->npercpu; i++)
                if (st->percpu[i].cpu == cpu)
                        return &st->percpu[i];
        if (array_reserve((void **) &st->percpu, &st->percpu_cap, st->npercpu, sizeof(CpuSeries)) < 0)
                return NULL;
        st->percpu[st->npercpu] = (CpuSeries) { .cpu = cpu };
        return &st->percpu[st->npercpu++];
}

static const SoftnetRow *row_of(const Softnet *s, unsigned cpu, size_t hint) {
        if (hint < s->nrows && s->row[hint].cpu == cpu)
                return &s->row[hint];
        for (size_t i = 0; i < s->nrows; i++)
                if (s->row[i].cpu == cpu)
                        return &s->row[i];
        return NULL;
}

/* One interval of softnet_stat: per-CPU rates for the CPUs present in both readings, and their sum. */
static int softnet_interval(IrqState *st, const Softnet *a, const Softnet *b, double dt) {
        uint64_t drop_sum = 0, squeeze_sum = 0;
        for (size_t i = 0; i < b->nrows; i++) {
                const SoftnetRow *cur = &b->row[i], *prev = row_of(a, cur->cpu, i);
                uint64_t dd, ds;
                if (!prev || !counter_delta(prev->dropped, cur->dropped, &dd) ||
                    !counter_delta(prev->time_squeeze, cur->time_squeeze, &ds))
                        continue;
                CpuSeries *c = percpu_get(st, cur->cpu, i);
                if (!c)
                        return -ENOMEM;
                int r = series_push_rate(&c->dropped, (double) dd, dt);
                r = r ?: series_push_rate(&c->squeeze, (double) ds, dt);
                if (r < 0)
                        return r;
                drop_sum += dd;
                squeeze_sum += ds;
        }
        int r = series_push_rate(&st->dropped, (double) drop_sum, dt);
        return r ?: series_push_rate(&st->squeeze, (double) squeeze_sum, dt);
}

static uint64_t sum_delta(const uint64_t *a, const uint64_t *b, unsigned n) {
        uint64_t sum = 0, d;
        for (unsigned i = 0; i < n; i++)
                if (counter_delta(a[i], b[i], &d))
                        sum += d;
        return sum;
}

static int sample_softnet(IrqState *st, uint64_t now) {
        const char *text;
        size_t len;
        Softnet *cur = &st->softnet[st->softnet_cur];
        int r = kept_file_read(&st->softnet_file, &text, &len);
        if (r >= 0)
                r = softnet_parse(text, len, cur);
        if (r < 0) {
                st->softnet_error = r;
                st->softnet_bad++;
                return 0;
        }
        if (st->softnet_have_prev && now > st->softnet_at) {
                r = softnet_interval(st, &st->softnet[st->softnet_cur ^ 1], cur, (double) (now - st->softnet_at) / 1e6);
                if (r < 0)
                        return r;
        }
        st->softnet_have_prev = true;
        st->softnet_at = now;
        st->softnet_cur ^= 1;
        return 0;
}

static int sample_softirqs(IrqState *st, uint64_t now) {
        const char *text;
        size_t len;
        Softirqs *cur = &st->softirqs[st->softirqs_cur], *prev = &st->softirqs[st->softirqs_cur ^ 1];
        int r = kept_file_read(&st->softirqs_file, &text, &len);
        if (r >= 0)
                r = softirqs_parse(text, len, cur);
        if (r < 0) {
                st->softirqs_error = r;
                st->softirqs_bad++;
                return 0;
        }
        /* Columns are the possible CPUs: the count only changes with CPU hotplug of new sockets. */
        if (st->softirqs_have_prev && now > st->softirqs_at && prev->ncpu == cur->ncpu) {
                double dt = (double) (now - st->softirqs_at) / 1e6;
                r = series_push_rate(&st->rx, (double) sum_delta(prev->net_rx, cur->net_rx, cur->ncpu), dt);
                r = r ?: series_push_rate(&st->tx, (double) sum_delta(prev->net_tx, cur->net_tx, cur->ncpu), dt);
                if (r < 0)
                        return r;
        }
        st->softirqs_have_prev = true;
        st->softirqs_at = now;
        st->softirqs_cur ^= 1;
        return 0;
}

static int irq_sample(void *state, uint64_t now, bool full) {
        IrqState *st = state;
        int r = 0;
        if (!full)      /* both files are read at full samples only */
                return 0;
        if (kept_file_is_open(&st->softnet_file))
                r = sample_softnet(st, now);
        if (r >= 0 && kept_file_is_open(&st->softirqs_file))
                r = sample_softirqs(st, now);
        return r;
}

static int softnet_findings(IrqState *st, Report *rep) {
        SeriesSummary d = series_stat_summary(&st->dropped);
        SeriesSummary q = series_stat_summary(&st->squeeze);
        int r = 0;
        if (d.n > 0 && d.avg > 0)
                r = report_finding(rep, FINDING_SATURATION, SEVERITY_WARNING, "interrupts", "interrupts.softnet_dropped_per_s",
                                   d.avg, 0,
                                   "%.1f packets/s dropped because a CPU's input backlog was full (softnet_stat, threshold 0): "
                                   "raise net.core.netdev_max_backlog",
                                   d.avg);
        if (r >= 0 && q.n > 0 && q.avg > 0)
                r = report_finding(rep, FINDING_SATURATION, q.avg >= 10 ? SEVERITY_WARNING : SEVERITY_INFO, "interrupts",
                                   "interrupts.softnet_time_squeeze_per_s", q.avg, 0,
                                   "packet processing ran out of budget %.1f times/s (softnet_stat time_squeeze, threshold 0; "
                                   "warning at 10/s): raise net.core.netdev_budget",
                                   q.avg);
        return r;
}

static int irq_report(void *state, const Sysroot *root, Report *rep) {
        IrqState *st = state;
        int r = 0;
        if (!st->softnet_have_prev)
                r = report_unavailable(rep, "interrupts", "softnet_stat", "cannot read /proc/net/softnet_stat: %s%s",
                                       strerror(-st->softnet_error ?: EIO), source_error_hint(st->softnet_error));
        if (r >= 0 && !st->softirqs_have_prev)
                r = report_unavailable(rep, "interrupts", "softirqs", "cannot read /proc/softirqs: %s%s",
                                       strerror(-st->softirqs_error ?: EIO), source_error_hint(st->softirqs_error));
        if (r >= 0 && st->softnet_have_prev && st->dropped.n == 0)
                r = report_rates_unavailable(rep, "interrupts", "softnet_rates", "/proc/net/softnet_stat");
        if (r >= 0 && st->softirqs_have_prev && st->rx.n == 0)
                r = report_rates_unavailable(rep, "interrupts", "softirqs_rates", "/proc/softirqs");
        r = r ?: report_rate_series(rep, "interrupts", NULL, "softnet_dropped_per_s", "1/s", &st->dropped);
        r = r ?: report_rate_series(rep, "interrupts", NULL, "softnet_time_squeeze_per_s", "1/s", &st->squeeze);
        r = r ?: report_rate_series(rep, "interrupts", NULL, "net_rx_softirqs_per_s", "1/s", &st->rx);
        r = r ?: report_rate_series(rep, "interrupts", NULL, "net_tx_softirqs_per_s", "1/s", &st->tx);
        for (size_t i = 0; r >= 0 && i < st->npercpu; i++) {
                char obj[48];
                snprintf(obj, sizeof(obj), "softnet/cpu%u", st->percpu[i].cpu);
                r = report_rate_series(rep, "interrupts", obj, "dropped_per_s", "1/s", &st->percpu[i].dropped);
                r = r ?: report_rate_series(rep, "interrupts", obj, "time_squeeze_per_s", "1/s", &st->percpu[i].squeeze);
        }
        return r ?: softnet_findings(st, rep);
}

static void irq_close(void *state) {
        IrqState *st = state;
        kept_file_close(&st->softnet_file);
        kept_file_close(&st->softirqs_file);
        series_free(&st->dropped);
        series_free(&st->squeeze);
        series_free(&st->rx);
        series_free(&st->tx);
        for (size_t i = 0; i < st->npercpu; i++) {
                series_free(&st->percpu[i].dropped);
                series_free(&st->percpu[i].squeeze);
        }
        free(st->percpu);
}

static const MetricSpec interrupts_metrics[] = {
        { "interrupts.softnet_dropped_per_s", METRIC_SERIES },
        { "interrupts.softnet_time_squeeze_per_s", METRIC_SERIES },
        { "interrupts.net_rx_softirqs_per_s", METRIC_SERIES },
        { "interrupts.net_tx_softirqs_per_s", METRIC_SERIES },
        { "interrupts.softnet.*.dropped_per_s", METRIC_SERIES },
        { "interrupts.softnet.*.time_squeeze_per_s", METRIC_SERIES },
};

const Collector collector_interrupts = {
        .name = "interrupts",
        .state_size = sizeof(IrqState),
        .open = irq_open,
        .sample = irq_sample,
        .report = irq_report,
        .close = irq_close,
        .metrics = interrupts_metrics,
        .n_metrics = ELEMENTSOF(interrupts_metrics),
};

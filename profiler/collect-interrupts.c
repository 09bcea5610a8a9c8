/* SPDX-License-Identifier: MIT */
/* Network receive saturation in softirq context: packets dropped because a CPU's input backlog was
 * full, and NAPI rounds cut short by the budget (time_squeeze), from /proc/net/softnet_stat; and the
 * NET_RX/NET_TX softirq rates from /proc/softirqs. Deltas are taken per CPU at each sample (the
 * counters are 32-bit per CPU, so a sum across CPUs cannot tell a wrap from a reset). It streams: a
 * full sample's rates wait in the state until interval() emits them, so memory is one entry per CPU
 * whatever the window's length. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "macro.h"
#include "proc-softnet.h"
#include "series.h"
#include "metric-sink.h"
#include "source-error.h"

typedef struct CpuRates {
        unsigned cpu;
        char object[24];        /* "softnet/cpu3": the points' object, kept between samples */
        bool fresh;             /* rates of the latest interval wait for interval() */
        double dropped, squeeze;
} CpuRates;

typedef struct IrqState {
        KeptFile softnet_file, softirqs_file;
        int softnet_error, softirqs_error;
        unsigned softnet_bad, softirqs_bad;
        Softnet softnet[2];      /* previous and current, alternating */
        Softirqs softirqs[2];
        unsigned softnet_cur, softirqs_cur;
        bool softnet_have_prev, softirqs_have_prev;
        uint64_t softnet_at, softirqs_at;
        /* The latest interval's rates, emitted by interval(); fresh until then. */
        bool softnet_fresh, softirqs_fresh;
        double softnet_dt, softirqs_dt, dropped, squeeze, rx, tx;
        unsigned softnet_intervals, softirqs_intervals;
        CpuRates *percpu;
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

static CpuRates *percpu_get(IrqState *st, unsigned cpu, size_t hint) {
        if (hint < st->npercpu && st->percpu[hint].cpu == cpu)
                return &st->percpu[hint];
        for (size_t i = 0; i < st->npercpu; i++)
                if (st->percpu[i].cpu == cpu)
                        return &st->percpu[i];
        if (array_reserve((void **) &st->percpu, &st->percpu_cap, st->npercpu, sizeof(CpuRates)) < 0)
                return NULL;
        st->percpu[st->npercpu] = (CpuRates) { .cpu = cpu };
        snprintf(st->percpu[st->npercpu].object, sizeof(st->percpu[st->npercpu].object), "softnet/cpu%u", cpu);
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
                CpuRates *c = percpu_get(st, cur->cpu, i);
                if (!c)
                        return -ENOMEM;
                c->fresh = true;
                c->dropped = (double) dd / dt;
                c->squeeze = (double) ds / dt;
                drop_sum += dd;
                squeeze_sum += ds;
        }
        st->dropped = (double) drop_sum / dt;
        st->squeeze = (double) squeeze_sum / dt;
        st->softnet_dt = dt;
        st->softnet_fresh = true;
        st->softnet_intervals++;
        return 0;
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
                st->rx = (double) sum_delta(prev->net_rx, cur->net_rx, cur->ncpu) / dt;
                st->tx = (double) sum_delta(prev->net_tx, cur->net_tx, cur->ncpu) / dt;
                st->softirqs_dt = dt;
                st->softirqs_fresh = true;
                st->softirqs_intervals++;
        }
        st->softirqs_have_prev = true;
        st->softirqs_at = now;
        st->softirqs_cur ^= 1;
        return 0;
}

static int irq_sample(void *state, uint64_t now, SampleKind kind) {
        IrqState *st = state;
        bool full = kind != SAMPLE_QUICK;
        int r = 0;
        if (!full)      /* both files are read at full samples only */
                return 0;
        if (kept_file_is_open(&st->softnet_file))
                r = sample_softnet(st, now);
        if (r >= 0 && kept_file_is_open(&st->softirqs_file))
                r = sample_softirqs(st, now);
        return r;
}

static int rate(const MetricSink *sink, const char *object, const char *name, double v, double dt) {
        MetricPoint p = { .resource = "interrupts", .object = object, .name = name, .unit = "1/s",
                          .kind = METRIC_WEIGHT_TIME, .value = v, .weight = dt };
        return metric_emit(sink, &p);
}

/* The rates of the latest full samples, once each. */
static int irq_interval(void *state, const MetricSink *sink) {
        IrqState *st = state;
        int r = 0;
        if (st->softnet_fresh) {
                r = rate(sink, NULL, "softnet_dropped_per_s", st->dropped, st->softnet_dt);
                r = r ?: rate(sink, NULL, "softnet_time_squeeze_per_s", st->squeeze, st->softnet_dt);
                for (size_t i = 0; r >= 0 && i < st->npercpu; i++) {
                        CpuRates *c = &st->percpu[i];
                        if (!c->fresh)
                                continue;
                        r = rate(sink, c->object, "dropped_per_s", c->dropped, st->softnet_dt);
                        r = r ?: rate(sink, c->object, "time_squeeze_per_s", c->squeeze, st->softnet_dt);
                        c->fresh = false;
                }
                st->softnet_fresh = false;
        }
        if (r >= 0 && st->softirqs_fresh) {
                r = rate(sink, NULL, "net_rx_softirqs_per_s", st->rx, st->softirqs_dt);
                r = r ?: rate(sink, NULL, "net_tx_softirqs_per_s", st->tx, st->softirqs_dt);
                st->softirqs_fresh = false;
        }
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
        if (r >= 0 && st->softnet_have_prev && st->softnet_intervals == 0)
                r = report_rates_unavailable(rep, "interrupts", "softnet_rates", "/proc/net/softnet_stat");
        if (r >= 0 && st->softirqs_have_prev && st->softirqs_intervals == 0)
                r = report_rates_unavailable(rep, "interrupts", "softirqs_rates", "/proc/softirqs");
        return r ?: report_stream_series(rep);
}

static void irq_close(void *state) {
        IrqState *st = state;
        kept_file_close(&st->softnet_file);
        kept_file_close(&st->softirqs_file);
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
        .interval = irq_interval,
        .report = irq_report,
        .close = irq_close,
        .metrics = interrupts_metrics,
        .n_metrics = ELEMENTSOF(interrupts_metrics),
};

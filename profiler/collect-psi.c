/* SPDX-License-Identifier: MIT */
/* Pressure stall information: the share of wall time in which tasks were stalled on CPU, memory or
 * I/O, from the cumulative total= of /proc/pressure/{cpu,memory,io} over each interval. The system
 * wide cpu "full" line is undefined (zero since 5.13) and left out. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "macro.h"
#include "proc-pressure.h"
#include "series.h"

typedef struct PsiPoint {
        uint64_t at, some_us, full_us;
        bool has_full;
} PsiPoint;

typedef struct PsiSource {
        const char *file;        /* under proc/pressure */
        const char *resource;    /* where the metrics go */
        bool want_full;
} PsiSource;

static const PsiSource psi_sources[] = {
        { "cpu", "cpu", false },
        { "memory", "memory", true },
        { "io", "disk", true },
};
#define PSI_N ELEMENTSOF(psi_sources)

typedef struct PsiState {
        KeptFile file[PSI_N];
        int error[PSI_N];        /* open error, then the last read or parse error */
        unsigned bad[PSI_N];
        PsiPoint p[PSI_N][2];    /* the last two readable samples, p[i][n % 2] the older */
        size_t n[PSI_N];         /* readable samples */
        bool fresh[PSI_N];       /* read at this sample: its interval is due */
} PsiState;

static int psi_open(void *state, const Sysroot *root) {
        PsiState *st = state;
        for (size_t i = 0; i < PSI_N; i++) {
                char rel[64];
                snprintf(rel, sizeof(rel), "proc/pressure/%s", psi_sources[i].file);
                st->file[i] = KEPT_FILE_INIT;
                int r = kept_file_open(&st->file[i], root, rel);
                if (r == -ENOMEM)
                        return r;
                st->error[i] = r;
        }
        return 0;
}

static int psi_sample(void *state, uint64_t now, SampleKind kind) {
        PsiState *st = state;
        for (size_t i = 0; i < PSI_N; i++) {
                st->fresh[i] = false;
                const char *text;
                size_t len;
                PsiTotals t;
                if (!kept_file_is_open(&st->file[i]))
                        continue;
                int r = kept_file_read(&st->file[i], &text, &len);
                if (r >= 0)
                        r = psi_parse(text, len, &t);
                if (r >= 0 && !t.has_some)
                        r = -EBADMSG;
                if (r < 0) {
                        /* psi=0 on a kernel with CONFIG_PSI leaves files that fail to read (EOPNOTSUPP). */
                        st->error[i] = r;
                        st->bad[i]++;
                        continue;
                }
                st->p[i][st->n[i]++ % 2] = (PsiPoint) { .at = now, .some_us = t.some_us, .full_us = t.full_us,
                                                        .has_full = t.has_full };
                st->fresh[i] = true;
        }
        return 0;
}

/* Stall share of one interval in percent; false when the interval cannot be used. */
static bool stall_pct(uint64_t at0, uint64_t at1, uint64_t v0, uint64_t v1, double *ret) {
        uint64_t d;
        if (at1 <= at0 || !counter_delta(v0, v1, &d))
                return false;
        /* The kernel's clock and ours differ slightly: a fully stalled interval may read 100.1%. */
        *ret = fmin(100.0, (double) d / (double) (at1 - at0) * 100.0);
        return true;
}

/* The stall shares of the interval that ended at this sample, per source. */
static int psi_interval(void *state, const MetricSink *sink) {
        PsiState *st = state;
        int r = 0;
        for (size_t i = 0; r >= 0 && i < PSI_N; i++) {
                if (!st->fresh[i] || st->n[i] < 2)
                        continue;
                const PsiSource *src = &psi_sources[i];
                const PsiPoint *a = &st->p[i][st->n[i] % 2], *b = &st->p[i][(st->n[i] - 1) % 2];
                MetricPoint pt = { .resource = src->resource, .unit = "percent", .kind = METRIC_WEIGHT_EQUAL,
                                   .weight = 1 };
                pt.name = "psi_some_pct";
                if (stall_pct(a->at, b->at, a->some_us, b->some_us, &pt.value))
                        r = metric_emit(sink, &pt);
                pt.name = "psi_full_pct";
                if (r >= 0 && src->want_full && a->has_full && b->has_full &&
                    stall_pct(a->at, b->at, a->full_us, b->full_us, &pt.value))
                        r = metric_emit(sink, &pt);
        }
        return r;
}

static int psi_report_one(PsiState *st, size_t i, Report *rep) {
        const PsiSource *src = &psi_sources[i];
        if (st->n[i] == 0) {
                if (st->error[i] == -ENOENT)
                        return report_unavailable(rep, src->resource, "psi",
                                                  "/proc/pressure/%s is missing: the kernel was built without CONFIG_PSI or booted with psi=0 "
                                                  "(add psi=1 to the kernel command line)", src->file);
                return report_unavailable(rep, src->resource, "psi", "cannot read /proc/pressure/%s: %s%s", src->file,
                                          strerror(-st->error[i]),
                                          st->error[i] == -EOPNOTSUPP ? " (PSI is disabled: boot with psi=1)" : "");
        }
        return 0;       /* the series come from the stream; one sample gives none (the cpu collector says so) */
}

/* The series come from the stream (psi_interval); the findings and notes here. */
static int psi_report(void *state, const Sysroot *root, Report *rep) {
        PsiState *st = state;
        int r = report_stream_series(rep);
        if (r < 0)
                return r;
        for (size_t i = 0; i < PSI_N; i++) {
                r = psi_report_one(st, i, rep);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void psi_close(void *state) {
        PsiState *st = state;
        for (size_t i = 0; i < PSI_N; i++) {
                kept_file_close(&st->file[i]);
        }
}

static const MetricSpec psi_metrics[] = {
        { "cpu.psi_some_pct", METRIC_SERIES },
        { "cpu.psi_full_pct", METRIC_SERIES },
        { "memory.psi_some_pct", METRIC_SERIES },
        { "memory.psi_full_pct", METRIC_SERIES },
        { "disk.psi_some_pct", METRIC_SERIES },
        { "disk.psi_full_pct", METRIC_SERIES },
};

const Collector collector_psi = {
        .name = "psi",
        .state_size = sizeof(PsiState),
        .open = psi_open,
        .sample = psi_sample,
        .interval = psi_interval,
        .report = psi_report,
        .close = psi_close,
        .metrics = psi_metrics,
        .n_metrics = ELEMENTSOF(psi_metrics),
};

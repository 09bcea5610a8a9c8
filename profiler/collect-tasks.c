/* SPDX-License-Identifier: MIT */
/* Tasks: load averages and the thread count against the kernel's limits (kernel.threads-max, and
 * kernel.pid_max since every thread takes a PID), from /proc/loadavg at each sample; the limits are
 * read once, at report time. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "macro.h"
#include "proc-loadavg.h"
#include "series.h"
#include "source-error.h"

typedef struct TaskPoint {
        double load1, load5, load15;
        uint64_t threads;
} TaskPoint;

typedef struct TasksState {
        KeptFile file;
        int error;
        unsigned bad;
        TaskPoint *p;
        size_t n, cap;
} TasksState;

static int tasks_open(void *state, const Sysroot *root) {
        TasksState *st = state;
        st->file = KEPT_FILE_INIT;
        int r = kept_file_open(&st->file, root, "proc/loadavg");
        if (r == -ENOMEM)
                return r;
        st->error = r;
        return 0;
}

static int tasks_sample(void *state, uint64_t now, bool full) {
        TasksState *st = state;
        const char *text;
        size_t len;
        LoadAvg l;
        if (!kept_file_is_open(&st->file))
                return 0;
        int r = kept_file_read(&st->file, &text, &len);
        if (r >= 0)
                r = loadavg_parse(text, len, &l);
        if (r < 0) {
                st->error = r;
                st->bad++;
                return 0;
        }
        r = array_reserve((void **) &st->p, &st->cap, st->n, sizeof(TaskPoint));
        if (r < 0)
                return r;
        st->p[st->n++] = (TaskPoint) { l.load1, l.load5, l.load15, l.threads };
        return 0;
}

/* A limit as a gauge, and the series of threads against it; a missing limit is unavailable. */
static int limit_metrics(TasksState *st, const Sysroot *root, Report *rep, const double *threads, const char *rel,
                         const char *limit_name, const char *pct_name) {
        uint64_t max;
        int r = sysroot_read_u64(root, rel, &max);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || max == 0)
                return report_unavailable(rep, "tasks", limit_name, "cannot read /%s: %s%s", rel,
                                          r < 0 ? strerror(-r) : "the limit reads 0", source_error_hint(r < 0 ? r : -EBADMSG));
        _cleanup_free_ double *pct = calloc(st->n, sizeof(double));
        if (!pct)
                return -ENOMEM;
        for (size_t i = 0; i < st->n; i++)
                pct[i] = threads[i] / (double) max * 100.0;
        r = report_gauge(rep, "tasks", NULL, limit_name, "count", (double) max);
        return r ?: report_series(rep, "tasks", NULL, pct_name, "percent", pct, st->n);
}

static int tasks_report(void *state, const Sysroot *root, Report *rep) {
        TasksState *st = state;
        if (st->n == 0)
                return report_unavailable(rep, "tasks", "loadavg", "cannot read /proc/loadavg: %s%s",
                                          strerror(-st->error ?: EIO), source_error_hint(st->error));
        _cleanup_free_ double *buf = calloc(st->n * 4, sizeof(double));
        if (!buf)
                return -ENOMEM;
        double *threads = buf, *l1 = buf + st->n, *l5 = buf + 2 * st->n, *l15 = buf + 3 * st->n;
        for (size_t i = 0; i < st->n; i++) {
                threads[i] = (double) st->p[i].threads;
                l1[i] = st->p[i].load1;
                l5[i] = st->p[i].load5;
                l15[i] = st->p[i].load15;
        }
        int r = report_series(rep, "tasks", NULL, "threads", "count", threads, st->n);
        r = r ?: report_series(rep, "tasks", NULL, "load1", "tasks", l1, st->n);
        r = r ?: report_series(rep, "tasks", NULL, "load5", "tasks", l5, st->n);
        r = r ?: report_series(rep, "tasks", NULL, "load15", "tasks", l15, st->n);
        r = r ?: limit_metrics(st, root, rep, threads, "proc/sys/kernel/threads-max", "threads_max", "threads_pct");
        r = r ?: limit_metrics(st, root, rep, threads, "proc/sys/kernel/pid_max", "pid_max", "pids_pct");
        return r;
}

static void tasks_close(void *state) {
        TasksState *st = state;
        kept_file_close(&st->file);
        free(st->p);
}

static const MetricSpec tasks_metrics[] = {
        { "tasks.pid_max", METRIC_GAUGE },
        { "tasks.pids_pct", METRIC_SERIES },
        { "tasks.threads_max", METRIC_GAUGE },
        { "tasks.threads_pct", METRIC_SERIES },
        { "tasks.threads", METRIC_SERIES },
        { "tasks.load1", METRIC_SERIES },
        { "tasks.load5", METRIC_SERIES },
        { "tasks.load15", METRIC_SERIES },
};

const Collector collector_tasks = {
        .name = "tasks",
        .state_size = sizeof(TasksState),
        .open = tasks_open,
        .sample = tasks_sample,
        .report = tasks_report,
        .close = tasks_close,
        .metrics = tasks_metrics,
        .n_metrics = ELEMENTSOF(tasks_metrics),
};

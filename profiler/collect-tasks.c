/* SPDX-License-Identifier: MIT */
/* Tasks: load averages and the thread count against the kernel's limits (kernel.threads-max, and
 * kernel.pid_max since every thread takes a PID), from /proc/loadavg at each sample; the limits are
 * read once, when the profile opens. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "macro.h"
#include "proc-loadavg.h"
#include "series-table.h"
#include "series.h"
#include "source-error.h"

/* A limit of the thread count, read once at open: the share of it is emitted at each sample. */
typedef struct TaskLimit {
        const char *rel, *limit_name, *pct_name;
        int error;
        uint64_t max;
} TaskLimit;

/* Streaming: each sample emits what it read (tasks_interval); nothing is kept but the last. */
typedef struct TasksState {
        KeptFile file;
        int error;
        unsigned bad;
        size_t n;                /* readable samples */
        bool fresh;
        LoadAvg last;
        TaskLimit limit[2];
} TasksState;

static int tasks_open(void *state, const Sysroot *root) {
        TasksState *st = state;
        st->file = KEPT_FILE_INIT;
        int r = kept_file_open(&st->file, root, "proc/loadavg");
        if (r == -ENOMEM)
                return r;
        st->error = r;
        st->limit[0] = (TaskLimit) { .rel = "proc/sys/kernel/threads-max", .limit_name = "threads_max", .pct_name = "threads_pct" };
        st->limit[1] = (TaskLimit) { .rel = "proc/sys/kernel/pid_max", .limit_name = "pid_max", .pct_name = "pids_pct" };
        for (size_t i = 0; i < ELEMENTSOF(st->limit); i++) {
                TaskLimit *l = &st->limit[i];
                l->error = sysroot_read_u64(root, l->rel, &l->max);
                if (l->error == -ENOMEM)
                        return l->error;
                if (l->error >= 0 && l->max == 0)
                        l->error = -ERANGE;
        }
        return 0;
}

static int tasks_sample(void *state, uint64_t now, SampleKind kind) {
        TasksState *st = state;
        const char *text;
        size_t len;
        st->fresh = false;
        if (!kept_file_is_open(&st->file))
                return 0;
        int r = kept_file_read(&st->file, &text, &len);
        if (r >= 0)
                r = loadavg_parse(text, len, &st->last);
        if (r < 0) {
                st->error = r;
                st->bad++;
                return 0;
        }
        st->n++;
        st->fresh = true;
        return 0;
}

static int emit(const MetricSink *sink, const char *name, const char *unit, double v) {
        MetricPoint p = { .resource = "tasks", .name = name, .unit = unit, .kind = METRIC_WEIGHT_EQUAL, .value = v,
                          .weight = 1 };
        return metric_emit(sink, &p);
}

static int tasks_interval(void *state, const MetricSink *sink) {
        TasksState *st = state;
        if (!st->fresh)
                return 0;
        const LoadAvg *l = &st->last;
        int r = emit(sink, "threads", "count", (double) l->threads);
        r = r ?: emit(sink, "load1", "tasks", l->load1);
        r = r ?: emit(sink, "load5", "tasks", l->load5);
        r = r ?: emit(sink, "load15", "tasks", l->load15);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(st->limit); i++)
                if (st->limit[i].error >= 0)
                        r = emit(sink, st->limit[i].pct_name, "percent",
                                 (double) l->threads / (double) st->limit[i].max * 100.0);
        return r;
}

/* A limit as a gauge, and the series of threads against it; a missing limit is unavailable. */
static int limit_metrics(Report *rep, const TaskLimit *l) {
        if (l->error < 0)
                return report_unavailable(rep, "tasks", l->limit_name, "cannot read /%s: %s%s", l->rel,
                                          l->error == -ERANGE ? "the limit reads 0" : strerror(-l->error),
                                          source_error_hint(l->error == -ERANGE ? -EBADMSG : l->error));
        int r = report_gauge(rep, "tasks", NULL, l->limit_name, "count", (double) l->max);
        return r ?: report_streamed(rep, "tasks", NULL, l->pct_name, "percent", false);
}

/* The series come from the stream, each written here among the limits. */
static int tasks_report(void *state, const Sysroot *root, Report *rep) {
        TasksState *st = state;
        if (st->n == 0)
                return report_unavailable(rep, "tasks", "loadavg", "cannot read /proc/loadavg: %s%s",
                                          strerror(-st->error ?: EIO), source_error_hint(st->error));
        int r = report_streamed(rep, "tasks", NULL, "threads", "count", false);
        r = r ?: report_streamed(rep, "tasks", NULL, "load1", "tasks", false);
        r = r ?: report_streamed(rep, "tasks", NULL, "load5", "tasks", false);
        r = r ?: report_streamed(rep, "tasks", NULL, "load15", "tasks", false);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(st->limit); i++)
                r = limit_metrics(rep, &st->limit[i]);
        return r;
}

static void tasks_close(void *state) {
        TasksState *st = state;
        kept_file_close(&st->file);
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
        .interval = tasks_interval,
        .report = tasks_report,
        .close = tasks_close,
        .metrics = tasks_metrics,
        .n_metrics = ELEMENTSOF(tasks_metrics),
};

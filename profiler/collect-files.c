/* SPDX-License-Identifier: MIT */
/* File handles (USE): the system-wide count against fs.file-max from /proc/sys/fs/file-nr at each
 * sample, and once per profile the processes closest to their own "Max open files" soft limit
 * (/proc/PID/fd against /proc/PID/limits). Both are capacity limits: near 100 % the next open() fails
 * with ENFILE or EMFILE (the findings files-file-max and files-process-nofile of rules/findings.conf). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "macro.h"
#include "procfs.h"
#include "safe-text.h"
#include "series-table.h"
#include "series.h"
#include "source-error.h"
#include "textscan.h"
#include "ulimit.h"

/* Counting a process's fds stops here (or at its soft limit: the percentage is then known to be 100,
 * and the message says "at least"). */
#define FILES_MAX_FDS_COUNTED 100000
#define FILES_TOP 5

enum { FNR_ALLOCATED, FNR_MAX, _FNR_MAX };

typedef struct ProcFiles {
        int pid;
        char comm[80];          /* escaped: up to 4 bytes per byte of the 15-byte comm */
        long long fds, soft;
        double pct;
} ProcFiles;

typedef struct FilesState {
        KeptFile file_nr;
        int open_error;
        unsigned bad;
        /* Streaming: the latest reading, emitted at its sample (files_interval). */
        uint64_t row[_FNR_MAX];
        bool fresh;
        size_t k;                /* samples with a usable reading */
        uint64_t max;            /* fs.file-max at the last of them */
} FilesState;

static int files_open(void *state, const Sysroot *root) {
        FilesState *st = state;
        st->file_nr = KEPT_FILE_INIT;
        st->open_error = kept_file_open(&st->file_nr, root, "proc/sys/fs/file-nr");
        return st->open_error == -ENOMEM ? -ENOMEM : 0;
}

/* "allocated  free  max": the free column is always 0 since 2.6. */
static int parse_file_nr(const char *text, size_t len, uint64_t row[_FNR_MAX]) {
        Scan s = scan_init(text, len);
        uint64_t unused;
        if (scan_u64(&s, &row[FNR_ALLOCATED]) < 0 || scan_u64(&s, &unused) < 0 || scan_u64(&s, &row[FNR_MAX]) < 0)
                return -EBADMSG;
        return 0;
}

static int files_sample(void *state, uint64_t now, SampleKind kind) {
        FilesState *st = state;
        if (!kept_file_is_open(&st->file_nr))
                return 0;
        const char *text;
        size_t len;
        st->fresh = false;
        int r = kept_file_read(&st->file_nr, &text, &len);
        if (r >= 0)
                r = parse_file_nr(text, len, st->row);
        if (r < 0)
                st->bad++;
        else
                st->fresh = st->row[FNR_MAX] > 0;
        return 0;
}

static int files_interval(void *state, const MetricSink *sink) {
        FilesState *st = state;
        if (!st->fresh)
                return 0;
        st->k++;
        st->max = st->row[FNR_MAX];
        MetricPoint p = { .resource = "files", .name = "allocated", .unit = "count", .kind = METRIC_WEIGHT_EQUAL,
                          .value = (double) st->row[FNR_ALLOCATED], .weight = 1 };
        int r = metric_emit(sink, &p);
        p.name = "used_pct", p.unit = "percent";
        p.value = 100.0 * (double) st->row[FNR_ALLOCATED] / (double) st->row[FNR_MAX];
        return r ?: metric_emit(sink, &p);
}

static int read_soft_limit(const Sysroot *root, int pid, long long *ret) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = proc_read(root, pid, "limits", &text, &len);
        if (r < 0)
                return r;
        long long hard;
        r = ulimit_parse_proc_limits(text, len, ulimit_resource("nofile"), ret, &hard);
        return r == -ENOENT ? -EBADMSG : r;        /* no "Max open files" line; -ENOENT means gone */
}

static void read_comm(const Sysroot *root, int pid, char *buf, size_t size) {
        _cleanup_free_ char *line = NULL;
        text_escape_buf(buf, size, proc_read_line(root, pid, "comm", &line) >= 0 ? line : "?");
}

/* Keep the FILES_TOP highest percentages, highest first. */
static void top_insert(ProcFiles *top, size_t *n, const ProcFiles *p) {
        size_t i = *n < FILES_TOP ? (*n)++ : FILES_TOP;
        if (i == FILES_TOP) {
                if (p->pct <= top[FILES_TOP - 1].pct)
                        return;
                i = FILES_TOP - 1;
        }
        while (i > 0 && top[i - 1].pct < p->pct) {
                top[i] = top[i - 1];
                i--;
        }
        top[i] = *p;
}

typedef struct ScanResult {
        ProcFiles top[FILES_TOP];
        size_t ntop;
        unsigned scanned, unreadable;
} ScanResult;

static int scan_processes(const Sysroot *root, ScanResult *res) {
        _cleanup_(proc_iter_close) ProcIter it = PROC_ITER_INIT;
        int r = proc_iter_open(&it, root);
        if (r < 0)
                return r;
        for (int pid; proc_iter_next(&it, &pid) > 0;) {
                ProcFiles p = { .pid = pid, .soft = -1 };
                r = read_soft_limit(root, p.pid, &p.soft);
                if (r == -ENOENT || r == -ESRCH)
                        continue;           /* exited meanwhile */
                long long cap = FILES_MAX_FDS_COUNTED;
                if (r >= 0 && p.soft > 0)
                        cap = MIN(cap, p.soft);
                p.fds = proc_count_fds(root, p.pid, cap);
                if (p.fds == -ENOENT || p.fds == -ESRCH)
                        continue;
                if (p.fds < 0 || r < 0) {
                        /* Another user's process, seen by an unprivileged profiler. */
                        res->unreadable++;
                        continue;
                }
                res->scanned++;
                if (p.soft <= 0)
                        continue;           /* unlimited (or 0): no percentage */
                p.pct = 100.0 * (double) p.fds / (double) p.soft;
                read_comm(root, p.pid, p.comm, sizeof(p.comm));
                top_insert(res->top, &res->ntop, &p);
        }
        return 0;
}

static int report_processes(const Sysroot *root, Report *rep) {
        ScanResult res = {};
        int r = scan_processes(root, &res);
        if (r < 0)
                return report_unavailable(rep, "files", "processes", "cannot list /proc: %s%s", strerror(-r),
                                          source_error_hint(r));
        json_t *top = json_array();
        if (!top)
                return -ENOMEM;
        for (size_t i = 0; i < res.ntop; i++) {
                const ProcFiles *p = &res.top[i];
                json_t *o = json_pack("{s:i, s:s, s:I, s:I, s:f}", "pid", p->pid, "comm", p->comm, "fds",
                                      (json_int_t) p->fds, "soft_limit", (json_int_t) p->soft, "pct",
                                      round(p->pct * 100) / 100);
                if (!o || json_array_append_new(top, o) < 0) {
                        json_decref(top);
                        return -ENOMEM;
                }
        }
        r = report_fact(rep, "files", NULL, "top_processes", top);
        r = r ?: report_gauge(rep, "files", NULL, "scanned", "count", res.scanned);
        r = r ?: report_gauge(rep, "files", NULL, "unreadable", "count", res.unreadable);
        if (r >= 0 && res.ntop > 0)
                r = report_gauge(rep, "files", NULL, "max_process_nofile_pct", "percent", res.top[0].pct);
        return r;       /* the processes near their limit are findings of rules/findings.conf */
}

static int report_file_nr(FilesState *st, const Sysroot *root, Report *rep) {
        if (st->open_error < 0)
                return report_unavailable(rep, "files", "file_nr", "cannot open /proc/sys/fs/file-nr: %s%s",
                                          strerror(-st->open_error), source_error_hint(st->open_error));
        if (st->k == 0)
                return report_unavailable(rep, "files", "file_nr", "/proc/sys/fs/file-nr could not be parsed in %u sample(s)%s",
                                          st->bad, source_error_hint(-EBADMSG));
        /* The series come from the stream, each written here among the gauges. */
        int r = report_streamed(rep, "files", NULL, "allocated", "count", false);
        r = r ?: report_gauge(rep, "files", NULL, "max", "count", (double) st->max);
        r = r ?: report_streamed(rep, "files", NULL, "used_pct", "percent", false);
        uint64_t nr_open;
        if (r >= 0 && sysroot_read_u64(root, "proc/sys/fs/nr_open", &nr_open) >= 0)
                r = report_gauge(rep, "files", NULL, "nr_open", "count", (double) nr_open);
        return r;
}

static int files_report(void *state, const Sysroot *root, Report *rep) {
        FilesState *st = state;
        int r = report_file_nr(st, root, rep);
        return r < 0 ? r : report_processes(root, rep);
}

static void files_close(void *state) {
        FilesState *st = state;
        kept_file_close(&st->file_nr);
}

static const MetricSpec files_metrics[] = {
        { "files.top_processes", METRIC_TREE },
        { "files.scanned", METRIC_GAUGE },
        { "files.unreadable", METRIC_GAUGE },
        { "files.max_process_nofile_pct", METRIC_GAUGE },
        { "files.allocated", METRIC_SERIES },
        { "files.max", METRIC_GAUGE },
        { "files.used_pct", METRIC_SERIES },
        { "files.nr_open", METRIC_GAUGE },
};

const Collector collector_files = {
        .name = "files",
        .state_size = sizeof(FilesState),
        .open = files_open,
        .sample = files_sample,
        .interval = files_interval,
        .report = files_report,
        .close = files_close,
        .metrics = files_metrics,
        .n_metrics = ELEMENTSOF(files_metrics),
};

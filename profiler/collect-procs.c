/* SPDX-License-Identifier: MIT */
/* The processes behind the CPU figures: utime + stime of every process from /proc/PID/stat at the
 * window's first sample and again when the profile is reported, right after its last sample (two
 * reads per profile: about 12 us a process, too costly for every sample), and from those the
 * PROCS_TOP processes that used the most CPU in between, with their thread and open file counts.
 * Reported as the fact cpu.top_processes, so that a CPU finding can name its cause. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector.h"
#include "macro.h"
#include "proc-pidstat.h"
#include "series.h"

#define PROCS_TOP 5
/* Counting one process's open files stops here. */
#define PROCS_MAX_FDS_COUNTED 100000

typedef struct ProcTicks {
        int pid;
        uint64_t ticks, starttime, threads;
        char comm[sizeof(((PidStat *) NULL)->comm)];   /* as of this snapshot: it may exit before the report */
} ProcTicks;

typedef struct Snapshot {
        ProcTicks *v;
        size_t n, cap;
        uint64_t at;
} Snapshot;

typedef struct ProcsState {
        const Sysroot *root;
        Snapshot first, last;
        unsigned taken;
        uint64_t last_at;       /* time of the window's last sample, which the end snapshot stands for */
        int error;              /* listing /proc failed */
} ProcsState;

typedef struct TopProc {
        const ProcTicks *p;     /* in the last snapshot */
        double ticks;
} TopProc;

static int procs_open(void *state, const Sysroot *root) {
        ProcsState *st = state;
        st->root = root;
        return 0;
}

static int by_pid(const void *a, const void *b) {
        const ProcTicks *x = a, *y = b;
        return (x->pid > y->pid) - (x->pid < y->pid);
}

static int take_snapshot(const Sysroot *root, Snapshot *snap, uint64_t now) {
        _cleanup_closedir_ DIR *d = NULL;
        int r = sysroot_opendir(root, "proc", &d);
        if (r < 0)
                return r;
        snap->n = 0;
        snap->at = now;
        for (struct dirent *de; (de = readdir(d));) {
                char *end;
                long pid = strtol(de->d_name, &end, 10);
                if (de->d_name[0] < '0' || de->d_name[0] > '9' || *end || pid <= 0 || pid > INT32_MAX)
                        continue;
                PidStat ps;
                if (pidstat_read(root, (int) pid, &ps) < 0)
                        continue;       /* exited meanwhile, or not ours to read */
                r = array_reserve((void **) &snap->v, &snap->cap, snap->n, sizeof(ProcTicks));
                if (r < 0)
                        return r;
                ProcTicks *t = &snap->v[snap->n++];
                t->pid = (int) pid;
                /* With the children it reaped (as pidstat -T ALL): a shell or make that forks
                 * short-lived workers would otherwise read idle, its load gone with them. */
                t->ticks = ps.utime + ps.stime + ps.cutime + ps.cstime;
                t->starttime = ps.starttime;
                t->threads = ps.threads;
                memcpy(t->comm, ps.comm, sizeof(t->comm));
        }
        if (snap->n > 0)
                qsort(snap->v, snap->n, sizeof(ProcTicks), by_pid);
        return 0;
}

/* A snapshot, counted; a /proc that cannot be listed is remembered, not fatal. */
static int snapshot_into(ProcsState *st, const Sysroot *root, Snapshot *snap, uint64_t at) {
        int r = take_snapshot(root, snap, at);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                st->error = r;
                return 0;
        }
        st->taken++;
        return 0;
}

static int procs_sample(void *state, uint64_t now, SampleKind kind) {
        ProcsState *st = state;
        st->last_at = now;
        if (st->taken > 0)
                return 0;
        return snapshot_into(st, st->root, &st->first, now);
}

/* Keep the PROCS_TOP largest tick counts, largest first (the snapshot is in PID order and ties
 * keep it). */
static void top_insert(TopProc *top, size_t *n, TopProc p) {
        size_t i;
        if (*n < PROCS_TOP)
                i = (*n)++;
        else if (p.ticks > top[PROCS_TOP - 1].ticks)
                i = PROCS_TOP - 1;
        else
                return;
        while (i > 0 && top[i - 1].ticks < p.ticks) {
                top[i] = top[i - 1];
                i--;
        }
        top[i] = p;
}

/* CPU ticks each process used between the snapshots. A PID absent at the start, or reused since
 * (another starttime), is a process started in the window: all its ticks are the window's. */
static size_t top_processes(const Snapshot *first, const Snapshot *last, TopProc top[PROCS_TOP]) {
        size_t n = 0;
        for (size_t i = 0; i < last->n; i++) {
                const ProcTicks *p = &last->v[i];
                const ProcTicks *was = first->n ? bsearch(p, first->v, first->n, sizeof(ProcTicks), by_pid) : NULL;
                uint64_t ticks = p->ticks;
                if (was && was->starttime == p->starttime && !counter_delta(was->ticks, p->ticks, &ticks))
                        continue;
                if (ticks > 0)
                        top_insert(top, &n, (TopProc) { p, (double) ticks });
        }
        return n;
}

/* Entries of proc/PID/fd, up to PROCS_MAX_FDS_COUNTED; -1 when unreadable (not ours, or gone). */
static long long open_files(const Sysroot *root, int pid) {
        char path[48];
        snprintf(path, sizeof(path), "proc/%d/fd", pid);
        _cleanup_closedir_ DIR *d = NULL;
        if (sysroot_opendir(root, path, &d) < 0)
                return -1;
        long long n = 0;
        for (struct dirent *de; n < PROCS_MAX_FDS_COUNTED && (de = readdir(d));)
                n += de->d_name[0] != '.';
        return n;
}

static json_t *process_json(const Sysroot *root, const TopProc *t, double seconds) {
        double pct = 100.0 * t->ticks / ((double) sysconf(_SC_CLK_TCK) * seconds);
        long long fds = open_files(root, t->p->pid);
        json_t *o = json_pack("{s:i, s:s, s:f, s:I}", "pid", t->p->pid, "comm", t->p->comm, "cpu_pct",
                              round(pct * 100) / 100, "threads", (json_int_t) t->p->threads);
        if (o && json_object_set_new(o, "fds", fds < 0 ? json_null() : json_integer(fds)) < 0) {
                json_decref(o);
                return NULL;
        }
        return o;
}

static int procs_report(void *state, const Sysroot *root, Report *rep) {
        ProcsState *st = state;
        if (st->taken == 1 && st->last_at > st->first.at) {
                int r = snapshot_into(st, root, &st->last, st->last_at);
                if (r < 0)
                        return r;
        }
        if (st->taken < 2)
                return st->error < 0 && st->taken == 0
                               ? report_unavailable(rep, "cpu", "top_processes", "cannot list /proc: %s", strerror(-st->error))
                               : report_rates_unavailable(rep, "cpu", "top_processes", "/proc/PID/stat");
        TopProc top[PROCS_TOP];
        size_t n = top_processes(&st->first, &st->last, top);
        double seconds = (double) (st->last.at - st->first.at) / 1e6;
        json_t *a = json_array();
        for (size_t i = 0; a && i < n; i++)
                if (json_array_append_new(a, process_json(root, &top[i], seconds)) < 0) {
                        json_decref(a);
                        a = NULL;
                }
        return a ? report_fact(rep, "cpu", NULL, "top_processes", a) : -ENOMEM;
}

static void procs_close(void *state) {
        ProcsState *st = state;
        free(st->first.v);
        free(st->last.v);
}

static const MetricSpec procs_metrics[] = {
        { "cpu.top_processes", METRIC_TREE },
};

const Collector collector_procs = {
        .name = "procs",
        .state_size = sizeof(ProcsState),
        .open = procs_open,
        .sample = procs_sample,
        .report = procs_report,
        .close = procs_close,
        .metrics = procs_metrics,
        .n_metrics = ELEMENTSOF(procs_metrics),
};

/* SPDX-License-Identifier: MIT */
/* A server's processes over time (proc-tree.h). Each sample lists the members again: for a PID's
 * tree every process under /proc with its parent (one /proc/PID/stat read each: about 12 us a
 * process), for a unit the PIDs of its cgroup; then each member's VmRSS and fd count. CPU is the
 * members' utime + stime against the last sample's, per process (a PID with another start time is
 * another process), so a worker that exits takes only its own time with it, and one that is new since
 * the last sample counts all of its time (it began within the interval). */
#include "proc-tree.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-procs.h"
#include "macro.h"
#include "proc-pidstat.h"
#include "procfs.h"
#include "series.h"

/* Counting one process's open files stops here. */
#define FDS_LIMIT (1LL << 24)

typedef struct Proc {
        int pid, ppid;
        uint64_t starttime, ticks, threads;
        enum { UNKNOWN, MEMBER, OUTSIDE, DECIDING } state;
} Proc;

typedef struct ProcList {
        Proc *v;
        size_t n, cap;
} ProcList;

struct ProcTree {
        const Sysroot *root;
        int pid;             /* the root (a unit: its lowest PID when opened) */
        uint64_t starttime;  /* the root's, which tells it from a later process with its PID */
        char *unit, *cgroup; /* a unit: its name and cgroup directory */
        ProcList prev;       /* the last sample's members, by PID */
        uint64_t prev_usec;
        ProcTreeSample last;
        bool gone;
};

/* The sysroot's path before "/proc/...", empty for the host's root. */
static const char *prefix(const Sysroot *root) {
        return strcmp(sysroot_path(root), "/") == 0 ? "" : sysroot_path(root);
}

static int proc_add(ProcList *l, int pid, const PidStat *ps) {
        if (array_reserve((void **) &l->v, &l->cap, l->n, sizeof(Proc)) < 0)
                return -ENOMEM;
        l->v[l->n++] = (Proc) { .pid = pid,
                                .ppid = ps->ppid > INT32_MAX ? 0 : (int) ps->ppid,
                                .starttime = ps->starttime,
                                .ticks = ps->utime + ps->stime,
                                .threads = ps->threads };
        return 0;
}

static int by_pid(const void *a, const void *b) {
        const Proc *x = a, *y = b;
        return (x->pid > y->pid) - (x->pid < y->pid);
}

static Proc *find(const ProcList *l, int pid) {
        Proc key = { .pid = pid };
        return l->n ? bsearch(&key, l->v, l->n, sizeof(Proc), by_pid) : NULL;
}

/* Whether p descends from root_pid (a loop of parents, which no kernel writes, is outside). */
static bool member(const ProcList *all, Proc *p, int root_pid) {
        if (p->state == MEMBER || p->state == OUTSIDE || p->state == DECIDING)
                return p->state == MEMBER;
        p->state = DECIDING;
        Proc *parent = p->pid == root_pid ? NULL : find(all, p->ppid);
        bool yes = p->pid == root_pid || (parent && member(all, parent, root_pid));
        p->state = yes ? MEMBER : OUTSIDE;
        return yes;
}

/* The PID's tree into cur: 1, 0 when the root is gone, -ENOMEM. */
static int tree_members(const ProcTree *t, ProcList *cur) {
        ProcIter it;
        int r = proc_iter_open(&it, t->root), pid;
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        while (r >= 0 && proc_iter_next(&it, &pid) > 0) {
                PidStat ps;
                if (pidstat_read(t->root, pid, &ps) >= 0) /* else exited meanwhile */
                        r = proc_add(cur, pid, &ps);
        }
        proc_iter_close(&it);
        if (r < 0)
                return r;
        if (cur->n)
                qsort(cur->v, cur->n, sizeof(Proc), by_pid);
        const Proc *root = find(cur, t->pid);
        if (!root || root->starttime != t->starttime)
                return 0;
        size_t n = 0;
        for (size_t i = 0; i < cur->n; i++)
                if (member(cur, &cur->v[i], t->pid))
                        cur->v[n++] = cur->v[i];
        cur->n = n;
        return 1;
}

/* The unit's processes into cur: 1, 0 when its cgroup is gone or empty, -ENOMEM. */
static int unit_members(const ProcTree *t, ProcList *cur) {
        PidList pids = {};
        int r = cgroup_procs_read(t->root, t->cgroup, &pids);
        for (size_t i = 0; r >= 0 && i < pids.n; i++) {
                PidStat ps;
                if (pidstat_read(t->root, pids.v[i], &ps) >= 0)
                        r = proc_add(cur, pids.v[i], &ps);
        }
        pid_list_done(&pids);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        if (cur->n)
                qsort(cur->v, cur->n, sizeof(Proc), by_pid);
        size_t n = 0;
        for (size_t i = 0; i < cur->n; i++) /* a PID listed twice (it moved between two reads) */
                if (n == 0 || cur->v[i].pid != cur->v[n - 1].pid)
                        cur->v[n++] = cur->v[i];
        cur->n = n;
        return n > 0;
}

static void measure(const ProcTree *t, const ProcList *cur, ProcTreeSample *s) {
        double rss = 0, threads = 0, fds = 0;
        bool fds_known = true;
        for (size_t i = 0; i < cur->n; i++) {
                const Proc *p = &cur->v[i];
                _cleanup_free_ char *status = NULL;
                size_t len;
                threads += (double) p->threads;
                if (proc_read(t->root, p->pid, "status", &status, &len) >= 0) {
                        long long kb = proc_status_field(status, "VmRSS:"); /* none: a kernel thread */
                        rss += kb > 0 ? (double) kb * 1024 : 0;
                }
                long long n = proc_count_fds(t->root, p->pid, FDS_LIMIT);
                if (n >= 0)
                        fds += (double) n;
                else if (n != -ENOENT)
                        fds_known = false;
        }
        *s = (ProcTreeSample) { .cpu_pct = NAN,
                                .rss_bytes = rss,
                                .threads = threads,
                                .fds = fds_known ? fds : NAN,
                                .processes = (unsigned) cur->n };
}

static double cpu_pct(const ProcTree *t, const ProcList *cur, uint64_t now_usec) {
        if (!t->prev_usec || now_usec <= t->prev_usec)
                return NAN;
        double ticks = 0;
        for (size_t i = 0; i < cur->n; i++) {
                const Proc *p = &cur->v[i], *old = find(&t->prev, p->pid);
                if (!old || old->starttime != p->starttime)
                        ticks += (double) p->ticks;
                else if (p->ticks > old->ticks)
                        ticks += (double) (p->ticks - old->ticks);
        }
        return 100.0 * ticks / (double) sysconf(_SC_CLK_TCK) / ((double) (now_usec - t->prev_usec) / 1e6);
}

int proc_tree_sample(ProcTree *t, uint64_t now_usec, ProcTreeSample *ret) {
        *ret = (ProcTreeSample) { .cpu_pct = NAN, .rss_bytes = NAN, .threads = NAN, .fds = NAN };
        if (t->gone)
                return 0;
        ProcList cur = {};
        int r = t->unit ? unit_members(t, &cur) : tree_members(t, &cur);
        if (r <= 0) {
                free(cur.v);
                if (r == 0) {
                        t->gone = true;
                        t->last = *ret;
                }
                return r;
        }
        measure(t, &cur, ret);
        ret->cpu_pct = cpu_pct(t, &cur, now_usec);
        free(t->prev.v);
        t->prev = cur;
        t->prev_usec = now_usec;
        t->last = *ret;
        return 1;
}

const ProcTreeSample *proc_tree_last(const ProcTree *t) {
        return &t->last;
}

/* The first sample, which the next one's CPU is measured against. */
static int first_sample(ProcTree *t, uint64_t now_usec, ProcTree **ret, Error *e) {
        ProcTreeSample s;
        int r = proc_tree_sample(t, now_usec, &s);
        if (r == 0 && t->unit)
                r = error_set(e, -ESRCH,
                              "%s is not running: its cgroup %s/%s has no process (start it: systemctl start %s)",
                              t->unit, prefix(t->root), t->cgroup, t->unit);
        else if (r == 0)
                r = error_set(e, -ESRCH, "process %d exited as it was being read", t->pid);
        else if (r < 0)
                r = error_set(e, r, "out of memory reading the processes of %s", t->unit ? t->unit : "the server");
        if (r < 0) {
                proc_tree_free(t);
                return r;
        }
        if (t->unit)
                t->pid = t->prev.v[0].pid;
        *ret = t;
        return 0;
}

int proc_tree_open_pid(const Sysroot *root, int pid, uint64_t now_usec, ProcTree **ret, Error *e) {
        if (pid < 1)
                return error_set(e, -EINVAL, "%d is not a process ID (give 1 or more)", pid);
        PidStat ps;
        int r = pidstat_read(root, pid, &ps);
        if (r == -ENOMEM)
                return error_set(e, r, "out of memory reading process %d", pid);
        if (r < 0)
                return error_set(e, -ESRCH, "no process %d (%s/proc/%d/stat: %s)", pid, prefix(root), pid,
                                 r == -EBADMSG ? "not a stat line" : strerror(-r));
        ProcTree *t = calloc(1, sizeof(*t));
        if (!t)
                return error_set(e, -ENOMEM, "out of memory reading process %d", pid);
        *t = (ProcTree) { .root = root, .pid = pid, .starttime = ps.starttime };
        return first_sample(t, now_usec, ret, e);
}

int proc_tree_open_unit(const Sysroot *root, const char *unit, uint64_t now_usec, ProcTree **ret, Error *e) {
        if (!*unit || strchr(unit, '/') || unit[0] == '.' || strlen(unit) > 255)
                return error_set(e, -EINVAL, "'%s' is not a unit name (nginx.service, or nginx for it)", unit);
        ProcTree *t = calloc(1, sizeof(*t));
        if (t && asprintf(&t->unit, "%s%s", unit, strchr(unit, '.') ? "" : ".service") < 0)
                t->unit = NULL;
        if (!t || !t->unit) {
                proc_tree_free(t);
                return error_set(e, -ENOMEM, "out of memory reading the unit %s", unit);
        }
        t->root = root;
        int r = cgroup_unit_find(root, t->unit, &t->cgroup, e);
        if (r < 0) {
                proc_tree_free(t);
                return r;
        }
        return first_sample(t, now_usec, ret, e);
}

int proc_tree_pid(const ProcTree *t) {
        return t->pid;
}

const char *proc_tree_unit(const ProcTree *t) {
        return t->unit;
}

ProcTree *proc_tree_free(ProcTree *t) {
        if (!t)
                return NULL;
        free(t->unit);
        free(t->cgroup);
        free(t->prev.v);
        free(t);
        return NULL;
}

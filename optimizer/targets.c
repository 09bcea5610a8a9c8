/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "procfs.h"
#include "safe-text.h"
#include "targets.h"
#include "textscan.h"
#include "ulimit.h"

#define TARGET_PIDS_MAX 4096

/* Every process of the host, read once (its /proc/PID/status) when the first target needs it: its
 * name to find targets by comm, and its real uid and threads, since RLIMIT_NPROC counts the threads
 * of a uid over all its processes. */
typedef struct ProcInfo {
        int pid;
        long uid;               /* -1 unknown */
        long long threads;      /* -1 unknown */
        char *name;
} ProcInfo;

typedef struct ProcTable {
        bool scanned;
        size_t n;
        ProcInfo *v;
} ProcTable;

static void proc_table_done(ProcTable *t) {
        for (size_t i = 0; i < t->n; i++)
                free(t->v[i].name);
        free(t->v);
}

void targets_free(Target *t, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(t[i].name);
                free(t[i].unit);
                free(t[i].comm);
                free(t[i].user);
        }
        free(t);
}

static bool unit_in(const Sysroot *root, const char *const *dirs, size_t n, const char *unit) {
        /* A template instance (postgresql@15-main.service) is defined by its template's file. */
        const char *at = strchr(unit, '@'), *dot = strrchr(unit, '.');
        for (size_t i = 0; i < n; i++) {
                char path[320];
                snprintf(path, sizeof(path), "%s/%s", dirs[i], unit);
                if (sysroot_exists(root, path))
                        return true;
                if (at && dot && at < dot) {
                        snprintf(path, sizeof(path), "%s/%.*s%s", dirs[i], (int) (at - unit + 1), unit, dot);
                        if (sysroot_exists(root, path))
                                return true;
                }
        }
        return false;
}

static bool unit_file_exists(const Sysroot *root, const char *unit) {
        static const char *const dirs[] = { "etc/systemd/system", "run/systemd/system", "run/systemd/generator",
                                            "usr/lib/systemd/system", "lib/systemd/system", "run/systemd/generator.late" };
        return unit_in(root, dirs, ELEMENTSOF(dirs), unit);
}

static bool unit_transient(const Sysroot *root, const char *unit) {
        static const char *const dirs[] = { "run/systemd/transient" };
        return unit_in(root, dirs, ELEMENTSOF(dirs), unit);
}

static bool is_unit_name(const char *s) {
        size_t n = strlen(s);
        return n > 8 && strcmp(s + n - 8, ".service") == 0;
}

static int unit_pids(const Sysroot *root, const char *unit, int *pids, size_t *n) {
        static const char *const bases[] = { "sys/fs/cgroup", "sys/fs/cgroup/unified" };
        /* systemd puts a template instance (postgresql@15-main.service) under system-TEMPLATE.slice. */
        char slice[160] = "system.slice";
        const char *at = strchr(unit, '@');
        if (at)
                snprintf(slice, sizeof(slice), "system.slice/system-%.*s.slice", (int) (at - unit), unit);
        for (size_t i = 0; i < ELEMENTSOF(bases); i++) {
                char path[512];
                _cleanup_free_ char *text = NULL;
                snprintf(path, sizeof(path), "%s/%s/%s/cgroup.procs", bases[i], slice, unit);
                if (sysroot_read_file(root, path, &text, NULL) < 0)
                        continue;
                for (char *p = text, *end; *p && *n < TARGET_PIDS_MAX; p = end) {
                        long v = strtol(p, &end, 10);
                        if (end == p)
                                break;
                        if (v > 0)
                                pids[(*n)++] = (int) v;
                }
                return 0;
        }
        return -ENOENT;
}

static void read_limit(const char *limits, size_t len, const char *res, TargetLimit *l) {
        l->known = ulimit_parse_proc_limits(limits, len, ulimit_resource(res), &l->soft, &l->hard) >= 0;
}

/* Status "Name:" is comm with backslashes and control characters escaped: such a name, or one of a
 * process without status, is read from comm. */
static char *proc_name(const Sysroot *root, int pid, const char *status) {
        const char *p = status ? strstr(status, "Name:\t") : NULL;
        char *name = NULL;
        if (p && p == status) {
                p += 6;
                size_t n = strcspn(p, "\n");
                if (!memchr(p, '\\', n))
                        return strndup(p, n);
        }
        return proc_read_line(root, pid, "comm", &name) >= 0 ? name : NULL;
}

static void proc_table_scan(const Sysroot *root, ProcTable *t) {
        t->scanned = true;
        _cleanup_(proc_iter_close) ProcIter it = PROC_ITER_INIT;
        if (proc_iter_open(&it, root) < 0)
                return;
        for (int pid; t->n < TARGET_PIDS_MAX * 16 && proc_iter_next(&it, &pid) > 0;) {
                _cleanup_free_ char *status = NULL;
                (void) proc_read(root, pid, "status", &status, NULL);
                char *name = proc_name(root, pid, status);
                if (!name)
                        continue;       /* exited meanwhile */
                ProcInfo *nv = realloc(t->v, (t->n + 1) * sizeof(ProcInfo));
                if (!nv) {
                        free(name);
                        return;
                }
                t->v = nv;
                long long uid = status ? proc_status_field(status, "Uid:") : -1;
                t->v[t->n++] = (ProcInfo) { .pid = pid, .uid = uid >= 0 ? (long) uid : -1,
                                            .threads = status ? proc_status_field(status, "Threads:") : -1,
                                            .name = name };
        }
}

static long long uid_threads(const Sysroot *root, ProcTable *t, long uid) {
        if (!t->scanned)
                proc_table_scan(root, t);
        long long n = -1;
        for (size_t i = 0; i < t->n; i++)
                if (t->v[i].uid == uid && t->v[i].threads >= 0)
                        n = (n < 0 ? 0 : n) + t->v[i].threads;
        return n;
}

/* fork() skips the RLIMIT_NPROC check for uid 0 and for a task with CAP_SYS_RESOURCE or CAP_SYS_ADMIN
 * in its effective set (kernel/fork.c copy_process; capabilities(7)). */
static bool nproc_capable(const char *status) {
        const char *p = strstr(status, "\nCapEff:");
        if (!p)
                return false;
        unsigned long long eff = strtoull(p + 8, NULL, 16);
        return (eff >> 24 & 1) || (eff >> 21 & 1);     /* CAP_SYS_RESOURCE, CAP_SYS_ADMIN */
}

static double pct(const TargetLimit *l) {
        return l->known && l->used_known && !l->exempt && l->soft > 0 ? 100.0 * (double) l->used / (double) l->soft : -1;
}

/* The system service or login session of a process, from the systemd hierarchy of /proc/PID/cgroup
 * ("0::/system.slice/nginx.service", v1 "1:name=systemd:/user.slice/user-1000.slice/session-3.scope"). */
static void read_cgroup(const Sysroot *root, int pid, char **ret_service, bool *ret_session) {
        _cleanup_free_ char *text = NULL;
        if (proc_read(root, pid, "cgroup", &text, NULL) < 0)
                return;
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *p = strchr(line, ':');
                if (!p || (strncmp(line, "0::", 3) != 0 && strncmp(p + 1, "name=systemd:", 13) != 0))
                        continue;
                p = strchr(p + 1, ':') + 1;
                bool system = strncmp(p, "/system.slice/", 14) == 0, user = strncmp(p, "/user.slice/", 12) == 0;
                for (char *s2 = NULL, *c = strtok_r(p, "/", &s2); c; c = strtok_r(NULL, "/", &s2)) {
                        size_t n = strlen(c);
                        if (system && n > 8 && strcmp(c + n - 8, ".service") == 0) {
                                *ret_service = strdup(c);
                                return;
                        }
                        if (user && strncmp(c, "session-", 8) == 0 && n > 6 && strcmp(c + n - 6, ".scope") == 0) {
                                *ret_session = true;
                                return;
                        }
                }
                return;
        }
}

/* The login name of uid from etc/passwd, NULL when it has none. */
static char *user_name(const Sysroot *root, long uid) {
        _cleanup_free_ char *text = NULL;
        if (uid < 0 || sysroot_read_file(root, "etc/passwd", &text, NULL) < 0)
                return NULL;
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *end;
                if (!c2 || c1 == line)
                        continue;
                long v = strtol(c2 + 1, &end, 10);
                if (end != c2 + 1 && *end == ':' && v == uid)
                        return strndup(line, (size_t) (c1 - line));
        }
        return NULL;
}

/* Keep c in *best when it is closer to its limit (or *best has no process yet). */
static void keep_worse(TargetLimit *best, const TargetLimit *c) {
        if (best->pid == 0 || pct(c) > pct(best))
                *best = *c;
}

static void measure(const Sysroot *root, Target *t, const int *pids, size_t n, ProcTable *pt) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *limits = NULL, *status = NULL, *comm = NULL;
                size_t len;
                if (proc_read(root, pids[i], "limits", &limits, &len) < 0)
                        continue;
                Target c = { .pid = pids[i], .uid = -1 };
                read_limit(limits, len, "nofile", &c.nofile);
                read_limit(limits, len, "nproc", &c.nproc);
                read_limit(limits, len, "memlock", &c.memlock);
                c.nofile.used = proc_count_fds(root, pids[i], LLONG_MAX);
                c.nofile.used_known = c.nofile.used >= 0;
                if (proc_read(root, pids[i], "status", &status, NULL) >= 0) {
                        long long uid = proc_status_field(status, "Uid:");
                        c.uid = uid >= 0 ? (long) uid : -1;
                        long long lck = proc_status_field(status, "VmLck:");
                        c.memlock.used = lck >= 0 ? lck * 1024 : -1;
                        c.memlock.used_known = c.memlock.used >= 0;
                        /* RLIMIT_NPROC is checked against the threads of the real uid, not of the process. */
                        if (c.uid >= 0 && c.nproc.known) {
                                c.nproc.used = uid_threads(root, pt, c.uid);
                                c.nproc.used_known = c.nproc.used >= 0;
                                c.nproc.exempt = c.uid == 0 || nproc_capable(status);
                        }
                }
                TargetLimit *l[] = { &c.nofile, &c.nproc, &c.memlock };
                for (size_t j = 0; j < ELEMENTSOF(l); j++) {
                        l[j]->pid = c.pid;
                        l[j]->uid = c.uid;
                }
                t->processes++;
                keep_worse(&t->nproc, &c.nproc);
                keep_worse(&t->memlock, &c.memlock);
                /* Report the process closest to its nofile limit (the first when unknown). */
                if (t->pid == 0 || pct(&c.nofile) > pct(&t->nofile)) {
                        if (proc_read_line(root, pids[i], "comm", &comm) < 0)
                                continue;
                        free(t->comm);
                        t->comm = TAKE_PTR(comm);
                        t->pid = c.pid;
                        t->uid = c.uid;
                        t->nofile = c.nofile;
                }
        }
        if (t->pid == 0)
                return;
        _cleanup_free_ char *service = NULL;
        read_cgroup(root, t->pid, &service, &t->session);
        if (!t->unit && service) {
                t->unit = TAKE_PTR(service);
                t->unit_file = unit_file_exists(root, t->unit);
        }
        if (t->unit)
                t->transient = unit_transient(root, t->unit);
        t->user = user_name(root, t->uid);
}

int target_place(const Sysroot *root, const Target *t, const TargetLimit *l, TargetPlace *ret) {
        TargetPlace p = { .unit_file = t->unit_file, .transient = t->transient, .session = t->session };
        if (l->pid <= 0 || l->pid == t->pid) {
                p.unit = t->unit ? strdup(t->unit) : NULL;
                p.user = t->user ? strdup(t->user) : NULL;
                if ((t->unit && !p.unit) || (t->user && !p.user)) {
                        target_place_done(&p);
                        return -ENOMEM;
                }
                *ret = p;
                return 0;
        }
        _cleanup_free_ char *service = NULL;
        p.session = false;
        read_cgroup(root, l->pid, &service, &p.session);
        if (t->unit_named)
                p.unit = strdup(t->unit);
        else if (service) {
                p.unit = TAKE_PTR(service);
                p.unit_file = unit_file_exists(root, p.unit);
        } else
                p.unit_file = false;
        p.transient = p.unit && unit_transient(root, p.unit);
        p.user = user_name(root, l->uid);
        if (t->unit_named && !p.unit) {
                target_place_done(&p);
                return -ENOMEM;
        }
        *ret = p;
        return 0;
}

void target_place_done(TargetPlace *p) {
        free(p->unit);
        free(p->user);
        *p = (TargetPlace) {};
}

static void comm_pids(const Sysroot *root, ProcTable *pt, const char *comm, int *pids, size_t *n) {
        if (!pt->scanned)
                proc_table_scan(root, pt);
        for (size_t i = 0; i < pt->n && *n < TARGET_PIDS_MAX; i++)
                if (pt->v[i].name && strcmp(pt->v[i].name, comm) == 0)
                        pids[(*n)++] = pt->v[i].pid;
}

int targets_scan(const Sysroot *root, char *const *names, size_t n, Target **ret, size_t *ret_n) {
        Target *t = calloc(n + 1, sizeof(Target));
        _cleanup_free_ int *pids = malloc(TARGET_PIDS_MAX * sizeof(int));
        ProcTable pt = {};
        if (!t || !pids) {
                free(t);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                Target *x = &t[i];
                size_t np = 0;
                x->uid = -1;
                x->name = strdup(names[i]);
                if (!x->name) {
                        targets_free(t, n);
                        proc_table_done(&pt);
                        return -ENOMEM;
                }
                if (is_unit_name(names[i])) {
                        x->unit_named = true;
                        x->unit = strdup(names[i]);
                        x->unit_file = unit_file_exists(root, names[i]);
                        (void) unit_pids(root, names[i], pids, &np);
                } else {
                        char unit[160];
                        snprintf(unit, sizeof(unit), "%s.service", names[i]);
                        if (unit_file_exists(root, unit)) {
                                x->unit = strdup(unit);
                                x->unit_file = x->unit_named = true;
                        }
                        comm_pids(root, &pt, names[i], pids, &np);
                }
                measure(root, x, pids, np, &pt);
        }
        proc_table_done(&pt);
        *ret = t;
        *ret_n = n;
        return 0;
}

static json_t *limit_json(const TargetLimit *l) {
        json_t *o = json_object();
        if (l->used_known)
                json_object_set_new(o, "used", json_integer(l->used));
        if (l->known) {
                json_object_set_new(o, "soft", l->soft < 0 ? json_string("infinity") : json_integer(l->soft));
                json_object_set_new(o, "hard", l->hard < 0 ? json_string("infinity") : json_integer(l->hard));
        }
        double p = pct(l);
        if (p >= 0)
                json_object_set_new(o, "pct", json_real(p));
        if (l->pid > 0)
                json_object_set_new(o, "pid", json_integer(l->pid));
        if (l->uid >= 0)
                json_object_set_new(o, "uid", json_integer(l->uid));
        if (l->exempt)
                json_object_set_new(o, "exempt", json_true());
        return o;
}

const MetricSpec target_metrics[] = {
        { "targets.*.unit", METRIC_FACT },      { "targets.*.unit_file", METRIC_FACT },
        { "targets.*.transient", METRIC_FACT }, { "targets.*.session", METRIC_FACT },
        { "targets.*.running", METRIC_FACT },   { "targets.*.pid", METRIC_FACT },
        { "targets.*.comm", METRIC_FACT },      { "targets.*.uid", METRIC_FACT },
        { "targets.*.user", METRIC_FACT },      { "targets.*.processes", METRIC_FACT },
        { "targets.*.nofile.used", METRIC_FACT }, { "targets.*.nofile.soft", METRIC_FACT }, { "targets.*.nofile.hard", METRIC_FACT }, { "targets.*.nofile.pct", METRIC_FACT },
        { "targets.*.nofile.pid", METRIC_FACT }, { "targets.*.nofile.uid", METRIC_FACT }, { "targets.*.nofile.exempt", METRIC_FACT },
        { "targets.*.nproc.used", METRIC_FACT }, { "targets.*.nproc.soft", METRIC_FACT }, { "targets.*.nproc.hard", METRIC_FACT }, { "targets.*.nproc.pct", METRIC_FACT },
        { "targets.*.nproc.pid", METRIC_FACT }, { "targets.*.nproc.uid", METRIC_FACT }, { "targets.*.nproc.exempt", METRIC_FACT },
        { "targets.*.memlock.used", METRIC_FACT }, { "targets.*.memlock.soft", METRIC_FACT }, { "targets.*.memlock.hard", METRIC_FACT }, { "targets.*.memlock.pct", METRIC_FACT },
        { "targets.*.memlock.pid", METRIC_FACT }, { "targets.*.memlock.uid", METRIC_FACT }, { "targets.*.memlock.exempt", METRIC_FACT },
        /* plan.c: the kernel's caps on limits and the huge pages memlock needs. */
        { "limits.nr_open", METRIC_FACT },      { "limits.nproc_max", METRIC_FACT },
        { "limits.hugepages_bytes", METRIC_FACT },
};
const size_t target_metrics_size = ELEMENTSOF(target_metrics);

json_t *targets_to_json(const Target *t, size_t n) {
        json_t *o = json_object();
        for (size_t i = 0; i < n; i++) {
                json_t *x = json_pack("{s:b, s:b, s:b, s:b, s:i, s:o, s:o, s:o}", "running", t[i].pid > 0, "unit_file",
                                      t[i].unit_file, "transient", t[i].transient, "session", t[i].session, "processes",
                                      (int) t[i].processes, "nofile", limit_json(&t[i].nofile), "nproc",
                                      limit_json(&t[i].nproc), "memlock", limit_json(&t[i].memlock));
                if (!x)
                        continue;
                if (t[i].unit)
                        json_object_set_new(x, "unit", json_text(t[i].unit));
                if (t[i].pid > 0) {
                        json_object_set_new(x, "pid", json_integer(t[i].pid));
                        json_object_set_new(x, "comm", json_text(t[i].comm));
                }
                if (t[i].uid >= 0)
                        json_object_set_new(x, "uid", json_integer(t[i].uid));
                if (t[i].user)
                        json_object_set_new(x, "user", json_text(t[i].user));
                json_object_set_new(o, t[i].name, x);
        }
        return o;
}

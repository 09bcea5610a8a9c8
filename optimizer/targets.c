/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "targets.h"
#include "textscan.h"
#include "ulimit.h"

#define TARGET_PIDS_MAX 4096

void targets_free(Target *t, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(t[i].name);
                free(t[i].unit);
                free(t[i].comm);
        }
        free(t);
}

static bool unit_file_exists(const Sysroot *root, const char *unit) {
        static const char *const dirs[] = { "etc/systemd/system", "run/systemd/system", "usr/lib/systemd/system",
                                            "lib/systemd/system" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                char path[320];
                snprintf(path, sizeof(path), "%s/%s", dirs[i], unit);
                if (sysroot_exists(root, path))
                        return true;
        }
        return false;
}

static bool is_unit_name(const char *s) {
        size_t n = strlen(s);
        return n > 8 && strcmp(s + n - 8, ".service") == 0;
}

static int unit_pids(const Sysroot *root, const char *unit, int *pids, size_t *n) {
        static const char *const bases[] = { "sys/fs/cgroup/system.slice", "sys/fs/cgroup/unified/system.slice" };
        for (size_t i = 0; i < ELEMENTSOF(bases); i++) {
                char path[320];
                _cleanup_free_ char *text = NULL;
                snprintf(path, sizeof(path), "%s/%s/cgroup.procs", bases[i], unit);
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

static int count_fds(const Sysroot *root, int pid, long long *ret) {
        char path[64];
        snprintf(path, sizeof(path), "proc/%d/fd", pid);
        _cleanup_closedir_ DIR *d = NULL;
        int r = sysroot_opendir(root, path, &d);
        if (r < 0)
                return r;
        long long n = 0;
        for (struct dirent *de; (de = readdir(d));)
                n += de->d_name[0] != '.';
        *ret = n;
        return 0;
}

static void read_limit(const char *limits, size_t len, const char *res, TargetLimit *l) {
        l->known = ulimit_parse_proc_limits(limits, len, ulimit_resource(res), &l->soft, &l->hard) >= 0;
}

static long long status_field(const char *status, const char *field, long long mult) {
        const char *p = strstr(status, field);
        if (!p)
                return -1;
        return strtoll(p + strlen(field), NULL, 10) * mult;
}

static double pct(const TargetLimit *l) {
        return l->known && l->used_known && l->soft > 0 ? 100.0 * (double) l->used / (double) l->soft : -1;
}

static void measure(const Sysroot *root, Target *t, const int *pids, size_t n) {
        for (size_t i = 0; i < n; i++) {
                char path[64];
                _cleanup_free_ char *limits = NULL, *status = NULL, *comm = NULL;
                size_t len;
                snprintf(path, sizeof(path), "proc/%d/limits", pids[i]);
                if (sysroot_read_file(root, path, &limits, &len) < 0)
                        continue;
                Target c = { .pid = pids[i] };
                read_limit(limits, len, "nofile", &c.nofile);
                read_limit(limits, len, "nproc", &c.nproc);
                read_limit(limits, len, "memlock", &c.memlock);
                c.nofile.used_known = count_fds(root, pids[i], &c.nofile.used) >= 0;
                snprintf(path, sizeof(path), "proc/%d/status", pids[i]);
                if (sysroot_read_file(root, path, &status, NULL) >= 0) {
                        c.memlock.used = status_field(status, "\nVmLck:", 1024);
                        c.memlock.used_known = c.memlock.used >= 0;
                        c.nproc.used = status_field(status, "\nThreads:", 1);
                        c.nproc.used_known = c.nproc.used >= 0;
                }
                t->processes++;
                /* Report the process closest to its nofile limit (the first when unknown). */
                if (t->pid == 0 || pct(&c.nofile) > pct(&t->nofile)) {
                        snprintf(path, sizeof(path), "proc/%d/comm", pids[i]);
                        if (sysroot_read_line(root, path, &comm) < 0)
                                continue;
                        free(t->comm);
                        t->comm = TAKE_PTR(comm);
                        t->pid = c.pid;
                        t->nofile = c.nofile;
                        t->nproc = c.nproc;
                        t->memlock = c.memlock;
                }
        }
}

static int comm_pids(const Sysroot *root, const char *comm, int *pids, size_t *n) {
        _cleanup_closedir_ DIR *d = NULL;
        int r = sysroot_opendir(root, "proc", &d);
        if (r < 0)
                return r;
        for (struct dirent *de; (de = readdir(d)) && *n < TARGET_PIDS_MAX;) {
                char *end, path[64];
                long pid = strtol(de->d_name, &end, 10);
                if (*end || pid <= 0)
                        continue;
                snprintf(path, sizeof(path), "proc/%ld/comm", pid);
                _cleanup_free_ char *c = NULL;
                if (sysroot_read_line(root, path, &c) >= 0 && strcmp(c, comm) == 0)
                        pids[(*n)++] = (int) pid;
        }
        return 0;
}

int targets_scan(const Sysroot *root, char *const *names, size_t n, Target **ret, size_t *ret_n) {
        Target *t = calloc(n + 1, sizeof(Target));
        _cleanup_free_ int *pids = malloc(TARGET_PIDS_MAX * sizeof(int));
        if (!t || !pids) {
                free(t);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                Target *x = &t[i];
                size_t np = 0;
                x->name = strdup(names[i]);
                if (!x->name) {
                        targets_free(t, n);
                        return -ENOMEM;
                }
                if (is_unit_name(names[i])) {
                        x->unit = strdup(names[i]);
                        x->unit_file = unit_file_exists(root, names[i]);
                        (void) unit_pids(root, names[i], pids, &np);
                } else {
                        char unit[160];
                        snprintf(unit, sizeof(unit), "%s.service", names[i]);
                        if (unit_file_exists(root, unit)) {
                                x->unit = strdup(unit);
                                x->unit_file = true;
                        }
                        (void) comm_pids(root, names[i], pids, &np);
                }
                measure(root, x, pids, np);
        }
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
        return o;
}

json_t *targets_to_json(const Target *t, size_t n) {
        json_t *o = json_object();
        for (size_t i = 0; i < n; i++) {
                json_t *x = json_pack("{s:b, s:b, s:i, s:o, s:o, s:o}", "running", t[i].pid > 0, "unit_file",
                                      t[i].unit_file, "processes", (int) t[i].processes, "nofile", limit_json(&t[i].nofile),
                                      "nproc", limit_json(&t[i].nproc), "memlock", limit_json(&t[i].memlock));
                if (!x)
                        continue;
                if (t[i].unit)
                        json_object_set_new(x, "unit", json_string(t[i].unit));
                if (t[i].pid > 0) {
                        json_object_set_new(x, "pid", json_integer(t[i].pid));
                        json_object_set_new(x, "comm", json_string(t[i].comm));
                }
                json_object_set_new(o, t[i].name, x);
        }
        return o;
}

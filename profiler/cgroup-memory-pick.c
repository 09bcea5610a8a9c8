/* SPDX-License-Identifier: MIT */
#include "cgroup-memory-pick.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-memory-stat.h"
#include "dirlist.h"
#include "macro.h"
#include "series.h"
#include "textscan.h"

/* With dir_list_dirs: the interface files are regular files, with no memory.current under them. */
static bool is_entry(const char *name) {
        return name[0] != '.';
}

static bool read_value(const Sysroot *root, const char *cg, const char *file, uint64_t *ret) {
        char path[PATH_MAX];
        _cleanup_free_ char *text = NULL;
        size_t len;
        if ((size_t) snprintf(path, sizeof(path), "%s/%s", cg, file) >= sizeof(path))
                return false;
        if (sysroot_read_file(root, path, &text, &len) < 0)
                return false;
        return cgroup_mem_value_parse(text, len, ret) >= 0;
}

static double read_avg10(const Sysroot *root, const char *cg) {
        char path[PATH_MAX];
        _cleanup_free_ char *text = NULL;
        size_t len;
        Scan rest, w;
        double v;
        if ((size_t) snprintf(path, sizeof(path), "%s/memory.pressure", cg) >= sizeof(path) ||
            sysroot_read_file(root, path, &text, &len) < 0 || !scan_find_key(scan_init(text, len), "some", &rest))
                return 0;
        while (scan_word(&rest, &w))
                if (scan_starts_with(w, "avg10=")) {
                        Scan num = { w.p + STRLEN("avg10="), w.end };
                        return scan_double(&num, &v) >= 0 && v > 0 ? v : 0;
                }
        return 0;
}

static int add(const Sysroot *root, const char *cgroot, const CgMemFiles *f, const char *rel, CgMemCandidates *c) {
        char cg[PATH_MAX];
        uint64_t cur, max = CGROUP_MEM_UNLIMITED, high = CGROUP_MEM_UNLIMITED;
        if ((size_t) snprintf(cg, sizeof(cg), "%s/%s", cgroot, rel) >= sizeof(cg))
                return 0;
        if (!read_value(root, cg, f->current, &cur))
                return 0;
        (void) read_value(root, cg, f->max, &max);
        if (f->high)
                (void) read_value(root, cg, f->high, &high);
        int r = array_reserve((void **) &c->v, &c->cap, c->n, sizeof(CgMemCandidate));
        char *p = r < 0 ? NULL : strdup(rel);
        if (!p)
                return -ENOMEM;
        c->v[c->n++] = (CgMemCandidate) { p, cur, MIN(max, high), read_avg10(root, cg) };
        return 0;
}

/* Under pressure or at 90 % of its own limit: the cgroups whose reclaim matters. */
static bool pressed(const CgMemCandidate *c) {
        return c->pressure > 0 || (c->limit != CGROUP_MEM_UNLIMITED && c->current >= c->limit / 10 * 9);
}

static int cmp_busy(const void *a, const void *b) {
        const CgMemCandidate *x = a, *y = b;
        if (pressed(x) != pressed(y))
                return pressed(x) ? -1 : 1;
        if (x->current != y->current)
                return x->current > y->current ? -1 : 1;
        return strcmp(x->path, y->path);
}

static bool is_slice(const char *name) {
        size_t n = strlen(name);
        return n > 6 && strcmp(name + n - 6, ".slice") == 0;
}

int cgroup_memory_candidates(const Sysroot *root, const char *cgroot, const CgMemFiles *f, CgMemCandidates *ret) {
        NameList top = {};
        CgMemCandidates c = {};
        int r = dir_list_dirs(root, cgroot, is_entry, &top);
        if (r == -ENOMEM)
                return r;
        r = 0;
        for (size_t i = 0; r >= 0 && i < top.n; i++) {
                r = add(root, cgroot, f, top.v[i], &c);
                if (r < 0 || !is_slice(top.v[i]))
                        continue;
                char dir[PATH_MAX], rel[PATH_MAX];
                NameList sub = {};
                snprintf(dir, sizeof(dir), "%s/%s", cgroot, top.v[i]);
                if (dir_list_dirs(root, dir, is_entry, &sub) == -ENOMEM)
                        r = -ENOMEM;
                for (size_t j = 0; r >= 0 && j < sub.n; j++)
                        if ((size_t) snprintf(rel, sizeof(rel), "%s/%s", top.v[i], sub.v[j]) < sizeof(rel))
                                r = add(root, cgroot, f, rel, &c);
                name_list_free(&sub);
        }
        name_list_free(&top);
        if (r < 0) {
                cgroup_memory_candidates_free(&c);
                return r;
        }
        if (c.n > 1)
                qsort(c.v, c.n, sizeof(CgMemCandidate), cmp_busy);
        *ret = c;
        return 0;
}

void cgroup_memory_candidates_free(CgMemCandidates *c) {
        for (size_t i = 0; i < c->n; i++)
                free(c->v[i].path);
        free(c->v);
        *c = (CgMemCandidates) {};
}

static bool is_cgroup(const Sysroot *root, const char *cgroot, const CgMemFiles *f, const char *rel) {
        char path[PATH_MAX];
        return (size_t) snprintf(path, sizeof(path), "%s/%s/%s", cgroot, rel, f->current) < sizeof(path) &&
               sysroot_exists(root, path);
}

/* A unit name at depth 1 or 2 (system.slice/nginx.service, user.slice/user-1000.slice). */
static int find_leaf(const Sysroot *root, const char *cgroot, const CgMemFiles *f, const char *leaf, char **ret) {
        _cleanup_(cgroup_memory_candidates_free) CgMemCandidates c = {};
        int r = cgroup_memory_candidates(root, cgroot, f, &c);
        if (r < 0)
                return r;
        for (size_t i = 0; i < c.n; i++) {
                const char *slash = strrchr(c.v[i].path, '/');
                if (strcmp(slash ? slash + 1 : c.v[i].path, leaf) == 0) {
                        *ret = TAKE_PTR(c.v[i].path);
                        return 0;
                }
        }
        return -ENOENT;
}

/* The path in a /proc/PID/cgroup ("0::/system.slice/nginx.service"; in v1 the line whose
 * controllers hold memory, "4:memory:/batch"), without its leading '/'. */
static bool cgroup_line(const char *text, size_t len, bool v1, Scan *ret) {
        Scan s = scan_init(text, len), line;
        while (scan_line(&s, &line)) {
                const char *c1 = memchr(line.p, ':', scan_len(line));
                const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t) (line.end - c1 - 1)) : NULL;
                if (!c2)
                        continue;
                Scan ctl = { c1 + 1, c2 }, w;
                bool match = !v1 && c2 == c1 + 1 && scan_starts_with(line, "0:");
                while (v1 && !match && scan_len(ctl) > 0) {
                        const char *comma = memchr(ctl.p, ',', scan_len(ctl));
                        w = (Scan) { ctl.p, comma ? comma : ctl.end };
                        match = scan_eq(w, "memory");
                        ctl.p = comma ? comma + 1 : ctl.end;
                }
                if (!match)
                        continue;
                line = scan_trim((Scan) { c2 + 1, line.end });
                while (line.p < line.end && *line.p == '/')
                        line.p++;
                *ret = line;
                return true;
        }
        return false;
}

/* The memory cgroup of the first process whose comm is name. */
static int find_comm(const Sysroot *root, bool v1, const char *name, char **ret) {
        NameList pids = {};
        int r = dir_list(root, "proc", NULL, &pids);
        if (r < 0)
                return r == -ENOMEM ? r : -ENOENT;
        r = -ENOENT;
        for (size_t i = 0; r == -ENOENT && i < pids.n; i++) {
                char path[PATH_MAX];
                _cleanup_free_ char *comm = NULL, *text = NULL;
                size_t len;
                Scan rest;
                if (pids.v[i][0] < '1' || pids.v[i][0] > '9')
                        continue;
                snprintf(path, sizeof(path), "proc/%s/comm", pids.v[i]);
                if (sysroot_read_line(root, path, &comm) < 0 || strcmp(comm, name) != 0)
                        continue;
                snprintf(path, sizeof(path), "proc/%s/cgroup", pids.v[i]);
                if (sysroot_read_file(root, path, &text, &len) < 0 || !cgroup_line(text, len, v1, &rest))
                        continue;
                *ret = strndup(rest.p, scan_len(rest));
                r = *ret ? 0 : -ENOMEM;
        }
        name_list_free(&pids);
        return r;
}

int cgroup_memory_resolve(const Sysroot *root, const char *cgroot, const CgMemFiles *f, const char *name, char **ret) {
        if (!name[0] || strstr(name, ".."))
                return -ENOENT;
        if (strchr(name, '/')) {
                const char *rel = name + strspn(name, "/");
                if (!is_cgroup(root, cgroot, f, rel))
                        return -ENOENT;
                *ret = strdup(rel);
                return *ret ? 0 : -ENOMEM;
        }
        int r = find_leaf(root, cgroot, f, name, ret);
        if (r != -ENOENT)
                return r;
        char unit[NAME_MAX + 16];
        if (!strchr(name, '.') && (size_t) snprintf(unit, sizeof(unit), "%s.service", name) < sizeof(unit)) {
                r = find_leaf(root, cgroot, f, unit, ret);
                if (r != -ENOENT)
                        return r;
        }
        return find_comm(root, f->v1, name, ret);
}

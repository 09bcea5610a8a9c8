/* SPDX-License-Identifier: MIT */
/* A unit's cgroup and its processes (cgroup-procs.h). */
#include "cgroup-procs.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup-root.h"
#include "macro.h"
#include "mountinfo.h"
#include "series.h"
#include "textscan.h"

/* Deep enough for a user unit (user.slice/user-1000.slice/user@1000.service/app.slice/x.service). */
#define FIND_DEPTH 8
#define READ_DEPTH 16

static int pid_push(PidList *l, int pid) {
        if (array_reserve((void **) &l->v, &l->cap, l->n, sizeof(int)) < 0)
                return -ENOMEM;
        l->v[l->n++] = pid;
        return 0;
}

void pid_list_done(PidList *l) {
        free(l->v);
        *l = (PidList) {};
}

int cgroup_procs_parse(const char *text, size_t len, PidList *l) {
        Scan s = scan_init(text, len), line;
        while (scan_line(&s, &line)) {
                Scan w = scan_trim(line);
                uint64_t pid;
                if (scan_len(w) == 0)
                        continue;
                if (scan_u64(&w, &pid) < 0 || scan_len(w) != 0 || pid == 0 || pid > INT32_MAX)
                        return -EBADMSG;
                if (pid_push(l, (int) pid) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* Whether entry de of dir rel is a directory (d_type, or a stat where the file system gives none). */
static bool is_dir(const Sysroot *root, const char *rel, const struct dirent *de) {
        if (de->d_type != DT_UNKNOWN)
                return de->d_type == DT_DIR;
        char path[PATH_MAX];
        DIR *d = NULL;
        if ((size_t) snprintf(path, sizeof(path), "%s/%s", rel, de->d_name) >= sizeof(path) ||
            sysroot_opendir(root, path, &d) < 0)
                return false;
        closedir(d);
        return true;
}

/* The cgroups under dir (dir itself first), each passed to visit until it returns non-zero: that value,
 * or 0 when every one was visited. -ENOMEM, or visit's negative errno. */
static int walk(const Sysroot *root, const char *dir, unsigned depth,
                int (*visit)(const Sysroot *root, const char *dir, void *userdata), void *userdata) {
        int r = visit(root, dir, userdata);
        if (r != 0 || depth == 0)
                return r;
        _cleanup_closedir_ DIR *d = NULL;
        if (sysroot_opendir(root, dir, &d) < 0)
                return 0; /* removed meanwhile */
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.' || !is_dir(root, dir, de))
                        continue;
                char sub[PATH_MAX];
                if ((size_t) snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= sizeof(sub))
                        continue;
                if ((r = walk(root, sub, depth - 1, visit, userdata)) != 0)
                        return r;
        }
        return 0;
}

typedef struct Find {
        const char *unit;
        char *found;
} Find;

static int match(const Sysroot *root, const char *dir, void *userdata) {
        (void) root;
        Find *f = userdata;
        const char *base = strrchr(dir, '/');
        if (strcmp(base ? base + 1 : dir, f->unit) != 0)
                return 0;
        return (f->found = strdup(dir)) ? 1 : -ENOMEM;
}

/* Where systemd keeps its unit cgroups: the cgroup2 mount, systemd's v1 hierarchy, sys/fs/cgroup. */
static int hierarchies(const Sysroot *root, char *ret[3]) {
        CgroupLayout l;
        ret[0] = ret[1] = ret[2] = NULL;
        if (cgroup_layout_read(root, &l) == 0 && l.cgroup2[0]) {
                const char *mp = l.cgroup2 + strspn(l.cgroup2, "/");
                if (!(ret[0] = strdup(*mp ? mp : ".")))
                        return -ENOMEM;
        }
        if (cgroup_v1_root_find(root, "name=systemd", &ret[1]) < 0 || !(ret[2] = strdup("sys/fs/cgroup")))
                return -ENOMEM;
        return 0;
}

int cgroup_unit_find(const Sysroot *root, const char *unit, char **ret_dir, Error *e) {
        char *roots[3];
        int r = hierarchies(root, roots);
        Find f = { .unit = unit };
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(roots) && !f.found; i++)
                if (roots[i])
                        r = walk(root, roots[i], FIND_DEPTH, match, &f);
        for (size_t i = 0; i < ELEMENTSOF(roots); i++)
                free(roots[i]);
        if (r < 0)
                return error_set(e, r, "out of memory looking for the cgroup of %s", unit);
        if (!f.found)
                return error_set(e, -ENOENT,
                                 "no cgroup named %s under %s/sys/fs/cgroup: the unit is not loaded or not "
                                 "running (see systemctl status %s)",
                                 unit, strcmp(sysroot_path(root), "/") ? sysroot_path(root) : "", unit);
        *ret_dir = f.found;
        return 0;
}

static int add_procs(const Sysroot *root, const char *dir, void *userdata) {
        char path[PATH_MAX];
        _cleanup_free_ char *text = NULL;
        size_t len;
        if ((size_t) snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= sizeof(path))
                return 0;
        int r = sysroot_read_file(root, path, &text, &len);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0; /* removed meanwhile, or not a cgroup */
        r = cgroup_procs_parse(text, len, userdata);
        return r == -ENOMEM ? r : 0;
}

int cgroup_procs_read(const Sysroot *root, const char *dir, PidList *l) {
        char path[PATH_MAX];
        if ((size_t) snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= sizeof(path) ||
            !sysroot_exists(root, path))
                return -ENOENT;
        return walk(root, dir, READ_DEPTH, add_procs, l);
}

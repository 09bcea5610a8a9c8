/* SPDX-License-Identifier: MIT */
#include "dirlist.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "series.h"

static int cmp_names(const void *a, const void *b) {
        return strverscmp(*(char *const *) a, *(char *const *) b);
}

static int list(const Sysroot *root, const char *dir, bool (*keep)(const char *name), bool dirs, NameList *ret) {
        _cleanup_closedir_ DIR *d = NULL;
        NameList l = {};
        size_t cap = 0;
        int r = sysroot_opendir(root, dir, &d);
        if (r < 0)
                return r;
        for (struct dirent *de; (de = readdir(d));) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if ((keep && !keep(de->d_name)) || (dirs && de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
                        continue;
                r = array_reserve((void **) &l.v, &cap, l.n, sizeof(char *));
                char *s = r < 0 ? NULL : strdup(de->d_name);
                if (!s) {
                        name_list_free(&l);
                        return -ENOMEM;
                }
                l.v[l.n++] = s;
        }
        if (l.n > 1)
                qsort(l.v, l.n, sizeof(char *), cmp_names);
        *ret = l;
        return 0;
}

int dir_list(const Sysroot *root, const char *dir, bool (*keep)(const char *name), NameList *ret) {
        return list(root, dir, keep, false, ret);
}

int dir_list_dirs(const Sysroot *root, const char *dir, bool (*keep)(const char *name), NameList *ret) {
        return list(root, dir, keep, true, ret);
}

void name_list_free(NameList *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->v[i]);
        free(l->v);
        *l = (NameList) {};
}

static bool is_policy(const char *name) {
        return strncmp(name, "policy", 6) == 0;
}

int cpufreq_policies(const Sysroot *root, NameList *ret) {
        int r = dir_list(root, CPUFREQ_DIR, is_policy, ret);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                *ret = (NameList) {};
        return 0;
}

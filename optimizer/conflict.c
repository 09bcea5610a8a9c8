/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conflict.h"
#include "macro.h"
#include "tunable.h"

#define OWN_NAME "90-skytune.conf"
#define FILES_MAX 256

static const char *const sysctl_dirs[] = { "etc/sysctl.d", "run/sysctl.d", "usr/local/lib/sysctl.d", "usr/lib/sysctl.d",
                                           "lib/sysctl.d" };

void sysctl_files_done(SysctlFiles *f) {
        for (size_t i = 0; i < f->n; i++) {
                free(f->v[i].file);
                free(f->v[i].key);
                free(f->v[i].value);
        }
        free(f->v);
        *f = (SysctlFiles) {};
}

static int parse_file(const Sysroot *root, const char *rel, bool wins, SysctlFiles *out) {
        _cleanup_free_ char *text = NULL;
        if (sysroot_read_file(root, rel, &text, NULL) < 0)
                return 0;       /* unreadable or dangling: not a conflict we can see */
        unsigned line = 0;
        for (char *p = text, *nl; p && *p; p = nl ? nl + 1 : NULL) {
                nl = strchr(p, '\n');
                if (nl)
                        *nl = '\0';
                line++;
                while (isspace((unsigned char) *p) || *p == '-')
                        p++;
                char *eq = strchr(p, '=');
                if (*p == '#' || *p == ';' || !eq)
                        continue;
                char *ke = eq;
                while (ke > p && isspace((unsigned char) ke[-1]))
                        ke--;
                *ke = '\0';
                char *v = eq + 1;
                _cleanup_free_ char *canon = NULL, *norm = NULL;
                if (sysctl_key_canonical(p, &canon) < 0 || tunable_normalize_space(v, &norm) < 0)
                        continue;
                SysctlSetting *n = realloc(out->v, (out->n + 1) * sizeof(SysctlSetting));
                if (!n)
                        return -ENOMEM;
                out->v = n;
                out->v[out->n++] = (SysctlSetting) {
                        .line = line, .key = TAKE_PTR(canon), .value = TAKE_PTR(norm), .wins = wins,
                };
                if (asprintf(&out->v[out->n - 1].file, "/%s", rel) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int cmp_name(const void *a, const void *b) {
        const char *x = strrchr(*(char *const *) a, '/') + 1, *y = strrchr(*(char *const *) b, '/') + 1;
        return strcmp(x, y);
}

int sysctl_files_scan(const Sysroot *root, SysctlFiles *ret) {
        char *files[FILES_MAX];
        size_t n = 0;
        int r = 0;
        *ret = (SysctlFiles) {};
        for (size_t d = 0; d < ELEMENTSOF(sysctl_dirs); d++) {
                _cleanup_closedir_ DIR *dir = NULL;
                if (sysroot_opendir(root, sysctl_dirs[d], &dir) < 0)
                        continue;
                for (struct dirent *de; (de = readdir(dir)) && n < FILES_MAX;) {
                        size_t len = strlen(de->d_name);
                        if (len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0 || strcmp(de->d_name, OWN_NAME) == 0)
                                continue;
                        bool hidden = false;
                        for (size_t i = 0; i < n; i++)
                                hidden = hidden || strcmp(strrchr(files[i], '/') + 1, de->d_name) == 0;
                        if (hidden)
                                continue;
                        if (asprintf(&files[n], "%s/%s", sysctl_dirs[d], de->d_name) < 0) {
                                r = -ENOMEM;
                                goto out;
                        }
                        n++;
                }
        }
        if (n)
                qsort(files, n, sizeof(char *), cmp_name);
        /* Debian links /etc/sysctl.d/99-sysctl.conf to ../sysctl.conf: read that file once. */
        bool linked = false;
        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_free_ char *target = NULL;
                if (sysroot_readlink(root, files[i], &target) >= 0 &&
                    (strcmp(target, "../sysctl.conf") == 0 || strcmp(target, "/etc/sysctl.conf") == 0))
                        linked = true;
                r = parse_file(root, files[i], strcmp(strrchr(files[i], '/') + 1, OWN_NAME) > 0, ret);
        }
        if (r >= 0 && !linked)
                r = parse_file(root, "etc/sysctl.conf", true, ret);
out:
        for (size_t i = 0; i < n; i++)
                free(files[i]);
        if (r < 0)
                sysctl_files_done(ret);
        return r;
}

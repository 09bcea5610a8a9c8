/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "procfs.h"

int proc_iter_open(ProcIter *it, const Sysroot *root) {
        *it = PROC_ITER_INIT;
        return sysroot_opendir(root, "proc", &it->dir);
}

static int parse_pid(const char *name) {
        if (name[0] < '1' || name[0] > '9')
                return -1;
        char *end;
        errno = 0;
        long pid = strtol(name, &end, 10);
        return *end || errno || pid > INT32_MAX ? -1 : (int) pid;
}

int proc_iter_next(ProcIter *it, int *ret_pid) {
        if (!it->dir)
                return 0;
        for (struct dirent *de; (de = readdir(it->dir));) {
                int pid = parse_pid(de->d_name);
                if (pid > 0) {
                        *ret_pid = pid;
                        return 1;
                }
        }
        return 0;
}

void proc_iter_close(ProcIter *it) {
        if (it->dir)
                closedir(it->dir);
        it->dir = NULL;
}

static void proc_path(char *buf, size_t size, int pid, const char *name) {
        snprintf(buf, size, "proc/%d/%s", pid, name);
}

int proc_read(const Sysroot *root, int pid, const char *name, char **ret, size_t *ret_len) {
        char path[64];
        proc_path(path, sizeof(path), pid, name);
        return sysroot_read_file(root, path, ret, ret_len);
}

int proc_read_line(const Sysroot *root, int pid, const char *name, char **ret) {
        char path[64];
        proc_path(path, sizeof(path), pid, name);
        return sysroot_read_line(root, path, ret);
}

long long proc_status_field(const char *status, const char *field) {
        size_t n = strlen(field);
        for (const char *p = status; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
                if (strncmp(p, field, n) == 0) {
                        char *end;
                        long long v = strtoll(p + n, &end, 10);
                        return end == p + n || v < 0 ? -1 : v;
                }
        return -1;
}

long long proc_count_fds(const Sysroot *root, int pid, long long limit) {
        char path[64];
        proc_path(path, sizeof(path), pid, "fd");
        _cleanup_closedir_ DIR *d = NULL;
        int r = sysroot_opendir(root, path, &d);
        if (r < 0)
                return r;
        /* Since Linux 6.2 the size of a live /proc/PID/fd is its number of open fds: no readdir. A
         * fixture tree's directory size means nothing, and 0 may be an older kernel. */
        struct stat st;
        if (sysroot_is_host(root) && fstat(dirfd(d), &st) == 0 && st.st_size > 0)
                return MIN((long long) st.st_size, limit);
        long long n = 0;
        for (struct dirent *de; n < limit && (de = readdir(d));)
                if (de->d_name[0] != '.')
                        n++;
        return n;
}

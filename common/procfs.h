/* SPDX-License-Identifier: MIT */
/* The one walker of proc/PID entries, always through a Sysroot: the profiler, the optimizer's targets,
 * the ulimit backend and the helper list processes and read their files with it, so a fixture tree
 * stands in for the host everywhere. */
#pragma once

#include <dirent.h>
#include <stddef.h>

#include "sysroot.h"

typedef struct ProcIter {
        DIR *dir;
} ProcIter;

#define PROC_ITER_INIT ((ProcIter) { .dir = NULL })

int proc_iter_open(ProcIter *it, const Sysroot *root);
/* 1 with *ret_pid for the next process, 0 at the end. Non-numeric entries ("self", "sys") are skipped. */
int proc_iter_next(ProcIter *it, int *ret_pid);
void proc_iter_close(ProcIter *it);

/* proc/PID/NAME, whole (NUL-terminated) or its first line. */
int proc_read(const Sysroot *root, int pid, const char *name, char **ret, size_t *ret_len);
int proc_read_line(const Sysroot *root, int pid, const char *name, char **ret);
/* The first number after "Field:" at the start of a line of a proc/PID/status text ("Uid:", "Threads:"),
 * -1 when the field is absent. */
long long proc_status_field(const char *status, const char *field);
/* Entries of proc/PID/fd, counting stops at limit; a negative errno when the directory cannot be read
 * (-ENOENT: the process is gone; -EACCES: another user's process). */
long long proc_count_fds(const Sysroot *root, int pid, long long limit);

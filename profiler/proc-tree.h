/* SPDX-License-Identifier: MIT */
/* A server's processes sampled over time (`skytune load --server-pid PID | --server-unit UNIT`): the
 * process tree rooted at PID (the process and every descendant, found from the parent PIDs of
 * /proc/PID/stat through common/procfs.h's walker), or the processes of a systemd unit's cgroup
 * (cgroup-procs.h). Each sample gives the group's CPU (utime + stime over the time since the last
 * sample; 100 % is one CPU), its resident memory (sum of VmRSS), threads and open fds. Membership is
 * read again at every sample, so workers that come and go are counted while they live. A tree whose
 * root exited (or whose PID now belongs to another process), or a unit whose cgroup is empty or gone,
 * is gone for good: every later sample is NAN. */
#pragma once

#include <stdint.h>

#include "error.h"
#include "sysroot.h"

typedef struct ProcTreeSample {
        double cpu_pct; /* NAN at the first sample (no interval yet) */
        double rss_bytes;
        double threads;
        double fds; /* NAN when a member's fd directory could not be read (another user's) */
        unsigned processes;
} ProcTreeSample;

typedef struct ProcTree ProcTree;

/* The tree rooted at pid, its first sample taken at now_usec (a monotonic clock in microseconds).
 * -ESRCH (with e) when there is no such process, -EINVAL for a pid under 1. root must outlive it. */
int proc_tree_open_pid(const Sysroot *root, int pid, uint64_t now_usec, ProcTree **ret, Error *e);
/* A systemd unit's processes ("nginx" is nginx.service): -EINVAL for a name that is not a unit's,
 * -ENOENT when it has no cgroup, -ESRCH when its cgroup holds no process (not running). */
int proc_tree_open_unit(const Sysroot *root, const char *unit, uint64_t now_usec, ProcTree **ret, Error *e);
/* 1 with *ret sampled; 0 when the tree is gone (now or before: *ret all NAN); -ENOMEM. */
int proc_tree_sample(ProcTree *t, uint64_t now_usec, ProcTreeSample *ret);
/* The last sample (the one taken when it was opened, until the first proc_tree_sample). */
const ProcTreeSample *proc_tree_last(const ProcTree *t);
/* The root's PID (a unit: its lowest PID when opened, usually its main process). */
int proc_tree_pid(const ProcTree *t);
/* The unit's full name, or NULL for a PID's tree. */
const char *proc_tree_unit(const ProcTree *t);
ProcTree *proc_tree_free(ProcTree *t);

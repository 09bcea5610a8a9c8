/* SPDX-License-Identifier: MIT */
/* Ulimit targets: the processes and systemd units a policy or --target names, their limits and how
 * much of them they use. A unit's processes come from its cgroup; a plain name matches /proc/PID/comm.
 * Where a process runs (its cgroup: a system service or a login session) and as whom (its real uid)
 * decide which mechanism reaches it. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "metric-catalog.h"
#include "sysroot.h"

typedef struct TargetLimit {
        bool known;             /* limits read */
        long long soft, hard;   /* -1: infinity */
        bool used_known;
        /* nofile: open fds of the process; memlock: bytes it has locked (VmLck); nproc: threads of
         * every process of its real uid, which is what RLIMIT_NPROC counts (getrlimit(2)). */
        long long used;
        int pid;                /* the process these numbers are of (the one closest to this limit) */
        long uid;               /* its real uid, -1 unknown */
        bool exempt;            /* nproc of uid 0 or of a process with CAP_SYS_RESOURCE or CAP_SYS_ADMIN
                                 * (CapEff): the kernel does not enforce RLIMIT_NPROC for them */
} TargetLimit;

typedef struct Target {
        char *name;
        char *unit;             /* the unit name, "NAME.service" when it exists, or the service its cgroup names */
        bool unit_named;        /* unit comes from the name (a unit, or NAME.service exists), not a cgroup */
        bool unit_file;         /* a unit file was found (/etc, /run, /usr/lib, /lib, generators) */
        bool transient;         /* the unit lives in /run/systemd/transient (systemd-run) */
        bool session;           /* the reported process runs in a login session (user.slice .../session-N.scope) */
        char *comm;             /* comm of the reported process, NULL when none runs */
        int pid;                /* the process closest to its nofile limit */
        long uid;               /* its real uid, -1 unknown */
        char *user;             /* the name of that uid in etc/passwd, NULL unknown */
        unsigned processes;
        TargetLimit nofile, nproc, memlock;
} Target;

/* Where the process one of a target's limits was measured on runs, which decides the keys that reach
 * it: its unit (the target's own when it was named as one or NAME.service exists), whether that is
 * transient or has a unit file, whether it runs in a login session, and its user. The nproc and
 * memlock figures may come from another process (and uid) than the one the target reports. */
typedef struct TargetPlace {
        char *unit, *user;
        bool unit_file, transient, session;
} TargetPlace;
int target_place(const Sysroot *root, const Target *t, const TargetLimit *l, TargetPlace *ret);
void target_place_done(TargetPlace *p);

int targets_scan(const Sysroot *root, char *const *names, size_t n, Target **ret, size_t *ret_n);
void targets_free(Target *t, size_t n);
/* { NAME: { unit, unit_file, transient, session, running, pid, comm, uid, user, processes,
 *           nofile: {used, soft, hard, pct, pid}, nproc: {..., uid, exempt}, memlock: {...} } } */
json_t *targets_to_json(const Target *t, size_t n);
/* The paths of targets_to_json and of the plan's limits context ("targets.*.nofile.pct",
 * "limits.nr_open") for the metric catalogue. */
extern const MetricSpec target_metrics[];
extern const size_t target_metrics_size;

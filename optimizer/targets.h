/* SPDX-License-Identifier: MIT */
/* Ulimit targets: the processes and systemd units a policy or --target names, their limits and how
 * much of them they use. A unit's processes come from its cgroup; a plain name matches /proc/PID/comm. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "sysroot.h"

typedef struct TargetLimit {
        bool known;             /* limits read */
        long long soft, hard;   /* -1: infinity */
        bool used_known;
        long long used;         /* open fds (nofile), locked bytes (memlock), threads (nproc) */
} TargetLimit;

typedef struct Target {
        char *name;
        char *unit;             /* the unit name when it is one or "NAME.service" exists, else NULL */
        bool unit_file;         /* a unit file was found */
        char *comm;             /* comm of the reported process, NULL when none runs */
        int pid;                /* the process closest to its nofile limit */
        unsigned processes;
        TargetLimit nofile, nproc, memlock;
} Target;

int targets_scan(const Sysroot *root, char *const *names, size_t n, Target **ret, size_t *ret_n);
void targets_free(Target *t, size_t n);
/* { NAME: { unit, running, pid, processes, nofile: {used, soft, hard, pct}, nproc: {...}, memlock: {...} } } */
json_t *targets_to_json(const Target *t, size_t n);

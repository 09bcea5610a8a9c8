/* SPDX-License-Identifier: MIT */
/* The cgroup mount a cgroup collector reads under, found through /proc/self/mountinfo: cgroup2 may
 * be /sys/fs/cgroup or systemd's hybrid /sys/fs/cgroup/unified, and on a hybrid or legacy host a
 * controller may be bound to a v1 hierarchy (/sys/fs/cgroup/memory) instead. */
#pragma once

#include <stddef.h>

#include "sysroot.h"

typedef struct Cgroup2Need {
        const char *controller;  /* "cpu", "memory" */
        const char *source;      /* what is read where: "CPU throttling is read from cgroup v2 cpu.stat" */
        const char *lost;        /* what cannot be read without it: "CPU throttling of services" */
} Cgroup2Need;

/* 1 with *ret_root the mount point relative to the sysroot ("." for a mount at "/"), malloc'ed;
 * 0 when there is none or the controller is not on it (why: a message for
 * resources.<r>.unavailable, naming the file and what to do); -ENOMEM. */
int cgroup2_root_find(const Sysroot *root, const Cgroup2Need *need, char **ret_root, char *why, size_t why_size);

/* The mount point of the cgroup v1 hierarchy holding controller, relative to the sysroot: 1 found,
 * 0 none (or no readable mountinfo), -ENOMEM. */
int cgroup_v1_root_find(const Sysroot *root, const char *controller, char **ret_root);

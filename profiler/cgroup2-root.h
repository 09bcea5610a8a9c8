/* SPDX-License-Identifier: MIT */
/* The cgroup2 mount a cgroup collector reads under, found through /proc/self/mountinfo (it may be
 * /sys/fs/cgroup or systemd's hybrid /sys/fs/cgroup/unified), with the controller it needs. */
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

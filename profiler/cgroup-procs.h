/* SPDX-License-Identifier: MIT */
/* The processes of a systemd unit, from its cgroup: the directory named after the unit in the cgroup2
 * hierarchy (or in systemd's own v1 name=systemd one on a legacy host), found by name under the mount
 * point (system.slice/nginx.service, user.slice/.../app.slice/x.service), and the PIDs listed in its
 * cgroup.procs and in those of the cgroups below it. Read through the Sysroot, so a fixture tree with
 * a cgroup directory and its cgroup.procs stands in for systemd. */
#pragma once

#include <stddef.h>

#include "error.h"
#include "sysroot.h"

typedef struct PidList {
        int *v;
        size_t n, cap;
} PidList;

/* The unit's cgroup directory relative to the sysroot (malloc'ed) in *ret_dir: 0; -ENOENT with e when
 * no cgroup has that name (the unit is not loaded, or not running: systemd removes the cgroup of a
 * unit that stopped); -ENOMEM. unit is the full name ("nginx.service"). */
int cgroup_unit_find(const Sysroot *root, const char *unit, char **ret_dir, Error *e);
/* A cgroup.procs text (one decimal PID a line) appended to l: 0, -EBADMSG on a line that is not a
 * PID (the PIDs before it are kept), -ENOMEM. */
int cgroup_procs_parse(const char *text, size_t len, PidList *l);
/* Every PID of dir's cgroup.procs and of the cgroups below it (16 levels deep at most) appended to l:
 * 0, -ENOENT when dir is gone, -ENOMEM. A child cgroup removed meanwhile is skipped. */
int cgroup_procs_read(const Sysroot *root, const char *dir, PidList *l);
void pid_list_done(PidList *l);

/* SPDX-License-Identifier: MIT */
/* Parser of /proc/self/mountinfo (proc(5)), for finding the cgroup hierarchies: cgroup2 may be at
 * /sys/fs/cgroup (unified), at systemd's /sys/fs/cgroup/unified next to v1 hierarchies (hybrid), or
 * absent (legacy), so a fixed path is wrong on some hosts. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "sysroot.h"
#include "textscan.h"

typedef struct MountEntry {
        Scan mount_point;        /* still escaped (\040 for a space): see mountinfo_unescape() */
        Scan fstype;
        Scan super_options;
} MountEntry;

/* Next mount entry; 0 on success, -ENOENT at the end, -EBADMSG for a malformed line (the scan moves
 * past it, so a caller may skip it and go on). */
int mountinfo_next(Scan *s, MountEntry *ret);
/* Decode the octal escapes the kernel writes for space, tab, newline and backslash. */
int mountinfo_unescape(Scan w, char *buf, size_t size);

typedef enum CgroupMode {
        CGROUP_NONE,             /* no cgroup file system mounted */
        CGROUP_UNIFIED,          /* cgroup2 only */
        CGROUP_HYBRID,           /* cgroup2 and v1 hierarchies */
        CGROUP_LEGACY,           /* v1 only */
} CgroupMode;

typedef struct CgroupLayout {
        CgroupMode mode;
        char cgroup2[PATH_MAX];  /* first cgroup2 mount point, "" when none */
        bool v1_cpu;             /* a v1 hierarchy has the cpu controller */
        unsigned malformed;      /* lines skipped */
} CgroupLayout;

/* -EBADMSG when no line at all could be parsed. */
int mountinfo_cgroup_layout(const char *text, size_t len, CgroupLayout *ret);
const char *cgroup_mode_to_string(CgroupMode m);

/* Read proc/self/mountinfo under root and find the layout. */
int cgroup_layout_read(const Sysroot *root, CgroupLayout *ret);

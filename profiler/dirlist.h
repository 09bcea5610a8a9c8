/* SPDX-License-Identifier: MIT */
/* Names in a directory under the sysroot (cpufreq policies, block devices, cgroups), in natural order
 * (policy2 before policy10). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "sysroot.h"

typedef struct NameList {
        char **v;
        size_t n;
} NameList;

/* Entries of dir other than "." and ".." for which keep() (may be NULL) returns true. */
int dir_list(const Sysroot *root, const char *dir, bool (*keep)(const char *name), NameList *ret);
/* The same, directories only (d_type; an entry of a file system that does not say is kept): the
 * cgroups of a cgroup directory, without its interface files. */
int dir_list_dirs(const Sysroot *root, const char *dir, bool (*keep)(const char *name), NameList *ret);
void name_list_free(NameList *l);

#define CPUFREQ_DIR "sys/devices/system/cpu/cpufreq"
/* The cpufreq policies ("policy0", ...) in CPUFREQ_DIR; an empty list when there is none. Only -ENOMEM
 * is an error: a host without cpufreq (most VMs) has no such directory at all. */
int cpufreq_policies(const Sysroot *root, NameList *ret);

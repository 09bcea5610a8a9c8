/* SPDX-License-Identifier: MIT */
/* Other files that set a sysctl skytune persists. systemd-sysctl and `sysctl --system` read
 * /etc, /run, /usr/local/lib, /usr/lib and /lib sysctl.d files (*.conf) in the order of the file names (a
 * name in /etc hides the same name below), later files winning, and `sysctl --system` reads
 * /etc/sysctl.conf last. A file that sorts after 90-skytune.conf, or /etc/sysctl.conf, wins at boot. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "sysroot.h"

typedef struct SysctlSetting {
        char *file;             /* host path, "/etc/sysctl.d/99-sysctl.conf" */
        unsigned line;
        char *key;              /* canonical */
        char *value;
        bool wins;              /* read after skytune's file */
} SysctlSetting;

typedef struct SysctlFiles {
        SysctlSetting *v;
        size_t n;
} SysctlFiles;

int sysctl_files_scan(const Sysroot *root, SysctlFiles *ret);
void sysctl_files_done(SysctlFiles *f);

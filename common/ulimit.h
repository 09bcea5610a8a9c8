/* SPDX-License-Identifier: MIT */
/* Resource limits: the key and value grammar of the ulimit tunable kind, and /proc/PID/limits. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "sysroot.h"

typedef struct UlimitResource {
        const char *name;         /* "nofile" */
        const char *proc_label;   /* "Max open files" in /proc/PID/limits */
        const char *systemd;      /* "NOFILE" as in LimitNOFILE= */
        long long max;
        bool infinity_ok;         /* nofile cannot be unlimited: the kernel caps it at fs.nr_open */
        bool bytes;               /* bytes in /proc/PID/limits, prlimit(2) and systemd; KiB in limits.conf */
} UlimitResource;

typedef struct UlimitKey {
        char scope[16];           /* process | unit | login | default */
        char target[130];
        const UlimitResource *resource;
} UlimitKey;

const UlimitResource *ulimit_resource(const char *name);
/* The i-th resource and scope of the grammar, NULL past the end (for `skytune policy keys`). */
const UlimitResource *ulimit_resource_at(size_t i);
const char *ulimit_scope_at(size_t i);
int ulimit_key_parse(const char *key, UlimitKey *ret);
/* "N", "SOFT:HARD", "infinity"/"unlimited" -> soft, hard; -1 means infinity. A byte resource
 * (memlock, core, stack) also takes the 1024-based suffixes of systemd.exec(5) LimitMEMLOCK=:
 * "64K", "8M", "1G", "1T", "1P", "1E"; any other suffix is -EINVAL. Values are in the kind's unit:
 * bytes for byte resources (as /proc/PID/limits and prlimit(2) count them). */
int ulimit_value_parse(const char *value, const UlimitResource *res, long long *ret_soft, long long *ret_hard);
/* "SOFT:HARD", bytes for byte resources, "infinity" for -1: the normalized form, which is also what
 * systemd's Limit*= and DefaultLimit*= accept. */
int ulimit_value_format(long long soft, long long hard, char **ret);
/* One limit as limits.conf(5) writes it: "unlimited" for -1, KiB for a byte resource (rounded up,
 * so the written limit is never below v), else the number. buf holds at least 24 bytes. */
const char *ulimit_limits_conf_word(const UlimitResource *res, long long v, char buf[static 24]);
/* A limits.conf(5) value word ("unlimited", "infinity", "-1", or N: KiB for a byte resource) -> the
 * limit in the kind's unit, -1 for infinity. */
int ulimit_limits_conf_parse(const UlimitResource *res, const char *word, long long *ret);
int ulimit_parse_proc_limits(const char *text, size_t len, const UlimitResource *res, long long *ret_soft, long long *ret_hard);
/* Lowest PID whose /proc/PID/comm equals comm; -ESRCH when none. */
int ulimit_find_process(const Sysroot *root, const char *comm, int *ret_pid);

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
} UlimitResource;

typedef struct UlimitKey {
        char scope[16];           /* process | unit | login | default */
        char target[130];
        const UlimitResource *resource;
} UlimitKey;

const UlimitResource *ulimit_resource(const char *name);
int ulimit_key_parse(const char *key, UlimitKey *ret);
/* "N", "SOFT:HARD", "infinity"/"unlimited" -> soft, hard; -1 means infinity. */
int ulimit_value_parse(const char *value, const UlimitResource *res, long long *ret_soft, long long *ret_hard);
int ulimit_value_format(long long soft, long long hard, char **ret);
int ulimit_parse_proc_limits(const char *text, size_t len, const UlimitResource *res, long long *ret_soft, long long *ret_hard);
/* Lowest PID whose /proc/PID/comm equals comm; -ESRCH when none. */
int ulimit_find_process(const Sysroot *root, const char *comm, int *ret_pid);

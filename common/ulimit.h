/* SPDX-License-Identifier: MIT */
/* Resource limits: the key and value grammar of the ulimit tunable kind, and /proc/PID/limits. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "sysroot.h"

/* The scopes of a ulimit key, in this order (UlimitResource.floor is indexed by it). */
typedef enum UlimitScope {
        ULIMIT_SCOPE_PROCESS,     /* running processes by comm, prlimit(2) */
        ULIMIT_SCOPE_UNIT,        /* a systemd unit's Limit*= drop-in */
        ULIMIT_SCOPE_LOGIN,       /* limits.d (pam_limits) */
        ULIMIT_SCOPE_DEFAULT,     /* DefaultLimit*= for every service */
        _ULIMIT_SCOPE_MAX,
} UlimitScope;

typedef struct UlimitResource {
        const char *name;         /* "nofile" */
        const char *proc_label;   /* "Max open files" in /proc/PID/limits */
        const char *systemd;      /* "NOFILE" as in LimitNOFILE= */
        int rlimit;               /* RLIMIT_NOFILE, for prlimit(2) */
        long long max;
        bool infinity_ok;         /* nofile cannot be unlimited: the kernel caps it at fs.nr_open */
        bool bytes;               /* bytes in /proc/PID/limits, prlimit(2) and systemd; KiB in limits.conf */
        /* The lowest soft (and so hard) limit skytune writes, per scope, in the kind's unit; like the
         * sysctl floors it keeps a plan from locking a service or every login out (nofile 0 fails
         * every open(2), nproc 0 every fork(2), stack 0 every exec). floor_reason says why. */
        long long floor[_ULIMIT_SCOPE_MAX];
        const char *floor_reason;
} UlimitResource;

typedef struct UlimitKey {
        char scope[16];           /* process | unit | login | default */
        UlimitScope scope_id;
        char target[130];
        const UlimitResource *resource;
} UlimitKey;

const UlimitResource *ulimit_resource(const char *name);
/* The i-th resource and scope of the grammar, NULL past the end (for `skytune policy keys`). */
const UlimitResource *ulimit_resource_at(size_t i);
const char *ulimit_scope_at(size_t i);
/* "nofile, nproc, memlock, core, stack" (malloc'ed, NULL on ENOMEM), for messages. */
char *ulimit_resource_names(void);
/* A login TARGET is "*", a user or @group: limits.conf(5) reads "0:65535" or "@100:200" as a uid or gid
 * range, so a ':' in it is -EINVAL (not a range skytune would write by accident). */
int ulimit_key_parse(const char *key, UlimitKey *ret);
/* The same for a key with a live value: -EOPNOTSUPP for the scopes other than process (their limits
 * live in files only). */
int ulimit_key_parse_process(const char *key, UlimitKey *ret);
/* -ERANGE when soft (so also hard, which is not below it) is under the floor of the key's resource and
 * scope; infinity (-1) is never under it. */
int ulimit_check_floor(const UlimitKey *k, long long soft, long long hard);
/* "N", "SOFT:HARD", "infinity"/"unlimited" -> soft, hard; -1 means infinity. A byte resource
 * (memlock, core, stack) also takes the 1024-based suffixes of systemd.exec(5) LimitMEMLOCK=:
 * "64K", "8M", "1G", "1T", "1P", "1E"; any other suffix is -EINVAL. Values are in the kind's unit:
 * bytes for byte resources (as /proc/PID/limits and prlimit(2) count them). */
int ulimit_value_parse(const char *value, const UlimitResource *res, long long *ret_soft, long long *ret_hard);
/* "SOFT:HARD", bytes for byte resources, "infinity" for -1: the normalized form, which is also what
 * systemd's Limit*= and DefaultLimit*= accept. */
int ulimit_value_format(long long soft, long long hard, char **ret);
/* A message when proposed lowers the hard limit of running processes (scope process) below current:
 * only CAP_SYS_RESOURCE may raise a hard limit again, so without it the rollback fails. 1 and
 * *ret_message (malloc'ed) when so, 0 when not (or when either value does not parse). */
int ulimit_lowered_hard_warning(const char *key, const char *current, const char *proposed, char **ret_message);
/* One limit as limits.conf(5) writes it: "unlimited" for -1, KiB for a byte resource (rounded up,
 * so the written limit is never below v), else the number. buf holds at least 24 bytes. */
const char *ulimit_limits_conf_word(const UlimitResource *res, long long v, char buf[static 24]);
/* A limits.conf(5) value word ("unlimited", "infinity", "-1", or N: KiB for a byte resource) -> the
 * limit in the kind's unit, -1 for infinity. */
int ulimit_limits_conf_parse(const UlimitResource *res, const char *word, long long *ret);
int ulimit_parse_proc_limits(const char *text, size_t len, const UlimitResource *res, long long *ret_soft, long long *ret_hard);
/* Lowest PID whose /proc/PID/comm equals comm; -ESRCH when none. */
int ulimit_find_process(const Sysroot *root, const char *comm, int *ret_pid);

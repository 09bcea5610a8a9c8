/* SPDX-License-Identifier: MIT */
/* Parser of /proc/PID/stat: "PID (COMM) STATE PPID ... UTIME STIME CUTIME CSTIME ... NUM_THREADS ...
 * STARTTIME ...".
 * COMM may hold spaces and parentheses, so the fields are counted from the last ')'. Times are in
 * clock ticks (USER_HZ), cutime/cstime those of the children it waited for; starttime (ticks after
 * boot) tells a reused PID from the same process. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "sysroot.h"

typedef struct PidStat {
        uint64_t ppid, utime, stime, cutime, cstime, threads, starttime;
        char comm[80];          /* escaped: up to 4 bytes per byte of the 16-byte comm */
} PidStat;

int pidstat_parse(const char *text, size_t len, PidStat *ret);
/* proc/PID/stat under root, read and parsed: -ENOENT (exited), -EBADMSG, other -errno. */
int pidstat_read(const Sysroot *root, int pid, PidStat *ret);

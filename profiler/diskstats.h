/* SPDX-License-Identifier: MIT */
/* Parser of /proc/diskstats: "major minor name" and then 11 counters (4.18 adds 4 discard counters,
 * 5.5 two flush counters; those are not used), and of /sys/block/NAME/stat: the same counters alone. */
#pragma once

#include <stdint.h>

#include "textscan.h"

/* Columns of the file after the name; the comment gives the 1-based field number of the whole line
 * that docs/profile.md and iostats.rst use. */
enum {
        DISK_READS,              /*  4 reads completed */
        DISK_READS_MERGED,       /*  5 */
        DISK_SECTORS_READ,       /*  6 512-byte sectors */
        DISK_READ_MS,            /*  7 ms spent reading (32-bit on every kernel: it wraps) */
        DISK_WRITES,             /*  8 writes completed */
        DISK_WRITES_MERGED,      /*  9 */
        DISK_SECTORS_WRITTEN,    /* 10 */
        DISK_WRITE_MS,           /* 11 */
        DISK_IN_FLIGHT,          /* 12 I/Os in progress (a gauge) */
        DISK_IO_MS,              /* 13 ms the device had I/O in flight (io_ticks) */
        DISK_WEIGHTED_MS,        /* 14 ms spent doing I/O, weighted by the number in flight */
        _DISK_MAX,
};

typedef struct DiskStatLine {
        unsigned major, minor;
        Scan name;               /* points into the text */
        uint64_t v[_DISK_MAX];
} DiskStatLine;

/* The next device line of the text in *s: 1 with *ret filled, 0 at the end, -EBADMSG for a malformed
 * line (the next call continues after it). Blank lines are skipped. */
int diskstats_next(Scan *s, DiskStatLine *ret);
/* The _DISK_MAX counters at the start of *s (a diskstats line after its name, or a stat file of sysfs);
 * -EBADMSG when fewer are there. */
int diskstats_counters(Scan *s, uint64_t v[_DISK_MAX]);

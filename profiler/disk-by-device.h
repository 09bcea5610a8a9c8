/* SPDX-License-Identifier: MIT */
/* Whole devices read from their own sys/block/NAME/stat between full samples (collect-disk.c), in
 * place of /proc/diskstats, whose kernel cost is per line: a host lists devices that never do I/O
 * (eight loop devices, an unused zram). At each read of diskstats the plan picks the devices that
 * have counted I/O; it reads them by device only when they are at most half the lines and each
 * one's file agrees with diskstats: read just before and just after it, its counters enclose the
 * diskstats line's (a container's lxcfs diskstats and the host's sysfs count different things).
 * The devices not picked are held (counter_set_hold): their next interval spans the gap. After the
 * half rule or a file that disagreed or failed, no file is read until the next full sample. A host
 * with more than DISK_BY_DEVICE_MAX devices to read reads diskstats: no more files are kept open. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counter-table.h"
#include "diskstats.h"
#include "sysroot.h"

#define DISK_BY_DEVICE_MAX 64

typedef struct DiskStatFile {
        KeptFile f;
        bool busy;      /* counted I/O at the last read of /proc/diskstats */
        bool before_ok; /* before[] was read just before that read */
        uint64_t before[_DISK_MAX];
        uint64_t now[_DISK_MAX]; /* a sample's read, put once every file was read */
} DiskStatFile;

typedef struct DiskByDevice {
        DiskStatFile *v; /* devs.obj[i] <-> v[i] */
        size_t n, cap;
        bool on;        /* the samples until the next read of diskstats go by device */
        bool started;   /* the first read of diskstats is past: only busy devices' files are read */
        bool wait_full; /* the last plan said diskstats (the half rule, a file that disagreed or
                         * failed): no file is read again until the next full sample */
        bool last_full; /* the sample before was full */
        bool full_run;  /* this one too (every sample full: none goes by device, no file is read) */
} DiskByDevice;

/* Just before reading /proc/diskstats (full: at a full sample): the counters of the devices the
 * last plan found busy (at the first read: of every device in devs; none while wait_full, until a
 * full sample, nor at a full sample after a full one). -ENOMEM only; a file that fails is closed. */
int disk_by_device_before(DiskByDevice *b, const Sysroot *root, const CounterSet *devs, bool full);
/* Just after, once its rows are in devs (lines: its line count): whether and what to read by
 * device until the next read. -ENOMEM only. */
int disk_by_device_plan(DiskByDevice *b, const Sysroot *root, const CounterSet *devs, size_t lines, bool full);
/* A sample by device: 1 with every picked device's row put, the others held and the sample ended;
 * 0 when a file could not be read or parsed (a device went away: read diskstats now; no row was
 * put); negative errno on failure. */
int disk_by_device_sample(DiskByDevice *b, CounterSet *devs, uint64_t now);
void disk_by_device_free(DiskByDevice *b);

/* SPDX-License-Identifier: MIT */
#include "disk-by-device.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "macro.h"
#include "series.h"

static int grow(DiskByDevice *b, size_t n) {
        while (b->n < n) {
                int r = array_reserve((void **) &b->v, &b->cap, b->n, sizeof(DiskStatFile));
                if (r < 0)
                        return r;
                b->v[b->n++] = (DiskStatFile) { .f = KEPT_FILE_INIT };
        }
        return 0;
}

static int open_stat(DiskStatFile *df, const Sysroot *root, const char *name) {
        if (kept_file_is_open(&df->f))
                return 0;
        char path[COUNTER_NAME_MAX + 16];
        snprintf(path, sizeof(path), "sys/block/%s/stat", name);
        return kept_file_open(&df->f, root, path);
}

/* A file that cannot be read or parsed is closed: the next plan opens it again. */
static int read_stat(DiskStatFile *df, uint64_t v[_DISK_MAX]) {
        const char *text;
        size_t len;
        int r = kept_file_read(&df->f, &text, &len);
        if (r >= 0) {
                Scan s = scan_init(text, len);
                r = diskstats_counters(&s, v);
        }
        if (r < 0)
                kept_file_close(&df->f);
        return r;
}

int disk_by_device_before(DiskByDevice *b, const Sysroot *root, const CounterSet *devs, bool full) {
        int r = grow(b, devs->n);
        if (r < 0)
                return r;
        if (full)
                b->wait_full = false; /* also when this read of diskstats fails: the next one plans */
        b->full_run = full && b->last_full;
        b->last_full = full;
        size_t due = 0;
        for (size_t i = 0; i < devs->n; i++)
                due += !b->started || b->v[i].busy;
        bool skip = (b->started && (b->wait_full || b->full_run)) || due > DISK_BY_DEVICE_MAX;
        for (size_t i = 0; i < devs->n; i++) {
                DiskStatFile *df = &b->v[i];
                df->before_ok = false;
                if (skip)
                        continue;
                if ((!b->started || df->busy) && (r = open_stat(df, root, devs->obj[i].name)) == -ENOMEM)
                        return r;
                if (!kept_file_is_open(&df->f))
                        continue;
                r = read_stat(df, df->before);
                if (r == -ENOMEM)
                        return r;
                df->before_ok = r >= 0;
        }
        b->started = true;
        return 0;
}

/* Each counter of the diskstats row between the file's reads before and after it; in_flight is a
 * gauge and may go either way. */
static bool encloses(const uint64_t *before, const uint64_t *row, const uint64_t *after) {
        for (size_t c = 0; c < _DISK_MAX; c++)
                if (c != DISK_IN_FLIGHT && (before[c] > row[c] || row[c] > after[c]))
                        return false;
        return true;
}

static size_t mark_busy(DiskByDevice *b, const CounterSet *devs) {
        size_t busy = 0;
        for (size_t i = 0; i < devs->n; i++) {
                const CounterTable *t = &devs->obj[i].t;
                const uint64_t *row = counter_table_row(t, t->n - 1);
                bool any = false;
                for (size_t c = 0; row && c < _DISK_MAX && !any; c++)
                        any = row[c] != 0;
                b->v[i].busy = any;
                busy += any;
        }
        return busy;
}

/* Whether the device's file agrees with its diskstats row: 1 yes, 0 no, -EAGAIN not known yet (a
 * device first busy now has no read before), -ENOMEM. */
static int agrees(DiskStatFile *df, const Sysroot *root, const CounterObject *o) {
        uint64_t after[_DISK_MAX];
        int r = open_stat(df, root, o->name);
        r = r < 0 ? r : read_stat(df, after);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0;
        if (!df->before_ok)
                return -EAGAIN;
        return encloses(df->before, counter_table_row(&o->t, o->t.n - 1), after);
}

int disk_by_device_plan(DiskByDevice *b, const Sysroot *root, const CounterSet *devs, size_t lines, bool full) {
        int r = grow(b, devs->n);
        if (r < 0)
                return r;
        size_t busy = mark_busy(b, devs);
        b->on = false;
        if (b->full_run) {
                for (size_t i = 0; i < devs->n; i++)
                        kept_file_close(&b->v[i].f);
                return 0;
        }
        if (b->wait_full && !full)
                return 0;
        bool want = 2 * busy <= lines && busy <= DISK_BY_DEVICE_MAX, ok = want, disagreed = !want;
        for (size_t i = 0; want && i < devs->n; i++) {
                if (!b->v[i].busy)
                        continue;
                r = agrees(&b->v[i], root, &devs->obj[i]);
                if (r == -ENOMEM)
                        return r;
                ok = ok && r == 1;
                disagreed = disagreed || r == 0;
        }
        /* Files that say nothing useful are not read again until the next full sample. */
        for (size_t i = 0; i < devs->n; i++)
                if (!b->v[i].busy || disagreed)
                        kept_file_close(&b->v[i].f);
        b->wait_full = disagreed;
        b->on = ok;
        return 0;
}

int disk_by_device_sample(DiskByDevice *b, CounterSet *devs, uint64_t now) {
        /* Every file first, the rows after: a failed one leaves the whole sample to diskstats, and
         * no file is read until the next full sample. */
        b->last_full = false;
        for (size_t i = 0; i < devs->n && i < b->n; i++) {
                int r = b->v[i].busy ? read_stat(&b->v[i], b->v[i].now) : 0;
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        b->on = false;
                        b->wait_full = true;
                        return 0;
                }
        }
        for (size_t i = 0; i < devs->n; i++) {
                if (i >= b->n || !b->v[i].busy) {
                        counter_set_hold(devs, &devs->obj[i]);
                        continue;
                }
                int r = counter_set_put(devs, &devs->obj[i], now, b->v[i].now);
                if (r < 0)
                        return r;
        }
        int r = counter_set_end_sample(devs);
        return r < 0 ? r : 1;
}

void disk_by_device_free(DiskByDevice *b) {
        for (size_t i = 0; i < b->n; i++)
                kept_file_close(&b->v[i].f);
        free(b->v);
        *b = (DiskByDevice) {};
}

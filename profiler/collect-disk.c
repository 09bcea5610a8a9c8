/* SPDX-License-Identifier: MIT */
/* Disks (USE): per whole block device, IOPS and throughput, busy time (utilization), queue size and
 * latency (saturation) from /proc/diskstats; device facts (type, scheduler, queue settings) from
 * /sys/block. Partitions are left out: their I/O is inside their disk's. PSI io is the psi collector's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "counter-table.h"
#include "disk-by-device.h"
#include "diskstats.h"
#include "macro.h"
#include "safe-text.h"
#include "series.h"
#include "source-error.h"

/* An await is only judged over intervals with at least this many completed I/Os of that direction:
 * one slow request in an idle second is not a latency problem. */
#define AWAIT_MIN_IOS 10

typedef enum DiskType { DISK_NVME, DISK_SSD, DISK_HDD, DISK_VIRTUAL, _DISK_TYPE_MAX } DiskType;
static const char *const disk_type_names[] = { "nvme", "ssd", "hdd", "virtual" };
/* Latency above which an await is a problem, by type (ms): a disk seek is ~10 ms, flash well under 1 ms;
 * for virtual disks the backing store is unknown. */
static const double await_limit_ms[] = { [DISK_NVME] = 10, [DISK_SSD] = 20, [DISK_HDD] = 100, [DISK_VIRTUAL] = 50 };

/* The awaits of one direction over busy intervals (at least AWAIT_MIN_IOS completions), for the
 * finding: their count, sum, max and how many reached each type's limit. */
typedef struct BusyAwaits {
        size_t n, over[_DISK_TYPE_MAX];
        double sum, max;
} BusyAwaits;

/* What a device's stream needs besides its counters (devs.obj[i] <-> extra[i]). */
typedef struct DiskExtra {
        bool checked;            /* loop device looked up (once, when first seen) */
        bool unbacked_loop;      /* a loop device with no backing file */
        bool had_io;             /* its counters were not all zero at some sample */
        char obj[COUNTER_NAME_MAX + 16];        /* "devices/NAME", its series' object */
        BusyAwaits rbusy, wbusy;
} DiskExtra;

typedef struct DiskState {
        const Sysroot *root;
        KeptFile file;
        int open_error, sysblock_error;
        unsigned bad;
        CounterSet devs;         /* whole devices (sys/block entries), _DISK_MAX counters, last two rows */
        DiskExtra *extra;
        size_t n_extra, extra_cap;
        DiskByDevice bydev;      /* between full samples: the busy devices' own files */
        uint64_t
                last_sig; /* the lines' names and numbers at the last read (put_lines): a change, a device came or went */
} DiskState;

static int scan_sys_block(DiskState *st) {
        _cleanup_closedir_ DIR *d = NULL;
        int r = sysroot_opendir(st->root, "sys/block", &d);
        if (r < 0)
                return r;
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.')
                        continue;
                CounterObject *o;
                r = counter_set_add(&st->devs, de->d_name, strlen(de->d_name), &o);
                if (r == -ENOMEM)
                        return r;
        }
        return 0;
}

static int disk_open(void *state, const Sysroot *root) {
        DiskState *st = state;
        st->root = root;
        st->file = KEPT_FILE_INIT;
        counter_set_init_last_two(&st->devs, _DISK_MAX);
        st->open_error = kept_file_open(&st->file, root, "proc/diskstats");
        st->sysblock_error = scan_sys_block(st);
        return st->open_error == -ENOMEM || st->sysblock_error == -ENOMEM ? -ENOMEM : 0;
}

static size_t count_lines(const char *text, size_t len) {
        size_t n = 0;
        for (const char *p = text, *end = text + len; p < end && (p = memchr(p, '\n', (size_t) (end - p))); p++)
                n++;
        return n;
}

/* A device's row from one diskstats line; with lookup, a name not seen yet is added when it is in
 * sys/block (a whole device). *sig mixes in the line's device number and name (NVMe hands a freed
 * 259:N to the next namespace, under another name). */
static int put_line(DiskState *st, const DiskStatLine *l, uint64_t now, bool lookup, uint64_t *sig) {
        size_t nlen = scan_len(l->name);
        *sig = (*sig ^ ((uint64_t) l->major << 32 | l->minor)) * UINT64_C(0x100000001b3);
        for (size_t i = 0; i < nlen; i++)
                *sig = (*sig ^ (unsigned char) l->name.p[i]) * UINT64_C(0x100000001b3);
        if (nlen >= COUNTER_NAME_MAX)
                return 0;
        /* sysfs spells a '/' in a device name as '!' (cciss/c0d0 is sys/block/cciss!c0d0). */
        char name[COUNTER_NAME_MAX];
        const char *key = l->name.p;
        if (memchr(l->name.p, '/', nlen)) {
                for (size_t i = 0; i < nlen; i++)
                        name[i] = l->name.p[i] == '/' ? '!' : l->name.p[i];
                key = name;
        }
        CounterObject *o = counter_set_find(&st->devs, key, nlen);
        if (!o && lookup && st->sysblock_error >= 0) {
                char path[COUNTER_NAME_MAX + 16];
                snprintf(path, sizeof(path), "sys/block/%.*s", (int) nlen, key);
                if (sysroot_exists(st->root, path)) {
                        int r = counter_set_add(&st->devs, key, nlen, &o);
                        if (r < 0)
                                return r;
                }
        }
        return o ? counter_set_put(&st->devs, o, now, l->v) : 0;
}

/* The rows of every line (a second row of an object in one sample is ignored); *ret_sig: the
 * device numbers' mix, *ret_bad: a line did not parse. */
static int put_lines(DiskState *st, const char *text, size_t len, uint64_t now, bool lookup, uint64_t *ret_sig,
                     bool *ret_bad) {
        Scan s = scan_init(text, len);
        DiskStatLine l;
        uint64_t sig = UINT64_C(0xcbf29ce484222325);
        int r;
        *ret_bad = false;
        while ((r = diskstats_next(&s, &l)) != 0) {
                if (r < 0) {
                        *ret_bad = true;
                        continue;
                }
                r = put_line(st, &l, now, lookup, &sig);
                if (r < 0)
                        return r;
        }
        *ret_sig = sig;
        return 0;
}

static int disk_sample(void *state, uint64_t now, SampleKind kind) {
        DiskState *st = state;
        bool full = kind != SAMPLE_QUICK;
        if (!kept_file_is_open(&st->file))
                return 0;
        int r = !full && st->bydev.on ? disk_by_device_sample(&st->bydev, &st->devs, now) : 0;
        if (r != 0)
                return MIN(r, 0);
        st->bydev.on = false;
        r = disk_by_device_before(&st->bydev, st->root, &st->devs, full);
        if (r < 0)
                return r;
        const char *text;
        size_t len;
        r = kept_file_read(&st->file, &text, &len);
        if (r < 0) {
                st->bad++;
                return counter_set_end_sample(&st->devs);
        }
        /* A device that appears during the window: names are looked up in sys/block only when the
         * lines' names or numbers changed (a second pass then), so that partitions do not cost a
         * lookup at every sample; a device swapped for another keeps the line count. */
        uint64_t sig;
        bool bad;
        r = put_lines(st, text, len, now, false, &sig, &bad);
        if (r >= 0 && sig != st->last_sig)
                r = put_lines(st, text, len, now, true, &sig, &bad);
        if (r < 0)
                return r;
        st->last_sig = sig;
        st->bad += bad;
        r = counter_set_end_sample(&st->devs);
        return r < 0 ? r : disk_by_device_plan(&st->bydev, st->root, &st->devs, count_lines(text, len), full);
}

static bool name_is_virtual(const char *name) {
        static const char *const prefixes[] = { "vd", "xvd", "dm-", "md", "loop", "zram", "nbd" };
        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
                if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
                        return true;
        return false;
}

static int read_attr(const Sysroot *root, const char *dev, const char *attr, char **ret) {
        char path[COUNTER_NAME_MAX + 64];
        snprintf(path, sizeof(path), "sys/block/%s/%s", dev, attr);
        return sysroot_read_line(root, path, ret);
}

static int read_attr_u64(const Sysroot *root, const char *dev, const char *attr, uint64_t *ret) {
        char path[COUNTER_NAME_MAX + 64];
        snprintf(path, sizeof(path), "sys/block/%s/%s", dev, attr);
        return sysroot_read_u64(root, path, ret);
}

/* "mq-deadline kyber [bfq] none": the bracketed one is in use; a single name without brackets too. */
static int report_scheduler(Report *rep, const char *obj, const char *line) {
        json_t *avail = json_array();
        if (!avail)
                return -ENOMEM;
        Scan s = scan_str(line), w;
        char current[64] = "", name[64];
        size_t count = 0;
        while (scan_word(&s, &w)) {
                bool in_use = scan_len(w) > 2 && *w.p == '[' && w.end[-1] == ']';
                if (in_use)
                        w = (Scan) { .p = w.p + 1, .end = w.end - 1 };
                if (scan_copy(w, name, sizeof(name)) < 0)
                        continue;
                if (in_use)
                        snprintf(current, sizeof(current), "%s", name);
                json_array_append_new(avail, json_text(name));
                count++;
        }
        if (!*current && count == 1)
                snprintf(current, sizeof(current), "%s", json_string_value(json_array_get(avail, 0)));
        int r = report_fact(rep, "disk", obj, "schedulers_available", avail);
        if (r >= 0 && *current)
                r = report_fact(rep, "disk", obj, "scheduler", json_text(current));
        return r;
}

static int report_facts(const Sysroot *root, Report *rep, const char *dev, const char *obj, DiskType *ret_type) {
        uint64_t rot = 0, v;
        bool have_rot = read_attr_u64(root, dev, "queue/rotational", &rot) >= 0;
        bool virt = name_is_virtual(dev);
        _cleanup_free_ char *link = NULL, *sched = NULL;
        char rel[COUNTER_NAME_MAX + 16];
        snprintf(rel, sizeof(rel), "sys/block/%s", dev);
        if (!virt && sysroot_readlink(root, rel, &link) >= 0)
                virt = strstr(link, "devices/virtual/") != NULL;
        DiskType type = strncmp(dev, "nvme", 4) == 0 ? DISK_NVME : virt ? DISK_VIRTUAL : rot ? DISK_HDD : DISK_SSD;
        *ret_type = type;

        int r = 0;
        if (have_rot)
                r = report_fact(rep, "disk", obj, "rotational", json_boolean(rot != 0));
        r = r ?: report_fact(rep, "disk", obj, "virtual", json_boolean(virt));
        r = r ?: report_fact(rep, "disk", obj, "type", json_string(disk_type_names[type]));
        if (r >= 0 && read_attr(root, dev, "queue/scheduler", &sched) >= 0)
                r = report_scheduler(rep, obj, sched);
        if (r >= 0 && read_attr_u64(root, dev, "queue/nr_requests", &v) >= 0)
                r = report_fact(rep, "disk", obj, "nr_requests", json_integer((json_int_t) v));
        if (r >= 0 && read_attr_u64(root, dev, "queue/read_ahead_kb", &v) >= 0)
                r = report_fact(rep, "disk", obj, "read_ahead_kb", json_integer((json_int_t) v));
        if (r >= 0 && read_attr_u64(root, dev, "size", &v) >= 0 && v <= INT64_MAX / 512)
                r = report_fact(rep, "disk", obj, "size_bytes", json_integer((json_int_t) (v * 512)));
        return r;
}

/* A loop device with nothing attached and no I/O is noise (distributions create eight of them). Its
 * backing file is looked up once, when the device is first seen; its series start at the first sample
 * with I/O counted (the intervals before had none). */
static void check_loop(const Sysroot *root, const CounterObject *o, DiskExtra *x) {
        if (x->checked)
                return;
        x->checked = true;
        snprintf(x->obj, sizeof(x->obj), "devices/%s", o->name);
        char path[COUNTER_NAME_MAX + 32];
        snprintf(path, sizeof(path), "sys/block/%s/loop/backing_file", o->name);
        x->unbacked_loop = strncmp(o->name, "loop", 4) == 0 && !sysroot_exists(root, path);
}

static bool idle_loop(const DiskExtra *x) {
        return x->unbacked_loop && !x->had_io;
}

static void busy_add(BusyAwaits *b, double await) {
        b->sum += await;
        b->max = b->n ? MAX(b->max, await) : await;
        for (size_t t = 0; t < _DISK_TYPE_MAX; t++)
                b->over[t] += await >= await_limit_ms[t];
        b->n++;
}

static int emit(const MetricSink *sink, const char *obj, const char *name, const char *unit, MetricWeight kind,
                double v, double w) {
        MetricPoint p = { .resource = "disk", .object = obj, .name = name, .unit = unit, .kind = kind, .value = v,
                          .weight = w };
        return metric_emit(sink, &p);
}

/* The await of one direction in the latest interval (Δms / Δios, weighing Δios), when it had I/O;
 * of a busy interval also as NAME_busy_ms, the evidence of the await findings (rules/findings.conf,
 * disk-await-*: a few slow I/Os of an idle disk say nothing). */
static int emit_await(const CounterTable *t, size_t ios, size_t ms, const char *obj, const char *name,
                      const char *busy_name, BusyAwaits *busy, const MetricSink *sink) {
        uint64_t dios, dms;
        if (!counter_table_delta(t, t->n - 1, ios, &dios, NULL) || !counter_table_delta(t, t->n - 1, ms, &dms, NULL) ||
            dios == 0)
                return 0;
        double await = (double) dms / (double) dios;
        int r = emit(sink, obj, name, "ms", METRIC_WEIGHT_RATIO, await, (double) dios);
        if (r >= 0 && dios >= AWAIT_MIN_IOS) {
                busy_add(busy, await);
                r = emit(sink, obj, busy_name, "ms", METRIC_WEIGHT_EQUAL, await, 1);
        }
        return r;
}

static int emit_device(const CounterObject *o, DiskExtra *x, const MetricSink *sink) {
        static const struct {
                int col;
                double mult;
                const char *name, *unit;
        } rates[] = {
                { DISK_READS, 1, "read_iops", "1/s" },
                { DISK_WRITES, 1, "write_iops", "1/s" },
                { DISK_SECTORS_READ, 512, "read_bytes_per_s", "bytes/s" },
                { DISK_SECTORS_WRITTEN, 512, "write_bytes_per_s", "bytes/s" },
                { DISK_WEIGHTED_MS, 0.001, "aqu_sz", "tasks" },       /* ms per s -> requests */
                { DISK_IO_MS, 0.1, "util_pct", "percent" },           /* ms per s -> percent */
        };
        if (o->held)
                return 0; /* not read at this sample (disk-by-device.h) */
        const CounterTable *t = &o->t;
        const uint64_t *row = counter_table_row(t, t->n - 1);
        x->had_io = x->had_io || (row && (row[DISK_READS] || row[DISK_WRITES]));
        if (idle_loop(x))
                return 0;
        const char *obj = x->obj;
        int r = 0;
        for (size_t j = 0; r >= 0 && j < ELEMENTSOF(rates); j++) {
                uint64_t d;
                double dt;
                if (!counter_table_delta(t, t->n - 1, (size_t) rates[j].col, &d, &dt))
                        continue;
                double v = (double) d * rates[j].mult / dt;
                if (rates[j].col == DISK_IO_MS)
                        v = MIN(v, 100.0);     /* io_ticks can run a tick ahead of the clock */
                r = emit(sink, obj, rates[j].name, rates[j].unit, METRIC_WEIGHT_TIME, v, dt);
        }
        r = r ?: emit_await(t, DISK_READS, DISK_READ_MS, obj, "r_await_ms", "r_await_busy_ms", &x->rbusy, sink);
        r = r ?: emit_await(t, DISK_WRITES, DISK_WRITE_MS, obj, "w_await_ms", "w_await_busy_ms", &x->wbusy, sink);
        if (r >= 0 && row)
                r = emit(sink, obj, "in_flight", "tasks", METRIC_WEIGHT_EQUAL, (double) row[DISK_IN_FLIGHT], 1);
        return r;
}

/* Each device's metrics of the interval that ended at this sample. */
static int disk_interval(void *state, const MetricSink *sink) {
        DiskState *st = state;
        while (st->n_extra < st->devs.n) {
                int r = array_reserve((void **) &st->extra, &st->extra_cap, st->n_extra, sizeof(DiskExtra));
                if (r < 0)
                        return r;
                st->extra[st->n_extra++] = (DiskExtra) {};
        }
        for (size_t i = 0; i < st->devs.n; i++) {
                check_loop(st->root, &st->devs.obj[i], &st->extra[i]);
                int r = emit_device(&st->devs.obj[i], &st->extra[i], sink);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Evidence for the await findings: how many busy intervals reached the limit of the disk's type,
 * and that limit; nothing without a busy interval. */
static int await_evidence(Report *rep, const char *obj, const char *name, DiskType type, const BusyAwaits *b) {
        if (b->n == 0)
                return 0;
        char count[48];
        snprintf(count, sizeof(count), "%s_busy_over_limit", name);
        int r = report_gauge(rep, "disk", obj, count, "count", (double) b->over[type]);
        return r ?: report_gauge(rep, "disk", obj, "await_limit_ms", "ms", await_limit_ms[type]);
}

/* The series come from the stream (disk_interval); facts and evidence here. */
static int report_device(const Sysroot *root, Report *rep, const CounterObject *o, const DiskExtra *x) {
        char obj[COUNTER_NAME_MAX + 16];
        snprintf(obj, sizeof(obj), "devices/%s", o->name);
        DiskType type;
        int r = report_facts(root, rep, o->name, obj, &type);
        r = r ?: await_evidence(rep, obj, "r_await", type, &x->rbusy);
        return r ?: await_evidence(rep, obj, "w_await", type, &x->wbusy);
}

static int disk_report(void *state, const Sysroot *root, Report *rep) {
        DiskState *st = state;
        if (st->open_error < 0)
                return report_unavailable(rep, "disk", "diskstats", "cannot open /proc/diskstats: %s%s",
                                          strerror(-st->open_error), source_error_hint(st->open_error));
        int r = report_stream_series(rep);
        if (r >= 0 && st->sysblock_error < 0)
                r = report_unavailable(rep, "disk", "sys_block",
                                       "cannot list /sys/block (%s%s): whole disks cannot be told from partitions, so no "
                                       "device is reported",
                                       strerror(-st->sysblock_error), source_error_hint(st->sysblock_error));
        if (r >= 0 && st->bad > 0)
                r = report_unavailable(rep, "disk", "diskstats_errors",
                                       "/proc/diskstats could not be read or had malformed lines in %u sample(s)%s", st->bad,
                                       source_error_hint(-EBADMSG));
        if (r >= 0 && st->devs.samples < 2)
                r = report_rates_unavailable(rep, "disk", "rates", "/proc/diskstats");
        for (size_t i = 0; r >= 0 && i < st->devs.n && i < st->n_extra; i++)
                if (!idle_loop(&st->extra[i]))
                        r = report_device(root, rep, &st->devs.obj[i], &st->extra[i]);
        return r;
}

static void disk_close(void *state) {
        DiskState *st = state;
        kept_file_close(&st->file);
        disk_by_device_free(&st->bydev);
        counter_set_free(&st->devs);
        free(st->extra);
}

static const MetricSpec disk_metrics[] = {
        { "disk.devices.*.read_iops", METRIC_SERIES },
        { "disk.devices.*.write_iops", METRIC_SERIES },
        { "disk.devices.*.read_bytes_per_s", METRIC_SERIES },
        { "disk.devices.*.write_bytes_per_s", METRIC_SERIES },
        { "disk.devices.*.aqu_sz", METRIC_SERIES },
        { "disk.devices.*.util_pct", METRIC_SERIES },
        { "disk.devices.*.r_await_ms", METRIC_SERIES },
        { "disk.devices.*.w_await_ms", METRIC_SERIES },
        { "disk.devices.*.in_flight", METRIC_SERIES },
        { "disk.devices.*.await_limit_ms", METRIC_GAUGE },
        { "disk.devices.*.r_await_busy_ms", METRIC_SERIES },
        { "disk.devices.*.w_await_busy_ms", METRIC_SERIES },
        { "disk.devices.*.r_await_busy_over_limit", METRIC_GAUGE },
        { "disk.devices.*.w_await_busy_over_limit", METRIC_GAUGE },
        { "disk.devices.*.schedulers_available", METRIC_TREE },
        { "disk.devices.*.scheduler", METRIC_FACT },
        { "disk.devices.*.rotational", METRIC_FACT },
        { "disk.devices.*.virtual", METRIC_FACT },
        { "disk.devices.*.type", METRIC_FACT },
        { "disk.devices.*.nr_requests", METRIC_FACT },
        { "disk.devices.*.read_ahead_kb", METRIC_FACT },
        { "disk.devices.*.size_bytes", METRIC_FACT },
};

const Collector collector_disk = {
        .name = "disk",
        .state_size = sizeof(DiskState),
        .open = disk_open,
        .sample = disk_sample,
        .interval = disk_interval,
        .report = disk_report,
        .close = disk_close,
        .metrics = disk_metrics,
        .n_metrics = ELEMENTSOF(disk_metrics),
};

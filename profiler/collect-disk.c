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
#include "diskstats.h"
#include "macro.h"
#include "safe-text.h"
#include "series.h"
#include "source-error.h"

/* An await is only judged over intervals with at least this many completed I/Os of that direction:
 * one slow request in an idle second is not a latency problem. */
#define AWAIT_MIN_IOS 10

typedef struct DiskState {
        const Sysroot *root;
        KeptFile file;
        int open_error, sysblock_error;
        unsigned bad;
        CounterSet devs;         /* whole devices (sys/block entries), _DISK_MAX counters each */
        size_t last_lines;       /* lines in the previous sample; a change means a device came or went */
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
        counter_set_init(&st->devs, _DISK_MAX);
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

static int disk_sample(void *state, uint64_t now, bool full) {
        DiskState *st = state;
        if (!kept_file_is_open(&st->file))
                return 0;
        const char *text;
        size_t len;
        int r = kept_file_read(&st->file, &text, &len);
        if (r < 0) {
                st->bad++;
                return counter_set_end_sample(&st->devs);
        }
        /* A device that appears during the window: look names up in sys/block only when the set of
         * lines changed, so that partitions do not cost a lookup on every sample. */
        size_t lines = count_lines(text, len);
        bool changed = lines != st->last_lines;
        st->last_lines = lines;
        Scan s = scan_init(text, len);
        DiskStatLine l;
        bool bad = false;
        while ((r = diskstats_next(&s, &l)) != 0) {
                if (r < 0) {
                        bad = true;
                        continue;
                }
                if (scan_len(l.name) >= COUNTER_NAME_MAX)
                        continue;
                /* sysfs spells a '/' in a device name as '!' (cciss/c0d0 is sys/block/cciss!c0d0). */
                char name[COUNTER_NAME_MAX];
                size_t nlen = scan_len(l.name);
                const char *key = l.name.p;
                if (memchr(l.name.p, '/', nlen)) {
                        for (size_t i = 0; i < nlen; i++)
                                name[i] = l.name.p[i] == '/' ? '!' : l.name.p[i];
                        key = name;
                }
                CounterObject *o = counter_set_find(&st->devs, key, nlen);
                if (!o && changed && st->sysblock_error >= 0) {
                        char path[COUNTER_NAME_MAX + 16];
                        snprintf(path, sizeof(path), "sys/block/%.*s", (int) nlen, key);
                        if (sysroot_exists(st->root, path)) {
                                r = counter_set_add(&st->devs, key, nlen, &o);
                                if (r < 0)
                                        return r;
                        }
                }
                if (o) {
                        r = counter_set_put(&st->devs, o, now, l.v);
                        if (r < 0)
                                return r;
                }
        }
        st->bad += bad;
        return counter_set_end_sample(&st->devs);
}

typedef enum DiskType { DISK_NVME, DISK_SSD, DISK_HDD, DISK_VIRTUAL } DiskType;
static const char *const disk_type_names[] = { "nvme", "ssd", "hdd", "virtual" };
/* Latency above which an await is a problem, by type (ms): a disk seek is ~10 ms, flash well under 1 ms;
 * for virtual disks the backing store is unknown. */
static const double await_limit_ms[] = { [DISK_NVME] = 10, [DISK_SSD] = 20, [DISK_HDD] = 100, [DISK_VIRTUAL] = 50 };

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

/* A loop device with nothing attached and no I/O is noise (distributions create eight of them). */
static bool idle_loop(const Sysroot *root, const CounterObject *o) {
        if (strncmp(o->name, "loop", 4) != 0)
                return false;
        char path[COUNTER_NAME_MAX + 32];
        snprintf(path, sizeof(path), "sys/block/%s/loop/backing_file", o->name);
        if (sysroot_exists(root, path))
                return false;
        for (size_t i = 0; i < o->t.n; i++) {
                const uint64_t *p = counter_table_row(&o->t, i);
                if (p && (p[DISK_READS] || p[DISK_WRITES]))
                        return false;
        }
        return true;
}

/* Per-interval await of one direction (Δms / Δios), over intervals with I/O, and each interval's Δios
 * in out_ios (the weight that makes their average Σ ms / Σ ios); *ret_busy counts those with at least
 * AWAIT_MIN_IOS completions and their awaits go to busy[]. */
static size_t awaits(const CounterTable *t, size_t ios, size_t ms, double *out, double *out_ios, double *busy,
                     size_t *ret_busy) {
        size_t k = 0, kb = 0;
        for (size_t i = 1; i < t->n; i++) {
                uint64_t dios, dms;
                if (!counter_table_delta(t, i, ios, &dios, NULL) || !counter_table_delta(t, i, ms, &dms, NULL) ||
                    dios == 0)
                        continue;
                out[k] = (double) dms / (double) dios;
                out_ios[k] = (double) dios;
                if (dios >= AWAIT_MIN_IOS)
                        busy[kb++] = out[k];
                k++;
        }
        *ret_busy = kb;
        return k;
}

/* Evidence for the await findings (rules/findings.conf, disk-await-*): the awaits of the busy
 * intervals only (a few slow I/Os of an idle disk say nothing), how many reached the limit of the
 * disk's type, and that limit; nothing without a busy interval. */
static int await_evidence(Report *rep, const char *obj, const char *name, double limit, const double *busy,
                          size_t kb) {
        size_t over = 0;
        for (size_t i = 0; i < kb; i++)
                over += busy[i] >= limit;
        char series[48], count[48];
        snprintf(series, sizeof(series), "%s_busy_ms", name);
        snprintf(count, sizeof(count), "%s_busy_over_limit", name);
        if (kb == 0)
                return 0;
        int r = report_series(rep, "disk", obj, series, "ms", busy, kb);
        r = r ?: report_gauge(rep, "disk", obj, count, "count", (double) over);
        return r ?: report_gauge(rep, "disk", obj, "await_limit_ms", "ms", limit);
}

static int report_device(const Sysroot *root, Report *rep, const CounterObject *o, double *buf, size_t m) {
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
        char obj[COUNTER_NAME_MAX + 16];
        snprintf(obj, sizeof(obj), "devices/%s", o->name);
        size_t k[ELEMENTSOF(rates)];
        int r = 0;
        for (size_t j = 0; j < ELEMENTSOF(rates); j++) {
                double *v = buf + j * m, *w = buf + (11 + j) * m;
                k[j] = counter_table_rates(&o->t, (size_t) rates[j].col, rates[j].mult, v, w);
                if (rates[j].col == DISK_IO_MS)
                        for (size_t i = 0; i < k[j]; i++)
                                v[i] = MIN(v[i], 100.0);     /* io_ticks can run a tick ahead of the clock */
                r = r ?: report_series_weighted(rep, "disk", obj, rates[j].name, rates[j].unit, v, w, k[j]);
        }
        double *rw = buf + 6 * m, *ww = buf + 7 * m, *rbusy = buf + 8 * m, *wbusy = buf + 9 * m, *fl = buf + 10 * m;
        size_t krb, kwb;
        double *rios = buf + 17 * m, *wios = buf + 18 * m;
        size_t kr = awaits(&o->t, DISK_READS, DISK_READ_MS, rw, rios, rbusy, &krb);
        size_t kw = awaits(&o->t, DISK_WRITES, DISK_WRITE_MS, ww, wios, wbusy, &kwb);
        size_t kf = counter_table_gauges(&o->t, DISK_IN_FLIGHT, 1.0, fl);
        r = r ?: report_ratio_series(rep, "disk", obj, "r_await_ms", "ms", rw, rios, kr);
        r = r ?: report_ratio_series(rep, "disk", obj, "w_await_ms", "ms", ww, wios, kw);
        r = r ?: report_series(rep, "disk", obj, "in_flight", "tasks", fl, kf);
        DiskType type;
        r = r ?: report_facts(root, rep, o->name, obj, &type);
        r = r ?: await_evidence(rep, obj, "r_await", await_limit_ms[type], rbusy, krb);
        return r ?: await_evidence(rep, obj, "w_await", await_limit_ms[type], wbusy, kwb);
}

static int disk_report(void *state, const Sysroot *root, Report *rep) {
        DiskState *st = state;
        if (st->open_error < 0)
                return report_unavailable(rep, "disk", "diskstats", "cannot open /proc/diskstats: %s%s",
                                          strerror(-st->open_error), source_error_hint(st->open_error));
        int r = 0;
        if (st->sysblock_error < 0)
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
        size_t m = MAX(st->devs.samples, (size_t) 1);
        _cleanup_free_ double *buf = calloc(19 * m, sizeof(double));   /* 11 series, 6 interval lengths, 2 I/O counts */
        if (!buf)
                return -ENOMEM;
        for (size_t i = 0; r >= 0 && i < st->devs.n; i++) {
                const CounterObject *o = &st->devs.obj[i];
                if (!idle_loop(root, o))
                        r = report_device(root, rep, o, buf, m);
        }
        return r;
}

static void disk_close(void *state) {
        DiskState *st = state;
        kept_file_close(&st->file);
        counter_set_free(&st->devs);
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
        .report = disk_report,
        .close = disk_close,
        .metrics = disk_metrics,
        .n_metrics = ELEMENTSOF(disk_metrics),
};

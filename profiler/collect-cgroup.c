/* SPDX-License-Identifier: MIT */
/* CPU quota throttling of the top-level cgroups (cgroup v2 cpu.stat): the share of enforcement
 * periods in which a cgroup ran out of quota, and the time it spent throttled. cgroup2 is found
 * through /proc/self/mountinfo. Only cgroups with a quota (cpu.max not "max") are watched, since
 * nr_periods does not advance without one; at most CGROUP_MAX of them, so a sample stays cheap. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-cpu-stat.h"
#include "cgroup-root.h"
#include "collector.h"
#include "dirlist.h"
#include "macro.h"
#include "safe-text.h"
#include "series.h"
#include "source-error.h"

#define CGROUP_MAX 64
#define CGROUP_NAME_MAX 200

typedef struct CgPoint {
        uint64_t at, nr_periods, nr_throttled, throttled_usec;
} CgPoint;

typedef struct Cgroup {
        char *name;              /* leaf name: "user.slice", "nginx.service" */
        KeptFile file;
        unsigned bad;
        CgPoint p[2];            /* streaming: the last two readings, p[n % 2] the older */
        size_t n;
        bool fresh;              /* read at this sample: its interval is due */
        bool periods;            /* a period went by in some interval: a quota was enforced */
        size_t idle_intervals;   /* throttled_ms_per_s values (0) of the intervals before that */
        char obj[CGROUP_NAME_MAX + 16];  /* "cgroups/NAME", its series' object */
} Cgroup;

typedef struct CgroupState {
        char unavailable[768];   /* why nothing is watched (no cgroup2, no cpu controller); "" if watching */
        char *root;              /* cgroup2 mount point, relative to the sysroot */
        Cgroup cg[CGROUP_MAX];
        size_t ncg;
        size_t skipped;          /* cgroups with a quota beyond CGROUP_MAX */
} CgroupState;

static bool is_cgroup_dir_name(const char *name) {
        /* Interface files have a controller prefix and a dot, but so do slices and services: only
         * directories are cgroups (dir_list_dirs), checked by opening <name>/cpu.stat below. */
        return name[0] != '.';
}

/* True when the cgroup at rel has a CPU quota. Without cpu.max (cpu controller not enabled for it)
 * there is nothing to throttle. */
static bool has_quota(const Sysroot *root, const char *rel) {
        char path[PATH_MAX];
        _cleanup_free_ char *max = NULL;
        if ((size_t) snprintf(path, sizeof(path), "%s/cpu.max", rel) >= sizeof(path))
                return false;
        if (sysroot_read_line(root, path, &max) < 0)
                return false;
        return strncmp(max, "max", 3) != 0;
}

static int watch(CgroupState *st, const Sysroot *root, const char *dir, const char *name) {
        char rel[PATH_MAX], stat[PATH_MAX];
        if ((size_t) snprintf(rel, sizeof(rel), "%s/%s", dir, name) >= sizeof(rel) ||
            (size_t) snprintf(stat, sizeof(stat), "%s/cpu.stat", rel) >= sizeof(stat))
                return 0;
        if (!has_quota(root, rel))
                return 0;
        if (st->ncg >= CGROUP_MAX) {
                st->skipped++;
                return 0;
        }
        Cgroup *c = &st->cg[st->ncg];
        c->file = KEPT_FILE_INIT;
        int r = kept_file_open(&c->file, root, stat);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0;
        /* Escaped (safe-text.h): the name goes into metric paths and the finding, which must be
         * UTF-8; one too long for the report's object paths is left out. */
        c->name = text_escape(name);
        if (!c->name || strlen(c->name) > CGROUP_NAME_MAX) {
                kept_file_close(&c->file);
                r = c->name ? 0 : -ENOMEM;
                free(c->name);
                c->name = NULL;
                return r;
        }
        st->ncg++;
        return 0;
}

static const Cgroup2Need cpu_need = {
        .controller = "cpu",
        .source = "CPU throttling is read from cgroup v2 cpu.stat",
        .lost = "CPU throttling of services",
};

static int cgroup_open(void *state, const Sysroot *root) {
        CgroupState *st = state;
        int r = cgroup2_root_find(root, &cpu_need, &st->root, st->unavailable, sizeof(st->unavailable));
        if (r <= 0)
                return r;
        char rel[PATH_MAX];
        NameList top = {};
        r = dir_list_dirs(root, st->root, is_cgroup_dir_name, &top);
        if (r == -ENOMEM)
                return r;
        for (size_t i = 0; r >= 0 && i < top.n; i++)
                r = watch(st, root, st->root, top.v[i]);
        name_list_free(&top);
        if (r < 0)
                return r;
        NameList sys = {};
        snprintf(rel, sizeof(rel), "%s/system.slice", st->root);
        if (dir_list_dirs(root, rel, is_cgroup_dir_name, &sys) == -ENOMEM)
                return -ENOMEM;
        for (size_t i = 0; r >= 0 && i < sys.n; i++)
                r = watch(st, root, rel, sys.v[i]);
        name_list_free(&sys);
        return r;
}

static int cgroup_sample(void *state, uint64_t now, SampleKind kind) {
        CgroupState *st = state;
        for (size_t i = 0; i < st->ncg; i++) {
                Cgroup *c = &st->cg[i];
                c->fresh = false;
                const char *text;
                size_t len;
                CgroupCpuStat cs;
                int r = kept_file_read(&c->file, &text, &len);
                if (r >= 0)
                        r = cgroup_cpu_stat_parse(text, len, &cs);
                if (r < 0 || !cs.has_bandwidth) {
                        c->bad++;      /* a removed cgroup reads ENODEV */
                        continue;
                }
                c->p[c->n++ % 2] = (CgPoint) { now, cs.nr_periods, cs.nr_throttled, cs.throttled_usec };
                c->fresh = true;
        }
        return 0;
}

static int emit(const MetricSink *sink, const char *obj, const char *name, const char *unit, double v) {
        MetricPoint p = { .resource = "cpu", .object = obj, .name = name, .unit = unit, .kind = METRIC_WEIGHT_EQUAL,
                          .value = v, .weight = 1 };
        return metric_emit(sink, &p);
}

/* The throttling of the interval that ended at this sample. Until a period goes by no quota was
 * enforced and there is nothing to say: the intervals before are counted (throttled time only
 * accrues in periods, so they are 0 ms/s) and emitted with the first one that has periods. */
static int emit_one(Cgroup *c, const MetricSink *sink) {
        const CgPoint *a = &c->p[c->n % 2], *b = &c->p[(c->n - 1) % 2];
        uint64_t dp, dthr, dus;
        if (!c->fresh || c->n < 2 || b->at <= a->at)
                return 0;
        if (!c->obj[0])
                snprintf(c->obj, sizeof(c->obj), "cgroups/%s", c->name);
        int r = 0;
        if (counter_delta(a->nr_periods, b->nr_periods, &dp) && dp > 0 &&
            counter_delta(a->nr_throttled, b->nr_throttled, &dthr)) {
                r = emit(sink, c->obj, "throttled_pct", "percent", dthr > dp ? 100.0 : (double) dthr / (double) dp * 100.0);
                for (; r >= 0 && !c->periods && c->idle_intervals > 0; c->idle_intervals--)
                        r = emit(sink, c->obj, "throttled_ms_per_s", "ms/s", 0);
                c->periods = true;
        }
        if (r < 0 || !counter_delta(a->throttled_usec, b->throttled_usec, &dus))
                return r;
        double ms = (double) dus / 1000.0 / ((double) (b->at - a->at) / 1e6);
        if (!c->periods && ms == 0)
                c->idle_intervals++;
        else
                r = emit(sink, c->obj, "throttled_ms_per_s", "ms/s", ms);
        return r;
}

static int cgroup_interval(void *state, const MetricSink *sink) {
        CgroupState *st = state;
        for (size_t i = 0; i < st->ncg; i++) {
                int r = emit_one(&st->cg[i], sink);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int cgroup_report(void *state, const Sysroot *root, Report *rep) {
        CgroupState *st = state;
        if (st->unavailable[0])
                return report_unavailable(rep, "cpu", "cgroups", "%s", st->unavailable);
        int r = 0;
        if (st->skipped > 0)
                r = report_unavailable(rep, "cpu", "cgroups", "%zu more cgroups with a CPU quota under /%s are not watched "
                                       "(at most %d are, to keep sampling cheap)", st->skipped, st->root, CGROUP_MAX);
        return r;       /* the series come from the stream (cgroup_interval) */
}

static void cgroup_close(void *state) {
        CgroupState *st = state;
        for (size_t i = 0; i < st->ncg; i++) {
                kept_file_close(&st->cg[i].file);
                free(st->cg[i].name);
        }
        free(st->root);
}

static const MetricSpec cgroup_metrics[] = {
        { "cpu.cgroups.*.throttled_pct", METRIC_SERIES },
        { "cpu.cgroups.*.throttled_ms_per_s", METRIC_SERIES },
};

const Collector collector_cgroup = {
        .name = "cgroup",
        .state_size = sizeof(CgroupState),
        .open = cgroup_open,
        .sample = cgroup_sample,
        .interval = cgroup_interval,
        .report = cgroup_report,
        .close = cgroup_close,
        .metrics = cgroup_metrics,
        .n_metrics = ELEMENTSOF(cgroup_metrics),
};

/* SPDX-License-Identifier: MIT */
/* Memory reclaim and limit hits per cgroup (cgroup v2 memory.stat, memory.events, memory.current,
 * memory.max, memory.high; the v1 memory controller's files on hybrid hosts, see
 * cgroup-memory-versions.h): reclaim forced by a cgroup's own limit never shows in the host's
 * /proc/vmstat pgscan_kswapd/pgscan_direct, so a service that thrashes its page cache under a
 * 256 MiB memory.max looks idle there. Watched: the busiest few cgroups at the start of the window
 * (cgroup-memory-pick.h) and the cgroup of every --target. memory.stat costs the kernel a stats
 * flush, so it and the event counters are read at full samples only; their rates are total delta
 * over total time, which needs no more. memory.current is read at every sample. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup-memory-pick.h"
#include "cgroup-memory-stat.h"
#include "cgroup-memory-versions.h"
#include "cgroup-root.h"
#include "collector.h"
#include "macro.h"
#include "safe-text.h"
#include "series.h"
#include "source-error.h"

#define CGMEM_BUSIEST 8          /* busiest cgroups watched */
#define CGMEM_MAX 24             /* with the targets' */
#define CGMEM_MISSING_MAX 512
#define CGMEM_NAME_MAX 200       /* the report's object paths hold 255 bytes, "cgroups/" included */

typedef struct CgMemPoint {
        uint64_t at;
        CgroupMemStat s;
        CgroupMemEvents e;
        uint64_t max, high;
} CgMemPoint;

typedef struct CgMem {
        char *path;              /* relative to the cgroup mount */
        char *name;              /* its leaf, escaped (safe-text.h): the object name in the profile;
                                  * its path with ':' for '/' when two leaves clash */
        char *target;            /* the --target that named it, NULL for a busiest pick */
        KeptFile f[_F_COUNT];
        /* Streaming: the latest full reading, and the window's deltas summed as they come (totals()). */
        CgMemPoint last;
        size_t n;                /* full readings */
        uint64_t first_full_at, sum[_C_COUNT], usec;
        uint64_t current;        /* bytes, read at this sample when fresh */
        bool fresh;
        char obj[CGMEM_NAME_MAX + 16];  /* "cgroups/NAME", its series' object */
        uint64_t gone_at;        /* first sample it could not be read at (removed), 0 while present */
        unsigned bad;            /* samples with unparsable content */
} CgMem;

typedef struct CgMemState {
        char unavailable[768];
        const Sysroot *sysroot;
        char *root;              /* the cgroup mount point, relative to the sysroot */
        const CgMemVersion *ver;
        CgMem cg[CGMEM_MAX];
        size_t ncg, skipped;
        unsigned long_names;     /* cgroups left out for a name longer than CGMEM_NAME_MAX */
        char missing[CGMEM_MISSING_MAX];  /* --targets without a cgroup */
        uint64_t first_at;
} CgMemState;

static CgMem *find(CgMemState *st, const char *path) {
        for (size_t i = 0; i < st->ncg; i++)
                if (strcmp(st->cg[i].path, path) == 0)
                        return &st->cg[i];
        return NULL;
}

static void cgmem_free(CgMem *c) {
        for (size_t k = 0; k < _F_COUNT; k++)
                kept_file_close(&c->f[k]);
        free(c->path);
        free(c->name);
        free(c->target);
        *c = (CgMem) {};
}

/* The escaped path relative to the cgroup root, '/' written ':' (a '/' would split the report's
 * object path): the name of cgroups whose leaves clash. */
static int name_by_path(CgMem *c, bool keep_if_long) {
        char *n = text_escape(c->path);
        if (!n)
                return -ENOMEM;
        for (char *p = n; *p; p++)
                if (*p == '/')
                        *p = ':';
        if (keep_if_long && strlen(n) > CGMEM_NAME_MAX) {
                free(n);
                return 0;
        }
        free(c->name);
        c->name = n;
        return 0;
}

/* Leaves are not unique (batch.slice/reader.service, user.slice/reader.service): both of two that
 * clash are named by their path, so that neither overwrites the other in the profile. The one
 * watched already keeps its leaf if its path is too long; the new one is then left out as such. */
static int unique_name(CgMemState *st, CgMem *c) {
        for (CgMem *o = st->cg; o < c; o++)
                if (strcmp(o->name, c->name) == 0) {
                        int r = name_by_path(o, true);
                        return r < 0 ? r : name_by_path(c, false);
                }
        return 0;
}

/* Watch the cgroup at path (taken); 0 without watching when it has no memory.stat (no memory
 * controller there) or a name too long for a metric path. Counted from the start, so that close
 * frees what an -ENOMEM leaves. */
static int watch(CgMemState *st, const Sysroot *root, char *path, const char *target) {
        CgMem *c = &st->cg[st->ncg++];
        const char *slash = strrchr(path, '/');
        *c = (CgMem) { .path = path, .name = text_escape(slash ? slash + 1 : path) };
        for (size_t k = 0; k < _F_COUNT; k++)
                c->f[k] = KEPT_FILE_INIT;
        if (!c->name || (target && !(c->target = strdup(target))) || unique_name(st, c) < 0)
                return -ENOMEM;
        for (size_t k = 0; k < _F_COUNT; k++) {
                char rel[PATH_MAX];
                if (!st->ver->file[k] ||
                    (size_t) snprintf(rel, sizeof(rel), "%s/%s/%s", st->root, path, st->ver->file[k]) >= sizeof(rel))
                        continue;
                int r = kept_file_open(&c->f[k], root, rel);
                if (r == -ENOMEM)
                        return r;
        }
        bool too_long = strlen(c->name) > CGMEM_NAME_MAX;
        if (too_long || !kept_file_is_open(&c->f[F_STAT]) || !kept_file_is_open(&c->f[F_EVENTS])) {
                st->long_names += too_long;
                cgmem_free(c);
                st->ncg--;
        }
        return 0;
}

static const Cgroup2Need memory_need = {
        .controller = "memory",
        .source = "reclaim per cgroup is read from cgroup v2 memory.stat",
        .lost = "reclaim per cgroup",
};

static int cgmem_open(void *state, const Sysroot *root) {
        CgMemState *st = state;
        st->sysroot = root;
        st->ver = &cgmem_v2;
        int r = cgroup2_root_find(root, &memory_need, &st->root, st->unavailable, sizeof(st->unavailable));
        if (r == 0) {
                /* A hybrid or legacy host: the memory controller on its v1 hierarchy. */
                st->ver = &cgmem_v1;
                r = cgroup_v1_root_find(root, "memory", &st->root);
                if (r > 0)
                        st->unavailable[0] = '\0';
        }
        if (r <= 0)
                return r;
        _cleanup_(cgroup_memory_candidates_free) CgMemCandidates c = {};
        r = cgroup_memory_candidates(root, st->root, &st->ver->files, &c);
        for (size_t i = 0; r >= 0 && i < c.n; i++) {
                if (st->ncg >= CGMEM_BUSIEST) {
                        st->skipped = c.n - i;
                        break;
                }
                r = watch(st, root, TAKE_PTR(c.v[i].path), NULL);
        }
        return r;
}

static void note_missing(CgMemState *st, const char *name, const char *why) {
        size_t n = strlen(st->missing);
        snprintf(st->missing + n, sizeof(st->missing) - n, "%s%s (%s)", n ? "; " : "", name, why);
}

static int cgmem_target(void *state, const Sysroot *root, const char *name) {
        CgMemState *st = state;
        char *path = NULL;
        if (!st->root)
                return 0;
        int r = cgroup_memory_resolve(root, st->root, &st->ver->files, name, &path);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                note_missing(st, name, "no cgroup, unit or running process of that name");
                return 0;
        }
        CgMem *c = find(st, path);
        if (c) {
                free(path);
                if (!c->target && !(c->target = strdup(name)))
                        return -ENOMEM;
                return 0;
        }
        if (st->ncg >= CGMEM_MAX) {
                free(path);
                note_missing(st, name, "too many cgroups watched already");
                return 0;
        }
        size_t before = st->ncg;
        r = watch(st, root, path, name);
        if (r >= 0 && st->ncg == before)
                note_missing(st, name, "its cgroup has no memory controller, or a name over 200 bytes");
        return r;
}

/* 0, or negative errno: -ENODEV from a removed cgroup's kept file, -EBADMSG for unparsable text. */
static int read_value_errno(KeptFile *f, uint64_t *ret) {
        const char *text;
        size_t len;
        if (!kept_file_is_open(f))
                return -EBADF;
        int r = kept_file_read(f, &text, &len);
        return r < 0 ? r : cgroup_mem_value_parse(text, len, ret) < 0 ? -EBADMSG : 0;
}

static bool read_value(KeptFile *f, uint64_t *ret) {
        return read_value_errno(f, ret) >= 0;
}

static void counters(const CgMemPoint *p, uint64_t v[_C_COUNT]) {
        const uint64_t c[_C_COUNT] = {
                [C_SCAN] = p->s.pgscan,        [C_STEAL] = p->s.pgsteal,          [C_KSWAPD] = p->s.pgscan_kswapd,
                [C_DIRECT] = p->s.pgscan_direct, [C_PGOUT] = p->s.pgpgout,         [C_REF_ANON] = p->s.refault_anon,
                [C_REF_FILE] = p->s.refault_file, [C_LOW] = p->e.low,              [C_HIGH] = p->e.high,
                [C_MAX] = p->e.max,            [C_OOM] = p->e.oom,                [C_OOM_KILL] = p->e.oom_kill,
        };
        memcpy(v, c, sizeof(c));
}

/* Adds the deltas of the interval a..b to the window's sums when every counter moved forward (a
 * cgroup removed and made again under the same name restarts from 0: that interval is left out,
 * its time too). */
static void add_interval(CgMem *c, const CgMemPoint *pa, const CgMemPoint *pb) {
        uint64_t a[_C_COUNT], b[_C_COUNT], d[_C_COUNT];
        bool ok = pb->at > pa->at;
        counters(pa, a);
        counters(pb, b);
        for (size_t k = 0; ok && k < _C_COUNT; k++)
                ok = counter_delta(a[k], b[k], &d[k]);
        if (!ok)
                return;
        for (size_t k = 0; k < _C_COUNT; k++)
                c->sum[k] += d[k];
        c->usec += pb->at - pa->at;
}

static int sample_full(CgMem *c, const CgMemVersion *ver, uint64_t now) {
        const char *text;
        size_t len;
        CgMemPoint pt = { .at = now, .max = CGROUP_MEM_UNLIMITED, .high = CGROUP_MEM_UNLIMITED };
        if (kept_file_read(&c->f[F_STAT], &text, &len) < 0)
                return -ENODEV;
        if (ver->parse_stat(text, len, &pt.s) < 0)
                return -EBADMSG;
        if (kept_file_read(&c->f[F_EVENTS], &text, &len) < 0)
                return -ENODEV;
        if (ver->parse_events(text, len, &pt.e) < 0)
                return -EBADMSG;
        (void) read_value(&c->f[F_MAX], &pt.max);
        (void) read_value(&c->f[F_HIGH], &pt.high);
        if (kept_file_is_open(&c->f[F_FAILCNT]) && !read_value(&c->f[F_FAILCNT], &pt.e.max))
                return -EBADMSG;   /* v1: each time a charge hit the limit, what v2 counts as "max" */
        if (c->n == 0)
                c->first_full_at = now;
        else
                add_interval(c, &c->last, &pt);
        c->last = pt;
        c->n++;
        return 0;
}

/* A removed cgroup's kept files read ENODEV (cgmem_sample); the link count of its kept memory.stat
 * catches a removal however the files behave (a fixture tree's unlinked files still read). fstat,
 * not a path lookup: that cost 3 us a cgroup at every full sample. */
static bool still_there(const CgMem *c) {
        struct stat sb;
        return fstat(c->f[F_STAT].fd, &sb) == 0 && sb.st_nlink > 0;
}

static int cgmem_sample(void *state, uint64_t now, SampleKind kind) {
        CgMemState *st = state;
        bool full = kind != SAMPLE_QUICK;
        if (!st->first_at)
                st->first_at = now;
        for (size_t i = 0; i < st->ncg; i++) {
                CgMem *c = &st->cg[i];
                c->fresh = false;
                if (c->gone_at)
                        continue;
                uint64_t cur;
                int r = full ? (still_there(c) ? sample_full(c, st->ver, now) : -ENODEV) : 0;
                if (r == -ENOMEM)
                        return r;
                if (r == -ENODEV) {
                        c->gone_at = now;   /* a removed cgroup's files read ENODEV: not an error */
                        continue;
                }
                if (r < 0)
                        c->bad++;
                r = read_value_errno(&c->f[F_CURRENT], &cur);
                if (r < 0) {
                        if (!full && (r == -ENODEV || !still_there(c)))
                                c->gone_at = now;
                        continue;
                }
                c->current = cur;
                c->fresh = true;
        }
        return 0;
}

/* memory.current of every cgroup read at this sample; the rates are window totals (cgmem_report). */
static int cgmem_interval(void *state, const MetricSink *sink) {
        CgMemState *st = state;
        for (size_t i = 0; i < st->ncg; i++) {
                CgMem *c = &st->cg[i];
                if (!c->fresh)
                        continue;
                if (!c->obj[0])
                        snprintf(c->obj, sizeof(c->obj), "cgroups/%s", c->name);
                MetricPoint p = { .resource = "memory", .object = c->obj, .name = "current_bytes", .unit = "bytes",
                                  .kind = METRIC_WEIGHT_EQUAL, .value = (double) c->current, .weight = 1 };
                int r = metric_emit(sink, &p);
                if (r < 0)
                        return r;
        }
        return 0;
}


static const struct {
        unsigned counter;
        const char *name, *unit;
} rate_metrics[] = {
        { C_SCAN, "reclaim_scan_per_s", "pages/s" },     { C_STEAL, "reclaim_steal_per_s", "pages/s" },
        { C_KSWAPD, "scan_kswapd_per_s", "pages/s" },    { C_DIRECT, "scan_direct_per_s", "pages/s" },
        { C_PGOUT, "uncharge_events_per_s", "1/s" },
        { C_REF_ANON, "refault_anon_per_s", "pages/s" }, { C_REF_FILE, "refault_file_per_s", "pages/s" },
        { C_LOW, "low_events_per_s", "1/s" },            { C_HIGH, "high_events_per_s", "1/s" },
        { C_MAX, "max_events_per_s", "1/s" },
};

static int report_limits(const CgMem *c, const CgMemVersion *ver, Report *rep, const char *obj) {
        const CgMemPoint *last = &c->last;
        uint64_t limit = MIN(last->max, last->high);
        SeriesSummary cur = {};
        bool have_cur = report_series_summary(rep, "memory", obj, "current_bytes", &cur) >= 0 && cur.n > 0;
        int r = 0;
        if (last->max != CGROUP_MEM_UNLIMITED)
                r = report_gauge(rep, "memory", obj, "max_bytes", "bytes", (double) last->max);
        if (r >= 0 && last->high != CGROUP_MEM_UNLIMITED)
                r = report_gauge(rep, "memory", obj, "high_bytes", "bytes", (double) last->high);
        /* The limit its reclaim runs against, and the file that sets it: evidence of the findings. */
        if (r >= 0 && limit != CGROUP_MEM_UNLIMITED) {
                r = report_gauge(rep, "memory", obj, "limit_bytes", "bytes", (double) limit);
                r = r ?: report_fact(rep, "memory", obj, "limit_file",
                                     json_string(last->high < last->max ? ver->high_knob : ver->max_knob));
        }
        if (limit != CGROUP_MEM_UNLIMITED && limit > 0 && have_cur)
                r = r ?: report_gauge(rep, "memory", obj, "peak_pct_of_limit", "percent", cur.max / (double) limit * 100.0);
        return r;
}

static int report_one(const CgMem *c, const CgMemVersion *ver, Report *rep, uint64_t first_at) {
        char obj[PATH_MAX + 16];
        snprintf(obj, sizeof(obj), "cgroups/%s", c->name);
        int r = report_fact(rep, "memory", obj, "path", json_text(c->path));
        if (r >= 0 && c->target)
                r = report_fact(rep, "memory", obj, "target", json_text(c->target));
        char key[PATH_MAX + 16];
        snprintf(key, sizeof(key), "cgroups.%s", c->name);
        if (r >= 0 && c->gone_at && c->n >= 2)
                r = report_unavailable(rep, "memory", key, "cgroup %s was gone %.1f s into the window (removed): its "
                                       "rates cover the %.1f s to its last full reading", c->path,
                                       (double) (c->gone_at - first_at) / 1e6, (double) (c->last.at - c->first_full_at) / 1e6);
        else if (r >= 0 && c->gone_at)
                r = report_unavailable(rep, "memory", key, "cgroup %s was gone %.1f s into the window (removed), before "
                                       "a second full reading of its counters: no rates", c->path,
                                       (double) (c->gone_at - first_at) / 1e6);
        if (r >= 0 && c->bad)
                r = report_unavailable(rep, "memory", key, "%s/memory.stat, %s or %s could not be parsed in %u "
                                       "sample(s)", c->path, ver->file[F_EVENTS], ver->file[F_FAILCNT] ?: "memory.max",
                                       c->bad);
        if (r < 0 || c->n == 0)
                return r;
        r = report_limits(c, ver, rep, obj);
        const uint64_t *sum = c->sum;
        double secs = (double) c->usec / 1e6;
        if (r < 0 || secs <= 0)
                return r;
        r = report_gauge(rep, "memory", obj, "window_s", "s", secs);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(rate_metrics); i++)
                if (ver->counters & C_BIT(rate_metrics[i].counter))
                        r = report_gauge(rep, "memory", obj, rate_metrics[i].name, rate_metrics[i].unit,
                                         (double) sum[rate_metrics[i].counter] / secs);
        if (r >= 0 && (ver->counters & C_BIT(C_OOM)))
                r = report_gauge(rep, "memory", obj, "oom_events", "count", (double) sum[C_OOM]);
        /* The OOM kills and the reclaim under its limit are findings of rules/findings.conf. */
        return r ?: report_gauge(rep, "memory", obj, "oom_kills", "count", (double) sum[C_OOM_KILL]);
}

static int cgmem_report(void *state, const Sysroot *root, Report *rep) {
        CgMemState *st = state;
        if (st->unavailable[0])
                return report_unavailable(rep, "memory", "cgroups", "%s, and no cgroup v1 hierarchy has the memory "
                                          "controller either", st->unavailable);
        int r = report_fact(rep, "memory", NULL, "cgroups_version", json_string(st->ver->name));
        r = r ?: report_fact(rep, "memory", NULL, "cgroups_events_file", json_string(st->ver->file[F_EVENTS]));
        r = r ?: report_fact(rep, "memory", NULL, "page_size", json_integer((json_int_t) sysconf(_SC_PAGESIZE)));
        /* memory.current of each cgroup comes from the stream (cgmem_interval), first in its object. */
        r = r ?: report_stream_series(rep);
        if (r >= 0 && st->skipped > 0)
                r = report_unavailable(rep, "memory", "cgroups_not_watched", "%zu more cgroups with the memory controller "
                                       "under /%s are not watched (the %d busiest are; name others with --target)",
                                       st->skipped, st->root, CGMEM_BUSIEST);
        if (r >= 0 && st->long_names > 0)
                r = report_unavailable(rep, "memory", "cgroups_long_names", "%u cgroups under /%s have names longer "
                                       "than %d bytes and are not watched", st->long_names, st->root, CGMEM_NAME_MAX);
        if (r >= 0 && st->missing[0])
                r = report_unavailable(rep, "memory", "cgroup_targets", "no cgroup is watched for: %s", st->missing);
        for (size_t i = 0; r >= 0 && i < st->ncg; i++)
                r = report_one(&st->cg[i], st->ver, rep, st->first_at);
        return r;
}

static void cgmem_close(void *state) {
        CgMemState *st = state;
        for (size_t i = 0; i < st->ncg; i++)
                cgmem_free(&st->cg[i]);
        free(st->root);
}

static const MetricSpec cgmem_metrics[] = {
        { "memory.cgroups_version", METRIC_FACT },
        { "memory.cgroups_events_file", METRIC_FACT },
        { "memory.page_size", METRIC_FACT },
        { "memory.cgroups.*.path", METRIC_FACT },
        { "memory.cgroups.*.target", METRIC_FACT },
        { "memory.cgroups.*.current_bytes", METRIC_SERIES },
        { "memory.cgroups.*.max_bytes", METRIC_GAUGE },
        { "memory.cgroups.*.high_bytes", METRIC_GAUGE },
        { "memory.cgroups.*.limit_bytes", METRIC_GAUGE },
        { "memory.cgroups.*.limit_file", METRIC_FACT },
        { "memory.cgroups.*.peak_pct_of_limit", METRIC_GAUGE },
        { "memory.cgroups.*.window_s", METRIC_GAUGE },
        { "memory.cgroups.*.reclaim_scan_per_s", METRIC_GAUGE },
        { "memory.cgroups.*.reclaim_steal_per_s", METRIC_GAUGE },
        { "memory.cgroups.*.scan_kswapd_per_s", METRIC_GAUGE },
        { "memory.cgroups.*.scan_direct_per_s", METRIC_GAUGE },
        { "memory.cgroups.*.uncharge_events_per_s", METRIC_GAUGE },
        { "memory.cgroups.*.refault_anon_per_s", METRIC_GAUGE },
        { "memory.cgroups.*.refault_file_per_s", METRIC_GAUGE },
        { "memory.cgroups.*.low_events_per_s", METRIC_GAUGE },
        { "memory.cgroups.*.high_events_per_s", METRIC_GAUGE },
        { "memory.cgroups.*.max_events_per_s", METRIC_GAUGE },
        { "memory.cgroups.*.oom_events", METRIC_GAUGE },
        { "memory.cgroups.*.oom_kills", METRIC_GAUGE },
};

const Collector collector_cgroup_memory = {
        .name = "cgroup-memory",
        .state_size = sizeof(CgMemState),
        .open = cgmem_open,
        .target = cgmem_target,
        .sample = cgmem_sample,
        .interval = cgmem_interval,
        .report = cgmem_report,
        .close = cgmem_close,
        .metrics = cgmem_metrics,
        .n_metrics = ELEMENTSOF(cgmem_metrics),
};

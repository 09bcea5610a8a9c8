/* SPDX-License-Identifier: MIT */
/* GET /metrics (monitor-status.h): the monitor's health families, then one gauge family per series
 * of the RAM ring with its last sample. A series "disk.devices.vda.util_pct" (percent) becomes
 * skytune_disk_device_util_ratio{device="vda"}, its value in the base unit (render/prom-name.h: the same
 * conversion as the profile's textfile). No timestamps: the scraper stamps the samples. Two series
 * whose names come out alike (eth0.1 and eth0_1) would make one family of two meanings: the second
 * is left out with a comment line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector-up.h"
#include "macro.h"
#include "monitor-status.h"
#include "name-index.h"
#include "prom-name.h"

#define NAME_MAX_LEN 320

/* The names written so far (common/name-index.h), so that none is written twice. */
typedef struct NameSet {
        NameIndex index;
        char **names;
        size_t n, cap;
} NameSet;

/* A series of one object of a group (ObjectGroup): a sample of a labelled family, written with the
 * family's other objects once the ring has been walked (a family's samples come together). */
typedef struct ObjSample {
        char *family, *help, *value, *series;
        const char *label;
        bool counter;
        double v;
        size_t order;
} ObjSample;

typedef struct Text {
        FILE *f;
        NameSet names;
        CollectorNewest res[COLLECTORS_MAX];
        size_t n_res;
        ObjSample *obj;
        size_t n_obj, cap_obj;
        int error;
} Text;

/* The collectors' per-object groups, COLLECTOR.GROUP.OBJECT.STAT: the object is a label, as the
 * textfile of `skytune profile --format prometheus` (render/prometheus.c) and node_exporter have it
 * (device="vda"), and the group a word of the name: skytune_disk_device_util_ratio{device="vda"}.
 * An object's name may hold dots (eth0.1, system.slice): the statistic is the last part. */
typedef struct ObjectGroup {
        const char *group, *label, *word;
} ObjectGroup;
static const ObjectGroup object_groups[] = {
        { "per_cpu", "cpu", "per_cpu" },
        { "softnet", "cpu", "softnet_per_cpu" },
        { "cgroups", "cgroup", "cgroup" },
        { "devices", "device", "device" },
        { "interfaces", "interface", "interface" },
};

/* Series that a health family already exposes (as a counter): not repeated as a gauge. */
static const char *const covered[] = { "monitor.missed_total" };

static const char *set_key(const void *userdata, size_t i) {
        return ((const NameSet *) userdata)->names[i];
}

/* 1 when name is new (now taken), 0 when it was written before, -ENOMEM. */
static int name_claim(NameSet *set, const char *name) {
        uint64_t h = name_index_hash(name);
        if (name_index_find(&set->index, name, h, set_key, set) >= 0)
                return 0;
        if (set->n == set->cap) {
                size_t cap = set->cap ? 2 * set->cap : 64;
                char **v = realloc(set->names, cap * sizeof(char *));
                if (!v)
                        return -ENOMEM;
                set->names = v;
                set->cap = cap;
        }
        if (!(set->names[set->n] = strdup(name)))
                return -ENOMEM;
        if (name_index_add(&set->index, h, set->n) < 0) {
                free(set->names[set->n]);
                return -ENOMEM;
        }
        set->n++;
        return 1;
}

static void escaped(FILE *f, const char *s, bool quote) {
        for (; *s; s++) {
                const char *e = prom_escape(*s, quote);
                if (e)
                        fputs(e, f);
                else
                        fputc(*s, f);
        }
}

/* HELP and TYPE of a new family; false (nothing written) when the name is taken. */
static bool family(Text *t, const char *name, const char *type, const char *help) {
        int k = name_claim(&t->names, name);
        if (k <= 0) {
                t->error = t->error ?: k;
                return false;
        }
        fprintf(t->f, "# HELP %s ", name);
        escaped(t->f, help, false);
        fprintf(t->f, "\n# TYPE %s %s\n", name, type);
        return true;
}

/* One sample: label (NULL: none) = value. */
static void sample(Text *t, const char *name, const char *label, const char *value, double v) {
        char number[PROM_NUMBER_MAX];
        prom_number(v, number);
        fputs(name, t->f);
        if (label) {
                fprintf(t->f, "{%s=\"", label);
                escaped(t->f, value, true);
                fputs("\"}", t->f);
        }
        fprintf(t->f, " %s\n", number);
}

static void one(Text *t, const char *name, const char *type, const char *help, double v) {
        if (family(t, name, type, help))
                sample(t, name, NULL, NULL, v);
}

static void health(Text *t, const MonitorStatus *s) {
        if (family(t, "skytune_build_info", "gauge", "The skytune-monitor version; the value is always 1"))
                sample(t, "skytune_build_info", "version", SKYTUNE_VERSION, 1);
        one(t, "skytune_monitor_start_time_seconds", "gauge",
            "When skytune-monitor started, in seconds since the epoch", (double) s->start_ms / 1000);
        one(t, "skytune_monitor_interval_seconds", "gauge", "Time between two samples", (double) s->interval_ms / 1000);
        one(t, "skytune_monitor_last_sample_timestamp_seconds", "gauge",
            "The time slot of the last sample, in seconds since the epoch", (double) s->last_tick_ms / 1000);
        one(t, "skytune_monitor_series", "gauge", "Series kept in the RAM ring (at most max_series)",
            (double) s->ring.series);
        one(t, "skytune_monitor_ticks_total", "counter", "Samples taken since the start", (double) s->ticks);
        one(t, "skytune_monitor_missed_total", "counter", "Sample slots missed (the daemon woke up too late)",
            (double) s->missed);
        one(t, "skytune_monitor_samples_stored_total", "counter", "Samples written to the store",
            (double) s->ring.stored);
        if (family(t, "skytune_monitor_samples_dropped_total", "counter",
                   "Samples not kept, by reason (docs/monitor.md, The RAM ring)")) {
                static const char *const reasons[] = { "overflow", "series", "order", "value" };
                const uint64_t n[] = { s->ring.dropped_overflow, s->ring.dropped_series, s->ring.dropped_order,
                                       s->ring.dropped_value };
                for (size_t i = 0; i < ELEMENTSOF(reasons); i++)
                        sample(t, "skytune_monitor_samples_dropped_total", "reason", reasons[i], (double) n[i]);
        }
        if (s->store_bytes >= 0)
                one(t, "skytune_monitor_store_size_bytes", "gauge", "Size of the store file and its WAL",
                    (double) s->store_bytes);
        if (t->n_res > 0 &&
            family(t, "skytune_collector_up", "gauge",
                   "1 when a series of the collector had a sample within its staleness bound at "
                   "the last tick, else 0"))
                for (size_t i = 0; i < t->n_res; i++)
                        sample(t, "skytune_collector_up", "collector", t->res[i].name,
                               t->res[i].newest_ms >= s->last_tick_ms - s->stale_ms);
}

#define APP_HIST "skytune_app_request_duration_seconds"
#define APP_ERR  "skytune_app_request_errors_total"

/* One line of an application pair: name{endpoint="E",method="M"[,le="B"]} v. */
static void app_sample(Text *t, const char *name, const AppHistogram *h, const char *le, double v) {
        char number[PROM_NUMBER_MAX];
        prom_number(v, number);
        fprintf(t->f, "%s{endpoint=\"", name);
        escaped(t->f, h->endpoint, true);
        fputs("\",method=\"", t->f);
        escaped(t->f, h->method, true);
        if (le)
                fprintf(t->f, "\",le=\"%s", le);
        fprintf(t->f, "\"} %s\n", number);
}

static int app_histogram(void *userdata, const AppHistogram *h) {
        Text *t = userdata;
        for (size_t i = 0; i < APP_LE_N; i++) {
                char le[PROM_NUMBER_MAX];
                prom_number((double) app_le_us[i] / 1e6, le);
                app_sample(t, APP_HIST "_bucket", h, le, (double) h->le[i]);
        }
        app_sample(t, APP_HIST "_bucket", h, "+Inf", (double) h->count);
        app_sample(t, APP_HIST "_sum", h, NULL, h->sum_s);
        app_sample(t, APP_HIST "_count", h, NULL, (double) h->count);
        return 0;
}

static int app_errors(void *userdata, const AppHistogram *h) {
        app_sample(userdata, APP_ERR, h, NULL, (double) h->errors);
        return 0;
}

/* The application metrics' histograms and error counters, one family each for all pairs; their
 * series' names (_bucket, _sum, _count) taken first, so that no gauge of the ring repeats one. */
static int app_count(void *userdata, const AppHistogram *h) {
        ++*(size_t *) userdata;
        return 0;
}

static void app_families(Text *t, const AppMetrics *app) {
        size_t pairs = 0;
        (void) app_metrics_each_histogram(app, app_count, &pairs);
        if (pairs == 0) /* no family without a sample */
                return;
        static const char *const parts[] = { APP_HIST "_bucket", APP_HIST "_sum", APP_HIST "_count" };
        for (size_t i = 0; i < ELEMENTSOF(parts); i++) {
                int k = name_claim(&t->names, parts[i]);
                t->error = t->error ?: MIN(k, 0);
        }
        if (family(t, APP_HIST, "histogram",
                   "Response time of the application's requests by endpoint and method, since the pair's first "
                   "record (docs/monitor.md, Application metrics)"))
                (void) app_metrics_each_histogram(app, app_histogram, t);
        if (family(t, APP_ERR, "counter", "Application requests that were not a success, by endpoint and method"))
                (void) app_metrics_each_histogram(app, app_errors, t);
}

/* series split at its group: the group's entry, the object (in obj, n bytes), and the series with
 * the group's word in place of GROUP.OBJECT (in flat, n bytes), and with <label> there (in shown). */
static const ObjectGroup *object_of(const char *series, char *obj, char *flat, char *shown, size_t n) {
        const char *d1 = strchr(series, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL, *last = strrchr(series, '.');
        /* Applications name their custom metrics and endpoints: their parts are no collector's groups. */
        if (!d2 || last <= d2 + 1 || last[1] == '\0' || strncmp(series, "custom.", 7) == 0 ||
            strncmp(series, "app.", 4) == 0)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(object_groups); i++) {
                const ObjectGroup *g = &object_groups[i];
                if (strlen(g->group) != (size_t) (d2 - d1 - 1) || strncmp(d1 + 1, g->group, d2 - d1 - 1) != 0)
                        continue;
                const char *o = d2 + 1;
                size_t len = (size_t) (last - o);
                /* node_exporter's convention: cpu="0", not cpu="cpu0". */
                if (strcmp(g->label, "cpu") == 0 && len > 3 && strncmp(o, "cpu", 3) == 0 && o[3] >= '0' && o[3] <= '9')
                        o += 3, len -= 3;
                snprintf(obj, n, "%.*s", (int) len, o);
                snprintf(flat, n, "%.*s.%s%s", (int) (d1 - series), series, g->word, last);
                snprintf(shown, n, "%.*s.%s.<%s>%s", (int) (d1 - series), series, g->group, g->label, last);
                return g;
        }
        return NULL;
}

/* key's Prometheus name and HELP (shown: the series as HELP names it); *ret_scale into the base unit. */
static bool prom_of(const char *key, const char *shown, const char *unit, char name[NAME_MAX_LEN],
                    char help[NAME_MAX_LEN * 2], double *ret_scale) {
        char stem[256];
        const PromUnit *rule = prom_unit_convert(key, unit[0] ? unit : NULL, stem, sizeof(stem));
        snprintf(name, NAME_MAX_LEN, "skytune_%s%s", stem, rule ? rule->base : "");
        prom_name_sanitize(name);
        /* A series named *_total counts since the start: a counter (rate() applies), its name kept. */
        bool counter = endswith(key, "_total") && endswith(name, "_total");
        if (prom_name_reserved(name) && !counter)
                strncat(name, "_value", NAME_MAX_LEN - strlen(name) - 1);
        snprintf(help, NAME_MAX_LEN * 2, "Last sample of the series %s%s%s%s%s%s", shown, unit[0] ? " (" : "", unit,
                 unit[0] ? ")" : "", rule && rule->said ? ", converted to " : "", rule && rule->said ? rule->said : "");
        *ret_scale = rule ? rule->scale : 1;
        return counter;
}

static int obj_add(Text *t, const char *name, const char *help, const char *series, const ObjectGroup *g,
                   const char *value, bool counter, double v) {
        if (t->n_obj == t->cap_obj) {
                size_t cap = t->cap_obj ? 2 * t->cap_obj : 64;
                ObjSample *o = realloc(t->obj, cap * sizeof(*o));
                if (!o)
                        return -ENOMEM;
                t->obj = o;
                t->cap_obj = cap;
        }
        ObjSample o = { .family = strdup(name),
                        .help = strdup(help),
                        .value = strdup(value),
                        .series = strdup(series),
                        .label = g->label,
                        .counter = counter,
                        .v = v,
                        .order = t->n_obj };
        t->obj[t->n_obj++] = o;
        return o.family && o.help && o.value && o.series ? 0 : -ENOMEM;
}

static int see_series(void *userdata, const char *series, const char *unit, int64_t t_ms, double v) {
        Text *t = userdata;
        for (size_t i = 0; i < ELEMENTSOF(covered); i++)
                if (strcmp(series, covered[i]) == 0)
                        return 0;
        char name[NAME_MAX_LEN], help[NAME_MAX_LEN * 2], obj[256], flat[256], shown[256];
        double scale;
        const ObjectGroup *g = object_of(series, obj, flat, shown, sizeof(flat));
        bool counter = prom_of(g ? flat : series, g ? shown : series, unit, name, help, &scale);
        if (g)
                return obj_add(t, name, help, series, g, obj, counter, v * scale);
        if (!family(t, name, counter ? "counter" : "gauge", help)) {
                if (t->error == 0)
                        fprintf(t->f, "# skytune: series %s left out: its name %s is taken\n", series, name);
                return t->error;
        }
        sample(t, name, NULL, NULL, v * scale);
        return 0;
}

static int obj_cmp(const void *a, const void *b) {
        const ObjSample *x = a, *y = b;
        int c = strcmp(x->family, y->family);
        return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* The labelled families, each whole, in name order; a family whose name is taken (by a series without
 * objects) is left out with a comment, as a series is. */
static void objects(Text *t) {
        if (t->n_obj > 0) /* qsort(NULL, 0) is undefined */
                qsort(t->obj, t->n_obj, sizeof(*t->obj), obj_cmp);
        bool ok = false;
        for (size_t i = 0; i < t->n_obj && t->error == 0; i++) {
                const ObjSample *o = &t->obj[i];
                if (i == 0 || strcmp(o->family, t->obj[i - 1].family) != 0) {
                        ok = family(t, o->family, o->counter ? "counter" : "gauge", o->help);
                        if (!ok && t->error == 0)
                                fprintf(t->f, "# skytune: series %s and its family left out: its name %s is taken\n",
                                        o->series, o->family);
                }
                if (ok)
                        sample(t, o->family, o->label, o->value, o->v);
        }
        for (size_t i = 0; i < t->n_obj; i++) {
                free(t->obj[i].family);
                free(t->obj[i].help);
                free(t->obj[i].value);
                free(t->obj[i].series);
        }
        free(t->obj);
}

int metrics_text(const MonitorRing *r, const MonitorStatus *s, char **ret, size_t *ret_len) {
        Text t = {};
        char *text = NULL;
        size_t len = 0;
        t.f = open_memstream(&text, &len);
        if (t.f) {
                t.n_res = collectors_newest(r, t.res);
                health(&t, s);
                if (s->app)
                        app_families(&t, s->app);
                int k = ring_each_last(r, see_series, &t);
                t.error = t.error ?: k;
                objects(&t);
                if (fclose(t.f) != 0)
                        t.error = t.error ?: -ENOMEM;
        } else
                t.error = -ENOMEM;
        for (size_t i = 0; i < t.names.n; i++)
                free(t.names.names[i]);
        free(t.names.names);
        name_index_done(&t.names.index);
        if (t.error < 0) {
                free(text);
                return t.error;
        }
        *ret = text;
        *ret_len = len;
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* GET /metrics (monitor-status.h): the monitor's health families, then one gauge family per series
 * of the RAM ring with its last sample. A series "disk.devices.vda.util_pct" (percent) becomes
 * skytune_disk_devices_vda_util_ratio, its value in the base unit (render/prom-name.h: the same
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

typedef struct Text {
        FILE *f;
        NameSet names;
        CollectorNewest res[COLLECTORS_MAX];
        size_t n_res;
        int error;
} Text;

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

static int see_series(void *userdata, const char *series, const char *unit, int64_t t_ms, double v) {
        Text *t = userdata;
        for (size_t i = 0; i < ELEMENTSOF(covered); i++)
                if (strcmp(series, covered[i]) == 0)
                        return 0;
        char stem[256], name[NAME_MAX_LEN], help[NAME_MAX_LEN * 2];
        const PromUnit *rule = prom_unit_convert(series, unit[0] ? unit : NULL, stem, sizeof(stem));
        snprintf(name, sizeof(name), "skytune_%s%s", stem, rule ? rule->base : "");
        prom_name_sanitize(name);
        /* A series named *_total counts since the start: a counter (rate() applies), its name kept. */
        bool counter = endswith(series, "_total") && endswith(name, "_total");
        if (prom_name_reserved(name) && !counter)
                strncat(name, "_value", sizeof(name) - strlen(name) - 1);
        snprintf(help, sizeof(help), "Last sample of the series %s%s%s%s%s%s", series, unit[0] ? " (" : "", unit,
                 unit[0] ? ")" : "", rule && rule->said ? ", converted to " : "", rule && rule->said ? rule->said : "");
        if (!family(t, name, counter ? "counter" : "gauge", help)) {
                if (t->error == 0)
                        fprintf(t->f, "# skytune: series %s left out: its name %s is taken\n", series, name);
                return t->error;
        }
        sample(t, name, NULL, NULL, v * (rule ? rule->scale : 1));
        return 0;
}

int metrics_text(const MonitorRing *r, const MonitorStatus *s, char **ret, size_t *ret_len) {
        Text t = {};
        char *text = NULL;
        size_t len = 0;
        t.f = open_memstream(&text, &len);
        if (t.f) {
                t.n_res = collectors_newest(r, t.res);
                health(&t, s);
                int k = ring_each_last(r, see_series, &t);
                t.error = t.error ?: k;
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

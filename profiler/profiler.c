/* SPDX-License-Identifier: MIT */
#include "profiler.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector.h"
#include "macro.h"
#include "report.h"
#include "series-table.h"
#include "time-util.h"

struct Profiler {
        const Sysroot *root;
        unsigned samples, full_samples;
        uint64_t full_period, full_at;
        uint64_t first_at, last_at;     /* times of the first and the last sample */
        bool interrupted;               /* profiler_run() ended before the window's end */
        SeriesTable *series;            /* the summarised stream: the profile's series */
        bool no_summaries;              /* a daemon's stream: the sinks only */
        bool no_repeats;                /* every full sample SAMPLE_WHOLE */
        MetricSink sinks[PROFILER_MAX_SINKS];
        size_t n_sinks;
        size_t emitting;                /* the collector whose interval() runs */
        uint64_t emit_at;
        void *state[];       /* one per collector_table entry */
};

uint64_t profiler_now_usec(void) {
        return time_now_monotonic_usec();
}

int profiler_new(const Sysroot *root, Profiler **ret) {
        return profiler_new_targets(root, NULL, 0, ret);
}

int profiler_new_targets(const Sysroot *root, char *const *targets, size_t n_targets, Profiler **ret) {
        Profiler *p = calloc(1, sizeof(Profiler) + collector_table_size * sizeof(void *));
        if (!p)
                return -ENOMEM;
        p->root = root;
        p->full_period = PROFILER_FULL_PERIOD_USEC;
        if (series_table_new(&p->series) < 0) {
                free(p);
                return -ENOMEM;
        }
        for (size_t i = 0; i < collector_table_size; i++) {
                const Collector *c = collector_table[i];
                p->state[i] = calloc(1, c->state_size ? c->state_size : 1);
                if (!p->state[i]) {
                        profiler_free(p);
                        return -ENOMEM;
                }
                int r = c->open ? c->open(p->state[i], root) : 0;
                for (size_t t = 0; r >= 0 && c->target && t < n_targets; t++)
                        r = c->target(p->state[i], root, targets[t]);
                if (r < 0) {
                        profiler_free(p);
                        return r;
                }
        }
        *ret = p;
        return 0;
}

Profiler *profiler_free(Profiler *p) {
        if (!p)
                return NULL;
        for (size_t i = 0; i < collector_table_size; i++) {
                if (!p->state[i])
                        continue;
                if (collector_table[i]->close)
                        collector_table[i]->close(p->state[i]);
                free(p->state[i]);
        }
        series_table_free(p->series);
        free(p);
        return NULL;
}

void profiler_set_summaries(Profiler *p, bool on) {
        p->no_summaries = !on;
}

void profiler_set_full_period(Profiler *p, uint64_t usec) {
        p->full_period = usec;
}

void profiler_set_repeats(Profiler *p, bool on) {
        p->no_repeats = !on;
}

int profiler_add_sink(Profiler *p, const MetricSink *sink) {
        if (p->n_sinks >= PROFILER_MAX_SINKS)
                return -ENOSPC;
        p->sinks[p->n_sinks++] = *sink;
        return 0;
}

size_t profiler_series_memory(const Profiler *p) {
        return series_table_memory(p->series);
}

/* The sink collectors emit into: the summaries, then every registered consumer. */
static int profiler_emit(void *userdata, const MetricPoint *point) {
        Profiler *p = userdata;
        /* The summaries need neither the time nor the collector's name: the point is copied for the
         * sinks only. */
        int r = p->no_summaries ? 0 : series_table_add(p->series, (unsigned) p->emitting, point);
        if (r < 0 || p->n_sinks == 0)
                return r;
        MetricPoint pt = *point;
        pt.at_usec = p->emit_at;
        pt.collector = collector_table[p->emitting]->name;
        for (size_t i = 0; r >= 0 && i < p->n_sinks; i++)
                if (metric_emit(&p->sinks[i], &pt) == -ENOMEM)
                        r = -ENOMEM;
        return r;
}

static int collector_sample(Profiler *p, size_t i, uint64_t now_usec, SampleKind kind) {
        const Collector *c = collector_table[i];
        int r = c->sample ? c->sample(p->state[i], now_usec, kind) : 0;
        if (r == -ENOMEM || !c->interval)
                return r;
        MetricSink sink = { profiler_emit, p };
        p->emitting = i;
        p->emit_at = now_usec;
        return c->interval(p->state[i], &sink);
}

int profiler_sample(Profiler *p, uint64_t now_usec, bool last) {
        bool full = p->samples == 0 || last || now_usec - p->full_at >= p->full_period;
        if (full) {
                p->full_at = now_usec;
                p->full_samples++;
        }
        SampleKind kind = last || (full && p->no_repeats) ? SAMPLE_WHOLE : full ? SAMPLE_FULL : SAMPLE_QUICK;
        for (size_t i = 0; i < collector_table_size; i++) {
                int r = collector_sample(p, i, now_usec, kind);
                if (r == -ENOMEM)
                        return r;
        }
        if (p->samples == 0)
                p->first_at = now_usec;
        p->last_at = now_usec;
        p->samples++;
        return 0;
}

/* The window ends on time: samples every interval and one at the end, so a duration that is not a
 * multiple of the interval has a shorter last interval (the summaries weigh intervals by their
 * length). A remainder under the shortest rate window is added to the last interval instead. */
static unsigned window_steps(const ProfilerWindow *w, uint64_t *ret_duration, uint64_t *ret_interval) {
        if (!(w->duration_s > 0))
                return 0;
        uint64_t d = (uint64_t) llround(w->duration_s * 1e6), iv = (uint64_t) llround(w->interval_s * 1e6);
        *ret_duration = d;
        *ret_interval = iv;
        if (iv == 0 || iv >= d)
                return 1;
        uint64_t steps = d / iv + (d % iv >= PROFILER_MIN_RATE_WINDOW_USEC);
        return steps > UINT_MAX ? UINT_MAX : (unsigned) steps;
}

int profiler_run(Profiler *p, const ProfilerWindow *w) {
        uint64_t d = 0, iv = 0;
        unsigned steps = window_steps(w, &d, &iv);
        uint64_t t0 = w->now(w->userdata);
        int r = profiler_sample(p, t0, steps == 0);
        for (unsigned i = 1; r >= 0 && i <= steps; i++) {
                if (w->progress)
                        w->progress(p->samples, steps + 1, (double) (w->now(w->userdata) - t0) / 1e6, w->userdata);
                uint64_t at = i == steps ? d : MIN((uint64_t) i * iv, d);
                if (!w->wait_until(t0 + at, w->userdata)) {
                        /* Cut short: one last full sample now, so that every rate covers what was sampled;
                         * but not a rate over a few microseconds: below the minimum, the first sample only. */
                        p->interrupted = true;
                        uint64_t now = w->now(w->userdata);
                        if (p->samples == 1 && now - p->first_at < PROFILER_MIN_RATE_WINDOW_USEC)
                                return 0;
                        return profiler_sample(p, now, true);
                }
                r = profiler_sample(p, w->now(w->userdata), i == steps);
        }
        return r;
}

bool profiler_interrupted(const Profiler *p) {
        return p->interrupted;
}

unsigned profiler_samples(const Profiler *p) {
        return p->samples;
}

int profiler_report(Profiler *p, double duration_s, double interval_s, json_t **ret) {
        Report *rep = NULL;
        int r = report_new(&rep);
        if (r < 0)
                return r;
        double sampled_s = (double) (p->last_at - p->first_at) / 1e6, requested_s = duration_s;
        if (p->interrupted)
                duration_s = sampled_s;
        char why[128];
        if (p->samples < 2 && p->interrupted)
                snprintf(why, sizeof(why), "the window was interrupted after less than the %.0f ms rates need",
                         PROFILER_MIN_RATE_WINDOW_USEC / 1e3);
        else if (p->samples < 2)
                snprintf(why, sizeof(why), "--duration 0 is an instant snapshot; give --duration > 0 for rates");
        else if (p->interrupted)
                snprintf(why, sizeof(why), "the window was interrupted after %.1f s", sampled_s);
        else
                why[0] = '\0';
        r = report_set_rates_hint(rep, why);
        if (r < 0) {
                report_free(rep);
                return r;
        }
        report_set_series(rep, p->series);
        for (size_t i = 0; i < collector_table_size; i++) {
                const Collector *c = collector_table[i];
                report_begin_collector(rep, (unsigned) i);
                r = c->report ? c->report(p->state[i], p->root, rep) : 0;
                r = r ?: report_stream_series(rep);
                if (r < 0) {
                        report_free(rep);
                        return r;
                }
        }
        json_t *doc = NULL;
        r = report_finish(rep, &doc);
        report_free(rep);
        if (r < 0)
                return r;

        char stamp[ISO8601_USEC_SIZE];
        time_format_iso8601(time_now_realtime_usec(), stamp);
        json_object_set_new(doc, "schema", json_string(PROFILE_SCHEMA));
        json_object_set_new(doc, "generated", json_string(stamp));
        json_object_set_new(doc, "sysroot", json_string(sysroot_path(p->root)));
        json_object_set_new(doc, "interrupted", json_boolean(p->interrupted));
        json_t *window = json_pack("{s:f, s:f, s:i, s:i, s:f, s:b}", "duration_s", duration_s, "interval_s", interval_s,
                                   "samples", (int) p->samples, "full_samples", (int) p->full_samples, "full_period_s",
                                   (double) p->full_period / 1e6, "interrupted", p->interrupted);
        if (window && p->interrupted)
                json_object_set_new(window, "requested_duration_s", json_real(requested_s));
        json_object_set_new(doc, "window", window);
        json_object_set_new(doc, "metric_count", json_integer((json_int_t) profile_count_metrics(doc)));
        *ret = doc;
        return 0;
}

/* The document's frame around the collectors' output (profiler_report), and each resource's list of
 * sources it could not read. */
static const MetricSpec frame_metrics[] = {
        { "window", METRIC_TREE },      { "findings", METRIC_TREE }, { "generated", METRIC_FACT },
        { "sysroot", METRIC_FACT },     { "metric_count", METRIC_FACT }, { "cpu.unavailable", METRIC_TREE },
        { "memory.unavailable", METRIC_TREE }, { "disk.unavailable", METRIC_TREE }, { "network.unavailable", METRIC_TREE },
        { "files.unavailable", METRIC_TREE }, { "interrupts.unavailable", METRIC_TREE },
        { "tasks.unavailable", METRIC_TREE },
};

int profiler_metric_catalog(MetricCatalog *c) {
        int r = metric_catalog_add(c, frame_metrics, ELEMENTSOF(frame_metrics));
        for (size_t i = 0; r >= 0 && i < collector_table_size; i++)
                r = metric_catalog_add(c, collector_table[i]->metrics, collector_table[i]->n_metrics);
        return r;
}

static size_t count_metrics(const json_t *o) {
        if (!json_is_object(o))
                return 0;
        if (json_object_get(o, "value") && json_object_get(o, "unit"))
                return 1;
        size_t n = 0;
        const char *key;
        json_t *v;
        json_object_foreach((json_t *) o, key, v)
                if (strcmp(key, "unavailable") != 0)
                        n += count_metrics(v);
        return n;
}

size_t profile_count_metrics(const json_t *profile) {
        return count_metrics(json_object_get(profile, "resources"));
}

/* SPDX-License-Identifier: MIT */
/* stress-json: the "stress" object of the skytune.load/1 document (docs/stress.md STRESS) and the
 * pattern's markers on the run's time axis. */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "json-util.h"
#include "load-doc.h"
#include "stress-run.h"

static json_t *options_json(const StressOptions *o)
{
        json_t *j = json_object();
        switch (o->pattern) {
        case STRESS_SPIKE:
        case STRESS_SURGE:
                json_object_set_new(j, "rate", json_num(o->rate));
                json_object_set_new(j, "factor", json_num(o->factor));
                json_object_set_new(j, "spike_s", json_num(o->spike_s));
                json_object_set_new(j, "before_s", json_num(o->before_s));
                json_object_set_new(j, "after_s", json_num(o->after_s));
                json_object_set_new(j, "spikes", json_integer(o->spikes));
                break;
        case STRESS_GRADUAL:
                json_object_set_new(j, "from", json_num(o->from));
                json_object_set_new(j, "to", json_num(o->to));
                json_object_set_new(j, "ramp_s", json_num(o->ramp_s));
                break;
        case STRESS_BREAKPOINT:
                json_object_set_new(j, "start", json_num(o->start));
                json_object_set_new(j, "increment", json_num(o->increment));
                json_object_set_new(j, "step_s", json_num(o->step_s));
                json_object_set_new(j, "max_steps", json_integer(o->max_steps));
                break;
        default:
                json_object_set_new(j, "rate", json_num(o->rate));
                json_object_set_new(j, "hold_s", json_num(o->hold_s));
                break;
        }
        return j;
}

static json_t *knee_json(const StressKnee *k)
{
        json_t *j = json_object();
        json_object_set_new(j, "found", json_boolean(k->found));
        json_object_set_new(j, "rate", k->found ? json_num(k->rate) : json_null());
        json_object_set_new(j, "p99_us", k->found ? json_num(k->p99_us) : json_null());
        json_object_set_new(j, "method", json_string(stress_knee_method));
        return j;
}

static void surge_json(json_t *s, json_t *markers, const StressSurgeResult *r, bool analysed)
{
        json_t *band = json_object(), *spikes = json_array();
        json_object_set_new(band, "p99_median_us", analysed ? json_num(r->band.p99_med) : json_null());
        json_object_set_new(band, "p99_upper_us", analysed ? json_num(r->band.p99_hi) : json_null());
        json_object_set_new(band, "error_rate_median", analysed ? json_num(r->band.err_med) : json_null());
        json_object_set_new(band, "error_rate_upper", analysed ? json_num(r->band.err_hi) : json_null());
        json_object_set_new(band, "intervals", json_integer((json_int_t) r->band.n));
        for (size_t i = 0; i < r->n_spikes; i++) {
                const StressSpikeResult *p = &r->spikes[i];
                json_t *j = json_object();
                json_object_set_new(j, "start_s", json_num(p->start_s));
                json_object_set_new(j, "end_s", json_num(p->end_s));
                json_object_set_new(j, "peak_p99_us", json_num(p->peak_p99_us));
                json_object_set_new(j, "p99_factor", json_num(p->p99_factor));
                json_object_set_new(j, "peak_error_rate", json_num(p->peak_error_rate));
                json_object_set_new(j, "served_fraction", json_num(p->served_fraction));
                json_object_set_new(j, "recovered", json_boolean(p->recovered));
                json_object_set_new(j, "recovery_s", p->recovered ? json_num(p->recovery_s) : json_null());
                json_array_append_new(spikes, j);
                char text[96];
                snprintf(text, sizeof(text), "spike %zu recovered after %.1f s", i + 1, p->recovery_s);
                if (p->recovered)
                        load_doc_marker_add(markers, "recovered", p->end_s + p->recovery_s, p->recovery_s, text);
        }
        json_object_set_new(s, "band", band);
        json_object_set_new(s, "spikes", spikes);
        json_object_set_new(s, "worsens", json_boolean(r->worsens));
}

static json_t *hold_json(const StressHold *h)
{
        json_t *j = json_object();
        json_object_set_new(j, "rate", json_num(h->rate));
        json_object_set_new(j, "good", json_boolean(h->good));
        json_object_set_new(j, "trip", json_string(stress_trip_names[h->trip]));
        json_object_set_new(j, "p99_us", json_num(h->p99_us));
        json_object_set_new(j, "error_rate", json_num(h->error_rate));
        json_object_set_new(j, "sent_ratio", json_num(h->sent_ratio));
        return j;
}

static void breakpoint_json(json_t *s, const StressRun *sr)
{
        const StressBreakpoint *bp = &sr->bp;
        json_t *holds = json_array();
        json_object_set_new(s, "last_good", bp->last_good > 0 ? json_num(bp->last_good) : json_null());
        json_object_set_new(s, "first_bad", json_num(bp->first_bad));
        json_object_set_new(s, "trip", json_string(stress_trip_names[bp->trip]));
        json_object_set_new(s, "trip_value", json_num(bp->trip_value));
        json_object_set_new(s, "client_bound", json_boolean(bp->client_bound));
        json_object_set_new(s, "knee", knee_json(&bp->knee));
        json_object_set_new(s, "bisections", json_integer(bp->bisections));
        json_object_set_new(s, "rested_s", json_num(sr->rested_s));
        for (size_t i = 0; i < bp->n_holds; i++)
                json_array_append_new(holds, hold_json(&bp->holds[i]));
        json_object_set_new(s, "holds", holds);
}

static json_t *drift_json(const StressDrift *d, int r)
{
        if (r < 0)
                return json_null();
        json_t *j = json_object();
        json_object_set_new(j, "slope_per_h", json_num(d->slope_per_h));
        json_object_set_new(j, "slope_t", json_num(d->slope_t));
        json_object_set_new(j, "start", json_num(d->start));
        json_object_set_new(j, "end", json_num(d->end));
        json_object_set_new(j, "relative", json_num(d->relative));
        json_object_set_new(j, "change", json_boolean(d->change));
        json_object_set_new(j, "change_s", d->change ? json_num(d->change_s) : json_null());
        json_object_set_new(j, "before", d->change ? json_num(d->before) : json_null());
        json_object_set_new(j, "after", d->change ? json_num(d->after) : json_null());
        json_object_set_new(j, "windows", json_integer((json_int_t) d->windows));
        return j;
}

static void endurance_json(json_t *s, json_t *markers, const StressRun *sr)
{
        static const char *const names[3] = { "p99_us", "error_rate", "server_rss_bytes" };
        json_t *d = json_object();
        for (size_t i = 0; i < 3; i++) {
                json_object_set_new(d, names[i], drift_json(&sr->drift[i], sr->drift_r[i]));
                if (sr->drift_r[i] >= 0 && sr->drift[i].change) {
                        char text[96];
                        snprintf(text, sizeof(text), "%s changes: %.4g -> %.4g", names[i], sr->drift[i].before,
                                 sr->drift[i].after);
                        load_doc_marker_add(markers, "change_point", sr->drift[i].change_s, sr->drift[i].after, text);
                }
        }
        json_object_set_new(s, "drift", d);
        json_object_set_new(s, "method", json_string(stress_drift_method));
}

/* gradual: the knee's time is where the ramp offered its rate. */
static void knee_marker(json_t *markers, const StressOptions *o, const StressKnee *k)
{
        if (!k->found || !(o->to > o->from))
                return;
        char text[96];
        snprintf(text, sizeof(text), "knee at %.0f req/s", k->rate);
        load_doc_marker_add(markers, "knee", (k->rate - o->from) / (o->to - o->from) * o->ramp_s, k->rate, text);
}

/* The verdict says what the pattern found when that, not a threshold, decides the exit code. */
static void verdict_set(json_t *doc, const StressRun *sr)
{
        int code = stress_run_exit(sr);
        json_t *v = json_object_get(doc, "verdict");
        if (!json_is_object(v) || code == json_integer_value(json_object_get(v, "exit")))
                return;
        json_object_set_new(v, "passed", json_boolean(code == 0));
        json_object_set_new(v, "exit", json_integer(code));
        json_object_set_new(v, "reason", json_string(code == 5 ? "breakpoint: the client could not keep the schedule "
                                                                 "(client-bound): no capacity measured"
                                                               : "a spike did not recover within the base's band"));
}

int stress_doc_add(json_t *doc, const StressRun *sr)
{
        const StressOptions *o = &sr->options;
        json_t *s = json_object(), *markers = json_object_get(doc, "markers");
        if (!s || !json_is_array(markers))
                return json_decref(s), -ENOMEM;
        json_object_set_new(s, "pattern", json_string(stress_pattern_names[sr->pattern]));
        json_object_set_new(s, "options", options_json(o));
        json_object_set_new(s, "analysed", json_boolean(sr->analysed >= 0));
        switch (sr->pattern) {
        case STRESS_SPIKE:
        case STRESS_SURGE:
                surge_json(s, markers, &sr->surge, sr->analysed >= 0);
                break;
        case STRESS_GRADUAL:
                json_object_set_new(s, "knee", knee_json(&sr->knee));
                knee_marker(markers, o, &sr->knee);
                break;
        case STRESS_BREAKPOINT:
                breakpoint_json(s, sr);
                break;
        default:
                endurance_json(s, markers, sr);
                break;
        }
        verdict_set(doc, sr);
        return json_object_set_new(doc, "stress", s) < 0 ? -ENOMEM : 0;
}

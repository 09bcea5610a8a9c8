/* SPDX-License-Identifier: MIT */
/* The skytune.load/1 document: built from a run, written with its intervals spliced in from the
 * writer's temporary file, and read back. Secret header values never enter it: headers are shown
 * by scenario_header_display(). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "clock-state.h"
#include "json-util.h"
#include "load-doc.h"
#include "macro.h"
#include "schema.h"
#include "time-util.h"

static json_t *host_json(void) {
        json_t *o = json_object();
        struct utsname u;
        bool ok = uname(&u) == 0;
        json_object_set_new(o, "hostname", ok ? json_string(u.nodename) : json_null());
        json_object_set_new(o, "kernel", ok ? json_string(u.release) : json_null());
        json_object_set_new(o, "cpu_model", json_null());
        json_object_set_new(o, "cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
        json_object_set_new(o, "memory_bytes", json_integer((json_int_t) sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE)));
        json_object_set_new(o, "virtualization", json_null());
        return o;
}

static json_t *phase_config(const LoadPhase *p) {
        json_t *o = json_object();
        json_object_set_new(o, "kind", json_string(load_phase_kind_names[p->kind]));
        json_object_set_new(o, "duration_s", json_num(p->duration_s));
        switch (p->kind) {
        case LOAD_PHASE_RAMP:
                json_object_set_new(o, "from", p->from < 0 ? json_null() : json_num(p->from));
                json_object_set_new(o, "to", json_num(p->to));
                break;
        case LOAD_PHASE_SPIKE:
                json_object_set_new(o, p->factor > 0 ? "factor" : "value", json_num(p->factor > 0 ? p->factor : p->value));
                break;
        case LOAD_PHASE_STEP:
                json_object_set_new(o, "start", json_num(p->start));
                json_object_set_new(o, "increment", json_num(p->increment));
                json_object_set_new(o, "max_steps", json_integer(p->max_steps));
                json_object_set_new(o, "until", p->until ? json_string(p->until->text) : json_null());
                break;
        default:
                json_object_set_new(o, "value", json_num(p->value));
                break;
        }
        return o;
}

static json_t *endpoint_config(const LoadEndpoint *ep) {
        json_t *o = json_object(), *h = json_array();
        json_object_set_new(o, "name", json_string(ep->name ? ep->name : ep->path));
        json_object_set_new(o, "method", json_string(ep->method ? ep->method : ep->body ? "POST" : "GET"));
        json_object_set_new(o, "path", ep->path ? json_string(ep->path) : json_null());
        json_object_set_new(o, "weight", json_integer(ep->weight ? ep->weight : 1));
        json_object_set_new(o, "body_file", ep->body_file ? json_string(ep->body_file) : json_null());
        for (size_t i = 0; i < ep->n_headers; i++) {
                _cleanup_free_ char *d = scenario_header_display(&ep->headers[i]);
                json_array_append_new(h, d ? json_string(d) : json_null());
        }
        json_object_set_new(o, "headers", h);
        return o;
}

/* The URL as people may see it: credentials in it ("http://user:pass@host/") are a secret too. */
static json_t *url_json(const char *url) {
        if (!url)
                return json_null();
        const char *host = strstr(url, "://");
        host = host ? host + 3 : url;
        const char *at = strchr(host, '@'), *path = host + strcspn(host, "/?#");
        if (!at || at > path)
                return json_string(url);
        _cleanup_free_ char *s = NULL;
        if (asprintf(&s, "%.*s<secret>%s", (int) (host - url), url, at) < 0)
                return json_null();
        return json_string(s);
}

static json_t *step_config(const LoadStep *st) {
        json_t *o = json_object(), *ph = json_array(), *ep = json_array();
        json_object_set_new(o, "name", json_string(st->name));
        json_object_set_new(o, "parallel", json_boolean(st->parallel));
        json_object_set_new(o, "url", url_json(st->url));
        json_object_set_new(o, "model", json_string(st->model == LOADGEN_OPEN ? "open" : "closed"));
        json_object_set_new(o, "arrival", json_string(st->poisson ? "poisson" : "uniform"));
        json_object_set_new(o, "think_s", json_num(st->think_s));
        for (size_t i = 0; i < st->n_phases; i++)
                json_array_append_new(ph, phase_config(&st->phases[i]));
        for (size_t i = 0; i < st->n_endpoints; i++)
                json_array_append_new(ep, endpoint_config(&st->endpoints[i]));
        json_object_set_new(o, "phases", ph);
        json_object_set_new(o, "endpoints", ep);
        return o;
}

static json_t *config_json(const Scenario *sc) {
        json_t *o = json_object(), *steps = json_array();
        json_object_set_new(o, "scenario", json_string(sc->name ? sc->name : "command line"));
        json_object_set_new(o, "file", sc->file ? json_string(sc->file) : json_null());
        json_object_set_new(o, "interval_s", json_num(sc->interval_s > 0 ? sc->interval_s : 1));
        for (size_t i = 0; i < sc->n_steps; i++)
                json_array_append_new(steps, step_config(&sc->steps[i]));
        json_object_set_new(o, "steps", steps);
        return o;
}

static json_t *step_json(const LoadStepRun *s) {
        json_t *o = json_object(), *ph = json_array(), *eps = json_array();
        double span = s->end_s - s->start_s;
        json_object_set_new(o, "name", json_string(s->step->name));
        json_object_set_new(o, "start_s", json_num(s->start_s));
        json_object_set_new(o, "end_s", json_num(s->end_s));
        for (size_t i = 0; i < s->step->n_phases; i++) {
                const LoadPhaseRun *p = &s->phases[i];
                json_t *j = json_object();
                bool ran = p->end_s > p->start_s;
                json_object_set_new(j, "kind", json_string(load_phase_kind_names[s->step->phases[i].kind]));
                json_object_set_new(j, "start_s", ran ? json_num(p->start_s) : json_null());
                json_object_set_new(j, "end_s", ran ? json_num(p->end_s) : json_null());
                json_object_set_new(j, "planned_from", ran ? json_num(p->planned_from) : json_null());
                json_object_set_new(j, "planned_to", ran ? json_num(p->planned_to) : json_null());
                json_array_append_new(ph, j);
        }
        json_object_set_new(o, "phases", ph);
        json_object_set_new(o, "summary", load_summary_json(&s->results, span));
        for (size_t i = 0; i < s->step->n_endpoints && i < s->results.n_entries; i++) {
                const LoadEndpoint *ep = &s->step->endpoints[i];
                json_t *j = json_object();
                json_object_set_new(j, "name", json_string(ep->name ? ep->name : ep->path));
                json_object_set_new(j, "summary", load_entry_summary_json(&s->results.entries[i], span));
                json_array_append_new(eps, j);
        }
        json_object_set_new(o, "endpoints", eps);
        return o;
}

static json_t *thresholds_json(const LoadRun *run) {
        json_t *a = json_array();
        for (size_t i = 0; i < run->n_thresholds; i++) {
                const LoadThresholdRun *tr = &run->thresholds[i];
                json_t *o = threshold_result_json(tr->t, tr->passed, tr->observed, tr->failed_at_s);
                /* "step" second, where it always was. */
                json_t *ordered = o ? json_pack("{s:O}", "text", json_object_get(o, "text")) : NULL;
                if (ordered) {
                        json_object_set_new(ordered, "step", tr->step >= 0 ? json_string(run->steps[tr->step].step->name)
                                                                           : json_null());
                        json_object_update(ordered, o);
                }
                json_decref(o);
                json_array_append_new(a, ordered);
        }
        return a;
}

static json_t *verdict_json(const LoadRun *run) {
        static const char *const why[] = {
                [0] = "every threshold passed", [1] = "no request was answered: no connection could be made",
                [4] = "a threshold failed", [5] = "the client could not keep the schedule (client-bound): the "
                "results measure the client, not the server",
        };
        int code = load_run_exit(run);
        json_t *o = json_object();
        json_object_set_new(o, "passed", json_boolean(code == 0));
        json_object_set_new(o, "exit", json_integer(code));
        char buf[160];
        if (code == 130)
                snprintf(buf, sizeof(buf), "interrupted: partial results");
        else if (code == 0 || code == 4)
                snprintf(buf, sizeof(buf), "%zu of %zu thresholds passed", load_run_passed(run), run->n_thresholds);
        else
                snprintf(buf, sizeof(buf), "%s", why[code]);
        json_object_set_new(o, "reason", json_string(buf));
        return o;
}

static json_t *client_json(const LoadRun *run) {
        json_t *o = json_object(), *seg = json_object();
        uint64_t done = run->total.c.done;
        json_object_set_new(o, "threads", json_integer(run->threads));
        json_object_set_new(o, "cpu_s", json_num(run->cpu_s));
        json_object_set_new(o, "cpu_per_request_us", done ? json_real(run->cpu_s * 1e6 / (double) done) : json_null());
        json_object_set_new(o, "client_bound", json_boolean(run->client_bound));
        json_object_set_new(seg, "index", json_integer(run->segment_count > 1 ? run->segment_index : 0));
        json_object_set_new(seg, "count", json_integer(MAX(run->segment_count, 1u)));
        char iso[ISO8601_USEC_SIZE];
        json_object_set_new(seg, "start_at", run->segment_count > 1 || run->start_skew_s > 0
                                                     ? json_string(time_format_iso8601(run->started_usec, iso)) : json_null());
        json_object_set_new(seg, "start_skew_s", json_num(run->start_skew_s));
        /* The offset only when an NTP daemon keeps the clock synchronized: else it means nothing. */
        json_object_set_new(seg, "clock_offset_s", clock_state_offset_json(&run->clock_start));
        json_t *clock = clock_state_json(&run->clock_start);
        json_object_set_new(clock, "end", clock_state_json(&run->clock_end));
        json_object_set_new(seg, "clock", clock);
        json_object_set_new(o, "segment", seg);
        return o;
}

void load_doc_marker_add(json_t *a, const char *kind, double t_s, double value, const char *text) {
        json_t *o = json_object();
        json_object_set_new(o, "kind", json_string(kind));
        json_object_set_new(o, "t_s", json_num(t_s));
        json_object_set_new(o, "value", json_num(value));
        json_object_set_new(o, "text", json_string(text));
        json_array_append_new(a, o);
}

/* Where each phase began (with the load it began at) and where a threshold failed for good. */
static json_t *markers_json(const LoadRun *run) {
        json_t *a = json_array();
        for (size_t i = 0; i < run->n_steps; i++) {
                const LoadStepRun *s = &run->steps[i];
                for (size_t k = 0; k < s->step->n_phases; k++) {
                        const LoadPhaseRun *p = &s->phases[k];
                        if (!(p->end_s > p->start_s))
                                continue;
                        char text[160];
                        snprintf(text, sizeof(text), "%s: %s", s->step->name, load_phase_kind_names[s->step->phases[k].kind]);
                        load_doc_marker_add(a, "phase", p->start_s, p->planned_from, text);
                }
        }
        for (size_t i = 0; i < run->n_thresholds; i++)
                if (isfinite(run->thresholds[i].failed_at_s))
                        load_doc_marker_add(a, "threshold_failed", run->thresholds[i].failed_at_s, run->thresholds[i].observed,
                                   run->thresholds[i].t->text);
        return a;
}

json_t *load_doc_build(const LoadRun *run) {
        json_t *d = json_object(), *steps = json_array();
        char a[ISO8601_USEC_SIZE], b[ISO8601_USEC_SIZE];
        json_object_set_new(d, "schema", json_string(LOAD_SCHEMA));
        json_object_set_new(d, "skytune", json_string(SKYTUNE_VERSION));
        json_object_set_new(d, "started", json_string(time_format_iso8601(run->started_usec, a)));
        json_object_set_new(d, "ended", json_string(time_format_iso8601(run->ended_usec, b)));
        json_object_set_new(d, "duration_s", json_num(run->duration_s));
        json_object_set_new(d, "interrupted", json_boolean(run->interrupted));
        json_object_set_new(d, "aborted_by", run->aborted_by ? json_string(run->aborted_by->text) : json_null());
        json_object_set_new(d, "verdict", verdict_json(run));
        json_object_set_new(d, "host", host_json());
        json_object_set_new(d, "client", client_json(run));
        json_object_set_new(d, "config", config_json(run->scenario));
        json_object_set_new(d, "total", load_summary_json(&run->total, run->duration_s));
        for (size_t i = 0; i < run->n_steps; i++)
                json_array_append_new(steps, step_json(&run->steps[i]));
        json_object_set_new(d, "steps", steps);
        json_object_set_new(d, "intervals", json_array());
        json_object_set_new(d, "thresholds", thresholds_json(run));
        json_object_set_new(d, "system", json_null());
        json_object_set_new(d, "findings", json_array());
        json_object_set_new(d, "markers", markers_json(run));
        json_object_set_new(d, "stress", json_null());
        return d;
}

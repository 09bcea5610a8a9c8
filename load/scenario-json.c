/* SPDX-License-Identifier: MIT */
/* The skytune.scenario-check/1 document: what a scenario file would run, for `skytune scenario
 * check --json` and its text renderer (render/scenario.c). Secret headers appear only as where
 * they come from. */
#include <jansson.h>
#include <stdlib.h>

#include "scenario.h"
#include "schema.h"

static json_t *phase_json(const LoadPhase *p) {
        json_t *o = json_pack("{s:s,s:f,s:i}", "kind", load_phase_kind_names[p->kind], "duration_s", p->duration_s, "line",
                              (int) p->line);
        switch (p->kind) {
        case LOAD_PHASE_RAMP:
                json_object_set_new(o, "from", p->from < 0 ? json_null() : json_real(p->from));
                json_object_set_new(o, "to", json_real(p->to));
                break;
        case LOAD_PHASE_SPIKE:
                json_object_set_new(o, p->factor > 0 ? "factor" : "value", json_real(p->factor > 0 ? p->factor : p->value));
                break;
        case LOAD_PHASE_STEP:
                json_object_set_new(o, "start", json_real(p->start));
                json_object_set_new(o, "increment", json_real(p->increment));
                json_object_set_new(o, "max_steps", json_integer(p->max_steps ? p->max_steps : 1000));
                json_object_set_new(o, "until", p->until ? json_string(p->until->text) : json_null());
                break;
        default:
                json_object_set_new(o, "value", json_real(p->value));
        }
        return o;
}

static json_t *thresholds_json(const Threshold *t, size_t n) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(a, json_string(t[i].text));
        return a;
}

static json_t *endpoint_json(const LoadEndpoint *ep) {
        json_t *h = json_array();
        for (size_t k = 0; k < ep->n_headers; k++) {
                char *d = scenario_header_display(&ep->headers[k]);
                json_array_append_new(h, d ? json_string(d) : json_null());
                free(d);
        }
        return json_pack("{s:s,s:s,s:s,s:i,s:o,s:I}", "name", ep->name, "method",
                         ep->method ? ep->method : ep->body ? "POST" : "GET", "path", ep->path, "weight",
                         (int) (ep->weight ? ep->weight : 1), "headers", h, "body_bytes", (json_int_t) ep->body_len);
}

static json_t *step_json(const LoadStep *st) {
        json_t *phases = json_array(), *eps = json_array();
        for (size_t i = 0; i < st->n_phases; i++)
                json_array_append_new(phases, phase_json(&st->phases[i]));
        for (size_t i = 0; i < st->n_endpoints; i++)
                json_array_append_new(eps, endpoint_json(&st->endpoints[i]));
        return json_pack("{s:s,s:i,s:b,s:s,s:s,s:s,s:f,s:f,s:o,s:o,s:o}", "name", st->name, "line", (int) st->line,
                         "parallel", st->parallel, "url", st->url, "model", st->model == LOADGEN_OPEN ? "open" : "closed",
                         "arrival", st->poisson ? "poisson" : "uniform", "think_s", st->think_s, "planned_s",
                         scenario_step_planned_s(st), "phases", phases, "endpoints", eps, "thresholds",
                         thresholds_json(st->thresholds, st->n_thresholds));
}

json_t *scenario_check_json(const Scenario *sc) {
        json_t *steps = json_array();
        for (size_t i = 0; i < sc->n_steps; i++)
                json_array_append_new(steps, step_json(&sc->steps[i]));
        return json_pack("{s:s,s:s,s:s,s:f,s:o,s:o}", "schema", SCENARIO_CHECK_SCHEMA, "name", sc->name, "file", sc->file,
                         "interval_s", sc->interval_s, "thresholds", thresholds_json(sc->thresholds, sc->n_thresholds),
                         "steps", steps);
}

/* SPDX-License-Identifier: MIT */
/* One step of a scenario file: its model, its phases (or one hold of `duration`) and its endpoints. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"
#include "scenario-parse.h"

#define LOAD_VALUE_MAX 1e7

static const char *const phase_keys[] = { "kind", "from", "to", "over", "for", "every", "value", "users", "rate",
                                          "start", "increment", "max_steps", "until" };

/* hold's and step's value: `value`, or `users`/`rate` as the step's model says. */
static int phase_value(Parse *p, const config_setting_t *s, const LoadStep *st, double *ret) {
        const char *other = st->model == LOADGEN_OPEN ? "users" : "rate";
        if (config_setting_get_member(s, other))
                return conf_fail(&p->c, config_setting_get_member(s, other), "'%s' in a phase of a %s-model step: use '%s' "
                                  "or 'value'", other, st->model == LOADGEN_OPEN ? "open" : "closed",
                                  st->model == LOADGEN_OPEN ? "rate" : "users");
        int r = conf_number(&p->c, s, "value", 0, LOAD_VALUE_MAX, ret);
        if (r == 0)
                r = conf_number(&p->c, s, st->model == LOADGEN_OPEN ? "rate" : "users", 0, LOAD_VALUE_MAX, ret);
        return r;
}

static int spike_to(Parse *p, const config_setting_t *s, LoadPhase *ph) {
        const config_setting_t *to = config_setting_get_member(s, "to");
        const char *text = to ? config_setting_get_string(to) : NULL;
        if (text) {
                char *end;
                ph->factor = strtod(text, &end);
                if (end == text || strcmp(end, "x") != 0 || !(ph->factor > 0) || ph->factor > 1000)
                        return conf_fail(&p->c, to, "spike 'to' is \"5x\" (times the load before it) or a number (absolute)");
                return 0;
        }
        int r = conf_number(&p->c, s, "to", 0, LOAD_VALUE_MAX, &ph->value);
        return r == 0 ? conf_fail(&p->c, s, "a spike needs 'to': \"5x\" or an absolute value") : MIN(r, 0);
}

static int need_duration(Parse *p, const config_setting_t *s, const char *key, const char *kind, double *ret) {
        int r = parse_duration(p, s, key, ret);
        return r == 0 ? conf_fail(&p->c, s, "a %s phase needs '%s = \"30s\";'", kind, key) : MIN(r, 0);
}

static int phase_step(Parse *p, const config_setting_t *s, LoadPhase *ph) {
        int r = need_duration(p, s, "every", "step", &ph->duration_s);
        if (r >= 0 && (r = conf_number(&p->c, s, "start", 0, LOAD_VALUE_MAX, &ph->start)) == 0)
                r = conf_fail(&p->c, s, "a step phase needs 'start' (the first step's value)");
        if (r >= 0 && (r = conf_number(&p->c, s, "increment", -LOAD_VALUE_MAX, LOAD_VALUE_MAX, &ph->increment)) == 0)
                r = conf_fail(&p->c, s, "a step phase needs 'increment' (added at every step)");
        double steps = 0;
        if (r >= 0 && (r = conf_number(&p->c, s, "max_steps", 1, 1000, &steps)) >= 0)
                ph->max_steps = (unsigned) steps;
        const config_setting_t *u = config_setting_get_member(s, "until");
        if (r >= 0 && u) {
                const char *text = config_setting_get_string(u);
                if (!text)
                        return conf_fail(&p->c, u, "'until' is a threshold string, e.g. \"p99 < 500ms\" (stepping goes on "
                                          "while it holds)");
                ph->until = calloc(1, sizeof(Threshold));
                if (!ph->until)
                        return error_set(p->c.e, -ENOMEM, "out of memory");
                r = threshold_parse(text, p->c.file, conf_line(u), ph->until, p->c.e);
        }
        if (r >= 0 && !ph->until && !ph->max_steps)
                r = conf_fail(&p->c, s, "a step phase needs 'max_steps' or 'until' (else it would step 1000 times)");
        return MIN(r, 0);
}

static int parse_phase(Parse *p, const config_setting_t *s, const LoadStep *st, LoadPhase *ph) {
        if (!config_setting_is_group(s))
                return conf_fail(&p->c, s, "a phase is a group: { kind = \"hold\"; for = \"60s\"; }");
        int r = conf_keys(&p->c, s, "a phase", phase_keys, ELEMENTSOF(phase_keys));
        _cleanup_free_ char *kind = NULL;
        if (r >= 0 && (r = conf_string(&p->c, s, "kind", &kind)) == 0)
                return conf_fail(&p->c, s, "a phase needs 'kind': ramp, hold, step or spike");
        if (r < 0)
                return r;
        *ph = (LoadPhase) { .line = conf_line(s), .kind = _LOAD_PHASE_MAX, .from = -1 };
        for (size_t i = 0; i < _LOAD_PHASE_MAX; i++)
                if (strcmp(kind, load_phase_kind_names[i]) == 0)
                        ph->kind = (LoadPhaseKind) i;
        switch (ph->kind) {
        case LOAD_PHASE_RAMP:
                r = need_duration(p, s, "over", "ramp", &ph->duration_s);
                if (r >= 0)
                        r = conf_number(&p->c, s, "from", 0, LOAD_VALUE_MAX, &ph->from);
                if (r >= 0 && (r = conf_number(&p->c, s, "to", 0, LOAD_VALUE_MAX, &ph->to)) == 0)
                        r = conf_fail(&p->c, s, "a ramp needs 'to' (the value it ends at)");
                return MIN(r, 0);
        case LOAD_PHASE_HOLD:
                r = need_duration(p, s, "for", "hold", &ph->duration_s);
                if (r >= 0 && (r = phase_value(p, s, st, &ph->value)) == 0)
                        ph->value = NAN;        /* the value the phase before ended at */
                return MIN(r, 0);
        case LOAD_PHASE_SPIKE:
                r = need_duration(p, s, "for", "spike", &ph->duration_s);
                return r < 0 ? r : spike_to(p, s, ph);
        case LOAD_PHASE_STEP:
                return phase_step(p, s, ph);
        default:
                return conf_fail(&p->c, s, "phase kind '%s': use ramp, hold, step or spike", kind);
        }
}

/* phases, or one hold of `duration` at users/rate. */
static int parse_phases(Parse *p, const config_setting_t *s, LoadStep *st, double base) {
        const config_setting_t *list = config_setting_get_member(s, "phases");
        double duration = 0;
        int r = parse_duration(p, s, "duration", &duration);
        if (r < 0)
                return r;
        if (!list && r == 0)
                return conf_fail(&p->c, s, "step '%s' needs 'duration = \"60s\";' or 'phases = ( ... );'", st->name);
        if (list && r > 0)
                return conf_fail(&p->c, s, "step '%s' has both 'duration' and 'phases': the phases give the length", st->name);
        if (!list) {
                st->phases = calloc(1, sizeof(LoadPhase));
                if (!st->phases)
                        return error_set(p->c.e, -ENOMEM, "out of memory");
                st->phases[0] = (LoadPhase) { .kind = LOAD_PHASE_HOLD, .line = conf_line(s), .duration_s = duration,
                                              .value = base, .from = -1 };
                st->n_phases = 1;
                return 0;
        }
        int n = config_setting_is_list(list) ? config_setting_length(list) : -1;
        if (n <= 0 || n > SCENARIO_PHASES_MAX)
                return conf_fail(&p->c, list, "'phases' is a list of 1 to %d groups in parentheses: ( { kind = \"ramp\"; "
                                  "to = 50; over = \"30s\"; }, ... )", SCENARIO_PHASES_MAX);
        st->phases = calloc((size_t) n, sizeof(LoadPhase));
        if (!st->phases)
                return error_set(p->c.e, -ENOMEM, "out of memory");
        double value = base;
        for (int i = 0; i < n; i++) {
                LoadPhase *ph = &st->phases[i];
                st->n_phases++;
                r = parse_phase(p, config_setting_get_elem(list, (unsigned) i), st, ph);
                if (r < 0)
                        return r;
                if (ph->kind == LOAD_PHASE_HOLD && isnan(ph->value))
                        ph->value = value;
                value = ph->kind == LOAD_PHASE_RAMP ? ph->to : ph->kind == LOAD_PHASE_HOLD ? ph->value : value;
        }
        return 0;
}

/* Whether the phases ever send anything (the largest value they reach is positive). */
static bool phases_send(const LoadStep *st) {
        double before = 0;
        for (size_t i = 0; i < st->n_phases; i++) {
                const LoadPhase *ph = &st->phases[i];
                double top = ph->kind == LOAD_PHASE_RAMP ? fmax(ph->from, ph->to) : ph->kind == LOAD_PHASE_HOLD ? ph->value :
                             ph->kind == LOAD_PHASE_SPIKE ? (ph->factor > 0 ? ph->factor * before : ph->value) :
                             fmax(ph->start, ph->start + ph->increment);
                if (top > 0)
                        return true;
                before = ph->kind == LOAD_PHASE_RAMP ? ph->to : ph->kind == LOAD_PHASE_HOLD ? ph->value : before;
        }
        return false;
}

static int parse_model(Parse *p, const config_setting_t *s, LoadStep *st, double *base) {
        _cleanup_free_ char *model = NULL, *arrival = NULL;
        double users = NAN, rate = NAN;
        int r = conf_string(&p->c, s, "model", &model);
        if (r >= 0)
                r = conf_number(&p->c, s, "users", 1, 100000, &users);
        if (r >= 0)
                r = conf_number(&p->c, s, "rate", 0.001, LOAD_VALUE_MAX, &rate);
        if (r >= 0)
                r = conf_string(&p->c, s, "arrival", &arrival);
        if (r >= 0)
                r = parse_duration(p, s, "think", &st->think_s);
        if (r < 0)
                return r;
        if (!isnan(users) && !isnan(rate))
                return conf_fail(&p->c, s, "step '%s' has both 'users' (closed model) and 'rate' (open model): keep one",
                                  st->name);
        st->model = (model ? strcmp(model, "open") == 0 : !isnan(rate)) ? LOADGEN_OPEN : LOADGEN_CLOSED;
        if (model && strcmp(model, "open") != 0 && strcmp(model, "closed") != 0)
                return conf_fail(&p->c, s, "model '%s': use \"closed\" (users) or \"open\" (a rate)", model);
        if (arrival && strcmp(arrival, "poisson") != 0 && strcmp(arrival, "uniform") != 0)
                return conf_fail(&p->c, s, "arrival '%s': use \"uniform\" or \"poisson\"", arrival);
        st->poisson = arrival && strcmp(arrival, "poisson") == 0;
        if ((st->poisson || !isnan(users)) && st->model == LOADGEN_OPEN && isnan(rate) && !isnan(users))
                return conf_fail(&p->c, s, "step '%s' is open-model: give 'rate', not 'users'", st->name);
        if (st->model == LOADGEN_CLOSED && (!isnan(rate) || st->poisson))
                return conf_fail(&p->c, s, "step '%s' is closed-model: 'rate' and 'arrival' belong to model = \"open\"",
                                  st->name);
        if (st->model == LOADGEN_OPEN && st->think_s > 0)
                return conf_fail(&p->c, s, "step '%s': 'think' is for the closed model (users)", st->name);
        *base = st->model == LOADGEN_OPEN ? (isnan(rate) ? 0 : rate) : (isnan(users) ? 10 : users);
        return 0;
}

static int parse_limits(Parse *p, const config_setting_t *s, LoadStep *st) {
        double threads = 0, slots = 0;
        int r = conf_number(&p->c, s, "threads", 1, 256, &threads);
        if (r >= 0)
                r = conf_number(&p->c, s, "slots", 1, 100000, &slots);
        if (r >= 0)
                r = parse_duration(p, s, "timeout", &st->timeout_s);
        st->threads = (unsigned) threads;
        st->slots = (unsigned) slots;
        return MIN(r, 0);
}

static const char *const endpoint_keys[] = { "name", "method", "path", "headers", "body", "body_file", "weight" };

static int endpoint_headers(Parse *p, const config_setting_t *s, LoadEndpoint *ep) {
        const config_setting_t *h = config_setting_get_member(s, "headers");
        if (!h)
                return 0;
        int n = config_setting_is_aggregate(h) && !config_setting_is_group(h) ? config_setting_length(h) : -1;
        if (n < 0 || n > SCENARIO_HEADERS_MAX)
                return conf_fail(&p->c, h, "'headers' is a list of up to %d strings: [ \"Accept: application/json\", "
                                  "\"Authorization: Bearer $TOKEN\" ]", SCENARIO_HEADERS_MAX);
        ep->headers = calloc((size_t) MAX(n, 1), sizeof(LoadHeader));
        if (!ep->headers)
                return error_set(p->c.e, -ENOMEM, "out of memory");
        for (int i = 0; i < n; i++) {
                const config_setting_t *e = config_setting_get_elem(h, (unsigned) i);
                const char *text = config_setting_get_string(e);
                if (!text)
                        return conf_fail(&p->c, e, "a header is a string: \"Name: value\"");
                Error why = ERROR_NULL;
                int r = load_header_parse(text, p->dir, &ep->headers[i], &why);
                if (r < 0) {
                        r = r == -ENOMEM ? error_set(p->c.e, r, "out of memory") : conf_fail(&p->c, e, "%s", error_message(&why));
                        error_done(&why);
                        return r;
                }
                ep->n_headers++;
        }
        return 0;
}

static int endpoint_body(Parse *p, const config_setting_t *s, LoadEndpoint *ep) {
        int r = conf_string(&p->c, s, "body", &ep->body);
        if (r < 0)
                return r;
        if (r > 0)
                ep->body_len = strlen(ep->body);
        if ((r = conf_string(&p->c, s, "body_file", &ep->body_file)) <= 0)
                return r;
        if (ep->body)
                return conf_fail(&p->c, s, "an endpoint has 'body' or 'body_file', not both");
        _cleanup_free_ char *path = NULL;
        if (ep->body_file[0] != '/' && asprintf(&path, "%s/%s", p->dir, ep->body_file) < 0)
                return error_set(p->c.e, -ENOMEM, "out of memory");
        r = fileio_read_regular(path ? path : ep->body_file, SCENARIO_BODY_MAX, &ep->body, &ep->body_len);
        if (r < 0)
                return conf_fail(&p->c, config_setting_get_member(s, "body_file"), "body_file %s: %s%s", path ? path : ep->body_file,
                                  strerror(-r), r == -EFBIG ? " (at most 1 MiB)" : "");
        return 0;
}

static int parse_endpoint(Parse *p, const config_setting_t *s, LoadEndpoint *ep) {
        if (!config_setting_is_group(s))
                return conf_fail(&p->c, s, "an endpoint is a group: { path = \"/api/overview\"; weight = 2; }");
        ep->line = conf_line(s);
        int r = conf_keys(&p->c, s, "an endpoint", endpoint_keys, ELEMENTSOF(endpoint_keys));
        if (r >= 0 && (r = conf_string(&p->c, s, "path", &ep->path)) == 0)
                r = conf_fail(&p->c, s, "an endpoint needs 'path = \"/...\";'");
        if (r >= 0 && (ep->path[0] != '/' || strpbrk(ep->path, " \t\r\n")))
                r = conf_fail(&p->c, config_setting_get_member(s, "path"), "path '%s': begin with / and percent-encode spaces "
                               "(%%20)", ep->path);
        if (r >= 0)
                r = conf_string(&p->c, s, "method", &ep->method);
        for (const char *c = ep->method; r >= 0 && c && *c; c++)
                if (!isupper((unsigned char) *c))
                        r = conf_fail(&p->c, config_setting_get_member(s, "method"), "method '%s': capital letters only "
                                       "(GET, POST, PUT ...)", ep->method);
        double weight = 1;
        if (r >= 0)
                r = conf_number(&p->c, s, "weight", 1, 1000000, &weight);
        ep->weight = (unsigned) weight;
        if (r >= 0)
                r = endpoint_headers(p, s, ep);
        if (r >= 0)
                r = endpoint_body(p, s, ep);
        if (r >= 0 && !ep->name && asprintf(&ep->name, "%s %s", ep->method ? ep->method : ep->body ? "POST" : "GET",
                                            ep->path) < 0)
                r = error_set(p->c.e, -ENOMEM, "out of memory");
        if (r >= 0)
                r = conf_string(&p->c, s, "name", &ep->name);
        return MIN(r, 0);
}

/* endpoints, or one GET of the URL's own path. */
static int parse_endpoints(Parse *p, const config_setting_t *s, LoadStep *st) {
        const config_setting_t *list = config_setting_get_member(s, "endpoints");
        int n = list ? (config_setting_is_list(list) ? config_setting_length(list) : -1) : 0;
        if (n < 0 || (list && n == 0) || n > (int) LOADGEN_REQUESTS_MAX)
                return conf_fail(&p->c, list, "'endpoints' is a list of 1 to %u groups in parentheses: ( { path = \"/\"; } )",
                                  LOADGEN_REQUESTS_MAX);
        st->endpoints = calloc((size_t) MAX(n, 1), sizeof(LoadEndpoint));
        if (!st->endpoints)
                return error_set(p->c.e, -ENOMEM, "out of memory");
        if (n == 0) {
                const char *path = strchr(st->url + strlen("https://"), '/');
                st->endpoints[0] = (LoadEndpoint) { .path = strdup(path ? path : "/"), .weight = 1, .line = st->line };
                st->n_endpoints = 1;
                if (!st->endpoints[0].path || asprintf(&st->endpoints[0].name, "GET %s", st->endpoints[0].path) < 0)
                        return error_set(p->c.e, -ENOMEM, "out of memory");
                return 0;
        }
        for (int i = 0; i < n; i++) {
                st->n_endpoints++;
                int r = parse_endpoint(p, config_setting_get_elem(list, (unsigned) i), &st->endpoints[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

int parse_step(Parse *p, const config_setting_t *s, const Scenario *sc, LoadStep *st) {
        static const char *const keys[] = { "name", "parallel", "url", "model", "users", "rate", "arrival", "think",
                                            "duration", "phases", "endpoints", "threads", "slots", "timeout",
                                            "thresholds" };
        if (!config_setting_is_group(s))
                return conf_fail(&p->c, s, "a step is a group in braces: { name = \"browse\"; users = 10; duration = \"60s\"; }");
        int r = conf_keys(&p->c, s, "a step", keys, ELEMENTSOF(keys));
        if (r >= 0)
                r = conf_string(&p->c, s, "name", &st->name);
        if (r >= 0 && !st->name && asprintf(&st->name, "step%zu", sc->n_steps) < 0)
                return error_set(p->c.e, -ENOMEM, "out of memory");
        st->line = conf_line(s);
        if (r >= 0)
                r = conf_bool(&p->c, s, "parallel", &st->parallel);
        if (r >= 0)
                r = conf_string(&p->c, s, "url", &st->url);
        if (r >= 0 && !st->url && p->base_url && !(st->url = strdup(p->base_url)))
                return error_set(p->c.e, -ENOMEM, "out of memory");
        if (r >= 0 && !st->url)
                r = conf_fail(&p->c, s, "step '%s' has no URL: give 'url = \"http://HOST:PORT\";' in it or at the top", st->name);
        if (r >= 0)
                r = parse_url(p, config_setting_get_member(s, "url") ? config_setting_get_member(s, "url") : s, st->url);
        double base = 0;
        if (r >= 0)
                r = parse_model(p, s, st, &base);
        if (r >= 0)
                r = parse_phases(p, s, st, base);
        if (r >= 0 && !phases_send(st))
                r = conf_fail(&p->c, s, "step '%s' never sends: give it %s above 0", st->name,
                               st->model == LOADGEN_OPEN ? "a 'rate'" : "'users'");
        if (r >= 0)
                r = parse_endpoints(p, s, st);
        if (r >= 0)
                r = parse_limits(p, s, st);
        if (r >= 0)
                r = parse_thresholds(p, s, "thresholds", &st->thresholds, &st->n_thresholds);
        return MIN(r, 0);
}

/* SPDX-License-Identifier: MIT */
/* scenario: what `skytune load` runs, as one in-memory model. A scenario file (libconfig,
 * docs/scenario.md) and the command line (`skytune load URL --users 50 ...`) both become a Scenario;
 * the runner (load/run.h) takes nothing else. Every element keeps the line of the file it came from
 * (0 for the command line) so that later checks can name file:line.
 *
 * Steps run one after another; a step with `parallel` set starts together with the step before it
 * (steps side by side form a group; the next group starts when every step of the group ended).
 * A step's load is a list of phases, each one a piece of the step's schedule (loadgen/schedule.h):
 * ramp (from -> to over a duration), hold (a value for a duration), step (start, +increment every
 * duration, until a condition or a number of steps), spike (k times the value before it, or an
 * absolute value, for a duration, then back). The value is users (closed model) or requests per
 * second (open model), as the step's model says.
 *
 * Secrets: a header whose value comes from a file or the environment is marked secret; its value is
 * sent but never printed, logged or written into results (scenario_header_display() gives the
 * redacted form). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "loadgen.h"
#include "threshold.h"

typedef enum LoadPhaseKind {
        LOAD_PHASE_RAMP,
        LOAD_PHASE_HOLD,
        LOAD_PHASE_STEP,
        LOAD_PHASE_SPIKE,
        _LOAD_PHASE_MAX,
} LoadPhaseKind;
extern const char *const load_phase_kind_names[_LOAD_PHASE_MAX];       /* "ramp", "hold", ... */

typedef struct LoadPhase {
        LoadPhaseKind kind;
        unsigned line;
        double duration_s;      /* ramp: over; hold, spike: for; step: every (the length of one step) */
        double from, to;        /* ramp (from < 0: the value the phase before ended at, or 0) */
        double value;           /* hold; spike: the absolute value (when factor is 0) */
        double factor;          /* spike: k times the value before it ("5x"); 0: absolute */
        double start, increment;        /* step */
        unsigned max_steps;     /* step: at most this many (0: until the condition, or 1000) */
        Threshold *until;       /* step: the phase ends at the first step whose interval breaks it
                                 * (held: ends when the condition is *false*); NULL: max_steps */
} LoadPhase;

typedef struct LoadHeader {
        char *name;             /* "Authorization" */
        char *value;            /* as sent (secret ones too) */
        char *source;           /* secret: "file /run/token" or "env API_TOKEN"; NULL: not secret */
} LoadHeader;

typedef struct LoadEndpoint {
        char *name;             /* for results; default "METHOD path" */
        unsigned line;
        char *method;           /* NULL: GET, or POST with a body */
        char *path;             /* with the query; relative to the step's URL */
        char *body;             /* NULL: none (read from body_file at parse time) */
        size_t body_len;
        char *body_file;        /* where the body came from, for display; NULL: inline or none */
        LoadHeader *headers;
        size_t n_headers;
        unsigned weight;        /* 0: 1 */
} LoadEndpoint;

typedef struct LoadStep {
        char *name;
        unsigned line;
        bool parallel;          /* starts with the step before it */
        char *url;              /* origin (and default path) of the step's requests */
        LoadgenModel model;
        bool poisson;           /* open: Poisson arrivals */
        double think_s;         /* closed: pause of each user between its requests */
        LoadPhase *phases;      /* at least one (the command line's --duration is one hold) */
        size_t n_phases;
        LoadEndpoint *endpoints;        /* at least one (the URL's own path by default) */
        size_t n_endpoints;
        unsigned threads;       /* 0: the runner's default */
        unsigned slots;         /* open: most requests in flight (0: loadgen's default) */
        double timeout_s;       /* per request (0: 10 s) */
        Threshold *thresholds;  /* this step's */
        size_t n_thresholds;
} LoadStep;

typedef struct Scenario {
        char *name;
        char *file;             /* NULL: built from the command line */
        char *cacert;           /* https: CA certificates (PEM) */
        double interval_s;      /* result interval (default 1 s) */
        LoadStep *steps;
        size_t n_steps;
        Threshold *thresholds;  /* global: over every step's requests together */
        size_t n_thresholds;
} Scenario;

/* Reads and checks a scenario file (docs/scenario.md): -EINVAL with *e naming file:line. */
int scenario_load_file(const char *path, Scenario **ret, Error *e);
Scenario *scenario_free(Scenario *s);
/* The header as people may see it: "Name: value", or "Name: <secret from file /run/token>".
 * malloc'ed; NULL on OOM. */
char *scenario_header_display(const LoadHeader *h);
/* Longest planned time of a step (the sum of its phases; a step phase counts max_steps, or 1000);
 * what a progress line and a bound on the run use. */
double scenario_step_planned_s(const LoadStep *st);
/* The skytune.scenario-check/1 document of a scenario (docs/scenario.md); NULL on OOM. */
json_t *scenario_check_json(const Scenario *sc);

/* A header "Name: value". A value (or its last word, "Bearer $TOKEN") of "@FILE" reads the secret from
 * FILE (relative to dir when dir is given and FILE is relative; its first line) and "$VAR" from the
 * environment; the header is then marked secret. -EINVAL/-ENOENT/... with *e saying what to do. */
int load_header_parse(const char *text, const char *dir, LoadHeader *h, Error *e);
void load_header_done(LoadHeader *h);

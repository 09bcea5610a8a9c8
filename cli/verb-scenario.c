/* SPDX-License-Identifier: MIT */
/* skytune scenario check FILE [--json]: a scenario file read as `skytune load --scenario` would read
 * it, and its plan shown (steps, phases, endpoints, thresholds; secret headers redacted), or its
 * first mistake at file:line. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "macro.h"
#include "scenario.h"
#include "schema.h"
#include "verbs.h"

static const char usage[] =
        "Usage: skytune scenario check FILE [--json]\n"
        "\n"
        "Read a load scenario (docs/scenario.md) the way 'skytune load --scenario FILE'\n"
        "does, and print what it would run: each step with its model, phases (planned\n"
        "durations and values), endpoints and thresholds. Secret headers (@FILE, $VAR)\n"
        "are read to check them but shown only as where they come from.\n"
        "\n"
        "  --json    the plan as JSON (schema " SCENARIO_CHECK_SCHEMA ")\n"
        "\n"
        "Exit: 0 the file is good, 2 it is not (file:line and what to write on stderr).\n";

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

static json_t *scenario_json(const Scenario *sc) {
        json_t *steps = json_array();
        for (size_t i = 0; i < sc->n_steps; i++)
                json_array_append_new(steps, step_json(&sc->steps[i]));
        return json_pack("{s:s,s:s,s:s,s:f,s:o,s:o}", "schema", SCENARIO_CHECK_SCHEMA, "name", sc->name, "file", sc->file,
                         "interval_s", sc->interval_s, "thresholds", thresholds_json(sc->thresholds, sc->n_thresholds),
                         "steps", steps);
}

static void print_phase(const LoadPhase *p, const char *unit) {
        printf("    %-5s %7.0fs  ", load_phase_kind_names[p->kind], p->duration_s);
        switch (p->kind) {
        case LOAD_PHASE_RAMP:
                if (p->from < 0)
                        printf("to %g %s\n", p->to, unit);
                else
                        printf("%g to %g %s\n", p->from, p->to, unit);
                break;
        case LOAD_PHASE_SPIKE:
                if (p->factor > 0)
                        printf("%gx the load before it, then back\n", p->factor);
                else
                        printf("%g %s, then back\n", p->value, unit);
                break;
        case LOAD_PHASE_STEP:
                printf("%g %+g %s each, %u steps at most%s%s\n", p->start, p->increment, unit,
                       p->max_steps ? p->max_steps : 1000, p->until ? ", while " : "", p->until ? p->until->text : "");
                break;
        default:
                printf("%g %s\n", p->value, unit);
        }
}

static void print_step(const LoadStep *st, size_t i) {
        const char *unit = st->model == LOADGEN_OPEN ? "req/s" : "users";
        printf("%s%s (line %u): %s model, %s, at most %.0f s\n", i == 0 ? "" : "\n", st->name, st->line,
               st->model == LOADGEN_OPEN ? (st->poisson ? "open (Poisson)" : "open") : "closed",
               i == 0 ? "first" : st->parallel ? "side by side with the step before" : "after the step before",
               scenario_step_planned_s(st));
        printf("  url %s%s", st->url, st->think_s > 0 ? "" : "\n");
        if (st->think_s > 0)
                printf(", think %g s\n", st->think_s);
        printf("  phases:\n");
        for (size_t k = 0; k < st->n_phases; k++)
                print_phase(&st->phases[k], unit);
        printf("  endpoints:\n");
        for (size_t k = 0; k < st->n_endpoints; k++) {
                const LoadEndpoint *ep = &st->endpoints[k];
                printf("    %-6s %-40s weight %u\n", ep->method ? ep->method : ep->body ? "POST" : "GET", ep->path,
                       ep->weight ? ep->weight : 1);
                for (size_t h = 0; h < ep->n_headers; h++) {
                        _cleanup_free_ char *d = scenario_header_display(&ep->headers[h]);
                        printf("           %s\n", strempty(d));
                }
        }
        for (size_t k = 0; k < st->n_thresholds; k++)
                printf("  threshold: %s\n", st->thresholds[k].text);
}

static void print_scenario(const Scenario *sc) {
        printf("Scenario %s (%s): %zu step%s, results every %g s\n\n", sc->name, sc->file, sc->n_steps,
               sc->n_steps == 1 ? "" : "s", sc->interval_s);
        for (size_t i = 0; i < sc->n_steps; i++)
                print_step(&sc->steps[i], i);
        if (sc->n_thresholds)
                printf("\nThresholds over every step:\n");
        for (size_t i = 0; i < sc->n_thresholds; i++)
                printf("  %s\n", sc->thresholds[i].text);
}

static int scenario_check(int argc, char **argv) {
        static const struct option options[] = { { "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' }, {} };
        bool json = false;
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "jh", options, NULL)) != -1)
                switch (c) {
                case 'j':
                        json = true;
                        break;
                case 'h':
                        fputs(usage, stdout);
                        return EXIT_OK;
                default:
                        log_error("unknown option '%s' (see 'skytune scenario --help')", argv[optind - 1]);
                        return EXIT_USAGE;
                }
        if (optind + 1 != argc) {
                log_error("scenario check takes one FILE (see 'skytune scenario --help')");
                return EXIT_USAGE;
        }
        Scenario *sc = NULL;
        Error e = ERROR_NULL;
        if (scenario_load_file(argv[optind], &sc, &e) < 0) {
                _cleanup_free_ char *msg = error_format(&e);
                log_error("%s", msg ? msg : error_message(&e));
                error_done(&e);
                return EXIT_USAGE;
        }
        int code = EXIT_OK;
        if (json) {
                json_t *doc = scenario_json(sc);
                code = doc && cli_write_json(doc, NULL) >= 0 ? EXIT_OK : EXIT_FAIL;
                json_decref(doc);
        } else
                print_scenario(sc);
        scenario_free(sc);
        return code;
}

int verb_scenario(int argc, char **argv) {
        if (argc >= 2 && strcmp(argv[1], "check") == 0)
                return scenario_check(argc - 1, argv + 1);
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                fputs(usage, stdout);
                return EXIT_OK;
        }
        log_error("%s%s: use 'skytune scenario check FILE'", argc >= 2 ? "unknown subcommand " : "a subcommand is missing",
                  argc >= 2 ? argv[1] : "");
        return EXIT_USAGE;
}

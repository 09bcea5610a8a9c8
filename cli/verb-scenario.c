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
#include "render-scenario.h"
#include "scenario.h"
#include "schema.h"
#include "verbs.h"

static const char usage[] = "Usage: skytune scenario check FILE [--json]\n"
                            "\n"
                            "Read a load scenario (docs/scenario.md) the way 'skytune load --scenario FILE'\n"
                            "does, and print what it would run: each step with its model, phases (planned\n"
                            "durations and values), endpoints and thresholds. Secret headers (@FILE, $VAR)\n"
                            "are read to check them but shown only as where they come from.\n"
                            "\n"
                            "  --json    the plan as JSON (schema " SCENARIO_CHECK_SCHEMA ")\n"
                            "\n"
                            "Exit: 0 the file is good, 2 it is not (file:line and what to write on stderr).\n";

static int scenario_check(int argc, char **argv) {
        bool json;
        const char *file;
        int code = cli_parse_file_json(argc, argv, usage, "skytune scenario --help", &json, &file);
        if (code >= 0)
                return code;
        Scenario *sc = NULL;
        Error e = ERROR_NULL;
        if (scenario_load_file(file, &sc, &e) < 0) {
                _cleanup_free_ char *msg = error_format(&e);
                log_error("%s", msg ? msg : error_message(&e));
                error_done(&e);
                return EXIT_USAGE;
        }
        json_t *doc = scenario_check_json(sc);
        if (json)
                code = doc && cli_write_json(doc, NULL) >= 0 ? EXIT_OK : EXIT_FAIL;
        else
                code = doc && render_scenario_check(stdout, doc) >= 0 ? EXIT_OK : EXIT_FAIL;
        json_decref(doc);
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
        log_error("%s%s: use 'skytune scenario check FILE'",
                  argc >= 2 ? "unknown subcommand " : "a subcommand is missing", argc >= 2 ? argv[1] : "");
        return EXIT_USAGE;
}

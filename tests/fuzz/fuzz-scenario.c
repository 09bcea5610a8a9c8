/* SPDX-License-Identifier: MIT */
/* A scenario file (load/scenario-parse*.c, libconfig): the bytes are a .conf file read as
 * `skytune load --scenario FILE` reads it; an accepted scenario must be whole (steps with phases and
 * endpoints, thresholds with their text), render as `scenario check` shows it and free cleanly. */
#include <stdio.h>

#include "../../load/scenario.h"
#include "../../render/render-scenario.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *path = fuzz_write_file("fuzz.conf", data, size);
        Scenario *sc = NULL;
        Error e = ERROR_NULL;
        if (scenario_load_file(path, &sc, &e) >= 0) {
                fuzz_check(sc && sc->n_steps > 0 && sc->interval_s > 0);
                for (size_t i = 0; i < sc->n_steps; i++) {
                        fuzz_check(sc->steps[i].n_phases > 0 && sc->steps[i].n_endpoints > 0 && sc->steps[i].url);
                        fuzz_check(scenario_step_planned_s(&sc->steps[i]) > 0);
                }
                static FILE *null;
                if (!null)
                        fuzz_check((null = fopen("/dev/null", "we")) != NULL);
                json_t *doc = scenario_check_json(sc);
                fuzz_check(doc && render_scenario_check(null, doc) == 0);
                json_decref(doc);
        } else
                fuzz_check(!sc && error_is_set(&e));
        scenario_free(sc);
        error_done(&e);
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* A suite file (suite/suite-parse*.c, libconfig): the bytes are a .conf file read as `skytune bench
 * check FILE` reads it; an accepted suite must be whole (benchmarks with a kind, metrics, gates on
 * its metrics), give its JSON and free cleanly; a refused one says why. */
#include "../../suite/suite.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *path = fuzz_write_file("fuzz.conf", data, size);
        Suite *s = NULL;
        Error e = ERROR_NULL;
        if (suite_load_file(path, &s, &e) >= 0) {
                fuzz_check(s && s->n_benches > 0 && s->name);
                for (size_t i = 0; i < s->n_benches; i++) {
                        const SuiteBench *b = &s->benches[i];
                        fuzz_check(b->kind && b->n_metrics > 0 && b->repetitions > 0);
                        for (size_t g = 0; g < b->n_gates; g++)
                                fuzz_check(b->gates[g].metric < b->n_metrics);
                }
                json_t *doc = suite_check_json(s);
                fuzz_check(doc != NULL);
                json_decref(doc);
        } else
                fuzz_check(!s && error_is_set(&e));
        suite_free(s);
        error_done(&e);
        return 0;
}

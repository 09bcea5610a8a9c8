/* SPDX-License-Identifier: MIT */
/* `skytune load` (this build's binary, SKYTUNE_BIN) run from a bench program: its --json document
 * and the CPU time of the whole process. Header-only, after bench-child.h. */
#pragma once

#include <jansson.h>

#include "bench-child.h"

/* Runs skytune load with extra arguments and the document on stdout. */
static inline json_t *skytune_json(const char *u, char **args, size_t n_args, double *cpu_s, int *code) {
        char *argv[32] = { (char *) SKYTUNE_BIN, "load", (char *) u, "--json", "--no-system" };
        size_t n = 5;
        for (size_t i = 0; i < n_args && n < ELEMENTSOF(argv) - 1; i++)
                argv[n++] = args[i];
        _cleanup_free_ char *out = tmp_path("skytune.json");
        if (!out || run_child(argv, out, cpu_s, code) < 0)
                return NULL;
        json_t *doc = json_load_file(out, 0, NULL);
        if (!doc)
                bench_tell_failure("skytune load", out, *code);
        return doc;
}

static inline double num(const json_t *doc, const char *a, const char *b, const char *c) {
        const json_t *o = json_object_get(json_object_get(doc, a), b);
        return json_number_value(c ? json_object_get(o, c) : o);
}

/* SPDX-License-Identifier: MIT */
/* A suite as skytune.bench-suite/1: what `bench check` shows and what a run records. */
#include "schema.h"
#include "suite.h"

static json_t *bench_json(const SuiteBench *b) {
        json_t *metrics = json_array(), *gates = json_array();
        for (size_t i = 0; i < b->n_metrics; i++)
                json_array_append_new(metrics,
                                      json_pack("{s:s, s:s, s:b}", "name", b->metrics[i]->name, "unit",
                                                b->metrics[i]->unit, "higher_is_better",
                                                b->metrics[i]->higher_is_better));
        for (size_t i = 0; i < b->n_gates; i++)
                json_array_append_new(gates,
                                      json_pack("{s:s, s:f, s:f, s:i}", "metric", b->metrics[b->gates[i].metric]->name,
                                                "max_regression", b->gates[i].max_regression, "alpha",
                                                b->gates[i].alpha, "line", (int) b->gates[i].line));
        return json_pack("{s:s, s:s, s:o*, s:i, s:i, s:o, s:o, s:i}", "name", b->name, "kind", b->kind->name, "spec",
                         b->kind->spec_json(b->spec), "repetitions", (int) b->repetitions, "warmup", (int) b->warmup,
                         "metrics", metrics, "gates", gates, "line", (int) b->line);
}

json_t *suite_check_json(const Suite *s) {
        json_t *benches = json_array();
        for (size_t i = 0; i < s->n_benches; i++)
                json_array_append_new(benches, bench_json(&s->benches[i]));
        return json_pack("{s:s, s:s, s:s, s:s, s:o}", "schema", BENCH_SUITE_SCHEMA, "name", s->name, "file", s->file,
                         "digest", s->digest, "benchmarks", benches);
}

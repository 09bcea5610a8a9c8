/* SPDX-License-Identifier: MIT */
/* One line of a skytune export, checked hard before anything is written: an unknown member would be
 * lost, a wrong type or count would be stored wrong, so each is refused with where it is. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "bench-export.h"
#include "schema.h"

#define MAX_TEXT        4096   /* a name, a unit, a digest, a version */
#define MAX_BENCHES     10000  /* per run */
#define MAX_METRICS     1000   /* per benchmark */
#define MAX_REPETITIONS 100000 /* per benchmark */

typedef struct Check {
        const char *file;
        unsigned line;
        Error *e;
} Check;

static int bad(const Check *c, const char *what, const char *how) {
        return error_set_input(c->e, -EINVAL, c->file, c->line, "%s: %s", what, how);
}

/* Every member of o is one of allowed (NULL-terminated). */
static int only(const Check *c, const char *what, const json_t *o, const char *const *allowed) {
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *) o, key, v) {
                size_t i = 0;
                while (allowed[i] && strcmp(allowed[i], key) != 0)
                        i++;
                if (!allowed[i])
                        return error_set_input(c->e, -EINVAL, c->file, c->line,
                                               "%s: unknown member \"%.64s\" (this skytune would lose it)", what, key);
        }
        return 0;
}

static int need_text(const Check *c, const char *what, const json_t *o, const char *key) {
        const json_t *v = json_object_get(o, key);
        if (!json_is_string(v))
                return error_set_input(c->e, -EINVAL, c->file, c->line, "%s.%s: missing or not a string", what, key);
        size_t n = json_string_length(v);
        if (n == 0 || n > MAX_TEXT || memchr(json_string_value(v), '\0', n))
                return error_set_input(c->e, -EINVAL, c->file, c->line,
                                       "%s.%s: empty, longer than %d bytes or with a NUL", what, key, MAX_TEXT);
        return 0;
}

static int need_time(const Check *c, const char *what, const json_t *v) {
        if (!json_is_integer(v) || json_integer_value(v) < 0)
                return bad(c, what, "missing or not a whole number of microseconds >= 0");
        return 0;
}

/* what is the metric's place: the messages say what.gate. */
static int check_gate(const Check *c, const char *what, const json_t *gate) {
        static const char *const members[] = { "max_regression", "alpha", NULL };
        if (!json_is_object(gate))
                return error_set_input(c->e, -EINVAL, c->file, c->line, "%s.gate: not an object", what);
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *) gate, key, v) {
                bool known = strcmp(key, members[0]) == 0 || strcmp(key, members[1]) == 0;
                if (!known)
                        return error_set_input(c->e, -EINVAL, c->file, c->line,
                                               "%s.gate: unknown member \"%.64s\" (this skytune would lose it)", what,
                                               key);
        }
        for (size_t i = 0; members[i]; i++) {
                v = json_object_get(gate, members[i]);
                if (!json_is_number(v) || !isfinite(json_number_value(v)) || json_number_value(v) < 0)
                        return error_set_input(c->e, -EINVAL, c->file, c->line, "%s.gate.%s: not a number >= 0", what,
                                               members[i]);
        }
        return 0;
}

static int check_metric(const Check *c, const char *what, const json_t *m, size_t reps) {
        static const char *const members[] = { "name", "unit", "higher_is_better", "gate", "samples", NULL };
        if (!json_is_object(m))
                return bad(c, what, "not an object");
        int r = only(c, what, m, members);
        if (r == 0)
                r = need_text(c, what, m, "name");
        if (r == 0 && (r = need_text(c, what, m, "unit")) == 0 &&
            !json_is_boolean(json_object_get(m, "higher_is_better")))
                r = bad(c, what, "higher_is_better: missing or not true/false");
        if (r == 0 && json_object_get(m, "gate"))
                r = check_gate(c, what, json_object_get(m, "gate"));
        const json_t *samples = json_object_get(m, "samples"), *v;
        if (r == 0 && !json_is_array(samples))
                return bad(c, what, "samples: missing or not an array");
        if (r == 0 && json_array_size(samples) != reps)
                return error_set_input(c->e, -EINVAL, c->file, c->line,
                                       "%s.samples: %zu samples for %zu repetitions (one each, null when not measured)",
                                       what, json_array_size(samples), reps);
        size_t i;
        json_array_foreach(samples, i, v) {
                if (r < 0)
                        break;
                if (!json_is_null(v) && (!json_is_number(v) || !isfinite(json_number_value(v))))
                        r = error_set_input(c->e, -EINVAL, c->file, c->line,
                                            "%s.samples[%zu]: not a finite number or null", what, i);
        }
        return r;
}

static int check_histograms(const Check *c, const char *what, const json_t *hs, size_t reps) {
        if (!json_is_array(hs) || json_array_size(hs) > reps)
                return bad(c, what, "not an array of at most one entry per repetition");
        size_t i;
        const json_t *set;
        json_array_foreach(hs, i, set) {
                const char *name;
                const json_t *data;
                if (!json_is_null(set) && !json_is_object(set))
                        return error_set_input(c->e, -EINVAL, c->file, c->line, "%s[%zu]: not an object or null", what,
                                               i);
                json_object_foreach((json_t *) set, name, data) {
                        if (!json_is_string(data) || !*name || strlen(name) > MAX_TEXT)
                                return error_set_input(c->e, -EINVAL, c->file, c->line,
                                                       "%s[%zu]: each histogram a string under a name", what, i);
                }
        }
        return 0;
}

static int check_bench(const Check *c, const char *what, const json_t *b) {
        static const char *const members[] = {
                "name", "kind", "config_digest", "repetition_started_us", "metrics", "histograms", NULL
        };
        if (!json_is_object(b))
                return bad(c, what, "not an object");
        int r = only(c, what, b, members);
        for (size_t k = 0; r == 0 && k < 3; k++)
                r = need_text(c, what, b, members[k]);
        const json_t *reps = json_object_get(b, "repetition_started_us"), *metrics = json_object_get(b, "metrics"), *v;
        if (r == 0 && (!json_is_array(reps) || json_array_size(reps) > MAX_REPETITIONS))
                return bad(c, what, "repetition_started_us: missing, not an array or over 100000");
        char sub[160];
        size_t i;
        json_array_foreach(reps, i, v) {
                snprintf(sub, sizeof(sub), "%s.repetition_started_us[%zu]", what, i);
                if (r == 0)
                        r = need_time(c, sub, v);
        }
        if (r == 0 && (!json_is_array(metrics) || json_array_size(metrics) > MAX_METRICS))
                return bad(c, what, "metrics: missing, not an array or over 1000");
        json_array_foreach(metrics, i, v) {
                snprintf(sub, sizeof(sub), "%s.metrics[%zu]", what, i);
                if (r == 0)
                        r = check_metric(c, sub, v, json_array_size(reps));
        }
        snprintf(sub, sizeof(sub), "%s.histograms", what);
        if (r == 0 && json_object_get(b, "histograms"))
                r = check_histograms(c, sub, json_object_get(b, "histograms"), json_array_size(reps));
        return r;
}

/* The skytune transactions active at the run's start: absent or null (unknown), or a list of
 * objects (kept as they are). */
static int check_transactions(const Check *c, const json_t *txs) {
        if (!txs || json_is_null(txs))
                return 0;
        if (!json_is_array(txs) || json_array_size(txs) > MAX_BENCHES)
                return bad(c, "run.transactions", "not null or an array of at most 10000");
        size_t i;
        const json_t *t;
        json_array_foreach(txs, i, t)
                if (!json_is_object(t))
                        return bad(c, "run.transactions", "an entry is not an object {id, state, applied, tunables}");
        return 0;
}

static int check_run(const Check *c, const json_t *run) {
        static const char *const members[] = { "schema",          "id",           "suite",       "suite_digest",
                                               "skytune_version", "started_us",   "finished_us", "fingerprint",
                                               "benchmarks",      "transactions", NULL };
        int r = only(c, "run", run, members);
        if (r == 0 && json_object_get(run, "id") && !json_is_integer(json_object_get(run, "id")))
                r = bad(c, "run.id", "not a whole number (it is not kept: the history gives its own)");
        for (size_t k = 2; r == 0 && k < 5; k++)
                r = need_text(c, "run", run, members[k]);
        if (r == 0)
                r = need_time(c, "run.started_us", json_object_get(run, "started_us"));
        if (r == 0)
                r = need_time(c, "run.finished_us", json_object_get(run, "finished_us"));
        if (r == 0 && !json_is_object(json_object_get(run, "fingerprint")))
                r = bad(c, "run.fingerprint", "missing or not an object");
        r = r < 0 ? r : check_transactions(c, json_object_get(run, "transactions"));
        const json_t *benches = json_object_get(run, "benchmarks"), *b;
        if (r == 0 && (!json_is_array(benches) || json_array_size(benches) > MAX_BENCHES))
                return bad(c, "run.benchmarks", "missing, not an array or over 10000");
        size_t i;
        json_array_foreach(benches, i, b) {
                char what[64];
                snprintf(what, sizeof(what), "benchmarks[%zu]", i);
                if (r == 0)
                        r = check_bench(c, what, b);
        }
        return r;
}

/* {started_us, suite_digest}: which run a baseline names. */
static int check_run_key(const Check *c, const char *what, const json_t *key) {
        static const char *const members[] = { "started_us", "suite_digest", NULL };
        if (!json_is_object(key))
                return bad(c, what, "not an object {started_us, suite_digest}");
        int r = only(c, what, key, members);
        if (r == 0)
                r = need_time(c, what, json_object_get(key, "started_us"));
        return r < 0 ? r : need_text(c, what, key, "suite_digest");
}

static int check_baseline(const Check *c, const json_t *bl) {
        static const char *const members[] = {
                "schema", "suite", "name", "run", "set_us", "accepted", "previous", NULL
        };
        int r = only(c, "baseline", bl, members);
        if (r == 0)
                r = need_text(c, "baseline", bl, "suite");
        if (r == 0)
                r = need_text(c, "baseline", bl, "name");
        if (r == 0)
                r = check_run_key(c, "baseline.run", json_object_get(bl, "run"));
        if (r == 0)
                r = need_time(c, "baseline.set_us", json_object_get(bl, "set_us"));
        if (r == 0 && !json_is_boolean(json_object_get(bl, "accepted")))
                r = bad(c, "baseline.accepted", "missing or not true/false");
        const json_t *prev = json_object_get(bl, "previous");
        if (r == 0 && !json_is_null(prev))
                r = check_run_key(c, "baseline.previous", prev);
        return r;
}

/* What a line that is not ours is, for the message. */
static const char *foreign(const json_t *doc) {
        if (json_is_object(doc) && json_object_get(doc, "result_columns"))
                return "an asv results file";
        if (json_is_object(doc) && !json_object_get(doc, "schema"))
                return "Bencher Metric Format JSON";
        return NULL;
}

int bench_import_parse_line(const char *line, size_t len, const char *file, unsigned lineno, json_t **ret,
                            BenchLineKind *ret_kind, Error *e) {
        Check c = { .file = file, .line = lineno, .e = e };
        json_error_t je;
        json_t *doc = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
        if (!doc && lineno == 1 && len > 0 && line[0] != '{' && memchr(line, ',', len))
                return error_set_input(e, -EINVAL, file, lineno,
                                       "a CSV file (an otava export?): that export is lossy (one median per run)"
                                       " and cannot be imported; export with --format skytune");
        if (!doc)
                return error_set_input(e, -EINVAL, file, lineno,
                                       "not JSON (%s at column %d): give a file that 'skytune bench export"
                                       " --format skytune' wrote",
                                       je.text, je.column);
        const char *schema = json_string_value(json_object_get(doc, "schema")), *other = foreign(doc);
        int r = 0;
        if (other)
                r = error_set_input(e, -EINVAL, file, lineno,
                                    "%s: that export is lossy (a summary per run, no samples, repetitions or"
                                    " fingerprint) and cannot be imported; export with --format skytune",
                                    other);
        else if (schema && strcmp(schema, BENCH_RUN_SCHEMA) == 0) {
                *ret_kind = BENCH_LINE_RUN;
                r = check_run(&c, doc);
        } else if (schema && strcmp(schema, BENCH_BASELINE_SCHEMA) == 0) {
                *ret_kind = BENCH_LINE_BASELINE;
                r = check_baseline(&c, doc);
        } else
                r = error_set_input(e, -EINVAL, file, lineno,
                                    "not a " BENCH_RUN_SCHEMA " or " BENCH_BASELINE_SCHEMA
                                    " document (schema %.64s): this skytune reads only those",
                                    schema ?: "missing");
        if (r < 0) {
                json_decref(doc);
                return r;
        }
        *ret = doc;
        return 0;
}

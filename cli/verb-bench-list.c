/* SPDX-License-Identifier: MIT */
/* skytune bench list: the suites the places hold (suite-lookup.h), shadowed ones marked, with their
 * runs in the history when there is one. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-history.h"
#include "cli.h"
#include "log.h"
#include "macro.h"
#include "schema.h"
#include "suite-lookup.h"
#include "verb-bench.h"

static const char usage[] = "Usage: skytune bench list [--json] [--history FILE] [--root DIR]\n"
                            "\n"
                            "The suites 'bench run NAME' finds, looked up in this order:\n"
                            "$XDG_CONFIG_HOME/skytune/suites (~/.config/skytune/suites),\n"
                            "/etc/skytune/suites.d and the installed suites (/usr/share/skytune/suites).\n"
                            "A name in an earlier place shadows the same name later (marked shadowed).\n"
                            "With a history, each suite's runs and its last run.\n"
                            "\n"
                            "  --json          as JSON (schema " BENCH_LIST_SCHEMA ")\n"
                            "  --history FILE  the history (default as 'bench run')\n"
                            "  --root DIR      the places under DIR (for packaging and tests)\n"
                            "\n"
                            "Exit: 0 listed (also none), 1 an error, 2 usage.\n";

/* One found file as JSON: name, path, place, shadowed, suite and benchmarks or error, runs. */
static json_t *entry_json(const SuiteFound *f, BenchHistory *h) {
        json_t *o = json_pack("{s:s, s:s, s:I, s:b}", "name", f->name, "path", f->path, "place", (json_int_t) f->place,
                              "shadowed", f->shadowed);
        Suite *s = NULL;
        Error e = ERROR_NULL;
        if (o && suite_load_file(f->path, &s, &e) < 0) {
                _cleanup_free_ char *msg = error_format(&e);
                json_object_set_new(o, "error", json_string(msg ?: error_message(&e)));
        } else if (o) {
                json_object_set_new(o, "suite", json_string(s->name));
                json_object_set_new(o, "benchmarks", json_integer((json_int_t) s->n_benches));
        }
        int64_t runs = 0, last = 0;
        if (o && s && h && !f->shadowed && bench_history_suite_stats(h, s->name, &runs, &last) >= 0) {
                json_object_set_new(o, "runs", json_integer(runs));
                json_object_set_new(o, "last_run_us", last ? json_integer(last) : json_null());
        }
        error_done(&e);
        suite_free(s);
        return o;
}

static void print_text(const json_t *doc) {
        const json_t *suites = json_object_get(doc, "suites"), *places = json_object_get(doc, "places"), *o;
        size_t i;
        printf("Places, in order:\n");
        json_array_foreach(places, i, o)
                printf("  %zu  %s\n", i + 1, json_string_value(o));
        const json_t *h = json_object_get(doc, "history");
        printf("History: %s\n", json_is_string(h) ? json_string_value(h) : "none yet (no runs shown)");
        if (json_array_size(suites) == 0) {
                printf("\nNo suites there: put NAME.conf in one of them (docs/bench.md).\n");
                return;
        }
        printf("\n%-20s %5s %5s  %-20s  %s\n", "NAME", "BENCH", "RUNS", "LAST RUN", "FILE");
        json_array_foreach(suites, i, o) {
                char buf[32] = "-", n[16] = "-", runs[16] = "-";
                const json_t *last = json_object_get(o, "last_run_us"), *b = json_object_get(o, "benchmarks");
                time_t t = json_is_integer(last) ? (time_t) (json_integer_value(last) / 1000000) : 0;
                struct tm tm;
                if (t && gmtime_r(&t, &tm))
                        strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
                if (b)
                        snprintf(n, sizeof n, "%lld", (long long) json_integer_value(b));
                if (json_object_get(o, "runs"))
                        snprintf(runs, sizeof runs, "%lld", (long long) json_integer_value(json_object_get(o, "runs")));
                printf("%-20s %5s %5s  %-20.20s  %s%s\n", json_string_value(json_object_get(o, "name")), n, runs, buf,
                       json_string_value(json_object_get(o, "path")),
                       json_is_true(json_object_get(o, "shadowed")) ? " (shadowed)" : "");
                const char *inside = json_string_value(json_object_get(o, "suite"));
                if (inside && strcmp(inside, json_string_value(json_object_get(o, "name"))) != 0)
                        printf("    named '%s' inside: its runs are recorded under that name\n", inside);
                if (json_object_get(o, "error"))
                        printf("    does not load: %s\n", json_string_value(json_object_get(o, "error")));
        }
}

/* The history to read, or NULL when there is none yet (not an error: nothing ran). */
static BenchHistory *open_history(const char *opt, char **ret_path) {
        BenchHistory *h = NULL;
        if (bench_history_path(opt, false, ret_path) < 0)
                return NULL;
        int r = bench_history_open_reader(*ret_path, &h);
        if (r < 0 && r != -ENOENT)
                log_warning("cannot read the history %s: %s (runs not shown)", *ret_path, strerror(-r));
        if (r < 0) {
                free(*ret_path);
                *ret_path = NULL;
        }
        return r < 0 ? NULL : h;
}

static json_t *list_json(const SuitePlaces *p, const SuiteFound *f, size_t n, BenchHistory *h, const char *hpath) {
        json_t *doc = json_pack("{s:s, s:[], s:o, s:[]}", "schema", BENCH_LIST_SCHEMA, "places", "history",
                                hpath ? json_string(hpath) : json_null(), "suites");
        for (size_t i = 0; doc && i < p->n; i++)
                json_array_append_new(json_object_get(doc, "places"), json_string(p->dirs[i]));
        for (size_t i = 0; doc && i < n; i++)
                if (json_array_append_new(json_object_get(doc, "suites"), entry_json(&f[i], h)) < 0) {
                        json_decref(doc);
                        doc = NULL;
                }
        return doc;
}

static int parse_args(int argc, char **argv, bool *json, const char **history, const char **root) {
        static const struct option options[] = { { "json", no_argument, NULL, 'j' },
                                                 { "history", required_argument, NULL, 'H' },
                                                 { "root", required_argument, NULL, 'R' },
                                                 { "help", no_argument, NULL, 'h' },
                                                 {} };
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1)
                switch (c) {
                case 'j': *json = true; break;
                case 'H': *history = optarg; break;
                case 'R': *root = optarg; break;
                case 'h': fputs(usage, stdout); return EXIT_OK;
                default:
                        log_error("unknown option or missing value '%s' (see 'skytune bench list --help')",
                                  argv[optind - 1]);
                        return EXIT_USAGE;
                }
        if (optind != argc) {
                log_error("bench list takes no suite: '%s' (see 'skytune bench list --help')", argv[optind]);
                return EXIT_USAGE;
        }
        return -1;
}

int bench_list(int argc, char **argv) {
        bool json = false;
        const char *history = NULL, *root = NULL;
        int code = parse_args(argc, argv, &json, &history, &root);
        if (code >= 0)
                return code;
        SuitePlaces p;
        SuiteFound *f = NULL;
        size_t n = 0;
        int r = suite_places_init(&p, root, true);
        if (r >= 0)
                r = suite_find_all(&p, &f, &n);
        if (r < 0) {
                log_error("cannot read the suite places: %s", strerror(-r));
                suite_places_done(&p);
                return EXIT_FAIL;
        }
        _cleanup_free_ char *hpath = NULL;
        BenchHistory *h = open_history(history, &hpath);
        json_t *doc = list_json(&p, f, n, h, hpath);
        if (!doc)
                log_error("out of memory");
        else if (json)
                code = cli_write_json(doc, NULL) < 0 ? EXIT_FAIL : EXIT_OK;
        else {
                print_text(doc);
                code = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
        }
        json_decref(doc);
        bench_history_close(h);
        suite_found_free(f, n);
        suite_places_done(&p);
        return doc ? code : EXIT_FAIL;
}

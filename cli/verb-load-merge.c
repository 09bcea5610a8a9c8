/* SPDX-License-Identifier: MIT */
/* skytune load merge: the agents' documents (load/load-merge.h) into one, to the human summary,
 * --json or --out; exit code the merged verdict's. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json-util.h"
#include "load-doc.h"
#include "load-merge.h"
#include "load-output.h"
#include "log.h"
#include "macro.h"
#include "render-load.h"
#include "render.h"
#include "verbs.h"

static const char merge_usage[] = "Usage: skytune load merge AGENT.json... [--json] [--out FILE]\n"
                                  "\n"
                                  "Merge the documents of the agents of one run (skytune load --segment i/N\n"
                                  "--start-at TIME --out AGENT.json on each) into one: counters added, the\n"
                                  "latency histograms added (the percentiles are those of every request, not\n"
                                  "averages), the intervals aligned on the run's time axis, and the thresholds\n"
                                  "judged again on the merged data. A warning names each agent whose clock\n"
                                  "was not synchronized (adjtimex) or whose clock error or start exceeds a\n"
                                  "tenth of the interval (the exit code stays the merged verdict's).\n"
                                  "\n"
                                  "  --json           print the merged skytune.load/1 document, not the summary\n"
                                  "  --out FILE       also write it to FILE\n"
                                  "\n"
                                  "Exit codes: 0 every threshold passed, 1 a document is unreadable, not a run or\n"
                                  "of another scenario (or nothing was answered), 2 usage error, 4 a threshold\n"
                                  "failed on the merged data, 5 invalid: an agent was client-bound or\n"
                                  "interrupted, or the segments do not make one load (an index twice, a count\n"
                                  "that is not the number of documents). See " CLI_DOC("load") ".\n";

static int dump(FILE *f, const json_t *doc, Error *e) {
        if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) < 0 || fputc('\n', f) == EOF)
                return error_set(e, -EIO, "cannot write the document");
        return 0;
}

static int read_all(char **paths, size_t n, LoadMergeInput *in) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_(error_done) Error e = ERROR_NULL;
                json_t *doc = NULL;
                if (load_doc_read(paths[i], &doc, &e) < 0) {
                        _cleanup_free_ char *msg = error_format(&e);
                        log_error("%s", msg ? msg : error_message(&e));
                        return EXIT_FAIL;
                }
                in[i] = (LoadMergeInput) { .path = paths[i], .doc = doc };
        }
        return EXIT_OK;
}

static int output(const json_t *doc, bool json, const char *out) {
        if (out && cli_render_to_file(doc, out, "merged run", dump) < 0)
                return EXIT_FAIL;
        if (json ? cli_render_to_file(doc, "-", "merged run", dump) < 0
                 : render_load_text(stdout, doc, &(RenderView) { .width = 80 }) < 0 || fflush(stdout) != 0)
                return log_error_errno(-EIO, "cannot write the merged run to stdout: %m"), EXIT_FAIL;
        /* The agents' clocks and starts: a warning each, the verdict unchanged (docs/load.md). */
        const json_t *w, *warnings = json_object_get(json_object_get(json_object_get(doc, "client"), "clock"), "warnings");
        size_t i;
        json_array_foreach(warnings, i, w)
                log_warning("%s", jstr_or(w, "text", "?"));
        const json_t *v = json_object_get(json_object_get(doc, "verdict"), "exit");
        int code = json_is_integer(v) ? (int) json_integer_value(v) : EXIT_FAIL;
        if (code == 5)
                log_error("invalid merged run: %s", jstr_or(json_object_get(doc, "verdict"), "reason", "?"));
        return code;
}

static int merge(char **paths, size_t n, bool json, const char *out) {
        LoadMergeInput *in = calloc(n, sizeof(*in));
        if (!in)
                return log_error_errno(-ENOMEM, "out of memory"), EXIT_FAIL;
        int r = read_all(paths, n, in);
        _cleanup_(json_decrefp) json_t *doc = NULL;
        _cleanup_(error_done) Error e = ERROR_NULL;
        if (r == EXIT_OK && load_merge(in, n, &doc, &e) < 0) {
                log_error("%s", error_message(&e));
                r = EXIT_FAIL;
        }
        if (r == EXIT_OK)
                r = output(doc, json, out);
        for (size_t i = 0; i < n; i++)
                json_decref((json_t *) in[i].doc);
        free(in);
        return r;
}

int verb_load_merge(int argc, char **argv) {
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                { "out", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        bool json = false;
        const char *out = NULL;
        optind = 1;
        opterr = 0;
        for (int c; (c = getopt_long(argc, argv, "h", options, NULL)) != -1;) {
                if (c == 'h') {
                        fputs(merge_usage, stdout);
                        return EXIT_OK;
                }
                if (c == 'j')
                        json = true;
                else if (c == 'o')
                        out = optarg;
                else {
                        log_error("unknown or incomplete option '%s' (see 'skytune load merge --help')",
                                  argv[optind - 1]);
                        return EXIT_USAGE;
                }
        }
        if (optind >= argc) {
                log_error("skytune load merge: give the agents' documents (AGENT.json ...; see 'skytune load merge "
                          "--help')");
                return EXIT_USAGE;
        }
        return merge(argv + optind, (size_t) (argc - optind), json, out);
}

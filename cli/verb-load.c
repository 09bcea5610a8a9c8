/* SPDX-License-Identifier: MIT */
/* skytune load: the options make a Scenario (verb-load-args.c), load/run.h runs it, the intervals
 * stream to the document writer (and --out-ndjson) and to the progress line, and the document goes
 * to the human summary (render/load-text.c), --json, --out and --html (cli/load-output.c).
 * `skytune load merge` is cli/verb-load-merge.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "load-output.h"
#include "log.h"
#include "macro.h"
#include "run.h"
#include "verb-load.h"
#include "verbs.h"

static int output(LoadOutput *o, const LoadRun *run) {
        _cleanup_(json_decrefp) json_t *doc = load_doc_build(run);
        if (!doc)
                return log_error_errno(-ENOMEM, "cannot build the run's document: %m"), EXIT_FAIL;
        int r = load_output_write(o, doc);
        return r != EXIT_OK ? r : load_run_exit(run);
}

int verb_load(int argc, char **argv) {
        /* A subcommand, not a URL. */
        if (argc >= 2 && strcmp(argv[1], "merge") == 0)
                return verb_load_merge(argc - 1, argv + 1);
        LoadArgs a;
        int r = load_args_parse(argc, argv, &a);
        if (r >= 0) {
                load_args_done(&a);
                return r;
        }
        LoadOutput o = { .json = a.json, .progress = a.progress, .out = a.out, .out_ndjson = a.out_ndjson,
                         .html = a.html, .junit = a.junit, .hdr_log = a.hdr_log, .no_system = a.no_system, .sysroot = a.sysroot,
                         .server_pid = a.server_pid, .server_unit = a.server_unit };
        if (load_output_open(&o) != EXIT_OK) {
                load_args_done(&a);
                return EXIT_FAIL;
        }
        LoadRunConfig cfg = {
                .scenario = a.scenario, .threads = a.threads, .segment_index = a.segment_index,
                .segment_count = a.segment_count, .start_at_usec = a.start_at_usec, .stop = load_stop_install(),
                .hooks = LOAD_OUTPUT_HOOKS(&o),
        };
        _cleanup_(error_done) Error e = ERROR_NULL;
        LoadRun *run = NULL;
        r = load_run(&cfg, &run, &e);
        load_output_done_running(&o);
        if (r < 0) {
                _cleanup_free_ char *msg = error_format(&e);
                log_error("%s", msg ? msg : error_message(&e));
                r = EXIT_FAIL;
        } else {
                if (run->interrupted)
                        log_error("interrupted: the results so far are written, marked interrupted");
                r = output(&o, run);
        }
        load_run_free(run);
        load_output_close(&o);
        load_args_done(&a);
        return r;
}

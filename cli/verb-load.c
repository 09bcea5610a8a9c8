/* SPDX-License-Identifier: MIT */
/* skytune load: the options make a Scenario (verb-load-args.c), load/run.h runs it, the intervals
 * stream to the document writer (and --out-ndjson) and to the progress line, and the document goes
 * to the human summary (render/load-text.c), --json and --out. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "load-doc.h"
#include "log.h"
#include "macro.h"
#include "render.h"
#include "run.h"
#include "verb-load.h"
#include "verbs.h"

/* Read by the engines' threads too: a lock-free atomic, which a signal handler may set. */
static atomic_bool load_stop;
_Static_assert(ATOMIC_BOOL_LOCK_FREE == 2, "a signal handler may only set a lock-free atomic");

static void on_stop(int sig) {
        (void) sig;
        atomic_store(&load_stop, true);
}

static void install_stop(void) {
        struct sigaction sa = { .sa_handler = on_stop };
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
}

typedef struct Sink {
        LoadDocWriter writer;
        bool progress, tty;
} Sink;

static void progress_line(const LoadInterval *iv, bool tty) {
        const LoadgenResults *r = iv->results;
        double span = iv->end_s - iv->start_s;
        const Histogram *lat = r->h[LOADGEN_H_LATENCY];
        double p99 = histogram_count(lat) ? (double) histogram_percentile(lat, 99) / 1000 : NAN;
        fprintf(stderr, "%s%6.0f s  %9.1f req/s  ok %9.1f/s  p99 %8.2f ms  errors %llu%s", tty ? "\r" : "", iv->end_s,
                span > 0 ? (double) r->c.done / span : 0, span > 0 ? (double) r->c.ok / span : 0, p99,
                (unsigned long long) (r->c.done - r->c.ok), tty ? cli_erase_eol() : "\n");
        fflush(stderr);
}

static void on_interval(const LoadInterval *iv, void *userdata) {
        Sink *s = userdata;
        load_doc_writer_add(&s->writer, iv);
        if (s->progress && !iv->step)
                progress_line(iv, s->tty);
}

static int write_doc_file(LoadDocWriter *w, const json_t *doc, const char *path) {
        _cleanup_fclose_ FILE *f = fopen(path, "we");
        if (!f)
                return log_error_errno(-errno, "cannot write the run to %s: %m", path);
        int r = load_doc_write(w, doc, f, false);
        if (r < 0)
                return log_error_errno(r, "cannot write the run to %s: %m", path);
        return 0;
}

static int output(Sink *s, const LoadArgs *a, const LoadRun *run) {
        _cleanup_(json_decrefp) json_t *doc = load_doc_build(run);
        if (!doc)
                return log_error_errno(-ENOMEM, "cannot build the run's document: %m");
        if (a->out && write_doc_file(&s->writer, doc, a->out) < 0)
                return EXIT_FAIL;
        if (a->json) {
                int r = load_doc_write(&s->writer, doc, stdout, false);
                if (r < 0)
                        return log_error_errno(r, "cannot write the run to stdout: %m"), EXIT_FAIL;
        } else if (render_load_text(stdout, doc, &(RenderView) { .width = 80 }) < 0 || fflush(stdout) != 0)
                return log_error_errno(-EIO, "cannot write the summary to stdout: %m"), EXIT_FAIL;
        return load_run_exit(run);
}

int verb_load(int argc, char **argv) {
        LoadArgs a;
        int r = load_args_parse(argc, argv, &a);
        if (r >= 0) {
                load_args_done(&a);
                return r;
        }
        Sink s = { .tty = isatty(STDERR_FILENO) };
        s.progress = a.progress || s.tty;
        _cleanup_(error_done) Error e = ERROR_NULL;
        if (load_doc_writer_open(&s.writer, a.out_ndjson, &e) < 0) {
                log_error("%s", error_message(&e));
                load_args_done(&a);
                return EXIT_FAIL;
        }
        install_stop();
        LoadRunConfig cfg = {
                .scenario = a.scenario, .threads = a.threads, .segment_index = a.segment_index,
                .segment_count = a.segment_count, .start_at_usec = a.start_at_usec, .stop = &load_stop,
                .hooks = { .on_interval = on_interval, .userdata = &s },
        };
        LoadRun *run = NULL;
        r = load_run(&cfg, &run, &e);
        if (s.progress && s.tty)
                cli_progress_clear();
        if (r < 0) {
                _cleanup_free_ char *msg = error_format(&e);
                log_error("%s", msg ? msg : error_message(&e));
                r = EXIT_FAIL;
        } else {
                if (run->interrupted)
                        log_error("interrupted: the results so far are written, marked interrupted");
                r = output(&s, &a, run);
        }
        load_run_free(run);
        load_doc_writer_close(&s.writer);
        load_args_done(&a);
        return r;
}

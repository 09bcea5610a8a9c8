/* SPDX-License-Identifier: MIT */
/* The outputs of a load run (cli/load-output.h). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "hdr-codec.h"
#include "load-host.h"
#include "load-output.h"
#include "log.h"
#include "macro.h"
#include "render-load.h"
#include "render.h"
#include "time-util.h"

/* Read by the engines' threads too: a lock-free atomic, which a signal handler may set. */
static atomic_bool load_stop;
_Static_assert(ATOMIC_BOOL_LOCK_FREE == 2, "a signal handler may only set a lock-free atomic");

static void on_stop(int sig) {
        (void) sig;
        atomic_store(&load_stop, true);
}

const atomic_bool *load_stop_install(void) {
        struct sigaction sa = { .sa_handler = on_stop };
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        return &load_stop;
}

int load_server_pid_parse(const char *arg, int *ret) {
        char *end;
        errno = 0;
        long v = strtol(arg, &end, 10);
        if (errno || end == arg || *end || v < 1 || v > INT_MAX) {
                log_error("--server-pid '%s': give the PID of the server's main process (a whole number from 1)",
                          arg);
                return -EINVAL;
        }
        *ret = (int) v;
        return 0;
}

int load_server_check(int pid, const char *unit, bool no_system, const char *verb) {
        const char *what = pid > 0 ? "--server-pid" : "--server-unit";
        if (pid > 0 && unit)
                log_error("--server-pid and --server-unit name the server twice: give one (see 'skytune %s --help')",
                          verb);
        else if ((pid > 0 || unit) && no_system)
                log_error("%s and --no-system: the server is sampled with the host; drop one (see 'skytune %s "
                          "--help')", what, verb);
        else
                return 0;
        return -EINVAL;
}

int load_output_open(LoadOutput *o) {
        _cleanup_(error_done) Error e = ERROR_NULL;
        o->tty = isatty(STDERR_FILENO);
        o->progress = o->progress || o->tty;
        if (load_doc_writer_open(&o->writer, o->out_ndjson, &e) < 0) {
                log_error("%s", error_message(&e));
                return EXIT_FAIL;
        }
        if (!o->no_system && load_host_new(o->sysroot, o->server_pid, o->server_unit, &o->host) < 0) {
                if (o->sysroot || o->server_pid > 0 || o->server_unit)
                        return EXIT_FAIL;
                log_warning("the run goes on without the host's metrics and findings");
        }
        if (o->hdr_log && !(o->hdr_f = fopen(o->hdr_log, "we"))) {
                log_error_errno(-errno, "--hdr-log %s: cannot write the HdrHistogram log: %m", o->hdr_log);
                return EXIT_FAIL;
        }
        return EXIT_OK;
}

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

/* One line per interval and step (Tag=total for the total); the log's start time is the run's,
 * which the first interval gives (the wall clock now less the time since the run's start). */
static void hdr_log_add(LoadOutput *o, const LoadInterval *iv) {
        int r = 0;
        if (!o->hdr_begun) {
                o->hdr_begun = true;
                r = hdrlog_begin(o->hdr_f, (double) time_now_realtime_usec() / 1e6 - iv->end_s);
        }
        if (r >= 0)
                r = hdrlog_interval(o->hdr_f, iv->start_s, iv->end_s - iv->start_s, iv->results->h[LOADGEN_H_LATENCY],
                                    iv->step ? iv->step : "total");
        if (r >= 0 && !iv->step && fflush(o->hdr_f) != 0)
                r = -errno;
        if (r < 0 && !o->hdr_error)
                o->hdr_error = r;
}

void load_output_interval(const LoadInterval *iv, void *userdata) {
        LoadOutput *o = userdata;
        load_doc_writer_add(&o->writer, iv);
        if (o->hdr_f)
                hdr_log_add(o, iv);
        if (!iv->step)
                o->planned = iv->planned;
        if (o->progress && !iv->step)
                progress_line(iv, o->tty);
}

void load_output_tick(double t_s, void *userdata) {
        LoadOutput *o = userdata;
        if (o->host)
                load_host_tick(o->host, t_s, o->planned);
}

double load_output_server_rss(void *userdata) {
        const LoadOutput *o = userdata;
        return o->host ? load_host_server_rss(o->host) : NAN;
}

void load_output_done_running(LoadOutput *o) {
        if (o->progress && o->tty)
                cli_progress_clear();
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

int cli_render_to_file(const json_t *doc, const char *path, const char *what,
                       int (*render)(FILE *, const json_t *, Error *)) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        Error e = ERROR_NULL;
        int r = f ? render(f, doc, &e) : -ENOMEM;
        if (f && fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                log_error("cannot render the %s: %s", what, f ? error_message(&e) : "out of memory");
        else if (cli_write_text(text, len, path) < 0)
                r = -EIO;
        error_done(&e);
        free(text);
        return r;
}

/* The HTML report needs the document whole, intervals included: spliced in memory, read back. */
static int write_report(LoadOutput *o, const json_t *doc, const char *path, const char *what,
                        int (*render)(FILE *, const json_t *, Error *)) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        int r = f ? load_doc_write(&o->writer, doc, f, true) : -ENOMEM;
        if (f && fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        json_t *whole = r >= 0 ? json_loadb(text, len, 0, NULL) : NULL;
        free(text);
        if (!whole)
                return log_error_errno(r < 0 ? r : -ENOMEM, "cannot assemble the run for the %s %s: %m", what, path);
        r = cli_render_to_file(whole, path, what, render);
        json_decref(whole);
        return r;
}

int load_output_write(LoadOutput *o, json_t *doc) {
        if (o->hdr_f && (o->hdr_error < 0 || fflush(o->hdr_f) != 0))
                return log_error_errno(o->hdr_error < 0 ? o->hdr_error : -errno,
                                       "--hdr-log %s: cannot write the HdrHistogram log: %m", o->hdr_log), EXIT_FAIL;
        if (o->host && load_host_finish(o->host, doc) < 0)
                return EXIT_FAIL;
        if (o->out && write_doc_file(&o->writer, doc, o->out) < 0)
                return EXIT_FAIL;
        if (o->html && write_report(o, doc, o->html, "HTML report", render_load_html) < 0)
                return EXIT_FAIL;
        if (o->junit && write_report(o, doc, o->junit, "JUnit XML", render_load_junit) < 0)
                return EXIT_FAIL;
        if (o->json) {
                int r = load_doc_write(&o->writer, doc, stdout, false);
                if (r < 0)
                        return log_error_errno(r, "cannot write the run to stdout: %m"), EXIT_FAIL;
        } else if (render_load_text(stdout, doc, &(RenderView) { .width = 80 }) < 0 || fflush(stdout) != 0)
                return log_error_errno(-EIO, "cannot write the summary to stdout: %m"), EXIT_FAIL;
        return EXIT_OK;
}

void load_output_close(LoadOutput *o) {
        load_doc_writer_close(&o->writer);
        if (o->hdr_f)
                fclose(o->hdr_f);
        o->hdr_f = NULL;
        o->host = load_host_free(o->host);
}

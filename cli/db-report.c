/* SPDX-License-Identifier: MIT */
/* The run of db query and db load and what it reports: progress on stderr, the thresholds judged
 * on each interval and on the whole run (db/db-judge.h), the document (text or JSON), JUnit XML and
 * the HTML report, and the exit code (docs/db.md). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "db-inspect.h"
#include "load-output.h"
#include "log.h"
#include "macro.h"
#include "render.h"
#include "time-util.h"
#include "verb-db.h"

void db_cli_progress(const DbProgress *p, void *userdata) {
        fprintf(stderr, "progress: %5.1f s, %8.1f tps, lat p50 %.3f p99 %.3f max %.3f ms, failed %llu, skipped %llu\n",
                p->t_s, (double) p->transactions / p->interval_s, (double) histogram_percentile(p->latency, 50) / 1e6,
                (double) histogram_percentile(p->latency, 99) / 1e6, (double) histogram_max(p->latency) / 1e6,
                (unsigned long long) p->failed, (unsigned long long) p->skipped);
}

/* Each interval: its progress line when asked for, and the `for` thresholds. */
static void on_interval(const DbProgress *p, void *userdata) {
        DbCliReport *rep = userdata;
        if (rep->print_progress)
                db_cli_progress(p, NULL);
        if (db_judge_interval(&rep->judge, p)) {
                rep->abort = true;
                log_error("threshold '%s' failed at %.0f s: stopping the run (abort)", rep->judge.aborted_by->text,
                          p->t_s);
        }
}

static bool stop_requested(void *userdata) {
        const DbCliReport *rep = userdata;
        return cli_interrupted() || rep->abort;
}

/* The run's exit code: 1 when a client lost its connection or could not start, when nothing
 * succeeded, or (db query) when any statement failed. */
static int exit_code(const DbResult *r, const char *command) {
        if (r->interrupted)
                return EXIT_INTERRUPTED;
        if (r->clients_lost || r->clients_unstarted || r->transactions == r->failed)
                return EXIT_FAIL;
        return strcmp(command, "query") == 0 && r->failed > 0 ? EXIT_FAIL : EXIT_OK;
}

static void log_outcome(const DbResult *r) {
        if (r->clients_lost)
                log_error("%u client%s lost the connection to the server during the run: %s", r->clients_lost,
                          r->clients_lost == 1 ? "" : "s", r->first_error ? r->first_error : "no message");
        if (r->clients_unstarted)
                log_error("%u client%s could not start: %s", r->clients_unstarted, r->clients_unstarted == 1 ? "" : "s",
                          r->start_error ? r->start_error : "no message");
        if (!r->clients_lost && r->failed > 0)
                log_error("%llu of %llu transactions failed; the first: %s", (unsigned long long) r->failed,
                          (unsigned long long) r->transactions, r->first_error ? r->first_error : "no message");
}

/* pg_stat_database before the run, for the report's server figures; NULL (and a notice) when the
 * statistics cannot be read. */
static json_t *server_before(const DbRunConfig *c, DbConn **conn) {
        uint64_t ns;
        Error e = ERROR_NULL;
        json_t *snap = NULL;
        int r = db_connect(&c->conn, conn, &ns, &e);
        if (r >= 0)
                r = db_inspect_snapshot(*conn, &snap, &e);
        if (r < 0)
                log_notice("the report has no server figures: %s", error_message(&e));
        error_done(&e);
        return snap;
}

static void server_after(json_t *doc, DbConn *conn, json_t *before, double window_s) {
        json_t *ins = NULL;
        Error e = ERROR_NULL;
        if (db_inspect(conn, before, window_s, 1000, &ins, &e) >= 0)
                json_object_set(doc, "server_window", json_object_get(ins, "window"));
        else
                log_notice("the report has no server figures: %s", error_message(&e));
        error_done(&e);
        json_decref(ins);
}

/* The run's time and host, for the reports. */
static void stamp(json_t *doc, char *started) {
        char host[256] = "";
        if (gethostname(host, sizeof(host) - 1) < 0)
                host[0] = '\0';
        json_object_set_new(doc, "started", started ? json_string(started) : json_null());
        json_object_set_new(doc, "hostname", json_string(host));
        free(started);
}

/* The document to its outputs; the exit code, or EXIT_FAIL when one could not be written. */
static int report(const json_t *doc, const DbCliCommon *o, const DbCliReport *rep, int code) {
        if (rep->html && cli_render_to_file(doc, rep->html, "HTML report", render_db_html) < 0)
                code = EXIT_FAIL;
        if (rep->junit && cli_render_to_file(doc, rep->junit, "JUnit XML", render_db_junit) < 0)
                code = EXIT_FAIL;
        if (o->json)
                return cli_write_json(doc, NULL) < 0 ? EXIT_FAIL : code;
        render_db(stdout, doc, &(RenderView) { .width = 80 });
        return code;
}

int db_cli_run_and_judge(DbRunConfig *c, const DbCliCommon *o, DbCliReport *rep, const char *command,
                         const char *workload) {
        if (!db_available())
                return db_cli_unavailable();
        DbCliReport none = {};
        if (!rep)
                rep = &none;
        cli_install_interrupt();
        /* Intervals of a second at least, for the thresholds and the report, printed only when asked. */
        rep->print_progress = c->progress != NULL;
        if (!(c->progress_s > 0))
                c->progress_s = 1;
        c->progress = on_interval;
        c->stop = stop_requested;
        c->userdata = rep;
        DbConn *conn = NULL;
        json_t *before = rep->html ? server_before(c, &conn) : NULL;
        char *started = time_now_iso8601();
        Error e = ERROR_NULL;
        DbResult *r = NULL;
        int k = db_run(c, &r, &e);
        if (k < 0) {
                log_error("db %s: %s", command, error_message(&e));
                error_done(&e);
                free(started);
                json_decref(before);
                db_close(conn);
                return cli_interrupted() ? EXIT_INTERRUPTED : EXIT_FAIL;
        }
        r->interrupted = cli_interrupted(); /* an `abort` threshold stops the run, but is no interruption */
        db_judge_final(&rep->judge, r);
        int code = exit_code(r, command);
        json_t *doc = db_result_json(r, c, command, workload);
        if (doc) {
                stamp(doc, TAKE_PTR(started));
                if (before)
                        server_after(doc, conn, before, r->elapsed_s);
                if (db_judge_json(&rep->judge, doc, code) < 0)
                        json_decref(TAKE_PTR(doc));
        }
        if (code == EXIT_OK)
                code = db_judge_exit(&rep->judge);
        code = doc ? report(doc, o, rep, code) : EXIT_FAIL;
        if (code == EXIT_FAIL)
                log_outcome(r);
        else if (code == THRESHOLD_EXIT_FAILED)
                log_error("thresholds failed: %s (exit %d)",
                          json_string_value(json_object_get(json_object_get(doc, "verdict"), "reason")), code);
        free(started);
        json_decref(before);
        db_close(conn);
        json_decref(doc);
        db_result_free(r);
        if (rep == &none)
                db_judge_done(&none.judge);
        return code;
}

int db_cli_run_and_report(DbRunConfig *c, const DbCliCommon *o, const char *command, const char *workload) {
        return db_cli_run_and_judge(c, o, NULL, command, workload);
}

int db_cli_report_option(int c, const char *arg, DbCliReport *r) {
        Error e = ERROR_NULL;
        switch (c) {
        case DB_OPT_THRESHOLD:
                if (db_judge_add(&r->judge, arg, &e) < 0) {
                        log_error("--threshold %s (the language: " CLI_DOC("load") ", thresholds)", error_message(&e));
                        error_done(&e);
                        return EXIT_USAGE;
                }
                return 0;
        case DB_OPT_JUNIT: r->junit = arg; return 0;
        case DB_OPT_HTML: r->html = arg; return 0;
        default: return -1;
        }
}

void db_cli_report_done(DbCliReport *r) {
        db_judge_done(&r->judge);
}

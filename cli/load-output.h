/* SPDX-License-Identifier: MIT */
/* The outputs `skytune load` and `skytune stress` share: SIGINT/SIGTERM into a flag the engines read,
 * each interval to the document writer (and --out-ndjson), the --hdr-log and the progress line, and
 * at the end the document to --out, --json or the human summary, the HTML report to --html and
 * JUnit XML to --junit. */
#pragma once

#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>

#include "error.h"
#include "load-doc.h"

typedef struct LoadHost LoadHost;

typedef struct LoadOutput {
        bool json, progress;
        const char *out, *out_ndjson, *html, *junit;
        bool no_system;                 /* --no-system: no host metrics, no findings */
        const char *sysroot;            /* --sysroot: the host's /proc and /sys from there */
        const char *hdr_log;            /* --hdr-log: HdrHistogram's V2 interval log, as intervals come */
        FILE *hdr_f;
        bool hdr_begun;                 /* its header is written at the first interval */
        int hdr_error;                  /* the first write error (-errno) */
        int server_pid;                 /* --server-pid (0: none) */
        const char *server_unit;        /* --server-unit */
        LoadDocWriter writer;
        bool tty;
        LoadHost *host;                 /* cli/load-host.h */
        double planned;                 /* of the last total interval */
} LoadOutput;

/* --server-pid's value into *ret: 0, or -EINVAL logged naming it. */
int load_server_pid_parse(const char *arg, int *ret);
/* --server-pid and --server-unit against each other and --no-system, for `skytune VERB`: 0, or -EINVAL
 * logged (a usage error). */
int load_server_check(int pid, const char *unit, bool no_system, const char *verb);
/* SIGINT and SIGTERM set the returned flag (a lock-free atomic the engines' threads read). */
const atomic_bool *load_stop_install(void);
/* Opens the writer (progress on when asked or stderr is a terminal). EXIT_OK or EXIT_FAIL, logged. */
int load_output_open(LoadOutput *o);
/* The run's hooks (on_interval, on_tick): userdata is the LoadOutput. */
void load_output_interval(const LoadInterval *iv, void *userdata);
void load_output_tick(double t_s, void *userdata);
#define LOAD_OUTPUT_HOOKS(o) { .on_interval = load_output_interval, .on_tick = load_output_tick, .userdata = (o) }
/* The server's RSS at the last tick (StressRunConfig.server_rss; userdata: the LoadOutput), or NAN. */
double load_output_server_rss(void *userdata);
/* Clears the progress line. */
void load_output_done_running(LoadOutput *o);
/* doc (from load_doc_build), with the host's "system" and "findings" added, to every output asked
 * for; EXIT_OK or EXIT_FAIL, logged. */
int load_output_write(LoadOutput *o, json_t *doc);
void load_output_close(LoadOutput *o);

/* doc rendered into memory by render, then written whole to path ('-': stdout), so that a failed
 * rendering leaves no partial file. -errno, logged naming what. */
int cli_render_to_file(const json_t *doc, const char *path, const char *what,
                       int (*render)(FILE *, const json_t *, Error *));

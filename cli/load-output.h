/* SPDX-License-Identifier: MIT */
/* The outputs `skytune load` and `skytune stress` share: SIGINT/SIGTERM into a flag the engines read,
 * each interval to the document writer (and --out-ndjson) and to the progress line, and at the end
 * the document to --out, --json or the human summary, and the HTML report to --html. */
#pragma once

#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>

#include "error.h"
#include "load-doc.h"

typedef struct LoadOutput {
        bool json, progress;
        const char *out, *out_ndjson, *html;
        LoadDocWriter writer;
        bool tty;
} LoadOutput;

/* SIGINT and SIGTERM set the returned flag (a lock-free atomic the engines' threads read). */
const atomic_bool *load_stop_install(void);
/* Opens the writer (progress on when asked or stderr is a terminal). EXIT_OK or EXIT_FAIL, logged. */
int load_output_open(LoadOutput *o);
/* A LoadHooks.on_interval: userdata is the LoadOutput. */
void load_output_interval(const LoadInterval *iv, void *userdata);
/* Clears the progress line. */
void load_output_done_running(LoadOutput *o);
/* doc (from load_doc_build) to every output asked for; EXIT_OK or EXIT_FAIL, logged. */
int load_output_write(LoadOutput *o, const json_t *doc);
void load_output_close(LoadOutput *o);

/* doc rendered into memory by render, then written whole to path ('-': stdout), so that a failed
 * rendering leaves no partial file. -errno, logged naming what. */
int cli_render_to_file(const json_t *doc, const char *path, const char *what,
                       int (*render)(FILE *, const json_t *, Error *));

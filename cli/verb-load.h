/* SPDX-License-Identifier: MIT */
/* skytune load: its options (verb-load-args.c) and the run (verb-load.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "scenario.h"

typedef struct LoadArgs {
        Scenario *scenario;             /* from --scenario FILE or built from the options */
        unsigned threads;
        unsigned segment_index, segment_count;
        uint64_t start_at_usec;
        bool json, progress;
        const char *out, *out_ndjson, *html, *junit, *hdr_log;
        bool no_system;                 /* --no-system */
        const char *sysroot;            /* --sysroot DIR: the host's metrics from a captured tree */
        int server_pid;                 /* --server-pid PID (0: none) */
        const char *server_unit;        /* --server-unit UNIT */
} LoadArgs;

/* Fills *a; returns -1 to go on, else the exit code (help printed: 0; usage error logged: 2). */
int load_args_parse(int argc, char **argv, LoadArgs *a);
void load_args_done(LoadArgs *a);

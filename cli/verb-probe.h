/* SPDX-License-Identifier: MIT */
#pragma once

/* `skytune probe`: its command line, parsed apart from the run and the output. */

#include <stdbool.h>
#include <stddef.h>

#include "probe-options.h"
#include "probe.h"

typedef struct ProbeArgs {
        ProbeConfig cfg;                /* the caller sets the defaults and cfg.stop */
        bool json, fail_on_regression;
        const char *out, *baseline;
        ProbeOptionSet opts;            /* every backend's own options and targets */
        const ProbeBackend *sel[64];    /* the probes to run, in order */
        size_t nsel;
} ProbeArgs;

#define PROBE_ARGS_RUN (-1)

/* Fills *a from the command line. PROBE_ARGS_RUN: run the probes; otherwise the exit code to
 * return (--help, a usage error). probe_args_done() frees *a in either case. */
int probe_args_parse(int argc, char **argv, ProbeArgs *a);
void probe_args_done(ProbeArgs *a);

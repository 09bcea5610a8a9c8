/* SPDX-License-Identifier: MIT */
/* Running a benchmark's child process (kind-command, kind-load): its own process group, ended with
 * SIGKILL on the deadline or when stop is set, stdout to /dev/null or captured. Not the interface. */
#pragma once

#include <signal.h>
#include <stddef.h>
#include <sys/resource.h>

#include <jansson.h>

#include "error.h"

typedef struct SuiteChild {
        int status;        /* wait4's status */
        struct rusage ru;  /* the child's and its waited-for children's */
        double start, end; /* CLOCK_MONOTONIC seconds: fork and exit */
        char *out;         /* captured stdout (NUL-terminated) when asked for, else NULL */
        size_t out_len;
} SuiteChild;

#define SUITE_CHILD_OUT_MAX (64u << 20)

/* Runs argv (execv: argv[0] is a path). timeout_ms 0: none. capture: keep stdout in ch->out.
 * -EINTR when stop cut it short, -ETIME at the deadline, other -errno on failure to start. */
int suite_child_run(char *const argv[], int64_t timeout_ms, bool capture, const volatile sig_atomic_t *stop,
                    SuiteChild *ch, Error *e);
void suite_child_done(SuiteChild *ch);

/* Runs skytune itself (argv[0] "/proc/self/exe", argv[1] the subcommand, --json among the rest) and
 * parses its stdout into *ret (an object, caller's), its exit status into *ret_exit (the kind decides
 * which codes measured). Errors name the subcommand. */
int suite_self_json(char *const argv[], int64_t timeout_ms, const volatile sig_atomic_t *stop, json_t **ret,
                    int *ret_exit, Error *e);

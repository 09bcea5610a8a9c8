/* SPDX-License-Identifier: MIT */
/* Shared pieces of the skytune command: the verb table entry, exit codes, output helpers. Each verb
 * lives in its own verb-<name>.c and returns an exit code. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "sysroot.h"

enum {
        EXIT_OK = 0,
        EXIT_FAIL = 1,
        EXIT_USAGE = 2,
        EXIT_PENDING = 3,       /* apply --dry-run --detailed-exitcode: changes are pending */
        EXIT_INTERRUPTED = 130, /* stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report it) */
};

/* Where the documents that help texts and messages cite are installed (docs/NAME.md of the source
 * tree; the package installs them there). One home for every such reference: CLI_DOC("policy"). */
#ifndef SKYTUNE_DOC_DIR
#define SKYTUNE_DOC_DIR "/usr/share/doc/skytune"
#endif
#define CLI_DOC(name) SKYTUNE_DOC_DIR "/" name ".md"

typedef struct Verb {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *summary;
} Verb;

/* --sysroot DIR, else $SKYTUNE_SYSROOT, else "/". Logs and returns a negative errno on failure. */
int cli_open_sysroot(const char *opt, Sysroot **ret);
/* JSON to stdout (path NULL or "-") or atomically to a file; logs failures. */
int cli_write_json(const json_t *doc, const char *path);
/* doc as cli_write_json() writes it and `skytune report` reads it back (reals to 15 digits, strings
 * escaped): a page rendered from it now is the page report renders from the saved file. NULL (logged)
 * when out of memory. */
json_t *cli_json_saved(const json_t *doc);
/* Text atomically to a file (or stdout for NULL / "-"). */
int cli_write_text(const char *text, size_t len, const char *path);
bool cli_stdout_color(void);
/* Progress lines on stderr: the sequence that erases to the end of the line ("" on TERM=dumb), and
 * the clearing of the line when the work is done. */
const char *cli_erase_eol(void);
void cli_progress_clear(void);
/* Ask a yes/no question on stderr ("QUESTION [y/N] "); true only for an answer starting with y. */
bool cli_confirm(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A real apply goes ahead only when confirmed: with yes, or by an answer to the question, which is
 * asked whenever stdin is a terminal (whatever stdout is). Without a terminal on stdin and without
 * --yes it refuses. Returns EXIT_OK to go on, else the exit code with the reason logged: 2 no
 * terminal, 1 declined, 130 interrupted at the prompt. */
int cli_confirm_apply(bool yes, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The usage error of cli_confirm_apply() without a terminal, for verbs that check before working. */
int cli_refuse_unconfirmed(void);
bool cli_stdin_is_tty(void);
bool cli_stderr_is_tty(void);
/* Two options that contradict each other: logs "OPT_A and OPT_B contradict each other: WHY" and
 * returns EXIT_USAGE. */
int cli_flags_conflict(const char *opt_a, const char *opt_b, const char *why);
/* An option that means nothing without another: logs "OPT needs NEEDED: WHY", returns EXIT_USAGE. */
int cli_flag_needs(const char *opt, const char *needed, const char *why);
/* The arguments of a "VERB SUB FILE [--json]" subcommand (scenario check, bench check): --help prints
 * usage; *ret_json and *ret_file are set. Returns -1 to go on, else the exit code (usage errors
 * logged, naming `see`, e.g. "skytune bench --help"). */
int cli_parse_file_json(int argc, char **argv, const char *usage, const char *see, bool *ret_json,
                        const char **ret_file);
/* Parse a duration in seconds ("10", "0.5", "2s", "500ms"); -EINVAL if malformed or negative. */
int cli_parse_seconds(const char *s, double *ret);
/* A finite number of seconds to sleep, interrupted early by SIGINT/SIGTERM (cli_interrupted()). */
void cli_sleep_until_usec(uint64_t deadline_usec);
/* SIGINT and SIGTERM set a flag instead of killing the process, so that each verb stops at a point
 * where it can say what was and was not done (and exit EXIT_INTERRUPTED). Without SA_RESTART: a
 * blocking read (the confirmation prompt) or wait returns EINTR and the caller sees the flag. A
 * signal that was ignored when skytune started (a background job of a script) stays ignored. */
void cli_install_interrupt(void);
bool cli_interrupted(void);
/* How many SIGINT/SIGTERM arrived (a second one means: stop waiting now). */
unsigned cli_interrupt_count(void);
/* When interrupted: logs "interrupted WHAT" (e.g. "during the profile: nothing was planned") and
 * returns true. */
bool cli_stop_if_interrupted(const char *what);

/* Every rendering of a document (profile, plan, transaction, diff, Prometheus): render/render.h. */
/* Run the profiler (progress on stderr when it is a TTY); used by profile, plan and apply. Ctrl-C
 * ends the window: with keep_partial (skytune profile) the profile has what was sampled, marked
 * "interrupted"; else nothing is built and -EINTR is returned (not logged: the caller says what it
 * stopped). */
int cli_collect_profile(const Sysroot *root, double duration_s, double interval_s, bool keep_partial, json_t **ret);
/* The same, also watching the cgroup of each target (--target: a process or unit name) where a
 * collector reports per cgroup (docs/profile.md, memory.cgroups). */
int cli_collect_profile_for(const Sysroot *root, char *const *targets, size_t n_targets, double duration_s,
                            double interval_s, bool keep_partial, json_t **ret);

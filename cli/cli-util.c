/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fileio.h"
#include "log.h"
#include "profiler.h"
#include "safe-text.h"
#include "time-util.h"

int cli_open_sysroot(const char *opt, Sysroot **ret) {
        const char *path = opt ? opt : secure_getenv("SKYTUNE_SYSROOT");
        int r = sysroot_open(path, ret);
        if (r < 0)
                return log_error_errno(
                        r,
                        "cannot open sysroot '%s': %m (pass an existing directory with --sysroot or SKYTUNE_SYSROOT)",
                        isempty(path) ? "/" : path);
        return 0;
}

int cli_write_text(const char *text, size_t len, const char *path) {
        if (!path || strcmp(path, "-") == 0) {
                if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0)
                        return log_error_errno(negative_errno(), "cannot write to standard output: %m");
                return 0;
        }
        int r = write_file_atomic(path, text, len, 0644);
        if (r < 0)
                return log_error_errno(r, "cannot write '%s': %m (check that its directory exists and is writable)",
                                       path);
        return 0;
}

#define CLI_JSON_FLAGS (JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(15))

json_t *cli_json_saved(const json_t *doc) {
        _cleanup_free_ char *s = json_dumps(doc, CLI_JSON_FLAGS);
        json_t *copy = s ? json_loads(s, 0, NULL) : NULL;
        if (copy && json_escape_tree(copy) < 0) {
                json_decref(copy);
                copy = NULL;
        }
        if (!copy)
                log_error_errno(-ENOMEM, "cannot format JSON: %m");
        return copy;
}

int cli_write_json(const json_t *doc, const char *path) {
        _cleanup_free_ char *s = json_dumps(doc, CLI_JSON_FLAGS);
        _cleanup_free_ char *text = NULL;
        if (!s || asprintf(&text, "%s\n", s) < 0)
                return log_error_errno(-ENOMEM, "cannot format JSON: %m");
        return cli_write_text(text, strlen(text), path);
}

static bool term_dumb(void) {
        return strcmp(strempty(getenv("TERM")), "dumb") == 0;
}

/* no-color.org: only a NO_COLOR that is set and not empty turns colour off. */
bool cli_stdout_color(void) {
        return isatty(STDOUT_FILENO) && isempty(getenv("NO_COLOR")) && !term_dumb();
}

const char *cli_erase_eol(void) {
        return term_dumb() ? "" : "\033[K";
}

void cli_progress_clear(void) {
        /* A dumb terminal knows no escape sequences: overwrite the progress line with blanks. */
        if (term_dumb())
                fprintf(stderr, "\r%79s\r", "");
        else
                fputs("\r\033[K", stderr);
}

bool cli_confirm(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs(" [y/N] ", stderr);
        fflush(stderr);
        char line[16];
        return fgets(line, sizeof(line), stdin) && (line[0] == 'y' || line[0] == 'Y');
}

int cli_refuse_unconfirmed(void) {
        log_error("standard input is not a terminal, so nobody can confirm the changes: pass --yes to apply "
                  "without asking (scripts, configuration management), or --dry-run to only show them");
        return EXIT_USAGE;
}

int cli_confirm_apply(bool yes, const char *fmt, ...) {
        if (yes)
                return EXIT_OK;
        if (!cli_stdin_is_tty())
                return cli_refuse_unconfirmed();
        if (cli_stop_if_interrupted("before the confirmation: nothing was applied"))
                return EXIT_INTERRUPTED;
        va_list ap;
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        bool ok = cli_confirm("%s", "");
        if (cli_interrupted()) {
                fputc('\n', stderr);
                (void) cli_stop_if_interrupted("at the confirmation: nothing was applied");
                return EXIT_INTERRUPTED;
        }
        if (!ok) {
                log_error("cancelled: nothing was applied");
                return EXIT_FAIL;
        }
        return EXIT_OK;
}

bool cli_stdin_is_tty(void) {
        return isatty(STDIN_FILENO);
}

bool cli_stderr_is_tty(void) {
        return isatty(STDERR_FILENO);
}

int cli_flags_conflict(const char *opt_a, const char *opt_b, const char *why) {
        log_error("%s and %s contradict each other: %s", opt_a, opt_b, why);
        return EXIT_USAGE;
}

int cli_flag_needs(const char *opt, const char *needed, const char *why) {
        log_error("%s needs %s: %s", opt, needed, why);
        return EXIT_USAGE;
}

int cli_parse_seconds(const char *s, double *ret) {
        return time_parse_seconds(s, ret);
}

static volatile sig_atomic_t interrupted; /* the signal number */
static volatile sig_atomic_t interrupts;  /* how many arrived */

static void on_interrupt(int sig) {
        interrupted = sig;
        if (interrupts < 100)
                interrupts++;
}

void cli_install_interrupt(void) {
        struct sigaction sa = { .sa_handler = on_interrupt };
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < 2; i++) {
                int sig = i == 0 ? SIGINT : SIGTERM;
                struct sigaction old;
                /* A signal ignored by whoever started us (a shell's background job, nohup) stays ignored. */
                if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
                        continue;
                sigaction(sig, &sa, NULL);
        }
}

bool cli_interrupted(void) {
        return interrupted;
}

unsigned cli_interrupt_count(void) {
        return (unsigned) interrupts;
}

bool cli_stop_if_interrupted(const char *what) {
        if (!interrupted)
                return false;
        log_error("interrupted (%s) %s", interrupted == SIGTERM ? "SIGTERM" : "SIGINT", what);
        return true;
}

void cli_sleep_until_usec(uint64_t deadline) {
        while (!interrupted) {
                uint64_t now = profiler_now_usec();
                if (now >= deadline)
                        return;
                uint64_t d = deadline - now;
                struct timespec ts = { .tv_sec = (time_t) (d / 1000000u), .tv_nsec = (long) (d % 1000000u) * 1000 };
                nanosleep(&ts, NULL); /* EINTR: loop re-checks the flag */
        }
}

static uint64_t window_now(void *userdata) {
        return profiler_now_usec();
}

static bool window_wait(uint64_t deadline, void *userdata) {
        cli_sleep_until_usec(deadline);
        return !interrupted;
}

static void window_progress(unsigned taken, unsigned total, double elapsed_s, void *userdata) {
        const double *duration_s = userdata;
        fprintf(stderr, "\rskytune: sampling, %u of %u samples taken (%.0f of %.0f s)...", taken, total, elapsed_s,
                *duration_s);
}

int cli_collect_profile(const Sysroot *root, double duration_s, double interval_s, bool keep_partial, json_t **ret) {
        return cli_collect_profile_for(root, NULL, 0, duration_s, interval_s, keep_partial, ret);
}

int cli_collect_profile_for(const Sysroot *root, char *const *targets, size_t n_targets, double duration_s,
                            double interval_s, bool keep_partial, json_t **ret) {
        Profiler *p = NULL;
        cli_install_interrupt();
        int r = profiler_new_targets(root, targets, n_targets, &p);
        if (r < 0)
                return log_error_errno(r, "cannot start the profiler: %m");

        bool progress = cli_stderr_is_tty() && duration_s > 0;
        ProfilerWindow w = {
                .duration_s = duration_s,
                .interval_s = interval_s,
                .now = window_now,
                .wait_until = window_wait,
                .progress = progress ? window_progress : NULL,
                .userdata = &duration_s,
        };
        r = profiler_run(p, &w);
        if (progress)
                cli_progress_clear();
        if (r >= 0 && (interrupted || profiler_interrupted(p)) && !keep_partial) {
                profiler_free(p);
                return -EINTR;
        }
        if (r >= 0)
                r = profiler_report(p, duration_s, interval_s, ret);
        if (r >= 0 && profiler_interrupted(p))
                log_warning("interrupted after %.1f of %.0f s: the profile has the %u samples taken, marked "
                            "\"interrupted\"",
                            json_real_value(json_object_get(json_object_get(*ret, "window"), "duration_s")), duration_s,
                            profiler_samples(p));
        profiler_free(p);
        if (r < 0)
                return log_error_errno(r, "cannot build the profile: %m");
        return 0;
}

int cli_parse_file_json(int argc, char **argv, const char *usage, const char *see, bool *ret_json,
                        const char **ret_file) {
        static const struct option options[] = { { "json", no_argument, NULL, 'j' },
                                                 { "help", no_argument, NULL, 'h' },
                                                 {} };
        int c;
        *ret_json = false;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "jh", options, NULL)) != -1)
                switch (c) {
                case 'j': *ret_json = true; break;
                case 'h': fputs(usage, stdout); return EXIT_OK;
                default: log_error("unknown option '%s' (see '%s')", argv[optind - 1], see); return EXIT_USAGE;
                }
        if (optind + 1 != argc) {
                log_error("%s takes one FILE (see '%s')", argv[0], see);
                return EXIT_USAGE;
        }
        *ret_file = argv[optind];
        return -1;
}

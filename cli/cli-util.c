/* SPDX-License-Identifier: MIT */
#include <errno.h>
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

int cli_open_sysroot(const char *opt, Sysroot **ret) {
        const char *path = opt ? opt : secure_getenv("SKYTUNE_SYSROOT");
        int r = sysroot_open(path, ret);
        if (r < 0)
                return log_error_errno(r, "cannot open sysroot '%s': %m (pass an existing directory with --sysroot or SKYTUNE_SYSROOT)",
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
                return log_error_errno(r, "cannot write '%s': %m (check that its directory exists and is writable)", path);
        return 0;
}

int cli_write_json(const json_t *doc, const char *path) {
        _cleanup_free_ char *s = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
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

bool cli_stderr_is_tty(void) {
        return isatty(STDERR_FILENO);
}

int cli_parse_seconds(const char *s, double *ret) {
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (end == s || errno || !isfinite(v) || v < 0)
                return -EINVAL;
        if (strcmp(end, "ms") == 0)
                v /= 1000;
        else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
                v *= 60;
        else if (*end != '\0' && strcmp(end, "s") != 0)
                return -EINVAL;
        if (v > 86400)
                return -ERANGE;
        *ret = v;
        return 0;
}

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig) {
        interrupted = 1;
}

void cli_install_interrupt(void) {
        struct sigaction sa = { .sa_handler = on_interrupt };
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
}

bool cli_interrupted(void) {
        return interrupted;
}

void cli_sleep_until_usec(uint64_t deadline) {
        while (!interrupted) {
                uint64_t now = profiler_now_usec();
                if (now >= deadline)
                        return;
                uint64_t d = deadline - now;
                struct timespec ts = { .tv_sec = (time_t) (d / 1000000u), .tv_nsec = (long) (d % 1000000u) * 1000 };
                nanosleep(&ts, NULL);   /* EINTR: loop re-checks the flag */
        }
}

int cli_collect_profile(const Sysroot *root, double duration_s, double interval_s, json_t **ret) {
        Profiler *p = NULL;
        int r = profiler_new(root, &p);
        if (r < 0)
                return log_error_errno(r, "cannot start the profiler: %m");

        bool progress = cli_stderr_is_tty() && duration_s > 0;
        unsigned steps = duration_s > 0 ? (unsigned) lround(duration_s / interval_s) : 0;
        if (duration_s > 0 && steps == 0)
                steps = 1;
        uint64_t t0 = profiler_now_usec();
        cli_install_interrupt();
        r = profiler_sample(p, t0, steps == 0);
        for (unsigned i = 1; r >= 0 && i <= steps && !cli_interrupted(); i++) {
                if (progress)
                        fprintf(stderr, "\rskytune: sampling %u/%u (%.0f of %.0f s)...", i, steps, (i - 1) * interval_s,
                                duration_s);
                cli_sleep_until_usec(t0 + (uint64_t) llround(i * interval_s * 1e6));
                if (cli_interrupted())
                        break;
                r = profiler_sample(p, profiler_now_usec(), i == steps);
        }
        if (progress)
                cli_progress_clear();
        if (r >= 0 && cli_interrupted())
                log_warning("interrupted: reporting the %u sample(s) taken so far", profiler_samples(p));
        if (r >= 0)
                r = profiler_report(p, duration_s, interval_s, ret);
        profiler_free(p);
        if (r < 0)
                return log_error_errno(r, "cannot build the profile: %m");
        return 0;
}

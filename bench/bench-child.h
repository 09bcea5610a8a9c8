/* SPDX-License-Identifier: MIT */
/* Child processes for the bench programs: start a tool with its output in a file of the fixture's
 * temporary directory (nginx-fixture.h), reap it with its CPU time (wait4: user + system of the
 * whole process), read its output back. Header-only, as nginx-fixture.h; the including program
 * defines BENCH_NAME (its name, for messages) first. */
#pragma once

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "nginx-fixture.h"

#ifndef BENCH_NAME
#error "define BENCH_NAME before including bench-child.h"
#endif

static inline double tv_s(struct timeval tv) {
        return (double) tv.tv_sec + (double) tv.tv_usec / 1e6;
}

static inline char *tmp_path(const char *name) {
        char *p = NULL;
        return asprintf(&p, "%s/%s", tmpdir, name) < 0 ? NULL : p;
}

/* Starts argv with stdout to out and stderr to out.err. */
static inline pid_t spawn(char *const *argv, const char *out) {
        fflush(stdout);         /* the child must not print our buffered lines again */
        pid_t pid = fork();
        if (pid != 0)
                return pid;
        _cleanup_free_ char *err = NULL;
        if (asprintf(&err, "%s.err", out) < 0 || !freopen(out, "w", stdout) || !freopen(err, "w", stderr))
                _exit(127);
        execvp(argv[0], argv);
        _exit(127);
}

/* Waits for pid: its exit code (-1 when killed) and its CPU time. */
static inline int reap(pid_t pid, double *cpu_s, int *code) {
        int status;
        struct rusage ru;
        if (wait4(pid, &status, 0, &ru) < 0)
                return -errno;
        *cpu_s = tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
        *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return 0;
}

static inline int run_child(char *const *argv, const char *out, double *cpu_s, int *code) {
        pid_t pid = spawn(argv, out);
        return pid < 0 ? -errno : reap(pid, cpu_s, code);
}

static inline char *slurp(const char *path) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return NULL;
        char *buf = malloc(1 << 16);
        size_t n = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
        if (buf)
                buf[n] = '\0';
        return buf;
}

/* The number right after the first `key` in text, or NAN. */
static inline double after(const char *text, const char *key) {
        const char *p = text ? strstr(text, key) : NULL;
        return p ? strtod(p + strlen(key), NULL) : NAN;
}

static inline void bench_tell_failure(const char *who, const char *out, int code) {
        _cleanup_free_ char *err = NULL;
        if (!out || asprintf(&err, "%s.err", out) < 0)
                err = NULL;
        _cleanup_free_ char *text = err ? slurp(err) : NULL;
        fprintf(stderr, BENCH_NAME ": %s exited %d: %.400s\n", who, code, text ? text : "");
}

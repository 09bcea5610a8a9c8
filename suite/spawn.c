/* SPDX-License-Identifier: MIT */
/* The child processes of benchmark kinds (spawn.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spawn.h"

static double now_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static _Noreturn void child(char *const argv[], int out_fd, int err_fd) {
        setpgid(0, 0); /* its own group: a timeout or Ctrl-C ends it and all it started */
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null >= 0) {
                dup2(null, STDIN_FILENO);
                dup2(out_fd >= 0 ? out_fd : null, STDOUT_FILENO);
                dup2(err_fd >= 0 ? err_fd : null, STDERR_FILENO);
        }
        execv(argv[0], argv);
        _exit(127);
}

/* The captured pipes: stdout whole (up to SUITE_CHILD_OUT_MAX), stderr's tail. -1: none, or closed. */
typedef struct Pipes {
        int out, err;
        size_t cap;
        SuiteTail tail;
} Pipes;

/* Reads what is there on fd into ch->out (non-blocking); -EMSGSIZE past the bound. 1 at EOF. */
static int drain(int fd, SuiteChild *ch, size_t *cap) {
        for (;;) {
                if (ch->out_len + 4096 + 1 > *cap) {
                        if (*cap >= SUITE_CHILD_OUT_MAX)
                                return -EMSGSIZE;
                        size_t ncap = *cap ? *cap * 2 : 65536;
                        char *n = realloc(ch->out, ncap);
                        if (!n)
                                return -ENOMEM;
                        ch->out = n;
                        *cap = ncap;
                }
                ssize_t k = read(fd, ch->out + ch->out_len, *cap - ch->out_len - 1);
                if (k > 0) {
                        ch->out_len += (size_t) k;
                        continue;
                }
                ch->out[ch->out_len] = '\0';
                return k == 0 ? 1 : (errno == EAGAIN || errno == EINTR ? 0 : -errno);
        }
}

/* Reads what is there on fd into the tail (non-blocking): 1 at EOF. */
static int drain_tail(int fd, SuiteTail *t) {
        char buf[4096];
        for (;;) {
                ssize_t k = read(fd, buf, sizeof buf);
                if (k <= 0)
                        return k == 0 ? 1 : (errno == EAGAIN || errno == EINTR ? 0 : -errno);
                /* Out of memory for the tail: read and dropped all the same, so the child never
                 * blocks on a full pipe. */
                (void) suite_tail_add(t, buf, (size_t) k);
        }
}

/* Both pipes read; one at EOF or failing leaves the poll set (a hung-up pipe would wake it at once,
 * a busy loop beside the benchmark). The first error of stdout's, else 0. */
static int drain_pipes(Pipes *p, SuiteChild *ch) {
        int d = p->out >= 0 ? drain(p->out, ch, &p->cap) : 0;
        if (d != 0)
                p->out = -1;
        if (p->err >= 0 && drain_tail(p->err, &p->tail) != 0)
                p->err = -1; /* a stderr that cannot be kept is no reason to fail the run */
        return d < 0 ? d : 0;
}

/* Waits for the exit (pidfd: woken at once, no polling error in the wall time), ending the group at
 * the deadline or when stop is set; reads the pipes meanwhile so a chatty child never blocks. */
static int wait_exit(pid_t pid, double deadline, const volatile sig_atomic_t *stop, Pipes *pp, SuiteChild *ch) {
        int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        int why = 0;
        for (;;) {
                int d = drain_pipes(pp, ch);
                if (d < 0 && why == 0) {
                        why = d;
                        kill(-pid, SIGKILL);
                }
                pid_t w = wait4(pid, &ch->status, WNOHANG, &ch->ru);
                if (w == pid) {
                        ch->end = now_s();
                        break;
                }
                if (w < 0 && errno != EINTR) {
                        why = -errno;
                        kill(-pid, SIGKILL);
                        (void) waitpid(pid, &ch->status, 0);
                        break;
                }
                if (why == 0 && ((stop && *stop) || (deadline > 0 && now_s() >= deadline))) {
                        why = stop && *stop ? -EINTR : -ETIME;
                        kill(-pid, SIGKILL);
                        kill(pid, SIGKILL);
                }
                struct pollfd p[3] = { { .fd = pidfd, .events = POLLIN },
                                       { .fd = pp->out, .events = POLLIN },
                                       { .fd = pp->err, .events = POLLIN } };
                if (pidfd >= 0)
                        (void) poll(p, 3, 100); /* a negative fd is left out */
                else
                        (void) usleep(1000);
        }
        int d = why == 0 ? drain_pipes(pp, ch) : 0;
        if (d < 0)
                why = d;
        if (pidfd >= 0)
                close(pidfd);
        return why;
}

static void close_pair(int fd[2]) {
        for (int i = 0; i < 2; i++)
                if (fd[i] >= 0)
                        close(fd[i]);
}

int suite_child_run(char *const argv[], int64_t timeout_ms, bool capture, const volatile sig_atomic_t *stop,
                    SuiteChild *ch, Error *e) {
        *ch = (SuiteChild) {};
        /* captured: stdout whole, and stderr's tail for the last line a failing child left there */
        int outfd[2] = { -1, -1 }, errfd[2] = { -1, -1 };
        if (capture && (pipe2(outfd, O_CLOEXEC) < 0 || pipe2(errfd, O_CLOEXEC) < 0)) {
                int r = -errno;
                close_pair(outfd);
                return error_set(e, r, "cannot start '%s': pipe: %s", argv[0], strerror(-r));
        }
        ch->start = ch->end = now_s();
        pid_t pid = fork();
        if (pid < 0) {
                int r = -errno;
                close_pair(outfd);
                close_pair(errfd);
                return error_set(e, r, "cannot start '%s': fork: %s", argv[0], strerror(-r));
        }
        if (pid == 0)
                child(argv, outfd[1], errfd[1]);
        setpgid(pid, pid);
        Pipes p = { .out = outfd[0], .err = errfd[0] };
        if (capture) {
                close(outfd[1]);
                close(errfd[1]);
                (void) fcntl(p.out, F_SETFL, O_NONBLOCK);
                (void) fcntl(p.err, F_SETFL, O_NONBLOCK);
        }
        double deadline = timeout_ms > 0 ? ch->start + (double) timeout_ms / 1000 : 0;
        int r = wait_exit(pid, deadline, stop, &p, ch);
        if (capture) {
                close(outfd[0]);
                close(errfd[0]);
        }
        suite_tail_last_line(&p.tail, ch->err_line, sizeof ch->err_line);
        suite_tail_done(&p.tail);
        return r;
}

void suite_child_done(SuiteChild *ch) {
        free(ch->out);
        ch->out = NULL;
}

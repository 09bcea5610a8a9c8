/* SPDX-License-Identifier: MIT */
/* The child processes of benchmark kinds (spawn.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
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

static _Noreturn void child(char *const argv[], int out_fd) {
        setpgid(0, 0); /* its own group: a timeout or Ctrl-C ends it and all it started */
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null >= 0) {
                dup2(null, STDIN_FILENO);
                dup2(out_fd >= 0 ? out_fd : null, STDOUT_FILENO);
                dup2(null, STDERR_FILENO);
        }
        execv(argv[0], argv);
        _exit(127);
}

/* Reads what is there on fd into ch->out (non-blocking); -EMSGSIZE past the bound. */
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

/* Waits for the exit (pidfd: woken at once, no polling error in the wall time), ending the group at
 * the deadline or when stop is set; reads the pipe meanwhile so a chatty child never blocks. */
static int wait_exit(pid_t pid, double deadline, const volatile sig_atomic_t *stop, int out_fd, SuiteChild *ch) {
        int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        int why = 0;
        size_t cap = 0;
        for (;;) {
                /* At EOF or an error the pipe leaves the poll set: a hung-up pipe would wake it at once,
                 * a busy loop beside the benchmark. */
                int d = out_fd >= 0 ? drain(out_fd, ch, &cap) : 0;
                if (d != 0)
                        out_fd = -1;
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
                struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = out_fd, .events = POLLIN } };
                if (pidfd >= 0)
                        (void) poll(p, out_fd >= 0 ? 2 : 1, 100);
                else
                        (void) usleep(1000);
        }
        int d = out_fd >= 0 && why == 0 ? drain(out_fd, ch, &cap) : 0;
        if (d < 0)
                why = d;
        if (pidfd >= 0)
                close(pidfd);
        return why;
}

int suite_child_run(char *const argv[], int64_t timeout_ms, bool capture, const volatile sig_atomic_t *stop,
                    SuiteChild *ch, Error *e) {
        *ch = (SuiteChild) {};
        int pipefd[2] = { -1, -1 };
        if (capture && pipe2(pipefd, O_CLOEXEC) < 0)
                return error_set(e, -errno, "cannot start '%s': pipe: %s", argv[0], strerror(errno));
        ch->start = ch->end = now_s();
        pid_t pid = fork();
        if (pid < 0) {
                int r = -errno;
                if (capture) {
                        close(pipefd[0]);
                        close(pipefd[1]);
                }
                return error_set(e, r, "cannot start '%s': fork: %s", argv[0], strerror(-r));
        }
        if (pid == 0)
                child(argv, pipefd[1]);
        setpgid(pid, pid);
        if (capture) {
                close(pipefd[1]);
                (void) fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
        }
        double deadline = timeout_ms > 0 ? ch->start + (double) timeout_ms / 1000 : 0;
        int r = wait_exit(pid, deadline, stop, pipefd[0], ch);
        if (capture)
                close(pipefd[0]);
        return r;
}

void suite_child_done(SuiteChild *ch) {
        free(ch->out);
        ch->out = NULL;
}

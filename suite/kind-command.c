/* SPDX-License-Identifier: MIT */
/* Kind "command": a shell command timed as a whole process, as hyperfine does: wall time from fork
 * to exit, user and system CPU and the largest resident set from wait4(2). Its output goes to
 * /dev/null; a failing exit status fails the repetition (a benchmark that fails measures nothing). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "suite-internal.h"

enum { M_WALL, M_CPU, M_USER, M_SYS, M_RSS };

static const SuiteMetricDef command_metrics[] = {
        [M_WALL] = { "wall_s", "s", false },       [M_CPU] = { "cpu_s", "s", false },
        [M_USER] = { "user_s", "s", false },       [M_SYS] = { "sys_s", "s", false },
        [M_RSS] = { "max_rss_kib", "KiB", false },
};

typedef struct CommandSpec {
        char *command;
        int64_t timeout_ms; /* 0: none */
} CommandSpec;

static int command_parse(const ConfRead *c, const config_setting_t *g, void **ret) {
        CommandSpec *cs = calloc(1, sizeof(CommandSpec));
        if (!cs)
                return error_set(c->e, -ENOMEM, "out of memory");
        *ret = cs;
        int r = suite_conf_text(c, g, "command", true, "\"sleep 0.01\" (run by /bin/sh -c)", &cs->command);
        return r < 0 ? r : conf_span_ms(c, g, "timeout", &cs->timeout_ms);
}

static void command_metrics_of(const void *spec, const SuiteMetricDef **ret, size_t *ret_n) {
        *ret = command_metrics;
        *ret_n = ELEMENTSOF(command_metrics);
}

static json_t *command_json(const void *spec) {
        const CommandSpec *cs = spec;
        return json_pack("{s:s, s:f}", "command", cs->command, "timeout_s", (double) cs->timeout_ms / 1000);
}

static double now_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static _Noreturn void child(const char *command) {
        setpgid(0, 0); /* its own group: a timeout or Ctrl-C ends the shell and all it started */
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null >= 0) {
                dup2(null, STDIN_FILENO);
                dup2(null, STDOUT_FILENO);
                dup2(null, STDERR_FILENO);
        }
        execl("/bin/sh", "sh", "-c", command, (char *) NULL);
        _exit(127);
}

/* Waits for pid's exit (pidfd: woken at once, no polling error in the wall time), ending its group
 * at the deadline or when stop is set. */
static int wait_exit(pid_t pid, double deadline, const volatile sig_atomic_t *stop, int *status, struct rusage *ru,
                     double *end) {
        int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        int why = 0;
        for (;;) {
                pid_t w = wait4(pid, status, WNOHANG, ru);
                if (w == pid) {
                        *end = now_s();
                        break;
                }
                if (w < 0 && errno != EINTR) {
                        why = -errno;
                        break;
                }
                if (why == 0 && ((stop && *stop) || (deadline > 0 && now_s() >= deadline))) {
                        why = stop && *stop ? -EINTR : -ETIME;
                        kill(-pid, SIGKILL);
                        kill(pid, SIGKILL);
                }
                struct pollfd p = { .fd = pidfd, .events = POLLIN };
                if (pidfd >= 0)
                        (void) poll(&p, 1, 100);
                else
                        (void) usleep(1000);
        }
        if (pidfd >= 0)
                close(pidfd);
        return why;
}

static int command_run(const void *spec, SuiteRepOut *out, const volatile sig_atomic_t *stop, Error *e) {
        const CommandSpec *cs = spec;
        double start = now_s(), end = start;
        pid_t pid = fork();
        if (pid < 0)
                return error_set(e, -errno, "cannot start '%s': fork: %s", cs->command, strerror(errno));
        if (pid == 0)
                child(cs->command);
        setpgid(pid, pid);
        int status = 0;
        struct rusage ru = {};
        double deadline = cs->timeout_ms > 0 ? start + (double) cs->timeout_ms / 1000 : 0;
        int r = wait_exit(pid, deadline, stop, &status, &ru, &end);
        if (r == -EINTR)
                return r;
        if (r == -ETIME)
                return error_set(e, r, "'%s' ran longer than its timeout of %g s: raise 'timeout' or make it shorter",
                                 cs->command, (double) cs->timeout_ms / 1000);
        if (r < 0)
                return error_set(e, r, "waiting for '%s': %s", cs->command, strerror(-r));
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return error_set(e, -EPROTO,
                                 "'%s' %s %d: a benchmark's command must succeed (run it by hand to see why)",
                                 cs->command, WIFEXITED(status) ? "exited with status" : "was killed by signal",
                                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        double user = (double) ru.ru_utime.tv_sec + (double) ru.ru_utime.tv_usec / 1e6;
        double sys = (double) ru.ru_stime.tv_sec + (double) ru.ru_stime.tv_usec / 1e6;
        out->values[M_WALL] = end - start;
        out->values[M_USER] = user;
        out->values[M_SYS] = sys;
        out->values[M_CPU] = user + sys;
        out->values[M_RSS] = (double) ru.ru_maxrss;
        return 0;
}

static void command_free(void *spec) {
        CommandSpec *cs = spec;
        free(cs->command);
        free(cs);
}

static const char *const command_keys[] = { "command", "timeout" };

const SuiteKind suite_kind_command = {
        .name = "command",
        .summary = "a shell command timed as a whole process (wall, CPU, max RSS)",
        .keys = command_keys,
        .n_keys = ELEMENTSOF(command_keys),
        .parse = command_parse,
        .metrics = command_metrics_of,
        .spec_json = command_json,
        .run = command_run,
        .spec_free = command_free,
};

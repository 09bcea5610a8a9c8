/* SPDX-License-Identifier: MIT */
/* The children of bench schedule (bench-schedule.h): systemd-analyze and systemctl, no shell. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-schedule.h"
#include "macro.h"

#define OUT_MAX (256 * 1024)

/* Everything the child writes until EOF, at most OUT_MAX (the rest is read and dropped). */
static char *read_all(int fd) {
        size_t len = 0;
        char *buf = malloc(OUT_MAX + 1), tmp[4096];
        for (ssize_t k; (k = read(fd, tmp, sizeof tmp)) != 0;) {
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        break;
                size_t take = MIN((size_t) k, OUT_MAX - len);
                if (buf)
                        memcpy(buf + len, tmp, take);
                len += take;
        }
        if (buf)
                buf[len] = '\0';
        return buf;
}

int bench_schedule_exec(char *const argv[], char **ret_out) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return 127;
        pid_t pid = fork();
        if (pid < 0) {
                close(p[0]);
                close(p[1]);
                return 127;
        }
        if (pid == 0) {
                int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (null >= 0)
                        dup2(null, STDIN_FILENO);
                dup2(p[1], STDOUT_FILENO);
                dup2(p[1], STDERR_FILENO);
                execvp(argv[0], argv);
                _exit(127);
        }
        close(p[1]);
        char *out = read_all(p[0]);
        close(p[0]);
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (ret_out)
                *ret_out = out;
        else
                free(out);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int bench_schedule_check_calendar(const char *calendar, Error *e) {
        for (const char *c = calendar; *c; c++)
                if ((unsigned char) *c < 0x20 || *c == 0x7f || *c == '%')
                        return error_set(e, -EINVAL, "calendar '%s': a control character or '%%' cannot go into a unit",
                                         calendar);
        if (isempty(calendar))
                return error_set(e, -EINVAL, "an empty calendar: give one such as daily, weekly or 'Mon *-*-* 03:00'");
        char *argv[] = { (char *) "systemd-analyze", (char *) "calendar", (char *) "--", (char *) calendar, NULL };
        _cleanup_free_ char *out = NULL;
        int st = bench_schedule_exec(argv, &out);
        if (st == 0)
                return 0;
        if (st == 127)
                return error_set(e, -ENOENT,
                                 "cannot check calendar '%s': systemd-analyze did not start (install systemd)",
                                 calendar);
        size_t n = out ? strcspn(out, "\n") : 0;
        return error_set(e, -EINVAL, "calendar '%s' is refused by systemd-analyze: %.*s (see systemd.time(7))",
                         calendar, (int) n, out ? out : "");
}

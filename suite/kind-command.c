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
#include "spawn.h"
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

static int command_run(const void *spec, SuiteRepOut *out, const volatile sig_atomic_t *stop, Error *e) {
        const CommandSpec *cs = spec;
        char *argv[] = { (char *) "/bin/sh", (char *) "-c", cs->command, NULL };
        SuiteChild ch;
        int r = suite_child_run(argv, cs->timeout_ms, false, stop, &ch, e);
        int status = ch.status;
        const struct rusage ru = ch.ru;
        if (r == -EINTR)
                return r;
        if (r == -ETIME)
                return error_set(e, r, "'%s' ran longer than its timeout of %g s: raise 'timeout' or make it shorter",
                                 cs->command, (double) cs->timeout_ms / 1000);
        if (r < 0)
                return e && e->code ? r : error_set(e, r, "waiting for '%s': %s", cs->command, strerror(-r));
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return error_set(e, -EPROTO,
                                 "'%s' %s %d: a benchmark's command must succeed (run it by hand to see why)",
                                 cs->command, WIFEXITED(status) ? "exited with status" : "was killed by signal",
                                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        double user = (double) ru.ru_utime.tv_sec + (double) ru.ru_utime.tv_usec / 1e6;
        double sys = (double) ru.ru_stime.tv_sec + (double) ru.ru_stime.tv_usec / 1e6;
        out->values[M_WALL] = ch.end - ch.start;
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

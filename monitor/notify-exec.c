/* SPDX-License-Identifier: MIT */
/* A command per try (notify-send-internal.h): the notifier's argv, no shell, the body on its standard
 * input, its output where the daemon's goes (the journal, under the service), killed at the timeout.
 * Exit 0 is sent; 65 (EX_DATAERR: "this message is wrong") is refused; anything else is tried again. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "notify-send-internal.h"

#define EXIT_DATAERR 65

struct NotifyExec {
        sd_event *event;
        struct Run *runs;
};

typedef struct Run {
        struct Run *next;
        NotifyExec *x;
        pid_t pid;
        sd_event_source *child, *timeout;
        bool timed_out;
        notify_done_fn done;
        void *userdata;
} Run;

static void run_unlink(Run *run) {
        for (Run **pp = &run->x->runs; *pp; pp = &(*pp)->next)
                if (*pp == run) {
                        *pp = run->next;
                        return;
                }
}

static void run_free(Run *run) {
        sd_event_source_disable_unref(run->child);
        sd_event_source_disable_unref(run->timeout);
        free(run);
}

static int on_exit_status(sd_event_source *s, const siginfo_t *si, void *userdata) {
        Run *run = userdata;
        NotifyResult res = { .retry_after_ms = -1 };
        if (si->si_code == CLD_EXITED) {
                res.status = si->si_status;
                res.outcome = si->si_status == 0        ? NOTIFY_SENT
                        : si->si_status == EXIT_DATAERR ? NOTIFY_REFUSED
                                                        : NOTIFY_RETRY;
                if (si->si_status != 0)
                        snprintf(res.detail, sizeof(res.detail), "the command exited with status %d", si->si_status);
        } else {
                res.outcome = NOTIFY_RETRY;
                snprintf(res.detail, sizeof(res.detail), "the command %s by signal %s",
                         run->timed_out ? "timed out and was killed" : "was killed", strsignal(si->si_status));
        }
        notify_done_fn done = run->done;
        void *ud = run->userdata;
        run_unlink(run);
        run_free(run);
        done(ud, &res);
        return 0;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        Run *run = userdata;
        run->timed_out = true;
        /* The command's whole process group: what it started dies with it. */
        (void) kill(-run->pid, SIGKILL);
        (void) sd_event_source_send_child_signal(run->child, SIGKILL, NULL, 0);
        return 0;
}

int notify_exec_new(sd_event *event, NotifyExec **ret, Error *e) {
        NotifyExec *x = calloc(1, sizeof(*x));
        if (!x)
                return error_set(e, -ENOMEM, "out of memory");
        x->event = sd_event_ref(event);
        *ret = x;
        return 0;
}

NotifyExec *notify_exec_free(NotifyExec *x) {
        if (!x)
                return NULL;
        while (x->runs) {
                Run *run = x->runs;
                x->runs = run->next;
                (void) kill(-run->pid, SIGKILL);
                notify_done_fn done = run->done;
                void *userdata = run->userdata;
                run_free(run); /* the child source owns the process: it reaps it */
                done(userdata, &(NotifyResult) { .abandoned = true, .retry_after_ms = -1 });
        }
        sd_event_unref(x->event);
        free(x);
        return NULL;
}

/* The body into a pipe that holds all of it, so that the write never waits on the command. */
static int feed(const char *body, int *ret_fd) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        size_t n = strlen(body);
        if (n > 60000) /* past the default 64 KiB; when refused, the write below says it did not fit */
                (void) fcntl(p[1], F_SETPIPE_SZ, (int) MIN(n + 4096, (size_t) 1 << 20));
        (void) fcntl(p[1], F_SETFL, O_NONBLOCK);
        ssize_t w = write(p[1], body, n);
        int r = w < 0 ? -errno : (size_t) w != n ? -EFBIG : 0;
        close(p[1]);
        if (r < 0) {
                close(p[0]);
                return r;
        }
        *ret_fd = p[0];
        return 0;
}

int notify_exec_send(NotifyExec *x, const NotifierConf *c, char *body, notify_done_fn done, void *userdata, Error *e) {
        int in = -1, r = feed(body, &in);
        free(body);
        if (r < 0)
                return error_set(e, r, "cannot hand the message to the command: %s", strerror(-r));
        Run *run = calloc(1, sizeof(*run));
        char **argv = calloc(c->n_to + 1, sizeof(char *));
        char env_name[NOTIFY_NAME_MAX + 32];
        snprintf(env_name, sizeof(env_name), "SKYTUNE_NOTIFIER=%s", c->name);
        char *envp[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", env_name,
                         NULL };
        /* The command starts clean: no descriptor of the daemon's (libcurl's connections are not all
         * close-on-exec), default dispositions and no blocked signal (the daemon blocks the ones
         * sd-event handles), in its own process group so that the timeout kills all of it. */
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
        posix_spawn_file_actions_addclosefrom_np(&fa, 3);
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        sigset_t none, all;
        sigemptyset(&none);
        sigfillset(&all);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &all);
        posix_spawnattr_setpgroup(&attr, 0);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
        if (!run || !argv)
                r = -ENOMEM;
        for (size_t i = 0; r == 0 && i < c->n_to; i++)
                argv[i] = c->to[i];
        pid_t pid = -1;
        if (r == 0)
                r = -posix_spawn(&pid, c->to[0], &fa, &attr, argv, envp);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        close(in);
        free(argv);
        if (r < 0) {
                free(run);
                return error_set(e, r, "cannot start %s: %s", c->to[0], strerror(-r));
        }
        *run = (Run) { .x = x, .pid = pid, .done = done, .userdata = userdata };
        uint64_t now;
        sd_event_now(x->event, CLOCK_MONOTONIC, &now);
        r = sd_event_add_child(x->event, &run->child, pid, WEXITED, on_exit_status, run);
        if (r >= 0)
                r = sd_event_add_time(x->event, &run->timeout, CLOCK_MONOTONIC, now + (uint64_t) c->timeout_ms * 1000u,
                                      1000, on_timeout, run);
        if (r < 0) {
                kill(pid, SIGKILL);
                if (run->child) /* it reaps the process when freed */
                        (void) sd_event_source_set_child_process_own(run->child, true);
                else
                        (void) waitpid(pid, NULL, 0);
                run_free(run);
                return error_set(e, r, "cannot watch %s: %s", c->to[0], strerror(-r));
        }
        /* The child source reaps it; freed with the source it is killed and reaped at the loop's end. */
        (void) sd_event_source_set_child_process_own(run->child, true);
        run->next = x->runs;
        x->runs = run;
        return 0;
}

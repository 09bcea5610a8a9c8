/* SPDX-License-Identifier: MIT */
/* skytune-helper: started by the system bus on demand, as root, never setuid. */
#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-id128.h>
#include <unistd.h>

#include "service.h"
#include "log.h"

typedef struct Options {
        const char *sysroot;
        const char *state_dir;
        double idle_s;
        bool journal;
        long crash_after;
        long keep_finished;
        const char *fault;
} Options;

static void usage(FILE *f) {
        fprintf(f, "Usage: skytune-helper [OPTIONS]\n"
                   "\n"
                   "The privileged part of skytune: applies and rolls back tuning plans for callers that\n"
                   "polkit authorizes. Started by the system bus (io.skysentinel.SkyTune1); not for manual use.\n"
                   "\n"
                   "  --sysroot DIR          write below DIR instead of / (tests; never taken from the environment)\n"
                   "  --state-dir DIR        journal directory (default /var/lib/skytune)\n"
                   "  --idle-timeout S       exit after S seconds without requests (default 30; 0: never)\n"
                   "  --log-target T         console or journal (default console)\n"
                   "  --keep-finished N      retention: keep the newest N finished transactions (default 100; 0:\n"
                   "                         all); applied ones and their undo data are always kept\n"
                   "  --test-crash-after N   test hook: die by SIGKILL right after the Nth system write of an\n"
                   "                         apply (0: after the journal's intent record)\n"
                   "  --test-fault KIND:N:WHAT  test hook: at the Nth journal or owned-file operation of KIND\n"
                   "                         (open, write, fsync, rename, unlink, mkdir, any) fail with WHAT\n"
                   "                         (ENOSPC, EIO) or die by SIGKILL (KILL; at a write: after half of it)\n"
                   "  --version, --help\n");
}

/* The test hooks are always compiled in but only ever read from argv: the command line of a bus-activated
 * service comes from root-owned unit and activation files, so a caller cannot set them, and they can only
 * make the helper kill itself or fail its own file operations, which those files' owner can do anyway. Keeping it in the shipped
 * binary means the crash tests exercise exactly the code that ships. */
static int parse_options(int argc, char **argv, Options *o) {
        enum { OPT_SYSROOT = 256, OPT_STATE, OPT_IDLE, OPT_LOG, OPT_CRASH, OPT_FAULT, OPT_VERSION, OPT_KEEP };
        static const struct option opts[] = {
                { "sysroot", required_argument, NULL, OPT_SYSROOT },  { "state-dir", required_argument, NULL, OPT_STATE },
                { "idle-timeout", required_argument, NULL, OPT_IDLE }, { "log-target", required_argument, NULL, OPT_LOG },
                { "test-crash-after", required_argument, NULL, OPT_CRASH }, { "version", no_argument, NULL, OPT_VERSION },
                { "test-fault", required_argument, NULL, OPT_FAULT },
                { "keep-finished", required_argument, NULL, OPT_KEEP }, { "help", no_argument, NULL, 'h' }, {},
        };
        *o = (Options) { .sysroot = "/", .state_dir = "/var/lib/skytune", .idle_s = 30, .crash_after = -1,
                         .keep_finished = HELPER_KEEP_FINISHED };
        for (int c; (c = getopt_long(argc, argv, "h", opts, NULL)) >= 0;) {
                char *end;
                switch (c) {
                case OPT_SYSROOT:
                        o->sysroot = optarg;
                        break;
                case OPT_STATE:
                        if (optarg[0] != '/') {
                                log_error("--state-dir must be an absolute path");
                                return -EINVAL;
                        }
                        o->state_dir = optarg;
                        break;
                case OPT_IDLE:
                        o->idle_s = strtod(optarg, &end);
                        if (*end || !isfinite(o->idle_s) || o->idle_s < 0 || o->idle_s > 86400) {
                                log_error("--idle-timeout takes seconds, 0 to 86400");
                                return -EINVAL;
                        }
                        break;
                case OPT_LOG:
                        if (strcmp(optarg, "journal") != 0 && strcmp(optarg, "console") != 0) {
                                log_error("--log-target is console or journal");
                                return -EINVAL;
                        }
                        o->journal = strcmp(optarg, "journal") == 0;
                        break;
                case OPT_CRASH:
                        o->crash_after = strtol(optarg, &end, 10);
                        if (*end || o->crash_after < 0) {
                                log_error("--test-crash-after takes a number >= 0");
                                return -EINVAL;
                        }
                        break;
                case OPT_KEEP:
                        o->keep_finished = strtol(optarg, &end, 10);
                        if (*end || end == optarg || o->keep_finished < 0 || o->keep_finished > 1000000) {
                                log_error("--keep-finished takes a number of transactions, 0 (all) to 1000000");
                                return -EINVAL;
                        }
                        break;
                case OPT_FAULT: {
                        TestFault t;
                        if (test_fault_parse(optarg, &t) < 0) {
                                log_error("--test-fault takes KIND:N:WHAT, e.g. write:3:ENOSPC or any:7:KILL");
                                return -EINVAL;
                        }
                        o->fault = optarg;
                        break;
                }
                case OPT_VERSION:
                        printf("skytune-helper %s\n", SKYTUNE_VERSION);
                        return 0;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return -EINVAL;
                }
        }
        if (optind < argc) {
                log_error("unexpected argument '%s'", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

static void service_done(Service *s) {
        if (s->requests)
                bus_cancel_requests(s, "skytune-helper is shutting down");
        s->bus = sd_bus_flush_close_unref(s->bus);
        s->event = sd_event_unref(s->event);
        helper_core_done(&s->core);
}

/* The engine, set up from the options: recovery of unfinished transactions and retention done. */
static int core_setup(Helper *h, const Options *o) {
        h->test_crash_after = o->crash_after;
        h->keep_finished = (unsigned) o->keep_finished;
        if (o->fault) {
                (void) test_fault_parse(o->fault, &h->test_fault);
                test_fault_enable(&h->test_fault);
        }
        h->state_dir = (char *) o->state_dir;
        if (o->journal)
                h->hooks.log_change = helper_log_change_journal;

        sd_id128_t boot;
        int r = sd_id128_get_boot(&boot);
        if (r < 0)
                return log_error_errno(r, "cannot read the boot id: %m");
        sd_id128_to_string(boot, h->boot_id);

        r = sysroot_open(o->sysroot, &h->root);
        if (r < 0)
                return log_error_errno(r, "cannot open sysroot %s: %m", o->sysroot);
        r = journal_open(h);
        if (r < 0)
                return r;
        /* Unfinished transactions are rolled back before the name is taken, so no call is served first. */
        r = tx_recover_all(h);
        if (r < 0)
                return r;
        r = journal_prune(h);
        if (r < 0)
                log_warning_errno(r, "retention: cannot list %s/tx: %m; nothing was removed", h->state_dir);
        return 0;
}

static int run(int argc, char **argv) {
        Options o;
        _cleanup_(service_done) Service s = { .core = { .state_fd = -EBADF, .tx_fd = -EBADF, .lock_fd = -EBADF } };
        log_set_program("skytune-helper");
        int r = parse_options(argc, argv, &o);
        if (r <= 0)
                return r;
        /* First of all: give up what the writes do not need. */
        r = caps_drop_to_needed();
        if (r < 0)
                return r;
        helper_log_setup(o.journal);
        s.idle_usec = (uint64_t) (o.idle_s * 1e6);
        s.core.hooks = (HelperHooks) { .log_change = NULL, .reload_systemd = bus_reload_systemd, .userdata = &s };
        r = core_setup(&s.core, &o);
        if (r < 0)
                return r;
        malloc_trim(0);

        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        r = sd_event_new(&s.event);
        if (r < 0)
                return log_error_errno(r, "cannot create the event loop: %m");
        r = bus_setup(&s);
        if (r < 0)
                return r;
        log_info("serving %s (sysroot %s, state %s)", HELPER_BUS_NAME, sysroot_path(s.core.root), s.core.state_dir);
        return idle_loop(&s);
}

int main(int argc, char **argv) {
        int r = run(argc, argv);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "macro.h"
#include "tunable.h"
#include "verbs.h"

static const char *format_flag(const char *format) {
        return strcmp(format, "prometheus") == 0 ? "--format prometheus" : "--format text";
}

/* Options that contradict each other: EXIT_OK or EXIT_USAGE (logged). */
static int profile_check(bool json_flag, const char *format, bool interval_given, double duration, double interval) {
        if (json_flag && format && strcmp(format, "json") != 0)
                return cli_flags_conflict("--json", format_flag(format), "--json is --format json; give one format");
        if (interval_given && duration == 0)
                return cli_flags_conflict("--interval", "--duration 0",
                                          "a --duration 0 snapshot is one sample, with no interval; drop one of them");
        if (duration > 0 && interval > duration) {
                log_error("--interval %.3g s is longer than --duration %.3g s: shorten the interval", interval, duration);
                return EXIT_USAGE;
        }
        return EXIT_OK;
}

static void profile_usage(FILE *f) {
        fprintf(f,
                "Usage: skytune profile [--duration S] [--interval S] [--format text|json|prometheus] [--json]\n"
                "                       [--out FILE] [--target NAME]... [--sysroot DIR]\n"
                "\n"
                "Samples this host's CPU, memory, disks, network, file handles and tasks for a window\n"
                "(USE method: utilization, saturation and errors of every resource), then prints the\n"
                "findings, errors and saturation first, each with its metric, value and threshold.\n"
                "\n"
                "  --duration S   length of the window (default 10; 0 = one instant snapshot of facts,\n"
                "                 gauges and current tunable values, no rates); accepts 500ms, 2s, 1m\n"
                "  --interval S   time between samples (default 1)\n"
                "  --format F     text (default, for people), json (schema skytune.profile/1, see\n"
                "                 docs/profile.md) or prometheus (text exposition format: skytune_* gauges in\n"
                "                 base units, for node_exporter's textfile collector)\n"
                "  --json         the same as --format json\n"
                "  --out FILE     also write the profile to FILE (atomically): as JSON, for 'skytune plan\n"
                "                 --profile', or in the exposition format with --format prometheus\n"
                "  --target NAME  also watch the cgroup of this process or unit (nginx,\n"
                "                 postgresql.service) for memory reclaim and limit hits;\n"
                "                 repeatable (besides the 8 busiest cgroups)\n"
                "  --sysroot DIR  read /proc and /sys below DIR instead of / (also SKYTUNE_SYSROOT)\n"
                "\n"
                "Ctrl-C (or SIGTERM) ends the window early: one last sample is taken so that every rate covers\n"
                "the time sampled, the profile is reported (and written with --out) marked \"interrupted\" with\n"
                "the real length of its window, and skytune exits 130 (within 10 ms of the first sample, no\n"
                "last sample: the rates are listed as unavailable). A Ctrl-C after the window, or during a\n"
                "--duration 0 snapshot, leaves a complete profile and also exits 130.\n"
                "\n"
                "Exit codes: 0 success, 1 failure, 2 usage error, 130 interrupted (the profile is still reported).\n");
}

/* The profile to stdout in its format, and to --out FILE; logs failures. */
static int profile_write(const json_t *doc, bool json, bool prometheus, const char *out) {
        int r = 0;
        if (prometheus) {
                _cleanup_free_ char *text = NULL;
                r = render_prometheus(doc, &text);
                if (r < 0)
                        return log_error_errno(r, "cannot render the profile in the Prometheus format: %m");
                if (out)
                        r = cli_write_text(text, strlen(text), out);
                return r < 0 ? r : cli_write_text(text, strlen(text), NULL);
        }
        if (out)
                r = cli_write_json(doc, out);
        if (r >= 0 && json)
                r = cli_write_json(doc, NULL);
        else if (r >= 0 && (render_profile(stdout, doc, cli_stdout_color()) < 0 || fflush(stdout) != 0))
                r = log_error_errno(negative_errno(), "cannot write to standard output: %m");
        return r;
}

typedef struct ProfileOptions {
        double duration, interval;
        bool json, prometheus, json_flag, interval_given;
        const char *out, *sysroot, *format;
        char **targets;      /* --target, pointing into argv */
        size_t n_targets;
} ProfileOptions;

static int profile_target(const char *arg, ProfileOptions *o) {
        if (!tunable_component_ok(arg, 128) || strchr(arg, ':')) {
                log_error("--target '%s' is not a process name or a unit name (e.g. nginx or postgresql.service)", arg);
                return EXIT_USAGE;
        }
        char **n = realloc(o->targets, (o->n_targets + 1) * sizeof(char *));
        if (!n) {
                log_error_errno(-ENOMEM, "cannot add --target '%s': %m", arg);
                return EXIT_FAIL;
        }
        o->targets = n;
        o->targets[o->n_targets++] = (char *) arg;
        return EXIT_OK;
}

/* One option into o: EXIT_OK to go on, else the exit code (--help, or a usage error, logged). */
static int profile_option(int c, const char *arg, ProfileOptions *o) {
        switch (c) {
        case 'd':
                if (cli_parse_seconds(arg, &o->duration) < 0) {
                        log_error("--duration '%s' is not a duration: give seconds such as 10, 0.5 or 2s", arg);
                        return EXIT_USAGE;
                }
                return EXIT_OK;
        case 'i':
                if (cli_parse_seconds(arg, &o->interval) < 0 || o->interval < 0.01) {
                        log_error("--interval '%s' is not a duration of at least 10ms: give seconds such as 1 or 0.5", arg);
                        return EXIT_USAGE;
                }
                o->interval_given = true;
                return EXIT_OK;
        case 'j':
                o->json_flag = true;
                return EXIT_OK;
        case 'f':
                if (o->format && strcmp(o->format, arg) != 0) {
                        log_error("--format %s and --format %s contradict each other: give one format", o->format, arg);
                        return EXIT_USAGE;
                }
                o->format = arg;
                o->json = strcmp(arg, "json") == 0;
                o->prometheus = strcmp(arg, "prometheus") == 0;
                if (!o->json && !o->prometheus && strcmp(arg, "text") != 0) {
                        log_error("--format '%s' is not a known format: give text, json or prometheus", arg);
                        return EXIT_USAGE;
                }
                return EXIT_OK;
        case 'o':
                o->out = arg;
                return EXIT_OK;
        case 's':
                o->sysroot = arg;
                return EXIT_OK;
        case 't':
                return profile_target(arg, o);
        default:
                return EXIT_USAGE;
        }
}

/* The command line into o: -1 to go on, else the exit code. */
static int profile_parse(int argc, char **argv, ProfileOptions *o) {
        static const struct option options[] = {
                { "duration", required_argument, NULL, 'd' }, { "interval", required_argument, NULL, 'i' },
                { "json", no_argument, NULL, 'j' },           { "format", required_argument, NULL, 'f' },
                { "out", required_argument, NULL, 'o' },      { "sysroot", required_argument, NULL, 's' },
                { "target", required_argument, NULL, 't' },   { "help", no_argument, NULL, 'h' },
                {},
        };
        *o = (ProfileOptions) { .duration = 10, .interval = 1 };
        optind = 1;
        opterr = 0;
        for (int c; (c = getopt_long(argc, argv, "d:i:jo:h", options, NULL)) != -1;) {
                if (c == 'h') {
                        profile_usage(stdout);
                        return EXIT_OK;
                }
                if (c == '?' || c == ':') {
                        log_error("unknown or incomplete option '%s' (see 'skytune profile --help')", argv[optind - 1]);
                        return EXIT_USAGE;
                }
                int code = profile_option(c, optarg, o);
                if (code != EXIT_OK)
                        return code;
        }
        if (optind < argc) {
                log_error("unexpected argument '%s' (see 'skytune profile --help')", argv[optind]);
                return EXIT_USAGE;
        }
        return profile_check(o->json_flag, o->format, o->interval_given, o->duration, o->interval) != EXIT_OK ? EXIT_USAGE : -1;
}

int verb_profile(int argc, char **argv) {
        ProfileOptions o;
        int code = profile_parse(argc, argv, &o);
        if (code >= 0) {
                free(o.targets);
                return code;
        }
        Sysroot *root = NULL;
        if (cli_open_sysroot(o.sysroot, &root) < 0) {
                free(o.targets);
                return EXIT_FAIL;
        }
        json_t *doc = NULL;
        int r = cli_collect_profile_for(root, o.targets, o.n_targets, o.duration, o.interval, true, &doc);
        sysroot_free(root);
        free(o.targets);
        if (r < 0)
                return EXIT_FAIL;
        bool marked = json_is_true(json_object_get(doc, "interrupted"));
        r = profile_write(doc, o.json || o.json_flag, o.prometheus, o.out);
        json_decref(doc);
        if (r < 0)
                return EXIT_FAIL;
        /* A signal after the window (or during a --duration 0 snapshot) leaves a complete profile, but
         * the run was still interrupted. */
        if (!marked && cli_stop_if_interrupted("after the window was sampled: the profile reported is complete"))
                return EXIT_INTERRUPTED;
        return marked ? EXIT_INTERRUPTED : EXIT_OK;
}

/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "macro.h"
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
                "                       [--out FILE] [--sysroot DIR]\n"
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
                "  --sysroot DIR  read /proc and /sys below DIR instead of / (also SKYTUNE_SYSROOT)\n"
                "\n"
                "Ctrl-C (or SIGTERM) ends the window early: one last sample is taken so that every rate covers\n"
                "the time sampled, the profile is reported (and written with --out) marked \"interrupted\" with\n"
                "the real length of its window, and skytune exits 130.\n"
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

int verb_profile(int argc, char **argv) {
        enum { OPT_SYSROOT = 0x100, OPT_OUT, OPT_FORMAT };
        static const struct option options[] = {
                { "duration", required_argument, NULL, 'd' },
                { "interval", required_argument, NULL, 'i' },
                { "json", no_argument, NULL, 'j' },
                { "format", required_argument, NULL, OPT_FORMAT },
                { "out", required_argument, NULL, 'o' },
                { "sysroot", required_argument, NULL, OPT_SYSROOT },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        double duration = 10, interval = 1;
        bool json = false, prometheus = false, json_flag = false, interval_given = false;
        const char *out = NULL, *sysroot = NULL, *format = NULL;
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "d:i:jo:h", options, NULL)) != -1)
                switch (c) {
                case 'd':
                        if (cli_parse_seconds(optarg, &duration) < 0) {
                                log_error("--duration '%s' is not a duration: give seconds such as 10, 0.5 or 2s", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case 'i':
                        if (cli_parse_seconds(optarg, &interval) < 0 || interval < 0.01) {
                                log_error("--interval '%s' is not a duration of at least 10ms: give seconds such as 1 or 0.5", optarg);
                                return EXIT_USAGE;
                        }
                        interval_given = true;
                        break;
                case 'j':
                        json_flag = true;
                        break;
                case OPT_FORMAT:
                        if (format && strcmp(format, optarg) != 0) {
                                log_error("--format %s and --format %s contradict each other: give one format", format, optarg);
                                return EXIT_USAGE;
                        }
                        format = optarg;
                        json = strcmp(optarg, "json") == 0;
                        prometheus = strcmp(optarg, "prometheus") == 0;
                        if (!json && !prometheus && strcmp(optarg, "text") != 0) {
                                log_error("--format '%s' is not a known format: give text, json or prometheus", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case 'o':
                        out = optarg;
                        break;
                case OPT_SYSROOT:
                        sysroot = optarg;
                        break;
                case 'h':
                        profile_usage(stdout);
                        return EXIT_OK;
                default:
                        log_error("unknown or incomplete option '%s' (see 'skytune profile --help')", argv[optind - 1]);
                        return EXIT_USAGE;
                }
        if (optind < argc) {
                log_error("unexpected argument '%s' (see 'skytune profile --help')", argv[optind]);
                return EXIT_USAGE;
        }
        if (profile_check(json_flag, format, interval_given, duration, interval) != EXIT_OK)
                return EXIT_USAGE;
        Sysroot *root = NULL;
        if (cli_open_sysroot(sysroot, &root) < 0)
                return EXIT_FAIL;
        json_t *doc = NULL;
        int r = cli_collect_profile(root, duration, interval, true, &doc);
        sysroot_free(root);
        if (r < 0)
                return EXIT_FAIL;
        int done = json_is_true(json_object_get(doc, "interrupted")) ? EXIT_INTERRUPTED : EXIT_OK;
        r = profile_write(doc, json || json_flag, prometheus, out);
        json_decref(doc);
        return r < 0 ? EXIT_FAIL : done;
}

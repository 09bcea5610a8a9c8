/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "macro.h"
#include "plan-common.h"
#include "profiler.h"
#include "fit-width.h"
#include "tunable.h"
#include "verbs.h"

static const char *format_flag(const char *format) {
        return strcmp(format, "prometheus") == 0 ? "--format prometheus" : "--format text";
}

typedef struct ProfileOptions {
        double duration, interval;
        bool json, prometheus, json_flag, interval_given, duration_given, brief, full;
        const char *out, *sysroot, *format, *from;
        char **targets;      /* --target, pointing into argv */
        size_t n_targets;
} ProfileOptions;

/* Options that contradict each other: EXIT_OK or EXIT_USAGE (logged). */
static int profile_check(const ProfileOptions *o) {
        if (o->json_flag && o->format && strcmp(o->format, "json") != 0)
                return cli_flags_conflict("--json", format_flag(o->format), "--json is --format json; give one format");
        if (o->brief && o->full)
                return cli_flags_conflict("--brief", "--full", "they are two views of the text output; give one");
        if ((o->brief || o->full) && (o->json || o->json_flag || o->prometheus))
                return cli_flags_conflict(o->brief ? "--brief" : "--full", o->prometheus ? "--format prometheus" : "--json",
                                          "--brief and --full choose the text view; drop one of them");
        if (o->from && (o->duration_given || o->interval_given || o->sysroot || o->n_targets))
                return cli_flags_conflict("--from", o->sysroot ? "--sysroot" : o->duration_given ? "--duration" :
                                          o->interval_given ? "--interval" : "--target",
                                          "--from shows a saved profile and samples nothing; drop one of them");
        if (o->interval_given && o->duration == 0)
                return cli_flags_conflict("--interval", "--duration 0",
                                          "a --duration 0 snapshot is one sample, with no interval; drop one of them");
        if (o->duration > 0 && o->interval > o->duration) {
                log_error("--interval %.3g s is longer than --duration %.3g s: shorten the interval", o->interval, o->duration);
                return EXIT_USAGE;
        }
        return EXIT_OK;
}

static void profile_usage(FILE *f) {
        fprintf(f,
                "Usage: skytune profile [--duration S] [--interval S] [--brief|--full]\n"
                "                       [--format text|json|prometheus] [--json] [--out FILE]\n"
                "                       [--target NAME]... [--sysroot DIR | --from FILE]\n"
                "\n"
                "Samples this host's CPU, memory, disks, network, file handles and tasks for a\n"
                "window (USE method: utilization, saturation and errors of every resource), then\n"
                "prints the findings, errors and saturation first, each with its metric, value\n"
                "and threshold.\n"
                "\n"
                "  --duration S   length of the window (default 10; 0 = one instant snapshot of\n"
                "                 facts, gauges and current tunable values, no rates); accepts\n"
                "                 500ms, 2s, 1m\n"
                "  --interval S   time between samples (default 1)\n"
                "  --brief        the text in a screen: the findings, one line per resource\n"
                "                 (utilization, saturation, errors) and the top offenders (the\n"
                "                 processes using the CPU or near their open-files limit, the\n"
                "                 busiest disks and interfaces); the default on a terminal\n"
                "  --full         every metric, with min, p95 and max; the default when standard\n"
                "                 output is not a terminal (scripts keep their output)\n"
                "  --format F     text (default, for people), json (schema skytune.profile/1, see\n"
                "                 " CLI_DOC("profile") ") or prometheus (text\n"
                "                 exposition format: skytune_* gauges in base units, for\n"
                "                 node_exporter's textfile collector)\n"
                "  --json         the same as --format json\n"
                "  --out FILE     also write the profile to FILE (atomically): as JSON, for\n"
                "                 'skytune plan --profile', or in the exposition format with\n"
                "                 --format prometheus\n"
                "  --target NAME  also watch the cgroup of this process or unit (nginx,\n"
                "                 postgresql.service) for memory reclaim and limit hits;\n"
                "                 repeatable (besides the 8 busiest cgroups)\n"
                "  --sysroot DIR  read /proc and /sys below DIR instead of / (also\n"
                "                 SKYTUNE_SYSROOT)\n"
                "  --from FILE    show a profile saved with --out (or --json) instead of\n"
                "                 sampling; - reads standard input\n"
                "\n"
                "Text fits the terminal's width (COLUMNS, else the terminal's, else 80).\n"
                "\n"
                "Ctrl-C (or SIGTERM) ends the window early: one last sample is taken so that\n"
                "every rate covers the time sampled, the profile is reported (and written with\n"
                "--out) marked \"interrupted\" with the real length of its window, and skytune\n"
                "exits 130 (within 10 ms of the first sample, no last sample: the rates are\n"
                "listed as unavailable). A Ctrl-C after the window, or during a --duration 0\n"
                "snapshot, leaves a complete profile and also exits 130.\n"
                "\n"
                "Exit codes: 0 success, 1 failure, 2 usage error, 130 interrupted (the profile\n"
                "is still reported).\n");
}

/* The profile to stdout in its format, and to --out FILE; logs failures. */
static int profile_write(const json_t *doc, bool json, bool prometheus, bool brief, const char *out) {
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
        else if (r >= 0) {
                RenderView view = cli_render_view(0);
                r = brief ? render_profile_brief(stdout, doc, &view) : render_profile_full(stdout, doc, &view);
                if (r < 0 || fflush(stdout) != 0)
                        r = log_error_errno(negative_errno(), "cannot write to standard output: %m");
        }
        return r;
}

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
                o->duration_given = true;
                return EXIT_OK;
        case 'b':
                o->brief = true;
                return EXIT_OK;
        case 'F':
                o->full = true;
                return EXIT_OK;
        case 'r':
                o->from = arg;
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
                { "brief", no_argument, NULL, 'b' },          { "full", no_argument, NULL, 'F' },
                { "from", required_argument, NULL, 'r' },     { "target", required_argument, NULL, 't' },
                { "help", no_argument, NULL, 'h' },
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
        return profile_check(o) != EXIT_OK ? EXIT_USAGE : -1;
}

/* A saved profile (--from): a skytune.profile/1 document, its metric count made current. */
static int profile_load(const char *path, json_t **ret) {
        json_t *doc = NULL;
        int r = cli_load_json(path, "profile (write one with 'skytune profile --out FILE')", &doc);
        if (r < 0)
                return r;
        const char *schema = json_string_value(json_object_get(doc, "schema"));
        if (!schema || strcmp(schema, PROFILE_SCHEMA) != 0) {
                log_error("%s: not a profile: its schema is '%s', expected '%s' (write one with 'skytune profile "
                          "--out FILE')", path, schema ? schema : "(none)", PROFILE_SCHEMA);
                json_decref(doc);
                return -EINVAL;
        }
        json_object_set_new(doc, "metric_count", json_integer((json_int_t) profile_count_metrics(doc)));
        *ret = doc;
        return 0;
}

/* The profile sampled now (or loaded with --from): 0, or the exit code (logged). */
static int profile_get(const ProfileOptions *o, json_t **doc) {
        if (o->from)
                return profile_load(o->from, doc) < 0 ? EXIT_FAIL : 0;
        Sysroot *root = NULL;
        if (cli_open_sysroot(o->sysroot, &root) < 0)
                return EXIT_FAIL;
        int r = cli_collect_profile_for(root, o->targets, o->n_targets, o->duration, o->interval, true, doc);
        sysroot_free(root);
        return r < 0 ? EXIT_FAIL : 0;
}

int verb_profile(int argc, char **argv) {
        ProfileOptions o;
        int code = profile_parse(argc, argv, &o);
        if (code >= 0) {
                free(o.targets);
                return code;
        }
        json_t *doc = NULL;
        code = profile_get(&o, &doc);
        free(o.targets);
        if (code != 0)
                return code;
        bool marked = json_is_true(json_object_get(doc, "interrupted"));
        /* The summary on a terminal; the full listing for scripts, as before --brief existed. */
        bool brief = o.brief || (!o.full && isatty(STDOUT_FILENO));
        int r = profile_write(doc, o.json || o.json_flag, o.prometheus, brief, o.out);
        json_decref(doc);
        if (r < 0)
                return EXIT_FAIL;
        /* A signal after the window (or during a --duration 0 snapshot) leaves a complete profile, but
         * the run was still interrupted. */
        if (!marked && cli_stop_if_interrupted("after the window was sampled: the profile reported is complete"))
                return EXIT_INTERRUPTED;
        return marked ? EXIT_INTERRUPTED : EXIT_OK;
}

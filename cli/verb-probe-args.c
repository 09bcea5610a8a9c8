/* SPDX-License-Identifier: MIT */
/* skytune probe: the options, as a ProbeArgs, and the help text. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fit-width.h"
#include "log.h"
#include "macro.h"
#include "verb-probe.h"
#include "verbs.h"

enum { OPT_OUT = 0x100, OPT_DIR, OPT_BASELINE, OPT_FAIL_REGRESSION, OPT_BACKEND = 0x200 };

/* "Without names every probe but http and db runs; with a target (--url, --dsn) and no names only
 * the probes given one run." */
static void targeted_help(FILE *f) {
        char names[128] = "", opts[128] = "";
        size_t n = 0;
        for (size_t i = 0; i < probe_table_size; i++) {
                const ProbeBackend *b = probe_table[i];
                if (!b->target_option)
                        continue;
                size_t ln = strlen(names), lo = strlen(opts);
                snprintf(names + ln, sizeof(names) - ln, "%s%s", n ? " and " : "", b->name);
                snprintf(opts + lo, sizeof(opts) - lo, "%s--%s", n ? ", " : "", b->target_option);
                n++;
        }
        if (n)
                fprintf(f, "Without names every probe but %s runs; with a target (%s) and no names\n"
                           "only the probes given one run.\n", names, opts);
}

static void probe_usage_text(FILE *f, void *userdata) {
        fprintf(f,
                "Usage: skytune probe [NAME...] [--duration S] [--rounds N] [--json] [OPTIONS]\n"
                "\n"
                "Runs short, bounded workloads and reports one sample per round for each metric, with\n"
                "the median and spread, so that two runs can be compared statistically. Probes:\n");
        for (size_t i = 0; i < probe_table_size; i++)
                fprintf(f, "  %-7s %s\n", probe_table[i]->name, probe_table[i]->summary);
        targeted_help(f);
        fprintf(f,
                "\n"
                "  --duration S     length of one round (default 1; accepts 500ms, 2s)\n"
                "  --rounds N       rounds per probe (default 5; comparisons want 5 or more a side)\n"
                "  --json           print the result as JSON (schema skytune.probe/1, see\n"
                "                   " CLI_DOC("probes") ")\n"
                "  --out FILE       also write the JSON result to FILE\n"
                "  --baseline FILE  compare with a saved run (--out FILE of an earlier probe): per metric the\n"
                "                   change with its 95 %% interval and a verdict (improved, regressed,\n"
                "                   unchanged, inconclusive); rounds of the two runs are not interleaved, so\n"
                "                   drift between them counts as change (apply --verify alternates)\n"
                "  --fail-on-regression  with --baseline: exit 1 when a primary metric regressed\n"
                "  --dir DIR        disk: directory for the temporary file (default: the state directory's\n"
                "                   file system); the file has no name and vanishes when the probe ends\n"
                );
        probe_option_set_help(f);
        fprintf(f,
                "\n"
                "Rounds marked contaminated (other processes used the CPUs) or client-bound (the probe\n"
                "itself was the limit) are reported but left out of the clean medians.\n"
                "Ctrl-C (or SIGTERM) ends the run early and reports the rounds done, marked \"interrupted\"\n"
                "(the probes not started are listed in \"not_run\"). Exit: 0 ok, 1 a probe failed or nothing\n"
                "succeeded in it (every connection refused, success_rate 0), 2 usage error (also a URL that\n"
                "is not http:// or https:// and a header with a line break), 130 interrupted.\n");
}

/* Fitted to the terminal's width. */
static void probe_usage(FILE *f) {
        cli_fit(f, probe_usage_text, NULL);
}

static const struct option general_options[] = {
        { "duration", required_argument, NULL, 'd' },
        { "rounds", required_argument, NULL, 'n' },
        { "json", no_argument, NULL, 'j' },
        { "out", required_argument, NULL, OPT_OUT },
        { "dir", required_argument, NULL, OPT_DIR },
        { "baseline", required_argument, NULL, OPT_BASELINE },
        { "fail-on-regression", no_argument, NULL, OPT_FAIL_REGRESSION },
        { "help", no_argument, NULL, 'h' },
};

/* A backend's option: its table parses it. */
static int backend_option(int c, ProbeArgs *a, char **argv) {
        if (c < OPT_BACKEND) {
                log_error("unknown or incomplete option '%s' (see 'skytune probe --help')", argv[optind - 1]);
                return EXIT_USAGE;
        }
        Error e = ERROR_NULL;
        int r = probe_option_set_apply(&a->opts, c - OPT_BACKEND, optarg, &e);
        if (r < 0)
                log_error("%s", error_message(&e));
        error_done(&e);
        return r == -ENOMEM ? EXIT_FAIL : r < 0 ? EXIT_USAGE : PROBE_ARGS_RUN;
}

/* The run's own options; the backends' next. */
static int general_option(int c, ProbeArgs *a, char **argv) {
        char *end;
        switch (c) {
        case 'd':
                if (cli_parse_seconds(optarg, &a->cfg.duration_s) < 0 || a->cfg.duration_s < 0.01 || a->cfg.duration_s > 3600) {
                        log_error("--duration '%s' is not a duration between 10ms and 1h: give seconds such as 1, 0.5 or 2s", optarg);
                        return EXIT_USAGE;
                }
                break;
        case 'n': {
                unsigned long v = strtoul(optarg, &end, 10);
                if (*end || end == optarg || v < 1 || v > 1000) {
                        log_error("--rounds '%s' is not a number from 1 to 1000", optarg);
                        return EXIT_USAGE;
                }
                a->cfg.rounds = (unsigned) v;
                break;
        }
        case 'j':
                a->json = true;
                break;
        case OPT_OUT:
                a->out = optarg;
                break;
        case OPT_DIR:
                a->cfg.dir = optarg;
                break;
        case OPT_BASELINE:
                a->baseline = optarg;
                break;
        case OPT_FAIL_REGRESSION:
                a->fail_on_regression = true;
                break;
        case 'h':
                probe_usage(stdout);
                return EXIT_OK;
        default:
                return backend_option(c, a, argv);
        }
        return PROBE_ARGS_RUN;
}

/* The names: positional, each may be a comma-separated list; none: every probe but http, or only
 * http with --url. */
static int select_probes(int argc, char **argv, ProbeArgs *a) {
        for (int i = optind; i < argc; i++) {
                _cleanup_free_ char *copy = strdup(argv[i]);
                if (!copy)
                        return EXIT_FAIL;
                char *save = NULL;
                for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                        const ProbeBackend *b = probe_find(t);
                        if (!b) {
                                log_error("unknown probe '%s' (see 'skytune probe --help' for the list)", t);
                                return EXIT_USAGE;
                        }
                        if (a->nsel < ELEMENTSOF(a->sel))
                                a->sel[a->nsel++] = b;
                }
        }
        /* Without names: the probes that were given targets, or, with none, those that need none. */
        bool targets = probe_option_set_any_target(&a->opts);
        if (a->nsel == 0)
                for (size_t i = 0; i < probe_table_size; i++) {
                        const char *const *t;
                        size_t n = probe_option_set_targets(&a->opts, probe_table[i], &t);
                        if (targets ? n > 0 : !probe_table[i]->target_option)
                                a->sel[a->nsel++] = probe_table[i];
                }
        for (size_t i = 0; i < a->nsel; i++) {
                const ProbeBackend *b = a->sel[i];
                const char *const *t;
                if (!b->target_option || probe_option_set_targets(&a->opts, b, &t) > 0)
                        continue;
                const ProbeOption *o = probe_option_find(b, b->target_option);
                log_error("the %s probe needs a target: add --%s %s%s%s%s", b->name, b->target_option,
                          o && o->arg ? o->arg : "VALUE", b->target_example ? " (for example " : "",
                          strempty(b->target_example), b->target_example ? ")" : "");
                return EXIT_USAGE;
        }
        return PROBE_ARGS_RUN;
}

/* getopt's table: the run's options, then every backend's. */
static struct option *all_options(void) {
        struct option *o = calloc(ELEMENTSOF(general_options) + PROBE_OPTION_NAMES_MAX + 1, sizeof(struct option));
        if (!o)
                return NULL;
        memcpy(o, general_options, sizeof(general_options));
        probe_option_set_longopts(o + ELEMENTSOF(general_options), OPT_BACKEND);
        return o;
}

int probe_args_parse(int argc, char **argv, ProbeArgs *a) {
        if (probe_option_set_init(&a->opts) < 0)
                return log_error_errno(-ENOMEM, "out of memory"), EXIT_FAIL;
        _cleanup_free_ struct option *options = all_options();
        if (!options)
                return log_error_errno(-ENOMEM, "out of memory"), EXIT_FAIL;
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "d:n:jh", options, NULL)) != -1) {
                int r = general_option(c, a, argv);
                if (r != PROBE_ARGS_RUN)
                        return r;
        }
        if (a->fail_on_regression && !a->baseline)
                return cli_flag_needs("--fail-on-regression", "--baseline FILE",
                                      "a regression is judged against a saved run; add --baseline or drop it");
        Error e = ERROR_NULL;
        if (probe_option_set_check(&a->opts, &e) < 0) {
                log_error("%s", error_message(&e));
                error_done(&e);
                return EXIT_USAGE;
        }
        return select_probes(argc, argv, a);
}

void probe_args_done(ProbeArgs *a) {
        probe_option_set_done(&a->opts);
}

/* SPDX-License-Identifier: MIT */
/* skytune bench: benchmark suites (docs/bench.md). This file holds the dispatch and `bench check`;
 * the other subcommands are in verb-bench-*.c. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "macro.h"
#include "render-bench.h"
#include "schema.h"
#include "suite.h"
#include "verb-bench.h"
#include "verbs.h"

static const char usage[] = "Usage: skytune bench check SUITE [--json]\n"
                            "       skytune bench run SUITE [--repeat N] [--json] [--history FILE] ...\n"
                            "       skytune bench compare [A] [B] [--json] [--force] [--junit FILE] ...\n"
                            "       skytune bench baseline set|accept RUN, baseline show\n"
                            "       skytune bench trends [SUITE] [--days N] [--metric M] [--json] ...\n"
                            "       skytune bench export [SUITE] [--format F] [--days N] [-o FILE] ...\n"
                            "       skytune bench import FILE [--history FILE]\n"
                            "       skytune bench list [--json]\n"
                            "       skytune bench schedule SUITE --daily|--on CALENDAR|--remove ...\n"
                            "\n"
                            "Benchmark suites (docs/bench.md): named benchmarks of kind command (a shell\n"
                            "command timed as a whole process), probe (a skytune probe) or load (one\n"
                            "skytune load run), each with repetitions, warm-up, the metrics that matter\n"
                            "and gates. SUITE is a file (with '/' or ending in .conf) or a NAME: NAME.conf\n"
                            "in ~/.config/skytune/suites, /etc/skytune/suites.d or the installed suites,\n"
                            "the first found ('bench list' shows them).\n"
                            "\n"
                            "  check SUITE  read a suite and show what it would run, or its first mistake\n"
                            "               at file:line (--json: schema " BENCH_SUITE_SCHEMA ")\n"
                            "  run SUITE    run it, interleaved, into the history (see 'bench run --help')\n"
                            "  compare      two runs of the history, metric by metric, with the suite's\n"
                            "               gates (see 'bench compare --help')\n"
                            "  baseline     named baselines; accept a deliberate change (see 'bench\n"
                            "               baseline --help')\n"
                            "  trends       change points in the suite's runs of the last days (see\n"
                            "               'bench trends --help')\n"
                            "  export       the runs for asv, Otava, Bencher or another history (see\n"
                            "               'bench export --help')\n"
                            "  import FILE  a skytune export into the history, all or nothing (see\n"
                            "               'bench import --help')\n"
                            "  list         the suites found by name, with their runs (see 'bench list\n"
                            "               --help')\n"
                            "  schedule     run a suite on a calendar with a systemd timer, or stop (see\n"
                            "               'bench schedule --help')\n"
                            "\n"
                            "Exit of check: 0 the file is good, 2 it is not (file:line and what to write).\n";

static int bench_check(int argc, char **argv) {
        bool json;
        const char *file;
        int code = cli_parse_file_json(argc, argv, usage, "skytune bench --help", &json, &file);
        if (code >= 0)
                return code;
        Suite *s = bench_load_suite(file);
        if (!s)
                return EXIT_USAGE;
        json_t *doc = suite_check_json(s);
        if (json)
                code = doc && cli_write_json(doc, NULL) >= 0 ? EXIT_OK : EXIT_FAIL;
        else
                code = doc && render_bench_suite(stdout, doc) >= 0 ? EXIT_OK : EXIT_FAIL;
        json_decref(doc);
        suite_free(s);
        return code;
}

static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
} subcommands[] = {
        { "check", bench_check },        { "run", bench_run },
        { "compare", bench_compare },    { "baseline", bench_baseline },
        { "trends", bench_trends_verb }, { "export", bench_export_verb },
        { "import", bench_import_verb }, { "list", bench_list },
        { "schedule", bench_schedule },
};

int verb_bench(int argc, char **argv) {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                fputs(usage, stdout);
                return EXIT_OK;
        }
        for (size_t i = 0; argc >= 2 && i < ELEMENTSOF(subcommands); i++)
                if (strcmp(argv[1], subcommands[i].name) == 0)
                        return subcommands[i].run(argc - 1, argv + 1);
        log_error("%s%s: use 'skytune bench check SUITE' (see 'skytune bench --help')",
                  argc >= 2 ? "unknown subcommand " : "a subcommand is missing", argc >= 2 ? argv[1] : "");
        return EXIT_USAGE;
}

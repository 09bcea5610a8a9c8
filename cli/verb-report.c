/* SPDX-License-Identifier: MIT */
/* skytune report: the outputs of a load run rebuilt from its saved document (skytune.load/1, from
 * `skytune load --out` or `--json`), or of a db run (skytune.db/1, from `skytune db load --json` or
 * `db query --json`), a pool sweep or a benchmark comparison: the HTML report and JUnit XML, by the
 * same renderers the run uses (render/render-load.h, render/render.h), so they are the same files. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "load-doc.h"
#include "load-output.h"
#include "log.h"
#include "macro.h"
#include "render-bench.h"
#include "render-load.h"
#include "render.h"
#include "safe-text.h"
#include "schema.h"
#include "verbs.h"

static const char report_usage[] =
        "Usage: skytune report FILE.json [--html OUT] [--junit OUT]\n"
        "\n"
        "Rebuild the outputs of a saved load run: FILE.json is the skytune.load/1\n"
        "document that 'skytune load --out FILE' or '--json' wrote, or the skytune.db/1\n"
        "document of 'skytune db load --json' or 'db query --json', or the\n"
        "skytune.db-sweep/1 document of 'db pool-sweep --json' (--html only), or the\n"
        "skytune.bench-compare/1 document of 'bench compare --json', or the\n"
        "skytune.bench-trends/1 document of 'bench trends --json' (--html only).\n"
        "OUT '-' is standard output; files are replaced atomically.\n"
        "\n"
        "  --html OUT    one self-contained HTML report (offline, no external resources)\n"
        "  --junit OUT   JUnit XML: one test case per threshold (a comparison: per gate)\n"
        "\n"
        "See " CLI_DOC("load") ", section Reports,\nand " CLI_DOC(
                "db") ".\n"
                      "Exit codes: 0 written, 1 FILE unreadable or not a load or db run, or a write\n"
                      "failed, 2 usage error.\n";

typedef struct ReportArgs {
        const char *file, *html, *junit;
} ReportArgs;

static int report_parse(int argc, char **argv, ReportArgs *a) {
        enum { OPT_HTML = 0x100, OPT_JUNIT };
        static const struct option options[] = {
                { "html", required_argument, NULL, OPT_HTML },
                { "junit", required_argument, NULL, OPT_JUNIT },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        optind = 1;
        opterr = 0;
        for (int c; (c = getopt_long(argc, argv, "h", options, NULL)) != -1;)
                switch (c) {
                case OPT_HTML: a->html = optarg; break;
                case OPT_JUNIT: a->junit = optarg; break;
                case 'h': fputs(report_usage, stdout); return -1;
                default:
                        log_error("unknown or incomplete option '%s' (see 'skytune report --help')", argv[optind - 1]);
                        return EXIT_USAGE;
                }
        if (argc - optind != 1) {
                log_error("%s: give one FILE.json, the saved run (see 'skytune report --help')",
                          argc - optind ? "too many arguments" : "missing FILE.json");
                return EXIT_USAGE;
        }
        a->file = argv[optind];
        if (!a->html && !a->junit) {
                log_error("nothing to write: give --html OUT and/or --junit OUT (see 'skytune report --help')");
                return EXIT_USAGE;
        }
        return EXIT_OK;
}

typedef int (*ReportRender)(FILE *, const json_t *, Error *);

/* The documents other than a load run's, by schema; a load run is read (and checked) by load_doc_read. */
static const struct ReportKind {
        const char *schema, *what;
        ReportRender html, junit; /* junit NULL: it has no thresholds or gates */
} report_kinds[] = {
        { DB_SCHEMA, "a db run", render_db_html, render_db_junit },
        { DB_SWEEP_SCHEMA, "a pool sweep", render_db_sweep_html, NULL },
        { BENCH_COMPARE_SCHEMA, "a benchmark comparison", render_bench_compare_html, render_bench_junit },
        { BENCH_TRENDS_SCHEMA, "a benchmark trend", render_bench_trends_html, NULL },
};

static const struct ReportKind *report_kind(const json_t *doc) {
        const char *schema = json_string_value(json_object_get(doc, "schema"));
        for (size_t i = 0; schema && i < ELEMENTSOF(report_kinds); i++)
                if (strcmp(schema, report_kinds[i].schema) == 0)
                        return &report_kinds[i];
        return NULL;
}

int verb_report(int argc, char **argv) {
        ReportArgs a = {};
        int rc = report_parse(argc, argv, &a);
        if (rc != EXIT_OK)
                return rc < 0 ? EXIT_OK : rc;
        json_t *doc = json_load_file(a.file, JSON_REJECT_DUPLICATES, NULL);
        const struct ReportKind *k = report_kind(doc);
        if (k && json_escape_tree(doc) < 0) {
                json_decref(doc);
                log_error_errno(-ENOMEM, "out of memory reading %s", a.file);
                return EXIT_FAIL;
        }
        if (!k) {
                json_decref(doc);
                doc = NULL;
        }
        Error e = ERROR_NULL;
        if (!k && load_doc_read(a.file, &doc, &e) < 0) {
                _cleanup_free_ char *msg = error_format(&e);
                log_error("%s", msg ? msg : error_message(&e));
                error_done(&e);
                return EXIT_FAIL;
        }
        rc = EXIT_OK;
        if (a.html && cli_render_to_file(doc, a.html, "HTML report", k ? k->html : render_load_html) < 0)
                rc = EXIT_FAIL;
        if (k && !k->junit && a.junit) {
                log_error("%s: %s has no thresholds: no JUnit XML (only --html)", a.file, k->what);
                rc = EXIT_USAGE;
        } else if (a.junit && cli_render_to_file(doc, a.junit, "JUnit XML", k ? k->junit : render_load_junit) < 0)
                rc = EXIT_FAIL;
        json_decref(doc);
        return rc;
}

/* SPDX-License-Identifier: MIT */
/* skytune alerts check [FILE...]: the alert rules skytune-monitor reads (monitor/alert-rule.h,
 * docs/monitor.md), checked as the monitor checks them: every mistake at file:line, every series
 * against the metric catalogue. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-rule.h"
#include "cli.h"
#include "log.h"
#include "profiler.h"
#include "verbs.h"

static const char usage[] = "Usage: skytune alerts check [FILE...]\n"
                            "\n"
                            "Check alert rule files as skytune-monitor reads them (docs/monitor.md, Alert\n"
                            "rules): each mistake at FILE:LINE, each series against what the monitor keeps.\n"
                            "Without FILE: the rules the monitor would load, the shipped ones\n"
                            "(" SKYTUNE_ALERT_DIR ") and " ALERT_ETC_DIR ",\n"
                            "where a file replaces a shipped one of the same name.\n"
                            "\n"
                            "Exit: 0 every rule is valid, 1 a file has a mistake (the message says where),\n"
                            "2 usage error.\n";

/* 90000 ms as "90s", 120000 as "2m", 7200000 as "2h". */
static const char *span(int64_t ms, char buf[static 32]) {
        int64_t s = ms / 1000;
        if (ms % 1000)
                snprintf(buf, 32, "%gs", (double) ms / 1000);
        else if (s % 3600 == 0)
                snprintf(buf, 32, "%" PRId64 "h", s / 3600);
        else if (s % 60 == 0)
                snprintf(buf, 32, "%" PRId64 "m", s / 60);
        else
                snprintf(buf, 32, "%" PRId64 "s", s);
        return buf;
}

/* Two lines a rule: its name and expression, then its levels and timing. */
static void print_rule(const AlertRule *r) {
        char b[32];
        printf("  %s: %s\n     ", r->name, r->expr_text);
        const char *sep = "";
        for (AlertLevel l = ALERT_LEVEL_WARN; l <= ALERT_LEVEL_CRIT; l++)
                if (!isnan(r->level[l])) {
                        printf("%s %s %s %g", sep, alert_level_name(l),
                               r->direction == ALERT_ABOVE ? ">=" : "<=", r->level[l]);
                        sep = ",";
                }
        if (r->clear > 0)
                printf("; clear %g", r->clear);
        if (r->for_ms > 0)
                printf("; for %s", span(r->for_ms, b));
        if (r->hits > 1)
                printf("; %u hits", r->hits);
        if (r->keep_firing_ms > 0)
                printf("; keep firing %s", span(r->keep_firing_ms, b));
        if (r->no_data != ALERT_NODATA_KEEP)
                printf("; no data: %s", r->no_data == ALERT_NODATA_ALERT ? "alert" : "resolve");
        printf("\n");
}

static int alerts_check(int argc, char **argv) {
        /* Files and --help only: no option takes a value; after "--" every argument is a file. */
        int first = 1;
        if (argc > 1 && strcmp(argv[1], "--") == 0)
                first = 2;
        for (int i = 1; i < argc && first == 1; i++) {
                if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                        fputs(usage, stdout);
                        return EXIT_OK;
                }
                if (argv[i][0] == '-') {
                        log_error("alerts check: unknown option '%s' (see 'skytune alerts --help')", argv[i]);
                        return EXIT_USAGE;
                }
        }
        MetricCatalog catalog = {};
        if (profiler_metric_catalog(&catalog) < 0) {
                log_error("out of memory");
                return EXIT_FAIL;
        }
        AlertRules rules = {};
        Error e = ERROR_NULL;
        int r = 0;
        size_t n_files = (size_t) (argc - first);
        if (n_files > 0)
                for (int i = first; r >= 0 && i < argc; i++)
                        r = alert_rules_load_file(argv[i], &catalog, &rules, &e);
        else {
                size_t n_dirs;
                const char *const *dirs = alert_rule_dirs(&n_dirs);
                r = alert_rules_load_dirs(dirs, n_dirs, false, &catalog, &rules, &e);
        }
        metric_catalog_done(&catalog);
        if (r < 0) {
                char *msg = error_format(&e);
                log_error("%s", msg ? msg : error_message(&e));
                free(msg);
                error_done(&e);
                alert_rules_done(&rules);
                return EXIT_FAIL;
        }
        const char *file = NULL;
        for (size_t i = 0; i < rules.n; i++) {
                if (!file || strcmp(file, rules.rules[i].file) != 0)
                        printf("%s:\n", file = rules.rules[i].file);
                print_rule(&rules.rules[i]);
        }
        printf("%zu rule%s, all valid\n", rules.n, rules.n == 1 ? "" : "s");
        alert_rules_done(&rules);
        return EXIT_OK;
}

int verb_alerts(int argc, char **argv) {
        if (argc >= 2 && strcmp(argv[1], "check") == 0)
                return alerts_check(argc - 1, argv + 1);
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                fputs(usage, stdout);
                return EXIT_OK;
        }
        log_error("alerts: give a command: check (see 'skytune alerts --help')");
        return EXIT_USAGE;
}

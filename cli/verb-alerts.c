/* SPDX-License-Identifier: MIT */
/* skytune alerts [--store FILE] [--json]: the alerts skytune-monitor keeps in its store, read beside
 * it. skytune alerts check [FILE...]: the alert rules it reads (monitor/alert-rule.h,
 * docs/monitor.md), checked as the monitor checks them: every mistake at file:line, every series
 * against the metric catalogue. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-rule.h"
#include "alert-state.h"
#include "alert-test.h"
#include "alerts-silence.h"
#include "cli.h"
#include "log.h"
#include "macro.h"
#include "monitor-store.h"
#include "profiler.h"
#include "render-monitor.h"
#include "schema.h"
#include "site.h"
#include "time-util.h"
#include "verbs.h"

static const char usage[] = "Usage: skytune alerts [--store FILE] [--json]\n"
                            "       skytune alerts --history [--since SPAN] [--alert NAME] [--store FILE]\n"
                            "                      [--json]\n"
                            "       skytune alerts check [FILE...]\n"
                            "       skytune alerts test RULES... TEST\n"
                            "       skytune alerts silence MATCHER... [--for SPAN] [--start TIME]\n"
                            "                      [--comment TEXT]\n"
                            "       skytune alerts silences [--all] | unsilence ID\n"
                            "\n"
                            "List the alerts skytune-monitor keeps in its store, each with its state\n"
                            "(pending, firing, resolved, inactive), level, since when, and last value;\n"
                            "firing ones first. --store FILE names the store (default: monitor.store of\n"
                            "skytune.conf, else " TSDB_DEFAULT_PATH ");\n"
                            "--json: schema " ALERTS_SCHEMA ".\n"
                            "\n"
                            "--history lists the alerts' events instead (firing, level, resolved,\n"
                            "flapping, settled), oldest first, over the last --since (default 24h; the\n"
                            "store keeps 90 days), of one alert with --alert; --json: schema\n"
                            "" ALERT_HISTORY_SCHEMA ".\n"
                            "\n"
                            "Check alert rule files as skytune-monitor reads them (docs/monitor.md, Alert\n"
                            "rules): each mistake at FILE:LINE, each series against what the monitor keeps.\n"
                            "Without FILE: the rules the monitor would load, the shipped ones\n"
                            "(" SKYTUNE_ALERT_DIR ") and " ALERT_ETC_DIR ",\n"
                            "where a file replaces a shipped one of the same name.\n"
                            "\n"
                            "test replays the series of TEST (a libconfig file, docs/monitor.md, Testing\n"
                            "rules) through the rules of the RULES files, one evaluation each interval on\n"
                            "a synthetic clock, and checks each expected state at its time.\n"
                            "\n"
                            "silence holds back the notifications of matching alerts for a while;\n"
                            "silences lists them, unsilence ends one (each takes --help).\n"
                            "\n"
                            "Exit: 0 listed, every rule valid, or every expectation met; 1 the store cannot\n"
                            "be read, a file has a mistake, or an expectation is not met (each at\n"
                            "FILE:LINE); 2 usage error.\n";

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

typedef struct List {
        json_t *alerts;
        size_t unreadable;
} List;

/* One kept record ("alert/NAME" -> the state, its times on the wall clock). */
static int add_alert(const char *key, const char *value, void *userdata) {
        List *l = userdata;
        AlertState s;
        alert_state_init(&s);
        if (alert_state_from_text(value, INT64_MAX / 2, &s) < 0) {
                l->unreadable++;
                return 0;
        }
        char since[ISO8601_USEC_SIZE];
        time_format_iso8601((uint64_t) s.since_ms * 1000u, since);
        json_t *a = json_pack("{s:s, s:s, s:s, s:s, s:o, s:b}", "name", key + strlen("alert/"), "state",
                              alert_phase_name(s.phase), "level", alert_level_name(s.level), "since", since, "value",
                              isnan(s.value) ? json_null() : json_real(s.value), "flapping", s.flapping);
        return a && json_array_append_new(l->alerts, a) == 0 ? 0 : -ENOMEM;
}

/* Firing first, then pending, resolved, inactive; by name within each. */
static int rank(const json_t *a) {
        static const char *const order[] = { "firing", "pending", "resolved", "inactive" };
        const char *s = json_string_value(json_object_get(a, "state"));
        for (int i = 0; s && i < 4; i++)
                if (strcmp(s, order[i]) == 0)
                        return i;
        return 4;
}

static int by_rank(const void *x, const void *y) {
        const json_t *a = *(json_t *const *) x, *b = *(json_t *const *) y;
        int d = rank(a) - rank(b);
        return d ? d
                 : strcmp(json_string_value(json_object_get(a, "name")), json_string_value(json_object_get(b, "name")));
}

/* NULL on ENOMEM (list is taken either way). */
static json_t *sorted(json_t *list) {
        size_t n = json_array_size(list);
        json_t **v = calloc(n + 1, sizeof(json_t *)), *out = v ? json_array() : NULL;
        for (size_t i = 0; v && i < n; i++)
                v[i] = json_array_get(list, i);
        if (v)
                qsort(v, n, sizeof(json_t *), by_rank);
        for (size_t i = 0; out && i < n; i++)
                if (json_array_append(out, v[i]) < 0) {
                        json_decref(out);
                        out = NULL;
                }
        free(v);
        json_decref(list);
        return out;
}

static int add_event(const struct tsdb_event *ev, void *userdata) {
        char t[ISO8601_USEC_SIZE];
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "t", time_format_iso8601((uint64_t) ev->t_ms * 1000, t),
                              "alert", ev->name, "event", ev->event, "level", ev->level, "value",
                              isfinite(ev->value) ? json_real(ev->value) : json_null());
        return o && json_array_append_new(userdata, o) == 0 ? 0 : -ENOMEM;
}

static int alerts_history(const char *store, const char *since, const char *alert, bool json) {
        int64_t span = 24 * TSDB_HOUR_MS;
        if (since && time_parse_span_ms(since, &span) < 0) {
                log_error("--since %s: not a span (a whole number with s, m, h, d or w: 90m, 24h, 30d)", since);
                return EXIT_USAGE;
        }
        int64_t now = (int64_t) (time_now_realtime_usec() / 1000);
        struct tsdb *t;
        if (monitor_store_open(store, &t) < 0)
                return EXIT_FAIL;
        json_t *list = json_array();
        int r = list ? tsdb_event_each(t, now - span, INT64_MAX, alert, add_event, list) : -ENOMEM;
        tsdb_close(t);
        if (r < 0) {
                log_error("%s: cannot read the alert history: %s", store, strerror(-r));
                json_decref(list);
                return EXIT_FAIL;
        }
        char from[ISO8601_USEC_SIZE];
        json_t *doc = json_pack("{s:s, s:s, s:s, s:s?, s:o}", "schema", ALERT_HISTORY_SCHEMA, "store", store, "since",
                                time_format_iso8601((uint64_t) MAX(now - span, 0) * 1000, from), "alert", alert,
                                "events", list);
        return monitor_emit(doc, json, render_alert_history);
}

static int alerts_list(int argc, char **argv) {
        const char *store = NULL, *since = NULL, *alert = NULL;
        bool json = false, history = false;
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                        fputs(usage, stdout);
                        return EXIT_OK;
                } else if (strcmp(argv[i], "--json") == 0)
                        json = true;
                else if (strcmp(argv[i], "--history") == 0)
                        history = true;
                else if (strcmp(argv[i], "--since") == 0 && i + 1 < argc)
                        since = argv[++i];
                else if (strcmp(argv[i], "--alert") == 0 && i + 1 < argc)
                        alert = argv[++i];
                else if (strcmp(argv[i], "--store") == 0 && i + 1 < argc)
                        store = argv[++i];
                else if (strncmp(argv[i], "--store=", 8) == 0 && argv[i][8])
                        store = argv[i] + 8;
                else {
                        log_error("alerts: unknown or incomplete '%s' (see 'skytune alerts --help')", argv[i]);
                        return EXIT_USAGE;
                }
        }
        if (!store && cli_default_store(&store) < 0)
                return EXIT_FAIL;
        if ((since || alert) && !history) {
                log_error("alerts: %s belongs to --history (see 'skytune alerts --help')",
                          since ? "--since" : "--alert");
                return EXIT_USAGE;
        }
        if (history)
                return alerts_history(store, since, alert, json);
        struct tsdb *t;
        if (monitor_store_open(store, &t) < 0)
                return EXIT_FAIL;
        List l = { json_array(), 0 };
        int r = l.alerts ? tsdb_state_each(t, "alert/", add_alert, &l) : -ENOMEM;
        tsdb_close(t);
        if (r < 0) {
                log_error("%s: cannot read the alerts: %s", store, strerror(-r));
                json_decref(l.alerts);
                return EXIT_FAIL;
        }
        if (l.unreadable > 0)
                log_warning("%s: %zu alert record%s cannot be read (skytune-monitor starts those alerts afresh)", store,
                            l.unreadable, l.unreadable == 1 ? "" : "s");
        json_t *doc = json_pack("{s:s, s:s, s:o}", "schema", ALERTS_SCHEMA, "store", store, "alerts", sorted(l.alerts));
        return monitor_emit(doc, json, render_alerts);
}

static void test_failed(const char *file, unsigned line, const char *msg, void *userdata) {
        log_error("%s:%u: %s", file, line, msg);
}

static int alerts_test(int argc, char **argv) {
        /* Files and --help only; after "--" every argument is a file. */
        if (argc > 1 && strcmp(argv[1], "--") == 0) {
                argv++;
                argc--;
        } else
                for (int i = 1; i < argc; i++) {
                        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                                fputs(usage, stdout);
                                return EXIT_OK;
                        }
                        if (argv[i][0] == '-') {
                                log_error("alerts test: unknown option '%s' (see 'skytune alerts --help')", argv[i]);
                                return EXIT_USAGE;
                        }
                }
        if (argc < 3) {
                log_error("alerts test: give the rule files and then the test file (see 'skytune alerts --help')");
                return EXIT_USAGE;
        }
        MetricCatalog catalog = {};
        AlertRules rules = {};
        AlertTest *t = NULL;
        Error e = ERROR_NULL;
        int r = profiler_metric_catalog(&catalog);
        if (r < 0)
                r = error_set(&e, r, "out of memory");
        for (int i = 1; r >= 0 && i < argc - 1; i++)
                r = alert_rules_load_file(argv[i], &catalog, &rules, &e);
        if (r >= 0)
                r = alert_test_load(argv[argc - 1], &rules, &t, &e);
        metric_catalog_done(&catalog);
        int failed = r >= 0 ? alert_test_run(t, &rules, test_failed, NULL) : r;
        if (r < 0) {
                char *msg = error_format(&e);
                log_error("%s", msg ? msg : error_message(&e));
                free(msg);
        } else if (failed < 0)
                log_error("out of memory");
        else if (failed == 0)
                printf("%s: %zu expectation%s met (%zu rule%s)\n", argv[argc - 1], alert_test_expectations(t),
                       alert_test_expectations(t) == 1 ? "" : "s", rules.n, rules.n == 1 ? "" : "s");
        else
                log_error("%s: %d of %zu expectations not met", argv[argc - 1], failed, alert_test_expectations(t));
        error_done(&e);
        alert_test_free(t);
        alert_rules_done(&rules);
        return r < 0 || failed != 0 ? EXIT_FAIL : EXIT_OK;
}

int verb_alerts(int argc, char **argv) {
        if (argc >= 2 && strcmp(argv[1], "check") == 0)
                return alerts_check(argc - 1, argv + 1);
        if (argc >= 2 && strcmp(argv[1], "test") == 0)
                return alerts_test(argc - 1, argv + 1);
        static const struct {
                const char *name;
                int (*run)(int argc, char **argv);
        } silences[] = { { "silence", alerts_silence },
                         { "silences", alerts_silences },
                         { "unsilence", alerts_unsilence } };
        for (size_t i = 0; argc >= 2 && i < ELEMENTSOF(silences); i++)
                if (strcmp(argv[1], silences[i].name) == 0)
                        return silences[i].run(argc - 1, argv + 1);
        return alerts_list(argc, argv);
}

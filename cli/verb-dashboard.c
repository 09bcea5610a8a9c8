/* SPDX-License-Identifier: MIT */
/* skytune dashboard --html FILE: the dashboard page (docs/dashboard.md) as one offline file, from
 * skytune-monitor's store (read beside the daemon, never written) and skytune-helper's transactions
 * when it answers. The document is built by monitor/dashboard-doc.h, as the daemon builds it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client.h"
#include "dashboard-doc.h"
#include "load-output.h"
#include "log.h"
#include "monitor-store.h"
#include "render-dashboard.h"
#include "schema.h"
#include "site.h"
#include "time-util.h"
#include "verbs.h"

static const char usage[] = "Usage: skytune dashboard --html FILE [--since SPAN] [--until TIME]\n"
                            "                         [--store FILE]\n"
                            "       skytune dashboard --json [--since SPAN] [--until TIME] [--store FILE]\n"
                            "\n"
                            "The dashboard of skytune-monitor's history as one offline HTML file, for mail\n"
                            "and tickets: CPU (total and per CPU), memory and swap, pressure, disk latency\n"
                            "and utilization, network throughput and drops, the application metrics, the\n"
                            "database, the alerts with their state and age, and skytune-helper's tuning\n"
                            "transactions as markers with their verdicts (docs/dashboard.md). The page\n"
                            "fetches nothing and runs no script but its own.\n"
                            "\n"
                            "  --html FILE     write the page to FILE ('-': standard output)\n"
                            "  --json          print its data instead: schema " DASHBOARD_SCHEMA "\n"
                            "  --since SPAN    how far back from --until: 5m .. 30d (default 24h); a point\n"
                            "                  every second up to 15m, every minute up to 2d, every hour\n"
                            "                  beyond (the store's tiers)\n"
                            "  --until TIME    the end: ISO 8601 in UTC (2026-12-04T18:00:00Z), or now\n"
                            "                  (default)\n"
                            "  --store FILE    the store (default monitor.store of skytune.conf, else\n"
                            "                  " TSDB_DEFAULT_PATH ")\n"
                            "\n"
                            "Exit: 0 written, 1 the store cannot be read or FILE written, 2 usage error.\n";

typedef struct Args {
        const char *html, *store, *since, *until;
        bool json;
} Args;

static int parse(int argc, char **argv, Args *a) {
        static const struct option options[] = {
                { "html", required_argument, NULL, 'o' },
                { "json", no_argument, NULL, 'j' },
                { "since", required_argument, NULL, 's' },
                { "until", required_argument, NULL, 'u' },
                { "store", required_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        *a = (Args) { .since = "24h" };
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1)
                switch (c) {
                case 'o': a->html = optarg; break;
                case 'j': a->json = true; break;
                case 's': a->since = optarg; break;
                case 'u': a->until = optarg; break;
                case 'f': a->store = optarg; break;
                case 'h': fputs(usage, stdout); return -1;
                case ':':
                        log_error("%s needs a value (see 'skytune dashboard --help')", argv[optind - 1]);
                        return EXIT_USAGE;
                default:
                        log_error("unknown option '%s' (see 'skytune dashboard --help')", argv[optind - 1]);
                        return EXIT_USAGE;
                }
        if (optind != argc) {
                log_error("dashboard takes no argument ('%s'): the page goes to --html FILE", argv[optind]);
                return EXIT_USAGE;
        }
        if (!a->html == !a->json) {
                log_error(a->html ? "--html and --json: give one of them"
                                  : "nothing to write: give --html FILE (the live page at skytune-monitor's /dashboard "
                                    "is not in this build yet; docs/dashboard.md)");
                return EXIT_USAGE;
        }
        return !a->store && cli_default_store(&a->store) < 0 ? EXIT_FAIL : EXIT_OK;
}

#define MAX_SPAN (31 * TSDB_DAY_MS)

static int range_of(const Args *a, DashboardRange *r) {
        int64_t span, now = (int64_t) (time_now_realtime_usec() / 1000), until = now;
        if (time_parse_span_ms(a->since, &span) < 0 || span < 60000 || span > MAX_SPAN) {
                log_error("--since %s: not a span from 1m to 31d (5m, 1h, 24h, 7d, 30d)", a->since);
                return -EINVAL;
        }
        uint64_t usec;
        if (a->until && strcmp(a->until, "now") != 0) {
                if (time_parse_iso8601(a->until, &usec) < 0) {
                        log_error("--until %s: not a time (ISO 8601 in UTC, 2026-12-04T18:00:00Z, or now)", a->until);
                        return -EINVAL;
                }
                until = (int64_t) (usec / 1000);
        }
        return dashboard_range(span, until, now, r);
}

/* The helper's transactions, or why there are none (the page says so; not a failure). */
static int add_transactions(json_t *doc) {
        json_t *list = NULL;
        if (helper_client_list_all(&list) < 0) {
                log_warning("the dashboard shows no transactions: skytune-helper did not answer (above)");
                return dashboard_doc_transactions(doc, NULL,
                                                  "skytune-helper did not answer: no transactions shown "
                                                  "('skytune history' says why)");
        }
        int r = dashboard_doc_transactions(doc, list, NULL);
        json_decref(list);
        return r;
}

int verb_dashboard(int argc, char **argv) {
        Args a;
        int code = parse(argc, argv, &a);
        if (code != EXIT_OK)
                return code < 0 ? EXIT_OK : code;
        DashboardRange r;
        if (range_of(&a, &r) < 0)
                return EXIT_USAGE;
        struct tsdb *t;
        if (monitor_store_open(a.store, &t) < 0)
                return EXIT_FAIL;
        char host[256] = "-";
        if (gethostname(host, sizeof(host) - 1) < 0)
                snprintf(host, sizeof(host), "-");
        json_t *doc = NULL;
        int q = dashboard_doc_build(t, &r, host, &doc);
        tsdb_close(t);
        if (q < 0) {
                log_error("%s: cannot read the dashboard's series: %s", a.store, strerror(-q));
                return EXIT_FAIL;
        }
        if (add_transactions(doc) < 0) {
                json_decref(doc);
                log_error("out of memory");
                return EXIT_FAIL;
        }
        if (a.json)
                code = cli_write_json(doc, NULL) < 0 ? EXIT_FAIL : EXIT_OK;
        else
                code = cli_render_to_file(doc, a.html, "dashboard", render_dashboard_html) < 0 ? EXIT_FAIL : EXIT_OK;
        json_decref(doc);
        return code;
}

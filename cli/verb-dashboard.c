/* SPDX-License-Identifier: MIT */
/* skytune dashboard --html FILE: the dashboard page (docs/dashboard.md) as one offline file, from
 * skytune-monitor's store (read beside the daemon, never written) and skytune-helper's transactions
 * when it answers. The document is built by monitor/dashboard-doc.h, as the daemon builds it.
 * Without --html: where the daemon serves the page (dashboard-serve.c). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client.h"
#include "dashboard-doc.h"
#include "dashboard-serve.h"
#include "load-output.h"
#include "log.h"
#include "monitor-config.h"
#include "monitor-store.h"
#include "render-dashboard.h"
#include "schema.h"
#include "site.h"
#include "time-util.h"
#include "verbs.h"

static const char usage[] = "Usage: skytune dashboard [--range 5m|15m|1h|6h|24h|2d|7d|30d] [--config FILE]\n"
                            "       skytune dashboard --html FILE [--since SPAN] [--until TIME]\n"
                            "                         [--store FILE]\n"
                            "       skytune dashboard --json [--since SPAN] [--until TIME] [--store FILE]\n"
                            "\n"
                            "skytune-monitor's dashboard (docs/dashboard.md): CPU (total and per CPU),\n"
                            "memory and swap, pressure, disk latency and utilization, network throughput\n"
                            "and drops, the application metrics, the database, the alerts with their state\n"
                            "and age, and skytune-helper's tuning transactions as markers with their\n"
                            "verdicts. The page fetches nothing but the monitor's own API and runs no\n"
                            "script but its own.\n"
                            "\n"
                            "Without --html: the address skytune-monitor serves the page on (listen in\n"
                            "monitor.conf), checked to answer; ranges up to 1h update every second.\n"
                            "  --range NAME    the range in the address (default 1h)\n"
                            "  --config FILE   monitor.conf (default " MONITOR_CONFIG_PATH ")\n"
                            "\n"
                            "With --html: the same page as one offline file with its data, for mail and\n"
                            "tickets, from the monitor's store (read beside the daemon, never written).\n"
                            "  --html FILE     write the page to FILE ('-': standard output)\n"
                            "  --json          print its data instead: schema " DASHBOARD_SCHEMA "\n"
                            "  --since SPAN    how far back from --until: 1m .. 31d (default 24h); a point\n"
                            "                  every second up to 15m, every minute up to 2d, every hour\n"
                            "                  beyond (the store's tiers)\n"
                            "  --until TIME    the end: ISO 8601 in UTC (2026-12-04T18:00:00Z), or now\n"
                            "                  (default)\n"
                            "  --store FILE    the store (default monitor.store of skytune.conf, else\n"
                            "                  " TSDB_DEFAULT_PATH ")\n"
                            "\n"
                            "Exit: 0 written (or the daemon answers), 1 the store cannot be read, FILE not\n"
                            "written, or no daemon answers (the message says what to do), 2 usage error.\n";

typedef struct Args {
        const char *html, *store, *since, *until, *range, *config;
        bool json;
} Args;

static int parse(int argc, char **argv, Args *a) {
        static const struct option options[] = {
                { "html", required_argument, NULL, 'o' },
                { "json", no_argument, NULL, 'j' },
                { "since", required_argument, NULL, 's' },
                { "until", required_argument, NULL, 'u' },
                { "store", required_argument, NULL, 'f' },
                { "range", required_argument, NULL, 'r' },
                { "config", required_argument, NULL, 'c' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        *a = (Args) { .since = "24h", .range = "1h" };
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
                case 'r': a->range = optarg; break;
                case 'c': a->config = optarg; break;
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
        if (a->html && a->json) {
                log_error("--html and --json: give one of them");
                return EXIT_USAGE;
        }
        int64_t span;
        if (dashboard_span(a->range, &span) < 0) {
                log_error("--range %s: not one of 5m, 15m, 1h, 6h, 24h, 2d, 7d, 30d", a->range);
                return EXIT_USAGE;
        }
        if (!a->html && !a->json)
                return EXIT_OK;
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
        if (!a.html && !a.json)
                return dashboard_serve_url(a.config, a.range);
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

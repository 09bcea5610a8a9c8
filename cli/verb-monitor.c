/* SPDX-License-Identifier: MIT */
/* skytune monitor query METRIC | series: the history skytune-monitor keeps, read from its store
 * (store/tsdb.h, docs/store.md) beside the daemon, never written. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "macro.h"
#include "monitor-store.h"
#include "nearest.h"
#include "render-monitor.h"
#include "schema.h"
#include "site.h"
#include "time-util.h"
#include "tsdb.h"
#include "verb-monitor.h"
#include "verbs.h"

static const char usage[] = "Usage: skytune monitor query METRIC [--since SPAN] [--until TIME] [--step SPAN]\n"
                            "                                    [--store FILE] [--json]\n"
                            "       skytune monitor series [--store FILE] [--json]\n"
                            "       skytune monitor summary [--minutes N] [--store FILE] [--json]\n"
                            "\n"
                            "Read the history skytune-monitor keeps in its store (docs/store.md), beside the\n"
                            "running daemon; nothing is written.\n"
                            "\n"
                            "  query METRIC    min, average, max and samples of one series per step\n"
                            "  series          the series the store holds, with their scale\n"
                            "  summary         the last N minutes: host figures now, average and worst;\n"
                            "                  requests, success rate and response times per endpoint\n"
                            "                  ('skytune monitor summary --help')\n"
                            "\n"
                            "  --since SPAN    how far back from --until: 90s, 15m, 1h (default), 2d, 1w\n"
                            "  --until TIME    the end: ISO 8601 in UTC (2026-12-04T18:00:00Z), or now\n"
                            "                  (default)\n"
                            "  --step SPAN     the width of a row; by default from 1s up to 1d, so that\n"
                            "                  the range fits about 120 rows. Whole minutes and hours\n"
                            "                  are read from the rollups\n"
                            "  --store FILE    the store (default monitor.store of skytune.conf, else\n"
                            "                  " TSDB_DEFAULT_PATH ")\n"
                            "  --json          JSON: schema " MONITOR_QUERY_SCHEMA " (query),\n"
                            "                  " MONITOR_SERIES_SCHEMA " (series)\n"
                            "\n"
                            "Exit: 0 read, 1 the store or the series cannot be read (the message says why),\n"
                            "2 usage error.\n";

typedef struct Opts {
        const char *store, *since, *until, *step;
        bool json;
} Opts;

static int parse(int argc, char **argv, bool query, Opts *o) {
        static const struct option options[] = {
                { "since", required_argument, NULL, 's' },
                { "until", required_argument, NULL, 'u' },
                { "step", required_argument, NULL, 'S' },
                { "store", required_argument, NULL, 'f' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        *o = (Opts) {};
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
                if (!query && (c == 's' || c == 'u' || c == 'S')) {
                        /* Not argv[optind - 1]: after "--since 1h" that is the value. */
                        log_error("--%s means nothing to 'monitor series' (see 'skytune monitor --help')",
                                  c == 's'           ? "since"
                                          : c == 'u' ? "until"
                                                     : "step");
                        return EXIT_USAGE;
                }
                switch (c) {
                case 's': o->since = optarg; break;
                case 'u': o->until = optarg; break;
                case 'S': o->step = optarg; break;
                case 'f': o->store = optarg; break;
                case 'j': o->json = true; break;
                case 'h': fputs(usage, stdout); return -1;
                case ':':
                        log_error("%s needs a value (see 'skytune monitor --help')", argv[optind - 1]);
                        return EXIT_USAGE;
                default:
                        log_error("unknown option '%s' (see 'skytune monitor --help')", argv[optind - 1]);
                        return EXIT_USAGE;
                }
        }
        if (!o->store && cli_default_store(&o->store) < 0)
                return EXIT_FAIL;
        if (optind + (query ? 1 : 0) != argc) {
                log_error(query ? "monitor query takes one METRIC (see 'skytune monitor series' for the names)"
                                : "monitor series takes no argument");
                return EXIT_USAGE;
        }
        return EXIT_OK;
}

/* The step when none is given: the smallest of these that keeps the range to about 120 rows. */
static int64_t auto_step(int64_t span) {
        static const int64_t steps[] = { 1000, 10000, 60000, 300000, 900000, 3600000, 21600000, 86400000 };
        for (size_t i = 0; i < ELEMENTSOF(steps); i++)
                if (span / steps[i] <= 120)
                        return steps[i];
        return steps[ELEMENTSOF(steps) - 1];
}

static int span_arg(const char *opt, const char *text, int64_t *ret) {
        int r = time_parse_span_ms(text, ret);
        if (r < 0)
                log_error("%s %s: %s (a whole number with s, m, h, d or w: 90s, 15m, 2d)", opt, text,
                          r == -ERANGE ? "longer than 10 years" : "not a span");
        return r;
}

/* The most rows a query returns: 2 days at 1 s, the age of the 1 s chunks (docs/store.md), fit. */
#define MAX_ROWS 200000

/* [from, to) and step in ms from the options: from aligned down and to up to the step. */
static int range(const Opts *o, int64_t *from, int64_t *to, int64_t *step) {
        int64_t since = TSDB_HOUR_MS, until;
        if (o->since && span_arg("--since", o->since, &since) < 0)
                return -EINVAL;
        if (!o->until || strcmp(o->until, "now") == 0)
                until = (int64_t) (time_now_realtime_usec() / 1000);
        else {
                uint64_t usec;
                if (time_parse_iso8601(o->until, &usec) < 0) {
                        log_error("--until %s: not a time (ISO 8601 in UTC from 1970 on, 2026-12-04T18:00:00Z, or now)",
                                  o->until);
                        return -EINVAL;
                }
                until = (int64_t) (usec / 1000);
        }
        *step = auto_step(since);
        if (o->step && span_arg("--step", o->step, step) < 0)
                return -EINVAL;
        if (since < *step) {
                log_error("--step %s is longer than --since %s", o->step, o->since ? o->since : "1h");
                return -EINVAL;
        }
        *from = until - since < 0 ? 0 : until - since;
        *from -= *from % *step;
        *to = until + (*step - until % *step) % *step;
        /* Buckets are only made for samples, but a query is bounded by its range, not the store. */
        if ((*to - *from) / *step > MAX_ROWS) {
                log_error("--since %s at --step %s is %" PRId64 " rows, more than %d: take a longer --step or a "
                          "shorter --since",
                          o->since ? o->since : "1h", o->step ? o->step : "(default)", (*to - *from) / *step, MAX_ROWS);
                return -EINVAL;
        }
        return 0;
}

static json_t *value(int64_t v, int scale) {
        return scale == 0 ? json_integer(v) : json_real((double) v / pow(10, scale));
}

static json_t *iso(int64_t ms) {
        char buf[ISO8601_USEC_SIZE];
        return json_string(time_format_iso8601((uint64_t) ms * 1000, buf));
}

static json_t *query_doc(const char *store, const char *metric, int scale, int64_t from, int64_t to, int64_t step,
                         const struct tsdb_bucket *b, size_t n) {
        json_t *rows = json_array(),
               *doc = json_pack("{s:s, s:s, s:s, s:i, s:o, s:o, s:I}", "schema", MONITOR_QUERY_SCHEMA, "store", store,
                                "metric", metric, "scale", scale, "from", iso(from), "to", iso(to), "step_s",
                                (json_int_t) (step / 1000)); /* whole seconds */
        for (size_t i = 0; rows && i < n; i++)
                json_array_append_new(rows,
                                      json_pack("{s:o, s:o, s:f, s:o, s:I}", "t", iso(b[i].t), "min",
                                                value(b[i].min, scale), "avg", b[i].avg / pow(10, scale), "max",
                                                value(b[i].max, scale), "count", (json_int_t) b[i].count));
        if (!doc || !rows || json_object_set_new(doc, "buckets", rows) < 0) {
                if (!doc)
                        json_decref(rows);
                json_decref(doc);
                return NULL;
        }
        return doc;
}

struct names {
        char **v;
        size_t n;
};

static int keep_name(int64_t id, const char *name, int scale, void *userdata) {
        struct names *ns = userdata;
        (void) id, (void) scale;
        char **more = realloc(ns->v, (ns->n + 1) * sizeof(char *));
        if (!more)
                return -ENOMEM;
        ns->v = more;
        ns->v[ns->n] = strdup(name);
        if (!ns->v[ns->n])
                return -ENOMEM;
        ns->n++;
        return 0;
}

static void no_such_series(struct tsdb *t, const char *store, const char *metric) {
        struct names ns = { 0 };
        const char *near = tsdb_series_each(t, keep_name, &ns) == 0
                ? nearest_name(metric, (const char *const *) ns.v, ns.n)
                : NULL;
        log_error("%s: no such series in %s%s%s%s; 'skytune monitor series' lists them", metric, store,
                  near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
        for (size_t i = 0; i < ns.n; i++)
                free(ns.v[i]);
        free(ns.v);
}

static int monitor_query(int argc, char **argv) {
        Opts o;
        int code = parse(argc, argv, true, &o);
        if (code != EXIT_OK)
                return code < 0 ? EXIT_OK : code;
        int64_t from, to, step;
        if (range(&o, &from, &to, &step) < 0)
                return EXIT_USAGE;
        const char *metric = argv[optind];
        struct tsdb *t;
        if (monitor_store_open(o.store, &t) < 0)
                return EXIT_FAIL;
        int64_t id;
        int scale;
        int r = tsdb_series_find(t, metric, &id, &scale);
        struct tsdb_bucket *b = NULL;
        size_t n = 0;
        if (r == -ENOENT)
                no_such_series(t, o.store, metric);
        else if (r == 0 && (r = tsdb_query_array(t, id, from, to, step, 0, &b, &n)) < 0)
                log_error("%s: cannot read %s: %s", o.store, metric, strerror(-r));
        else if (r < 0)
                log_error("%s: cannot read its series: %s", o.store, strerror(-r));
        tsdb_close(t);
        if (r < 0)
                return EXIT_FAIL;
        code = monitor_emit(query_doc(o.store, metric, scale, from, to, step, b, n), o.json, render_monitor_query);
        free(b);
        return code;
}

static int add_series(int64_t id, const char *name, int scale, void *userdata) {
        (void) id;
        return json_array_append_new(userdata, json_pack("{s:s, s:i}", "name", name, "scale", scale)) < 0 ? -ENOMEM : 0;
}

static int monitor_series(int argc, char **argv) {
        Opts o;
        int code = parse(argc, argv, false, &o);
        if (code != EXIT_OK)
                return code < 0 ? EXIT_OK : code;
        struct tsdb *t;
        if (monitor_store_open(o.store, &t) < 0)
                return EXIT_FAIL;
        json_t *list = json_array();
        int r = list ? tsdb_series_each(t, add_series, list) : -ENOMEM;
        tsdb_close(t);
        if (r < 0) {
                log_error("%s: cannot read its series: %s", o.store, strerror(-r));
                json_decref(list);
                return EXIT_FAIL;
        }
        return monitor_emit(
                json_pack("{s:s, s:s, s:o}", "schema", MONITOR_SERIES_SCHEMA, "store", o.store, "series", list), o.json,
                render_monitor_series);
}

int verb_monitor(int argc, char **argv) {
        if (argc >= 2 && strcmp(argv[1], "query") == 0)
                return monitor_query(argc - 1, argv + 1);
        if (argc >= 2 && strcmp(argv[1], "series") == 0)
                return monitor_series(argc - 1, argv + 1);
        if (argc >= 2 && strcmp(argv[1], "summary") == 0)
                return monitor_summary(argc - 1, argv + 1);
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                fputs(usage, stdout);
                return EXIT_OK;
        }
        log_error("%s%s: use 'skytune monitor query METRIC', 'monitor series' or 'monitor summary'",
                  argc >= 2 ? "unknown subcommand " : "a subcommand is missing", argc >= 2 ? argv[1] : "");
        return EXIT_USAGE;
}

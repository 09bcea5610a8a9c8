/* SPDX-License-Identifier: MIT */
/* skytune-monitor's configuration: /etc/skytune/monitor.conf (libconfig, docs/monitor.md). Every key
 * is optional; a missing default file means the defaults. Mistakes are errors at file:line. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "listen-addr.h"
#include "notify-config.h"
#include "tsdb.h"

#define MONITOR_CONFIG_PATH "/etc/skytune/monitor.conf"

#define MONITOR_INTERVAL_MIN_MS    INT64_C(100)
#define MONITOR_INTERVAL_MAX_MS    INT64_C(3600000)
#define MONITOR_MAX_SERIES_MAX     FLUSH_MAX_PARTS /* what one flush of the store's log takes */
#define MONITOR_APP_SOCKET_PATH    "/run/skytune-monitor/app.sock"
#define MONITOR_DB_INTERVAL_MIN_MS INT64_C(1000)
#define MONITOR_DB_INTERVAL_MAX_MS INT64_C(3600000)

/* `database = { dsn_file = "monitor-db"; interval = "10s"; };` (docs/monitor.md, Database metrics).
 * The DSN may hold a password: it comes only from a file of mode 0600 or stricter, looked up as the
 * notifiers' secrets are (notify_read_secret_key), and is never shown but redacted. */
typedef struct MonitorDbConfig {
        char *dsn;           /* NULL: no database is sampled */
        int64_t interval_ms; /* between samples of the server: 10 s */
} MonitorDbConfig;

typedef struct MonitorConfig {
        int64_t interval_ms;       /* between samples: 1 s */
        int64_t flush_ms;          /* between writes of the samples to the store's log: 10 s */
        char *store;               /* TSDB_DEFAULT_PATH */
        size_t max_series;         /* series kept; the rest are counted and dropped: 4096 */
        size_t max_pending;        /* samples a series holds while the store cannot take them: 600
                                         * (never fewer than two flushes' worth: monitor_pending_cap) */
        struct tsdb_limits limits; /* tsdb_limits_default */
        NotifyConfig notify;       /* the notifiers (notify-config.h): none */
        char *app_socket;          /* the application metrics' socket: MONITOR_APP_SOCKET_PATH; NULL: "off" */
        size_t app_max_series;     /* endpoint/method pairs and custom names kept: 200 */
        ListenAddr listen;         /* the HTTP API: LISTEN_ADDR_DEFAULT; loopback only without a token, or off */
        char *api_token;           /* from api_token_file: every request must send it; NULL: none asked */
        MonitorDbConfig db;        /* the database sampled: none */
} MonitorConfig;

/* The defaults (store and app_socket strdup'ed): -ENOMEM. */
int monitor_config_defaults(MonitorConfig *c);
/* Reads path over the defaults into *c (freed first with monitor_config_done): a missing file is
 * the defaults when !must_exist, else -ENOENT; a bad value -EINVAL with *e at file:line. On failure
 * *c is untouched. */
int monitor_config_load(const char *path, bool must_exist, MonitorConfig *c, Error *e);
void monitor_config_done(MonitorConfig *c);
/* The samples a series may hold: max_pending, but at least two flushes' worth at the interval, so
 * that a long flush period never drops samples the store would take. */
size_t monitor_pending_cap(const MonitorConfig *c);
/* A size for people: "256M", "64MiB", "1G", "512k" or a number of bytes, 0 (no limit) .. 1 TiB. */
int monitor_parse_bytes(const char *s, int64_t *ret);

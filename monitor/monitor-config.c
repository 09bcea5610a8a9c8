/* SPDX-License-Identifier: MIT */
/* monitor.conf (monitor-config.h). */
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app-metrics.h"
#include "conf-read.h"
#include "fileio.h"
#include "macro.h"
#include "monitor-config.h"
#include "site-config.h"
#include "time-util.h"

#define MONITOR_DOC "docs/monitor.md"

int monitor_config_defaults(MonitorConfig *c) {
        *c = (MonitorConfig) {
                .interval_ms = 1000,
                .flush_ms = 10000,
                .store = strdup(TSDB_DEFAULT_PATH),
                .max_series = 4096,
                .max_pending = 600,
                .limits = tsdb_limits_default,
                .app_socket = strdup(MONITOR_APP_SOCKET_PATH),
                .app_max_series = 200,
                .db = { .interval_ms = 10000 },
        };
        notify_config_defaults(&c->notify);
        int r = listen_addr_parse(LISTEN_ADDR_DEFAULT, &c->listen, NULL);
        return c->store && c->app_socket && r >= 0 ? 0 : -ENOMEM;
}

void monitor_config_done(MonitorConfig *c) {
        free(c->store);
        notify_config_done(&c->notify);
        free(c->app_socket);
        if (c->db.dsn)
                explicit_bzero(c->db.dsn, strlen(c->db.dsn));
        free(c->db.dsn);
        if (c->api_token)
                explicit_bzero(c->api_token, strlen(c->api_token));
        free(c->api_token);
        *c = (MonitorConfig) {};
}

size_t monitor_pending_cap(const MonitorConfig *c) {
        int64_t per_flush = c->interval_ms > 0 ? c->flush_ms / c->interval_ms + 1 : 1;
        uint64_t two = 2 * (uint64_t) per_flush;
        return MAX(c->max_pending, (size_t) MIN(two, (uint64_t) CHUNK_MAX_POINTS));
}

int monitor_parse_bytes(const char *s, int64_t *ret) {
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (end == s || errno || !(v >= 0) || *s == '-' || *s == '+' || *s == ' ')
                return -EINVAL;
        static const struct {
                const char *suffix;
                double scale;
        } units[] = {
                { "", 1 },
                { "B", 1 },
                { "k", 1024 },
                { "K", 1024 },
                { "KiB", 1024 },
                { "M", 1 << 20 },
                { "MiB", 1 << 20 },
                { "G", 1 << 30 },
                { "GiB", 1 << 30 },
                { "T", 1099511627776.0 },
                { "TiB", 1099511627776.0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (strcmp(end, units[i].suffix) == 0) {
                        double b = v * units[i].scale;
                        if (b > 1099511627776.0)
                                return -ERANGE;
                        *ret = (int64_t) llround(b);
                        return 0;
                }
        return -EINVAL;
}

/* interval and flush: seconds as a number, or "500ms", "10s", "1m". */
static int read_period(const ConfRead *r, const config_setting_t *g, const char *key, int64_t min_ms, int64_t max_ms,
                       int64_t *ret) {
        const config_setting_t *s = config_setting_get_member(g, key);
        if (!s)
                return 0;
        double v = NAN;
        const char *text = config_setting_get_string(s);
        if (text ? time_parse_seconds(text, &v) < 0 : conf_number(r, g, key, 0, 86400, &v) < 0)
                v = NAN;
        int64_t ms = isnan(v) ? -1 : (int64_t) llround(v * 1000);
        if (ms < min_ms || ms > max_ms)
                return conf_fail(r, s,
                                 "'%s' must be a period from %g s to %g s: seconds (10) or \"500ms\", \"10s\", "
                                 "\"5m\"",
                                 key, (double) min_ms / 1000, (double) max_ms / 1000);
        *ret = ms;
        return 1;
}

static int read_tier(const ConfRead *r, const config_setting_t *ret_group, const char *name, enum tsdb_tier tier,
                     struct tsdb_limits *l) {
        const config_setting_t *g = config_setting_get_member(ret_group, name);
        if (!g)
                return 0;
        if (!config_setting_is_group(g))
                return conf_fail(r, g, "'%s' must be a group: %s = { age = \"2d\"; bytes = \"256M\"; };", name, name);
        static const char *const keys[] = { "age", "bytes" };
        int k = conf_keys(r, g, name, keys, ELEMENTSOF(keys));
        if (k < 0)
                return k;
        const config_setting_t *age = config_setting_get_member(g, "age");
        if (age) {
                const char *text = config_setting_get_string(age);
                int64_t ms;
                if (text && strcmp(text, "forever") == 0)
                        ms = 0;
                else if (!text || time_parse_span_ms(text, &ms) < 0)
                        return conf_fail(r, age,
                                         "'age' of %s must be a span: \"36h\", \"2d\", \"30d\", \"104w\" "
                                         "(two years), or \"forever\"",
                                         name);
                l->age_ms[tier] = ms;
        }
        const config_setting_t *bytes = config_setting_get_member(g, "bytes");
        if (bytes) {
                const char *text = config_setting_get_string(bytes);
                int64_t b = -1;
                if (text && strcmp(text, "unlimited") == 0)
                        b = 0;
                else if (text && monitor_parse_bytes(text, &b) < 0)
                        b = -1;
                else if (!text &&
                         (config_setting_type(bytes) == CONFIG_TYPE_INT ||
                          config_setting_type(bytes) == CONFIG_TYPE_INT64))
                        b = config_setting_get_int64(bytes);
                if (b < 0 || b > INT64_C(1099511627776))
                        return conf_fail(r, bytes,
                                         "'bytes' of %s must be a size up to 1 TiB: \"256M\", \"1G\", a "
                                         "number of bytes, or \"unlimited\"",
                                         name);
                l->bytes[tier] = b;
        }
        return 0;
}

/* listen: "127.0.0.1:9677", "[::1]:9677" or "off"; an address that is not loopback only with
 * api_token_file (read first: token), else it says what to add. */
static int read_listen(const ConfRead *r, const config_setting_t *root, const char *token, ListenAddr *ret) {
        const config_setting_t *s = config_setting_get_member(root, "listen");
        if (!s)
                return 0;
        const char *text = config_setting_get_string(s), *why = NULL;
        ListenAddr a;
        int k = text ? listen_addr_parse_any(text, &a, &why) : -EINVAL;
        if (k >= 0 && !a.off && !a.loopback && !token)
                return conf_fail(r, s,
                                 "'listen' = \"%s\" is not a loopback address: other hosts may reach it, so the API "
                                 "then asks for a token; add api_token_file = \"FILE\" (the token in a file of mode "
                                 "0600 or stricter, owned by the service's user or root), or give 127.0.0.1:PORT, "
                                 "[::1]:PORT or \"off\"",
                                 text);
        if (k >= 0)
                *ret = a;
        if (k < 0)
                return conf_fail(r, s, "'listen' must be \"127.0.0.1:PORT\", \"[::1]:PORT\" or \"off\"%s%s",
                                 why ? ": " : "", why ? why : "");
        return 1;
}

/* app_socket: an absolute path, or "off"; app_max_series. */
static int read_app(const ConfRead *r, const config_setting_t *root, MonitorConfig *c) {
        int k = conf_string(r, root, "app_socket", &c->app_socket);
        if (k > 0 && strcmp(c->app_socket, "off") == 0) {
                free(c->app_socket);
                c->app_socket = NULL;
        } else if (k > 0 && (c->app_socket[0] != '/' || strlen(c->app_socket) >= 108))
                return conf_fail(r, config_setting_get_member(root, "app_socket"),
                                 "'app_socket' must be an absolute path shorter than 108 bytes (a UNIX socket's "
                                 "limit), or \"off\"");
        double v;
        if (k >= 0 && (k = conf_number(r, root, "app_max_series", 1, MONITOR_MAX_SERIES_MAX, &v)) > 0)
                c->app_max_series = (size_t) v;
        return k;
}

/* database = { dsn_file = "..."; interval = "10s"; }: the DSN from a secret file. */
static int read_db(const ConfRead *r, const config_setting_t *root, const char *dir, MonitorDbConfig *c) {
        const config_setting_t *g = config_setting_get_member(root, "database");
        if (!g)
                return 0;
        if (!config_setting_is_group(g))
                return conf_fail(r, g,
                                 "'database' must be a group: database = { dsn_file = \"monitor-db\"; interval = "
                                 "\"10s\"; };");
        static const char *const keys[] = { "dsn_file", "interval" };
        int k = conf_keys(r, g, "database", keys, ELEMENTSOF(keys));
        if (k >= 0)
                k = read_period(r, g, "interval", MONITOR_DB_INTERVAL_MIN_MS, MONITOR_DB_INTERVAL_MAX_MS,
                                &c->interval_ms);
        if (k >= 0)
                k = notify_read_secret_key(r, g, "dsn_file", dir, &c->dsn);
        if (k == 0)
                return conf_fail(r, g,
                                 "'database' needs 'dsn_file': a file of mode 0600 with the PostgreSQL connection "
                                 "string (it may hold a password)");
        return k < 0 ? k : 0;
}

static int read_root(const ConfRead *r, const config_setting_t *root, const char *dir, MonitorConfig *c) {
        static const char *const keys[] = { "interval",  "flush",      "store",          "max_series", "max_pending",
                                            "retention", "app_socket", "app_max_series", "notifiers",  "notify",
                                            "listen",    "database",   "api_token_file" };
        int k = conf_keys(r, root, "monitor.conf", keys, ELEMENTSOF(keys));
        if (k >= 0)
                k = notify_config_read(r, root, dir, &c->notify);
        if (k >= 0)
                k = read_period(r, root, "interval", MONITOR_INTERVAL_MIN_MS, MONITOR_INTERVAL_MAX_MS, &c->interval_ms);
        if (k >= 0)
                k = read_period(r, root, "flush", 0, 3600000, &c->flush_ms);
        if (k >= 0)
                k = notify_read_secret_key(r, root, "api_token_file", dir, &c->api_token);
        if (k >= 0)
                k = read_listen(r, root, c->api_token, &c->listen);
        if (k >= 0)
                k = conf_string(r, root, "store", &c->store);
        if (k > 0 && c->store[0] != '/')
                return conf_fail(r, config_setting_get_member(root, "store"),
                                 "'store' must be an absolute path (the service starts in /)");
        double v;
        if (k >= 0 && (k = conf_number(r, root, "max_series", 1, MONITOR_MAX_SERIES_MAX, &v)) > 0)
                c->max_series = (size_t) v;
        if (k >= 0 && (k = conf_number(r, root, "max_pending", 1, CHUNK_MAX_POINTS, &v)) > 0)
                c->max_pending = (size_t) v;
        if (k >= 0)
                k = read_app(r, root, c);
        /* Each endpoint and method makes up to APP_REQUEST_STATS series in the ring: the default
         * follows a lower max_series, a value given must fit. */
        const config_setting_t *app_max = config_setting_get_member(root, "app_max_series");
        if (k >= 0 && !app_max && c->app_max_series * APP_REQUEST_STATS > c->max_series)
                c->app_max_series = MAX(c->max_series / APP_REQUEST_STATS, 1);
        if (k >= 0 && app_max && c->app_max_series * APP_REQUEST_STATS > c->max_series)
                return conf_fail(
                        r, app_max,
                        "'app_max_series' %zu makes up to %zu series, more than 'max_series' %zu: lower it, or "
                        "raise max_series",
                        c->app_max_series, c->app_max_series * APP_REQUEST_STATS, c->max_series);
        if (k >= 0)
                k = read_db(r, root, dir, &c->db);
        if (k < 0)
                return k;
        const config_setting_t *ret_group = config_setting_get_member(root, "retention");
        if (!ret_group)
                return 0;
        if (!config_setting_is_group(ret_group))
                return conf_fail(r, ret_group,
                                 "'retention' must be a group: retention = { seconds = { ... }; "
                                 "minutes = { ... }; hours = { ... }; };");
        static const char *const tiers[] = { "seconds", "minutes", "hours" };
        k = conf_keys(r, ret_group, "retention", tiers, ELEMENTSOF(tiers));
        for (size_t i = 0; k >= 0 && i < ELEMENTSOF(tiers); i++)
                k = read_tier(r, ret_group, tiers[i], (enum tsdb_tier) i, &c->limits);
        return k;
}

/* skytune.conf beside monitor.conf (skytune.conf(5)): its monitor.store is the default store. */
static int read_site(const char *dir, MonitorConfig *n, Error *e) {
        char path[PATH_MAX + 16];
        if (snprintf(path, sizeof(path), "%s/skytune.conf", dir) >= (int) sizeof(path))
                return error_set(e, -ENAMETOOLONG, "%s: the configuration's directory name is too long", dir);
        SiteConfig site = {};
        int r = site_config_load(path, &site, e);
        if (r >= 0 && site.monitor_store) {
                free(n->store);
                n->store = TAKE_PTR(site.monitor_store);
        }
        site_config_done(&site);
        return r;
}

int monitor_config_load(const char *path, bool must_exist, MonitorConfig *c, Error *e) {
        MonitorConfig n;
        if (monitor_config_defaults(&n) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        /* Relative secret files and skytune.conf are beside the configuration. */
        const char *slash = strrchr(path, '/');
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%.*s", slash ? (int) (slash - path) : 1, slash ? path : ".");
        if (slash == path)
                snprintf(dir, sizeof(dir), "/");
        int r = read_site(dir, &n, e);
        if (r < 0) {
                monitor_config_done(&n);
                return r;
        }
        _cleanup_free_ char *text = NULL;
        size_t len;
        r = fileio_read_regular(path, 1u << 20, &text, &len);
        if (r == -ENOENT && !must_exist) {
                monitor_config_done(c);
                *c = n;
                return 0;
        }
        if (r < 0) {
                monitor_config_done(&n);
                return error_set(e, r, "cannot read %s: %s%s", path, strerror(-r),
                                 r == -ENOENT ? " (give an existing file, or leave --config out for the defaults)"
                                              : "");
        }
        ConfRead cr = { .file = path, .doc = MONITOR_DOC, .e = e };
        config_t cfg;
        config_init(&cfg);
        r = conf_parse_text(&cr, &cfg, text, len);
        if (r >= 0)
                r = read_root(&cr, config_root_setting(&cfg), dir, &n);
        config_destroy(&cfg);
        if (r < 0) {
                monitor_config_done(&n);
                return r;
        }
        monitor_config_done(c);
        *c = n;
        return 0;
}

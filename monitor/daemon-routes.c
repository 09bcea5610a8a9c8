/* SPDX-License-Identifier: MIT */
/* The bodies of the daemon's HTTP routes (daemon-internal.h): the library's renderers (monitor-status.h,
 * api.h) over the daemon's state. /metrics and /api/v1/current are what scrapers and open pages ask
 * for every few seconds: each is rendered at most once a tick and served from its cache until the
 * next, and a HEAD gets the length from the cache. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api.h"
#include "client.h"
#include "daemon-internal.h"
#include "monitor-status.h"

/* The HTTP API's view of the loop's state; the store's size is the file's and its WAL's. */
static void snapshot(const Monitor *m, MonitorStatus *s) {
        struct stat st;
        char wal[4096];
        int64_t bytes = stat(m->cfg.store, &st) == 0 ? (int64_t) st.st_size : -1;
        if (bytes >= 0 && snprintf(wal, sizeof(wal), "%s-wal", m->cfg.store) < (int) sizeof(wal) && stat(wal, &st) == 0)
                bytes += (int64_t) st.st_size;
        *s = (MonitorStatus) { .start_ms = m->start_ms,
                               .interval_ms = m->cfg.interval_ms,
                               .last_tick_ms = m->stamp_ms,
                               .stale_ms = stale_ms(m),
                               .ticks = m->ticks,
                               .missed = m->missed,
                               .store = m->cfg.store,
                               .store_bytes = bytes,
                               .listen = m->listening.text,
                               .app = m->app };
        ring_stats(m->ring, &s->ring);
}

static int render_metrics(Monitor *m, HttpRequest *req, char **ret, size_t *ret_len) {
        MonitorStatus s;
        snapshot(m, &s);
        return metrics_text(m->ring, &s, ret, ret_len);
}

int daemon_get_status(void *userdata, HttpRequest *req, char **ret, size_t *ret_len) {
        Monitor *m = userdata;
        MonitorStatus s;
        snapshot(m, &s);
        json_t *doc = monitor_status_json(&s);
        char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
        json_decref(doc);
        char *line = text ? realloc(text, strlen(text) + 2) : NULL;
        if (!line) {
                free(text);
                return -ENOMEM;
        }
        *ret_len = strlen(line);
        memcpy(line + *ret_len, "\n", 2);
        *ret_len += 1;
        *ret = line;
        return 0;
}

typedef int (*RenderFn)(Monitor *m, HttpRequest *req, char **ret, size_t *ret_len);

/* The body of this tick from c, rendered by f when c holds an older one; a copy for the server to
 * free, or for a HEAD the length alone. */
static int cached(Monitor *m, BodyCache *c, RenderFn f, HttpRequest *req, char **ret, size_t *ret_len) {
        if (!c->body || c->ticks != m->ticks) {
                char *body = NULL;
                size_t len = 0;
                int r = f(m, req, &body, &len);
                if (r < 0)
                        return r;
                free(c->body);
                *c = (BodyCache) { .ticks = m->ticks, .body = body, .len = len };
        }
        *ret_len = c->len;
        if (http_request_head(req))
                return 0;
        if (!(*ret = malloc(c->len + 1)))
                return -ENOMEM;
        memcpy(*ret, c->body, c->len + 1);
        return 0;
}

int daemon_get_metrics(void *userdata, HttpRequest *req, char **ret, size_t *ret_len) {
        Monitor *m = userdata;
        return cached(m, &m->metrics, render_metrics, req, ret, ret_len);
}

static ApiSource source(const Monitor *m) {
        return (ApiSource) { .ring = m->ring,
                             .store = m->store,
                             .now_ms = realtime_ms(),
                             .tick_ms = m->stamp_ms,
                             .stale_ms = stale_ms(m),
                             .sample_ms = m->cfg.interval_ms };
}

static int render_current(Monitor *m, HttpRequest *req, char **ret, size_t *ret_len) {
        ApiSource s = source(m);
        return api_current(&s, req, ret, ret_len);
}

int daemon_get_current(void *userdata, HttpRequest *req, char **ret, size_t *ret_len) {
        Monitor *m = userdata;
        /* Only the whole set is kept: a prefix, or a mistake, is rendered for its request. */
        if (http_request_unknown(req, (const char *const[]) { NULL }))
                return render_current(m, req, ret, ret_len);
        return cached(m, &m->current, render_current, req, ret, ret_len);
}

int daemon_get_series(void *userdata, HttpRequest *req, char **ret, size_t *ret_len) {
        ApiSource s = source(userdata);
        return api_series(&s, req, ret, ret_len);
}

int daemon_get_query(void *userdata, HttpRequest *req, char **ret, size_t *ret_len) {
        ApiSource s = source(userdata);
        return api_query(&s, req, ret, ret_len);
}

int daemon_get_alerts(void *userdata, HttpRequest *req, char **ret, size_t *ret_len) {
        Monitor *m = userdata;
        ApiSource s = source(m);
        /* The states' timers run on the monotonic clock (alerting_eval). */
        ApiAlerts a = { .rules = &m->alerts.rules,
                        .states = m->alerts.states,
                        .shift_ms = s.now_ms - (int64_t) (profiler_now_usec() / 1000u) };
        return api_alerts(&s, &a, req, ret, ret_len);
}

int daemon_get_health(void *userdata, HttpRequest *req, char **ret, size_t *ret_len) {
        Monitor *m = userdata;
        ApiSource s = source(m);
        ApiHealth h = { .store_error = m->flush_op.error_ms >= 0 ? m->flush_op.what : NULL,
                        .seal_error = m->seal_op.error_ms >= 0 ? m->seal_op.what : NULL,
                        .db = m->db != NULL,
                        .queues = m->notifier ? notifier_queues(m->notifier) : NULL };
        int r = api_health(&s, &h, req, ret, ret_len);
        json_decref(h.queues);
        return r;
}

/* The helper is asked at most this often, always in the background (helper_client_list_async on
 * the daemon's loop): a request gets the list before until the new one comes, and the first one,
 * with nothing known yet, "available": false and why "pending" (the loop never waits for the bus). */
#define TX_CACHE_MS     10000
#define TX_TIMEOUT_USEC (2 * UINT64_C(1000000))
#define TX_PENDING      "pending: the helper is being asked (ask again in a second)"

static void keep_transactions(Monitor *m, json_t *list, const char *why) {
        json_decref(m->txlist);
        free(m->tx_why);
        m->txlist = list;
        m->tx_why = list ? NULL : strdup(why ?: "no answer");
}

static void on_transactions(void *userdata, json_t *list, const char *why) {
        Monitor *m = userdata;
        m->tx_busy = false;
        keep_transactions(m, list, why);
}

void daemon_read_transactions(Monitor *m) {
        int64_t now = realtime_ms();
        if (m->tx_busy || (m->tx_read_ms > 0 && now >= m->tx_read_ms && now - m->tx_read_ms < TX_CACHE_MS))
                return;
        m->tx_read_ms = now;
        m->tx_call = helper_client_async_free(m->tx_call);
        int r = helper_client_list_async(m->event, TX_TIMEOUT_USEC, on_transactions, m, &m->tx_call);
        if (r < 0) {
                char why[256];
                snprintf(why, sizeof(why), "cannot connect to the system bus: %s (is dbus running?)", strerror(-r));
                keep_transactions(m, NULL, why);
                return;
        }
        m->tx_busy = true;
        if (!m->txlist && !m->tx_why)
                keep_transactions(m, NULL, TX_PENDING);
}

int daemon_get_transactions(void *userdata, HttpRequest *req, char **ret, size_t *ret_len) {
        Monitor *m = userdata;
        ApiSource s = source(m);
        int64_t since;
        int r = api_transactions_args(&s, req, &since);
        if (r < 0)
                return r;
        daemon_read_transactions(m);
        return api_transactions(&s, m->txlist, m->tx_why, req, ret, ret_len);
}

void daemon_routes_done(Monitor *m) {
        m->tx_call = helper_client_async_free(m->tx_call);
        m->txlist = (json_decref(m->txlist), NULL);
        m->tx_why = (free(m->tx_why), NULL);
        m->metrics.body = (free(m->metrics.body), NULL);
        m->current.body = (free(m->current.body), NULL);
}

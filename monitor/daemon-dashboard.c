/* SPDX-License-Identifier: MIT */
/* GET /dashboard[?range=NAME]: the dashboard page (docs/dashboard.md) from the daemon's own store,
 * built as `skytune dashboard --html` builds it (dashboard-doc.h) and rendered by the same renderer,
 * with the helper's transactions as /api/v1/transactions last read them. A range of 1 s steps is
 * live: its script polls /api/v1/current every second (dashboard-doc.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "api-args.h"
#include "daemon-internal.h"
#include "dashboard-doc.h"
#include "render-dashboard.h"

static int page(Monitor *m, const DashboardRange *range, char **ret, size_t *ret_len) {
        char host[256] = "-", url[300];
        if (gethostname(host, sizeof(host) - 1) < 0)
                snprintf(host, sizeof(host), "-");
        snprintf(url, sizeof(url), "http://%s", m->listening.text);
        json_t *doc = NULL;
        int r = dashboard_doc_build(m->store, range, host, &doc);
        if (r == 0)
                r = dashboard_doc_transactions(doc, m->txlist,
                                               m->tx_why ? m->tx_why : "skytune-helper was not asked yet");
        if (r == 0)
                r = dashboard_doc_served(doc, url);
        FILE *f = r == 0 ? open_memstream(ret, ret_len) : NULL;
        Error e = ERROR_NULL;
        if (r == 0)
                r = f ? render_dashboard_html(f, doc, &e) : -ENOMEM;
        if (f && fclose(f) != 0 && r == 0)
                r = -ENOMEM;
        if (r < 0 && f) {
                free(*ret);
                *ret = NULL;
        }
        error_done(&e);
        json_decref(doc);
        return r;
}

int daemon_get_dashboard(void *userdata, HttpRequest *req, char **ret, size_t *ret_len) {
        Monitor *m = userdata;
        static const char *const keys[] = { "range", NULL };
        static const char accepted[] = "range=5m, 15m, 1h, 6h, 24h, 2d, 7d or 30d";
        int r = api_known_args(req, keys, accepted);
        if (r < 0)
                return r;
        const char *name = http_request_arg(req, "range", 0);
        int64_t span = TSDB_HOUR_MS;
        if (http_request_count(req, "range") > 1 || (name && dashboard_span(name, &span) < 0))
                return http_request_refuse(req, "range", "not one of the ranges", accepted);
        DashboardRange range;
        r = dashboard_range_served(span, realtime_ms(), &range);
        if (r == 0)
                daemon_read_transactions(m);
        return r < 0 ? r : page(m, &range, ret, ret_len);
}

/* SPDX-License-Identifier: MIT */
/* The monitor's application metrics (daemon-internal.h): the socket opened at start, a harvest at
 * each tick, and the last records harvested at stop. */
#include <errno.h>
#include <inttypes.h>

#include "daemon-internal.h"
#include "log.h"
#include "macro.h"

int daemon_point(void *userdata, const char *name, const char *unit, double value) {
        Monitor *m = userdata;
        return ring_add(m->ring, name, unit, m->stamp_ms, value);
}

int daemon_app_start(Monitor *m) {
        const char *path = m->cfg.app_socket;
        if (!path)
                return 0;
        int r = app_metrics_new(m->cfg.app_max_series, &m->app);
        if (r < 0)
                return log_error_errno(r, "cannot start the application metrics: %m");
        r = app_socket_open(m->event, path, m->app, &m->app_sock);
        if (r == -ENOMEM)
                return log_error_errno(r, "cannot start the application metrics: %m");
        if (r == -ENOENT)
                log_warning("%s: its directory is missing: no application metrics until a restart; the unit's "
                            "RuntimeDirectory= makes it, by hand create it or set app_socket in %s",
                            path, m->opts->config);
        else if (r == -EEXIST)
                log_warning("%s: not a socket, left alone: no application metrics; remove it or set app_socket in %s",
                            path, m->opts->config);
        else if (r == -EADDRINUSE)
                log_warning("%s: another process reads this socket: no application metrics; stop it or set "
                            "app_socket in %s",
                            path, m->opts->config);
        else if (r < 0)
                log_warning_errno(r,
                                  "%s: cannot make the application socket: %m; no application metrics (set "
                                  "app_socket in %s)",
                                  path, m->opts->config);
        if (r < 0) /* no series either */
                m->app = app_metrics_free(m->app);
        else
                log_info("%s: reading application metrics (at most %zu endpoints and metrics)", path,
                         m->cfg.app_max_series);
        return 0;
}

int daemon_app_tick(Monitor *m, uint64_t elapsed_usec, int r) {
        int64_t iv = m->cfg.interval_ms;
        /* Rates over the slots the records had: two intervals after a missed slot; one at the first
         * harvest and after a wall clock step (slots apart that the monotonic clock did not see). */
        int64_t span = m->stamp_ms - m->app_stamp_ms;
        if (m->app_stamp_ms == 0 || span <= 0 || span > (int64_t) (elapsed_usec / 1000) + iv / 2)
                span = iv;
        if (r >= 0 && m->app)
                r = app_metrics_harvest(m->app, (double) span / 1000, daemon_point, m);
        m->app_stamp_ms = m->stamp_ms;
        app_socket_tick(m->app_sock);
        return r;
}

void daemon_app_last(Monitor *m) {
        if (!m->app)
                return;
        app_socket_drain(m->app_sock);
        int64_t from = m->app_stamp_ms ?: m->start_ms, now = realtime_ms();
        if (!app_metrics_pending(m->app) || now <= from)
                return;
        m->stamp_ms = now;
        /* Rates over a whole interval at least: 1 request 50 ms after a tick is not 20/s. */
        int64_t span = MAX(now - from, m->cfg.interval_ms);
        if (app_metrics_harvest(m->app, (double) span / 1000, daemon_point, m) < 0)
                log_error("out of memory: the application records of the last %" PRIi64 " ms are lost", now - from);
}

/* SPDX-License-Identifier: MIT */
/* The database as a source of the daemon's tick (db-source.h). */
#include <errno.h>
#include <stdlib.h>

#include "db-sampler.h"
#include "db-source.h"
#include "db.h"
#include "log.h"
#include "macro.h"

#define DOWN_LOG_MS (5 * 60 * 1000)

struct DbSource {
        DbSampler *sampler;
        char *shown;       /* the DSN redacted */
        json_t *prev;      /* the snapshot before the newest: rates are against it */
        int64_t warned_ms; /* when the server's being down was last told; -1: it is up */
        bool was_down;
};

int db_source_start(const MonitorDbConfig *c, DbSource **ret) {
        *ret = NULL;
        if (!c->dsn)
                return 0;
        if (!db_available()) {
                log_warning("monitor.conf names a database, but this skytune-monitor was built without libpq: no "
                            "database metrics; install libpq-dev (Debian; libpq-devel on Fedora) and rebuild "
                            "(cmake -DSKYTUNE_WITH_LIBPQ=ON), or a package built with it");
                return 0;
        }
        DbSource *d = calloc(1, sizeof *d);
        if (!d || !(d->shown = db_dsn_redact(c->dsn))) {
                free(d);
                return log_error_errno(-ENOMEM, "cannot start the database metrics: %m");
        }
        d->warned_ms = -1;
        int r = db_sampler_start(c->dsn, c->interval_ms, &d->sampler);
        if (r < 0) {
                free(d->shown);
                free(d);
                return log_error_errno(r, "cannot start the database metrics' thread: %m");
        }
        log_info("sampling the database at %s every %g s", d->shown, (double) c->interval_ms / 1000);
        *ret = d;
        return 0;
}

static void tell(DbSource *d, const DbSamplerTake *t, int64_t stamp_ms) {
        if (t->up) {
                if (d->was_down)
                        log_notice("the database at %s answers again: database metrics resume", d->shown);
                d->was_down = false;
                d->warned_ms = -1;
                return;
        }
        d->was_down = true;
        if (d->warned_ms >= 0 && stamp_ms - d->warned_ms < DOWN_LOG_MS)
                return;
        d->warned_ms = stamp_ms;
        log_warning("%s; monitor.db.up is 0 and the host is sampled as ever; trying again with a backoff up to "
                    "1 min (this is told again every 5 min while it lasts; docs/monitor.md, Database metrics)",
                    t->error ? t->error : "the database does not answer");
}

int db_source_tick(DbSource *d, int64_t stamp_ms, DbPointFn fn, void *userdata) {
        if (!d)
                return 0;
        DbSamplerTake t;
        db_sampler_take(d->sampler, &t);
        int r = 0;
        if (t.snapshot) {
                r = db_figures_emit(d->prev, t.snapshot, fn, userdata);
                json_decref(d->prev);
                d->prev = t.snapshot;
        }
        if (t.tried) {
                tell(d, &t, stamp_ms);
                if (r >= 0)
                        r = fn(userdata, "monitor.db.up", "bool", t.up ? 1 : 0);
        }
        free(t.error);
        return r;
}

DbSource *db_source_stop(DbSource *d) {
        if (!d)
                return NULL;
        db_sampler_stop(d->sampler);
        json_decref(d->prev);
        free(d->shown);
        free(d);
        return NULL;
}

/* SPDX-License-Identifier: MIT */
/* skytune-monitor's loop (docs/monitor.md): on sd-event, every interval (on the wall clock's grid,
 * so that samples are stamped with their slot, not the wake-up time), one sample of the profiler's
 * streaming collectors into the RAM ring (ring.h); every flush period the ring into the store's log;
 * every hour the log into sealed chunks and rollups, then retention. SIGHUP re-reads the
 * configuration (a bad file keeps the one in use and says why), SIGTERM and SIGINT write what is
 * pending and stop. sd_notify readiness, status and watchdog. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef struct MonitorOptions {
        const char *config;            /* monitor.conf */
        bool config_given;             /* --config: the file must exist */
        const char *store;             /* overrides the file's (NULL: keep) */
        int64_t interval_ms;           /* overrides the file's (0: keep) */
        const char *sysroot;           /* "/" */
        double duration_s;             /* stop after this long (0: run until a signal) */
        const char *const *alert_dirs; /* the rule directories (NULL: alert_rule_dirs()) */
        size_t n_alert_dirs;
        bool journal; /* alert events with their fields to the journal */
} MonitorOptions;

/* Runs until stopped; returns the exit status (0; 130 after SIGINT; 1 when it cannot start). */
int monitor_run(const MonitorOptions *o);

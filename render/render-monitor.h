/* SPDX-License-Identifier: MIT */
/* `skytune monitor`'s text: a skytune.monitor-query/1 document (cli/verb-monitor.c) as a table of
 * buckets, a skytune.monitor-series/1 document as the list of series. A member absent or of the
 * wrong type shows as "-". */
#pragma once

#include <jansson.h>
#include <stdio.h>

/* 0, or -EIO when writing failed. */
int render_monitor_query(FILE *f, const json_t *doc);
int render_monitor_series(FILE *f, const json_t *doc);
/* skytune.monitor-summary/1: the host's rows, then the endpoints' with the application's total. */
int render_monitor_summary(FILE *f, const json_t *doc);
/* skytune.alert-history/1: one line an event (time, alert, event, level, value). */
int render_alert_history(FILE *f, const json_t *doc);
/* skytune.alerts/1: one line an alert (name, state, level, since, value). */
int render_alerts(FILE *f, const json_t *doc);
/* skytune.silences/1: one line a silence (id, in force / to come / ended, until when, matchers,
 * comment and author). */
int render_silences(FILE *f, const json_t *doc);

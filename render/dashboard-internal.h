/* SPDX-License-Identifier: MIT */
/* The parts of the dashboard page (render/dashboard*.c, internal to render/). */
#pragma once

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

extern const char dashboard_style[];
extern const char dashboard_script[];

/* A time in ms since the epoch as "2026-12-04 18:00:00Z" (UTC). */
void dash_fmt_time(char buf[static 32], int64_t ms);
/* A duration in ms as "45s", "3m 20s", "2h 5m", "3d 4h". */
void dash_fmt_age(char buf[static 32], int64_t ms);

/* The tables (dashboard-tables.c). */
void dash_alerts(FILE *f, const json_t *doc);
void dash_transactions(FILE *f, const json_t *doc);
/* One panel's series: the last step's mean and the range's minimum, mean and maximum. */
void dash_series_table(FILE *f, const json_t *panel, const json_t *by_name);

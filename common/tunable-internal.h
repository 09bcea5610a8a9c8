/* SPDX-License-Identifier: MIT */
/* The backends behind tunable.h; one file per kind. */
#pragma once

#include "tunable.h"

extern const TunableBackend tunable_sysctl_backend;
extern const TunableBackend tunable_cpu_governor_backend;
extern const TunableBackend tunable_cpu_epp_backend;
extern const TunableBackend tunable_io_scheduler_backend;
extern const TunableBackend tunable_read_ahead_backend;
extern const TunableBackend tunable_nr_requests_backend;
extern const TunableBackend tunable_ulimit_backend;

/* tunable_parse_decimal() of a whole NUL-terminated string. */
int tunable_parse_i64(const char *s, long long *ret);

/* SPDX-License-Identifier: MIT */
/* Which collectors are up, from the ring: a collector is the first word of its series' names
 * ("cpu" of "cpu.run_queue"; the monitor's own "monitor.*" left out), up when one of its series
 * has a sample within the staleness bound of the last tick. /metrics (skytune_collector_up) and
 * /api/v1/health say the same from here. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ring.h"

#define COLLECTORS_MAX 32

typedef struct CollectorNewest {
        char name[32];
        int64_t newest_ms; /* its newest sample */
} CollectorNewest;

/* The collectors of r's series in the order first seen, at most COLLECTORS_MAX: how many. */
size_t collectors_newest(const MonitorRing *r, CollectorNewest ret[static COLLECTORS_MAX]);

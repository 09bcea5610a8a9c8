/* SPDX-License-Identifier: MIT */
#include "cgroup-memory-versions.h"

const CgMemVersion cgmem_v2 = {
        .name = "cgroup v2",
        .files = { .current = "memory.current", .max = "memory.max", .high = "memory.high" },
        .file = { [F_STAT] = "memory.stat", [F_EVENTS] = "memory.events", [F_CURRENT] = "memory.current",
                  [F_MAX] = "memory.max", [F_HIGH] = "memory.high" },
        .parse_stat = cgroup_mem_stat_parse,
        .parse_events = cgroup_mem_events_parse,
        .max_knob = "memory.max",
        .high_knob = "memory.high",
        .counters = C_BIT(C_SCAN) | C_BIT(C_STEAL) | C_BIT(C_KSWAPD) | C_BIT(C_DIRECT) | C_BIT(C_REF_ANON) |
                    C_BIT(C_REF_FILE) | C_BIT(C_LOW) | C_BIT(C_HIGH) | C_BIT(C_MAX) | C_BIT(C_OOM) | C_BIT(C_OOM_KILL),
};

/* Documentation/admin-guide/cgroup-v1/memory.rst. */
const CgMemVersion cgmem_v1 = {
        .name = "cgroup v1",
        .files = { .current = "memory.usage_in_bytes", .max = "memory.limit_in_bytes", .v1 = true },
        .file = { [F_STAT] = "memory.stat", [F_EVENTS] = "memory.oom_control", [F_CURRENT] = "memory.usage_in_bytes",
                  [F_MAX] = "memory.limit_in_bytes", [F_FAILCNT] = "memory.failcnt" },
        .parse_stat = cgroup_mem_stat_v1_parse,
        .parse_events = cgroup_mem_oom_control_parse,
        .max_knob = "memory.limit_in_bytes",
        .high_knob = "memory.limit_in_bytes",
        .counters = C_BIT(C_PGOUT) | C_BIT(C_REF_ANON) | C_BIT(C_REF_FILE) | C_BIT(C_MAX) | C_BIT(C_OOM_KILL),
};

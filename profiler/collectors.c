/* SPDX-License-Identifier: MIT */
/* The collector table: one entry per source family, in the order the profile reports them. */
#include "collector.h"
#include "macro.h"

extern const Collector collector_cpu;
extern const Collector collector_memory;

const Collector *const collector_table[] = {
        &collector_cpu,
        &collector_memory,
};
const size_t collector_table_size = ELEMENTSOF(collector_table);

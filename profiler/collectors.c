/* SPDX-License-Identifier: MIT */
/* The collector table: one entry per source family, in the order the profile reports them. */
#include "collector.h"
#include "macro.h"

extern const Collector collector_host;
extern const Collector collector_cpu;
extern const Collector collector_psi;
extern const Collector collector_cgroup;
extern const Collector collector_interrupts;
extern const Collector collector_memory;
extern const Collector collector_cgroup_memory;
extern const Collector collector_disk;
extern const Collector collector_network;
extern const Collector collector_files;
extern const Collector collector_tasks;
extern const Collector collector_procs;
extern const Collector collector_tunables;

const Collector *const collector_table[] = {
        &collector_host,
        &collector_cpu,
        &collector_psi,
        &collector_cgroup,
        &collector_interrupts,
        &collector_memory,
        &collector_cgroup_memory,
        &collector_disk,
        &collector_network,
        &collector_files,
        &collector_tasks,
        &collector_procs,
        &collector_tunables,
};
const size_t collector_table_size = ELEMENTSOF(collector_table);

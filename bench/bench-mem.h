/* SPDX-License-Identifier: MIT */
/* A process's memory sampled every second (bench-monitor): RSS, USS and private dirty from
 * smaps_rollup, and USS by mapping from smaps, reported as medians and maxima over the samples,
 * not one reading (USS moves as other processes map the same libraries or stop). */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#define MEM_SAMPLES_MAX 1024
#define MEM_MAPS_MAX    160

typedef struct MemSeries {
        double rss[MEM_SAMPLES_MAX], uss[MEM_SAMPLES_MAX], dirty[MEM_SAMPLES_MAX]; /* kB */
        size_t n;
} MemSeries;

/* One reading of /proc/pid/smaps_rollup into s; false when it cannot be read (or s is full). */
bool mem_sample(pid_t pid, MemSeries *s);

/* A mapping's pages over the samples: a file by its base name, [heap], [stack], [anon] ... */
typedef struct MemMap {
        char name[128];
        double rss[MEM_SAMPLES_MAX], clean[MEM_SAMPLES_MAX], dirty[MEM_SAMPLES_MAX]; /* kB */
} MemMap;

typedef struct MemMaps {
        MemMap *maps; /* MEM_MAPS_MAX of them */
        size_t n_maps, n;
} MemMaps;

int mem_maps_init(MemMaps *t);
void mem_maps_done(MemMaps *t);
/* One reading of /proc/pid/smaps, every mapping of one name summed; false when it cannot be read. */
bool mem_maps_sample(pid_t pid, MemMaps *t);
/* Sample k's USS were no other process to map the same files but libc and ld.so (which every
 * process maps): a figure that does not move with the host's other processes, as USS does. */
double mem_maps_alone(const MemMaps *t, size_t k);
/* The mappings by median private kB (clean + dirty), largest first, those of >= 4 kB. */
void mem_maps_print(const MemMaps *t, FILE *f);

double mem_median(const double *v, size_t n);
double mem_max(const double *v, size_t n);

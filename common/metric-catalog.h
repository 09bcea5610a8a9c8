/* SPDX-License-Identifier: MIT */
/* The metric catalogue: every path a policy rule may read. Its entries come from where the
 * documents are made (each profiler collector declares what it emits; the optimizer declares the
 * targets and limits it adds), so that `policy check` knows a mistyped path without a second list.
 *
 * A path is dotted as rules write it ("network.tcp.listen_overflows_per_s", "disk.devices.*.type");
 * '*' stands for an object name (a device, an interface, a cpufreq policy), which may itself hold
 * dots ("eth0.100"), and matches a rule's '$' or any name. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef enum MetricShape {
        METRIC_SERIES,          /* {unit, value, min, avg, max, p95, n} */
        METRIC_GAUGE,           /* {unit, value} */
        METRIC_FACT,            /* a scalar (a string, number or boolean) */
        METRIC_TREE,            /* an object or array whose members are not listed one by one */
} MetricShape;

typedef struct MetricSpec {
        const char *path;
        MetricShape shape;
} MetricSpec;

typedef struct MetricCatalog {
        const MetricSpec **specs;
        size_t n, cap;
} MetricCatalog;

/* Adds the entries (not copied: they are static tables). */
int metric_catalog_add(MetricCatalog *c, const MetricSpec *specs, size_t n);
void metric_catalog_done(MetricCatalog *c);

/* Whether path names an entry, a member of one (a series' "max", a gauge's "value", anything below a
 * tree) or an object above one ("disk.devices", "disk.devices.$"). */
bool metric_catalog_has(const MetricCatalog *c, const char *path);
/* The entry nearest to path, written the way path is (its '$' or object names, its statistic),
 * when one is close enough; NULL otherwise (malloc'ed). */
char *metric_catalog_nearest(const MetricCatalog *c, const char *path);

/* Whether path is "tunables.KIND[.KEY]" (or "tunables.unavailable...") of a known kind and a key its
 * allowlist takes ('$' standing for an element): the profile's tunables are not catalogue entries.
 * When not, *ret_nearest may be set to the nearest known path (malloc'ed). */
bool metric_catalog_tunable_path(const char *path, char **ret_nearest);

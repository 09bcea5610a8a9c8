/* SPDX-License-Identifier: MIT */
/* The network collector's interfaces (collect-network.c): the link facts read from
 * /sys/class/net, and the metrics of one interface's latest interval from its /proc/net/dev
 * counters (last two rows); the emit helpers the collector's other sources share. */
#pragma once

#include <stdbool.h>

#include "counter-table.h"
#include "metric-sink.h"
#include "report.h"
#include "sysroot.h"

/* What an interface's stream needs besides its counters (ifaces.obj[i] <-> iface[i]). */
typedef struct NetIface {
        bool checked;            /* link read (once, when first seen) */
        bool full_duplex;
        long long speed;         /* Mb/s, -1 when unknown */
        char obj[COUNTER_NAME_MAX + 16];        /* "interfaces/NAME", its series' object */
} NetIface;
/* Speed of a link in Mb/s, or -1 when unknown (virtual NICs print -1 or fail with EINVAL). */
long long network_link_speed(const Sysroot *root, const char *dir);
/* speed_mbps, operstate and mtu of the interface name, under object obj. */
int network_iface_facts(const Sysroot *root, Report *rep, const char *obj, const char *name, long long speed);
/* Read the link of an interface once, when it is first seen. */
void network_iface_check(const Sysroot *root, const CounterObject *o, NetIface *x);
/* The rates and utilization of the interface's latest interval. */
int network_iface_emit(const CounterObject *o, const NetIface *x, const MetricSink *sink);

/* A point of the network resource. */
int network_emit(const MetricSink *sink, const char *object, const char *name, const char *unit, MetricWeight kind,
                 double v, double w);
/* The rate of column col of t in its latest interval into *ret and its length into *ret_dt. */
bool network_last_rate(const CounterTable *t, size_t col, double *ret, double *ret_dt);

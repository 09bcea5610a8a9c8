/* SPDX-License-Identifier: MIT */
#include "network-iface.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "netdev.h"
#include "safe-text.h"
#include "textscan.h"

long long network_link_speed(const Sysroot *root, const char *dir) {
        char path[160];
        _cleanup_free_ char *line = NULL;
        snprintf(path, sizeof(path), "%s/speed", dir);
        if (sysroot_read_line(root, path, &line) < 0)
                return -1;
        Scan s = scan_str(line);
        int64_t v;
        return scan_i64(&s, &v) == 0 && v > 0 ? v : -1;
}

int network_iface_facts(const Sysroot *root, Report *rep, const char *obj, const char *name, long long speed) {
        char dir[96], path[160];
        snprintf(dir, sizeof(dir), "sys/class/net/%s", name);
        int r = report_fact(rep, "network", obj, "speed_mbps", speed > 0 ? json_integer(speed) : json_null());
        _cleanup_free_ char *operstate = NULL;
        snprintf(path, sizeof(path), "%s/operstate", dir);
        if (r >= 0 && sysroot_read_line(root, path, &operstate) >= 0)
                r = report_fact(rep, "network", obj, "operstate", json_text(operstate));
        uint64_t mtu;
        snprintf(path, sizeof(path), "%s/mtu", dir);
        if (r >= 0 && sysroot_read_u64(root, path, &mtu) >= 0)
                r = report_fact(rep, "network", obj, "mtu", json_integer((json_int_t) mtu));
        return r;
}

/* The link of an interface, read once when it is first seen: its utilization needs the speed at
 * every interval, and sysfs reads at every sample would cost more than the counters. */
void network_iface_check(const Sysroot *root, const CounterObject *o, NetIface *x) {
        if (x->checked)
                return;
        x->checked = true;
        snprintf(x->obj, sizeof(x->obj), "interfaces/%s", o->name);
        char dir[96], path[160];
        _cleanup_free_ char *duplex = NULL;
        snprintf(dir, sizeof(dir), "sys/class/net/%s", o->name);
        x->speed = network_link_speed(root, dir);
        snprintf(path, sizeof(path), "%s/duplex", dir);
        x->full_duplex = sysroot_read_line(root, path, &duplex) < 0 || strcmp(duplex, "half") != 0;
}

int network_emit(const MetricSink *sink, const char *object, const char *name, const char *unit, MetricWeight kind,
                 double v, double w) {
        MetricPoint p = { .resource = "network", .object = object, .name = name, .unit = unit, .kind = kind,
                          .value = v, .weight = w };
        return metric_emit(sink, &p);
}

bool network_last_rate(const CounterTable *t, size_t col, double *ret, double *ret_dt) {
        uint64_t d;
        if (t->n < 2 || !counter_table_delta(t, t->n - 1, col, &d, ret_dt))
                return false;
        *ret = (double) d / *ret_dt;
        return true;
}

int network_iface_emit(const CounterObject *o, const NetIface *x, const MetricSink *sink) {
        static const struct {
                int col;
                const char *name, *unit;
        } rates[] = {
                { NETDEV_RX_BYTES, "rx_bytes_per_s", "bytes/s" },   { NETDEV_TX_BYTES, "tx_bytes_per_s", "bytes/s" },
                { NETDEV_RX_PACKETS, "rx_packets_per_s", "1/s" },   { NETDEV_TX_PACKETS, "tx_packets_per_s", "1/s" },
                { NETDEV_RX_DROP, "rx_drops_per_s", "1/s" },        { NETDEV_TX_DROP, "tx_drops_per_s", "1/s" },
                { NETDEV_RX_ERRS, "rx_errors_per_s", "1/s" },       { NETDEV_TX_ERRS, "tx_errors_per_s", "1/s" },
        };
        int r = 0;
        for (size_t j = 0; r >= 0 && j < ELEMENTSOF(rates); j++) {
                double v, dt;
                if (network_last_rate(&o->t, (size_t) rates[j].col, &v, &dt))
                        r = network_emit(sink, x->obj, rates[j].name, rates[j].unit, METRIC_WEIGHT_TIME, v, dt);
        }
        double rx, tx, dt;
        if (r < 0 || x->speed <= 0 || !network_last_rate(&o->t, NETDEV_RX_BYTES, &rx, &dt) ||
            !network_last_rate(&o->t, NETDEV_TX_BYTES, &tx, &dt))
                return r;
        /* Full duplex: each direction has the whole speed (as sar's %ifutil). */
        double cap = (double) x->speed * 1e6 / 8.0 / 100.0;
        return network_emit(sink, x->obj, "util_pct", "percent", METRIC_WEIGHT_TIME, (x->full_duplex ? MAX(rx, tx) : rx + tx) / cap,
                    dt);
}

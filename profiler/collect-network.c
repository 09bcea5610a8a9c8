/* SPDX-License-Identifier: MIT */
/* Network (USE): per-interface throughput against link speed (utilization), drops (saturation) and
 * errors from /proc/net/dev; the TCP stack's accept and SYN queues, TIME-WAIT sockets against the
 * ephemeral port range (saturation), retransmits and resets (errors) from /proc/net/snmp,
 * /proc/net/netstat and /proc/net/sockstat, and per destination and listener from /proc/net/tcp and
 * tcp6 (tcp-socket-scan.h); UDP buffer errors. Most findings are in network-findings.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "counter-table.h"
#include "macro.h"
#include "netdev.h"
#include "netstat.h"
#include "safe-text.h"
#include "series.h"
#include "source-error.h"
#include "network-findings.h"
#include "tcp-socket-scan.h"

enum {
        SNMP_RETRANS, SNMP_OUT_SEGS, SNMP_OUT_RSTS, SNMP_IN_ERRS, SNMP_ACTIVE_OPENS, SNMP_PASSIVE_OPENS,
        SNMP_CURR_ESTAB, SNMP_UDP_IN_ERRORS, SNMP_UDP_RCVBUF, SNMP_UDP_SNDBUF, SNMP_UDP_NO_PORTS,
        SNMP_ATTEMPT_FAILS,
        _SNMP_MAX,
};
static const NetstatField snmp_fields[_SNMP_MAX] = {
        [SNMP_RETRANS] = { "Tcp", "RetransSegs" },
        [SNMP_OUT_SEGS] = { "Tcp", "OutSegs" },
        [SNMP_OUT_RSTS] = { "Tcp", "OutRsts" },
        [SNMP_IN_ERRS] = { "Tcp", "InErrs" },
        [SNMP_ACTIVE_OPENS] = { "Tcp", "ActiveOpens" },
        [SNMP_PASSIVE_OPENS] = { "Tcp", "PassiveOpens" },
        [SNMP_CURR_ESTAB] = { "Tcp", "CurrEstab" },
        [SNMP_UDP_IN_ERRORS] = { "Udp", "InErrors" },
        [SNMP_UDP_RCVBUF] = { "Udp", "RcvbufErrors" },
        [SNMP_UDP_SNDBUF] = { "Udp", "SndbufErrors" },
        [SNMP_UDP_NO_PORTS] = { "Udp", "NoPorts" },
        [SNMP_ATTEMPT_FAILS] = { "Tcp", "AttemptFails" },
};

enum {
        EXT_LISTEN_OVERFLOWS, EXT_LISTEN_DROPS, EXT_SYNCOOKIES_SENT, EXT_REQ_Q_FULL_DROP, EXT_BACKLOG_DROP,
        EXT_TIMEOUTS, EXT_SYN_RETRANS,
        _EXT_MAX,
};
static const NetstatField ext_fields[_EXT_MAX] = {
        [EXT_LISTEN_OVERFLOWS] = { "TcpExt", "ListenOverflows" },
        [EXT_LISTEN_DROPS] = { "TcpExt", "ListenDrops" },
        [EXT_SYNCOOKIES_SENT] = { "TcpExt", "SyncookiesSent" },
        [EXT_REQ_Q_FULL_DROP] = { "TcpExt", "TCPReqQFullDrop" },
        [EXT_BACKLOG_DROP] = { "TcpExt", "TCPBacklogDrop" },
        [EXT_TIMEOUTS] = { "TcpExt", "TCPTimeouts" },
        [EXT_SYN_RETRANS] = { "TcpExt", "TCPSynRetrans" },
};

enum { SOCK_TW, SOCK_ORPHAN, _SOCK_MAX };

/* One source file: kept open, parsed into a CounterTable row per sample. */
typedef struct NetSource {
        const char *path;
        KeptFile file;
        int open_error;
        unsigned bad;
        CounterTable t;
        uint64_t found;          /* fields present in every parsed sample (snmp, netstat) */
        NetstatLayout layout;    /* their columns, learned at the first sample */
} NetSource;

typedef struct NetState {
        NetSource dev, snmp, ext, sock;  /* ext (netstat) at full samples only */
        CounterSet ifaces;       /* _NETDEV_MAX counters per interface */
        uint64_t port_lo, port_hi;
        int port_error;
        /* /proc/net/tcp and tcp6, scanned at full samples (tcp_sample). */
        KeptFile tcp[2];
        int tcp_error;
        TcpScan scan;
        Series tw_outgoing, tw_pct;      /* per scan */
        TcpDestination tw_peak;          /* the busiest destination of the fullest scan */
} NetState;

static int source_open(NetSource *src, const Sysroot *root, const char *path, size_t width) {
        src->path = path;
        src->file = KEPT_FILE_INIT;
        src->found = UINT64_MAX;
        counter_table_init(&src->t, width);
        src->open_error = kept_file_open(&src->file, root, path);
        return src->open_error == -ENOMEM ? -ENOMEM : 0;
}

static int read_port_range(const Sysroot *root, uint64_t *lo, uint64_t *hi) {
        _cleanup_free_ char *line = NULL;
        int r = sysroot_read_line(root, "proc/sys/net/ipv4/ip_local_port_range", &line);
        if (r < 0)
                return r;
        Scan s = scan_str(line);
        if (scan_u64(&s, lo) < 0 || scan_u64(&s, hi) < 0 || *hi < *lo)
                return -EBADMSG;
        return 0;
}

static int net_open(void *state, const Sysroot *root) {
        NetState *st = state;
        /* Every file closed by net_close, even when an allocation fails half way. */
        st->dev.file = st->snmp.file = st->ext.file = st->sock.file = KEPT_FILE_INIT;
        int r = source_open(&st->dev, root, "/proc/net/dev", 0);
        r = r ?: source_open(&st->snmp, root, "/proc/net/snmp", _SNMP_MAX);
        r = r ?: source_open(&st->ext, root, "/proc/net/netstat", _EXT_MAX);
        r = r ?: source_open(&st->sock, root, "/proc/net/sockstat", _SOCK_MAX);
        counter_set_init(&st->ifaces, _NETDEV_MAX);
        st->port_error = read_port_range(root, &st->port_lo, &st->port_hi);
        st->tcp[0] = st->tcp[1] = KEPT_FILE_INIT;
        tcp_scan_init(&st->scan, (uint16_t) MIN(st->port_lo, 65535), (uint16_t) MIN(st->port_hi, 65535));
        if (r >= 0 && (st->tcp_error = kept_file_open(&st->tcp[0], root, "proc/net/tcp")) == -ENOMEM)
                return -ENOMEM;
        if (r >= 0 && kept_file_open(&st->tcp[1], root, "proc/net/tcp6") == -ENOMEM)
                return -ENOMEM;     /* no tcp6 is a kernel without IPv6 */
        return r;
}

static int sample_dev(NetState *st, const char *text, size_t len, uint64_t now) {
        Scan s = scan_init(text, len);
        NetDevLine l;
        bool bad = false;
        int r;
        while ((r = netdev_next(&s, &l)) != 0) {
                if (r < 0) {
                        bad = true;
                        continue;
                }
                CounterObject *o;
                r = counter_set_add(&st->ifaces, l.name.p, scan_len(l.name), &o);
                if (r == -ENAMETOOLONG)
                        continue;
                r = r ?: counter_set_put(&st->ifaces, o, now, l.v);
                if (r < 0)
                        return r;
        }
        st->dev.bad += bad;
        return counter_set_end_sample(&st->ifaces);
}

static int sample_source(NetState *st, NetSource *src, uint64_t now) {
        if (!kept_file_is_open(&src->file))
                return 0;
        const char *text;
        size_t len;
        int r = kept_file_read(&src->file, &text, &len);
        if (r < 0) {
                src->bad++;
                return src == &st->dev ? counter_set_end_sample(&st->ifaces) : counter_table_push(&src->t, now, NULL);
        }
        if (src == &st->dev)
                return sample_dev(st, text, len, now);

        uint64_t row[NETSTAT_FIELDS_MAX] = {}, found = 0;
        if (src == &st->sock) {
                SockstatTcp tcp = {};
                r = sockstat_parse_tcp(text, len, &tcp);
                row[SOCK_TW] = tcp.tw;
                row[SOCK_ORPHAN] = tcp.orphan;
        } else {
                const NetstatField *fields = src == &st->snmp ? snmp_fields : ext_fields;
                r = netstat_parse(text, len, fields, src->t.width, &src->layout, row, &found);
                if (r >= 0)
                        src->found &= found;
        }
        if (r < 0)
                src->bad++;
        return counter_table_push(&src->t, now, r < 0 ? NULL : row);
}

/* Whether the last two rows of the netstat table differ in a listen-queue counter. */
static bool queues_moved(const NetSource *ext) {
        static const int cols[] = { EXT_LISTEN_OVERFLOWS, EXT_LISTEN_DROPS, EXT_SYNCOOKIES_SENT, EXT_REQ_Q_FULL_DROP };
        if (ext->t.n < 2)
                return false;
        const uint64_t *a = counter_table_row(&ext->t, ext->t.n - 2), *b = counter_table_row(&ext->t, ext->t.n - 1);
        for (size_t i = 0; a && b && i < ELEMENTSOF(cols); i++)
                if (a[cols[i]] != b[cols[i]])
                        return true;
        return false;
}

/* A pass over /proc/net/tcp{,6} at a full sample costs kernel time per socket (90 ms of system time
 * for 32 000 on a 2-vCPU VM), so it is made only when its answer can matter: a listen queue counter
 * moved, or sockstat's TIME-WAIT count reached TW_SCAN_MIN_PCT of the port range (below it no
 * destination can be near the 50 % of the finding). No TIME-WAIT socket at all is an exact zero. */
#define TW_SCAN_MIN_PCT 25

static int tcp_sample(NetState *st) {
        if (st->tcp_error < 0 || st->port_error < 0)
                return 0;
        const uint64_t *sock = st->sock.t.n ? counter_table_row(&st->sock.t, st->sock.t.n - 1) : NULL;
        double size = (double) (st->port_hi - st->port_lo + 1);
        bool moved = queues_moved(&st->ext), none = sock && sock[SOCK_TW] == 0 && !moved;
        if (!none && !moved && sock && 100.0 * (double) sock[SOCK_TW] < TW_SCAN_MIN_PCT * size)
                return 0;       /* unknown for this sample, and surely under the threshold */
        int fds[2] = { st->tcp[0].fd, st->tcp[1].fd };
        int r = none ? 0 : tcp_scan_files(&st->scan, fds, 2);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                st->tcp_error = r;
                return 0;
        }
        const TcpDestination *d = &st->scan.busiest;
        if (none)
                st->scan.time_wait_ephemeral = 0, st->scan.busiest = (TcpDestination) {};
        else if (d->time_wait > st->tw_peak.time_wait)
                st->tw_peak = *d;
        r = series_push(&st->tw_outgoing, (double) st->scan.time_wait_ephemeral);
        return r < 0 ? r : series_push(&st->tw_pct, 100.0 * d->time_wait / size);
}

static int net_sample(void *state, uint64_t now, bool full) {
        NetState *st = state;
        /* /proc/net/snmp at every sample too: Tcp CurrEstab is a gauge, which only every sample can
         * average, and the file is a fraction of the cost of netstat (~25 against ~60 us). */
        NetSource *all[] = { &st->dev, &st->sock, &st->snmp, &st->ext };
        size_t n = full ? ELEMENTSOF(all) : 3;
        for (size_t i = 0; i < n; i++) {
                int r = sample_source(st, all[i], now);
                if (r < 0)
                        return r;
        }
        return full ? tcp_sample(st) : 0;
}

/* Speed of a link in Mb/s, or -1 when unknown (virtual NICs print -1 or fail with EINVAL). */
static long long link_speed(const Sysroot *root, const char *dir) {
        char path[160];
        _cleanup_free_ char *line = NULL;
        snprintf(path, sizeof(path), "%s/speed", dir);
        if (sysroot_read_line(root, path, &line) < 0)
                return -1;
        Scan s = scan_str(line);
        int64_t v;
        return scan_i64(&s, &v) == 0 && v > 0 ? v : -1;
}

static int report_iface_facts(const Sysroot *root, Report *rep, const char *obj, const char *name, long long speed,
                              bool *ret_full_duplex) {
        char dir[96], path[160];
        snprintf(dir, sizeof(dir), "sys/class/net/%s", name);
        int r = report_fact(rep, "network", obj, "speed_mbps", speed > 0 ? json_integer(speed) : json_null());
        _cleanup_free_ char *operstate = NULL, *duplex = NULL;
        snprintf(path, sizeof(path), "%s/operstate", dir);
        if (r >= 0 && sysroot_read_line(root, path, &operstate) >= 0)
                r = report_fact(rep, "network", obj, "operstate", json_text(operstate));
        uint64_t mtu;
        snprintf(path, sizeof(path), "%s/mtu", dir);
        if (r >= 0 && sysroot_read_u64(root, path, &mtu) >= 0)
                r = report_fact(rep, "network", obj, "mtu", json_integer((json_int_t) mtu));
        snprintf(path, sizeof(path), "%s/duplex", dir);
        *ret_full_duplex = sysroot_read_line(root, path, &duplex) < 0 || strcmp(duplex, "half") != 0;
        return r;
}

static int report_interfaces(NetState *st, const Sysroot *root, Report *rep) {
        static const struct {
                int col;
                const char *name, *unit;
        } rates[] = {
                { NETDEV_RX_BYTES, "rx_bytes_per_s", "bytes/s" },   { NETDEV_TX_BYTES, "tx_bytes_per_s", "bytes/s" },
                { NETDEV_RX_PACKETS, "rx_packets_per_s", "1/s" },   { NETDEV_TX_PACKETS, "tx_packets_per_s", "1/s" },
                { NETDEV_RX_DROP, "rx_drops_per_s", "1/s" },        { NETDEV_TX_DROP, "tx_drops_per_s", "1/s" },
                { NETDEV_RX_ERRS, "rx_errors_per_s", "1/s" },       { NETDEV_TX_ERRS, "tx_errors_per_s", "1/s" },
        };
        size_t m = st->ifaces.samples ? st->ifaces.samples : 1;
        /* Rates by counter column: v[col * m + interval], their interval lengths w[] likewise. */
        _cleanup_free_ double *v = calloc(2 * (_NETDEV_MAX + 1) * m, sizeof(double));
        if (!v)
                return -ENOMEM;
        double *util = v + _NETDEV_MAX * m, *w = v + (_NETDEV_MAX + 1) * m;
        for (size_t i = 0; i < st->ifaces.n; i++) {
                const CounterObject *o = &st->ifaces.obj[i];
                char obj[96];
                size_t k[_NETDEV_MAX] = {};
                snprintf(obj, sizeof(obj), "interfaces/%s", o->name);
                int r = 0;
                for (size_t j = 0; j < ELEMENTSOF(rates); j++) {
                        size_t col = (size_t) rates[j].col;
                        k[col] = counter_table_rates(&o->t, col, 1.0, v + col * m, w + col * m);
                        r = r ?: report_series_weighted(rep, "network", obj, rates[j].name, rates[j].unit, v + col * m,
                                                        w + col * m, k[col]);
                }
                char dir[96];
                snprintf(dir, sizeof(dir), "sys/class/net/%s", o->name);
                long long speed = link_speed(root, dir);
                bool full = true;
                r = r ?: report_iface_facts(root, rep, obj, o->name, speed, &full);
                if (r < 0)
                        return r;
                if (speed > 0 && k[NETDEV_RX_BYTES] == k[NETDEV_TX_BYTES]) {
                        /* Full duplex: each direction has the whole speed (as sar's %ifutil). */
                        const double *rx = v + NETDEV_RX_BYTES * m, *tx = v + NETDEV_TX_BYTES * m;
                        double cap = (double) speed * 1e6 / 8.0 / 100.0;
                        for (size_t j = 0; j < k[NETDEV_RX_BYTES]; j++)
                                util[j] = (full ? MAX(rx[j], tx[j]) : rx[j] + tx[j]) / cap;
                        r = report_series_weighted(rep, "network", obj, "util_pct", "percent", util,
                                                   w + NETDEV_RX_BYTES * m, k[NETDEV_RX_BYTES]);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

typedef struct RateSpec {
        int col;
        const char *name, *unit;
} RateSpec;

/* Rates of the listed columns of a source that were present in every sample: buf + j * m gets those
 * of spec j, w + j * m their interval lengths. */
static int report_rates(const NetSource *src, Report *rep, const char *object, const RateSpec *spec, size_t n,
                        double *buf, double *w, size_t m, size_t *k) {
        for (size_t j = 0; j < n; j++) {
                k[j] = 0;
                if (!(src->found & (UINT64_C(1) << spec[j].col)))
                        continue;
                k[j] = counter_table_rates(&src->t, (size_t) spec[j].col, 1.0, buf + j * m, w + j * m);
                int r = report_series_weighted(rep, "network", object, spec[j].name, spec[j].unit, buf + j * m, w + j * m,
                                               k[j]);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The window's rate: total delta over total time (w: the interval lengths). */
static double avg_of(const double *v, const double *w, size_t n) {
        return series_summarize_weighted(v, w, n).avg;
}

enum { R_OVERFLOWS, R_DROPS, R_COOKIES, R_REQQ, R_BACKLOG, R_TIMEOUTS, R_SYN_RETRANS };

/* The queue counters of the window into e (per second). */
static void queue_evidence(const NetState *st, const double *v, const double *w, size_t m, const size_t *k,
                           TcpEvidence *e) {
        e->overflows = avg_of(v + R_OVERFLOWS * m, w + R_OVERFLOWS * m, k[R_OVERFLOWS]);
        e->reqq = avg_of(v + R_REQQ * m, w + R_REQQ * m, k[R_REQQ]);
        e->cookies = avg_of(v + R_COOKIES * m, w + R_COOKIES * m, k[R_COOKIES]);
        /* ListenDrops counts every drop at LISTEN, accept-queue overflows included: the rest are SYNs
         * dropped for a full SYN queue (or other reasons). */
        if (!(st->ext.found & (UINT64_C(1) << EXT_LISTEN_DROPS)) || !(st->ext.found & (UINT64_C(1) << EXT_LISTEN_OVERFLOWS)))
                return;
        double sum = 0, secs = 0;
        size_t ke = 0;
        for (size_t i = 1; i < st->ext.t.n; i++) {
                uint64_t dd, dov;
                double dt;
                if (!counter_table_delta(&st->ext.t, i, EXT_LISTEN_DROPS, &dd, &dt) ||
                    !counter_table_delta(&st->ext.t, i, EXT_LISTEN_OVERFLOWS, &dov, NULL))
                        continue;
                sum += dd > dov ? (double) (dd - dov) : 0;
                secs += dt;
                ke++;
        }
        e->syn_excess = ke && secs > 0 ? sum / secs : 0;
}

/* Retransmission totals of the window into e; the per-interval share as a metric, each interval
 * weighed by its segments sent (w), so the average is RetransSegs / OutSegs over the window. */
static int report_retrans(NetState *st, Report *rep, double *buf, double *w, TcpEvidence *e) {
        uint64_t bits = (UINT64_C(1) << SNMP_RETRANS) | (UINT64_C(1) << SNMP_OUT_SEGS);
        if ((st->snmp.found & bits) != bits)
                return 0;
        size_t k = 0;
        for (size_t i = 1; i < st->snmp.t.n; i++) {
                uint64_t dr, ds;
                double dt;
                if (!counter_table_delta(&st->snmp.t, i, SNMP_RETRANS, &dr, &dt) ||
                    !counter_table_delta(&st->snmp.t, i, SNMP_OUT_SEGS, &ds, NULL))
                        continue;
                e->retrans += dr, e->out_segs += ds, e->secs += dt;
                if (ds > 0) {
                        w[k] = (double) ds;
                        buf[k++] = 100.0 * (double) dr / (double) ds;
                }
        }
        e->has_syn_retrans = st->ext.found & (UINT64_C(1) << EXT_SYN_RETRANS);
        if (e->has_syn_retrans)
                e->syn_retrans = counter_table_total(&st->ext.t, EXT_SYN_RETRANS);
        return report_ratio_series(rep, "network", "tcp", "retrans_pct", "percent", buf, w, k);
}

static int report_sockets(NetState *st, Report *rep, double *tw, double *orphans, TcpEvidence *e) {
        size_t k = counter_table_gauges(&st->sock.t, SOCK_TW, 1.0, tw);
        (void) counter_table_gauges(&st->sock.t, SOCK_ORPHAN, 1.0, orphans);
        int r = report_series(rep, "network", "tcp", "time_wait", "count", tw, k);
        r = r ?: report_series(rep, "network", "tcp", "orphans", "count", orphans, k);
        if (r < 0)
                return r;
        if (st->port_error < 0)
                return report_unavailable(rep, "network", "port_range",
                                          "cannot read /proc/sys/net/ipv4/ip_local_port_range: %s%s",
                                          strerror(-st->port_error), source_error_hint(st->port_error));
        double size = (double) (st->port_hi - st->port_lo + 1);
        r = report_gauge(rep, "network", "tcp", "port_range_size", "count", size);
        if (r >= 0 && st->tcp_error < 0)
                return report_unavailable(rep, "network", "tcp_sockets", "cannot read /proc/net/tcp: %s%s",
                                          strerror(-st->tcp_error), source_error_hint(st->tcp_error));
        r = r ?: report_gauge_series(rep, "network", "tcp", "time_wait_outgoing", "count", &st->tw_outgoing);
        r = r ?: report_gauge_series(rep, "network", "tcp", "time_wait_pct_of_port_range", "percent", &st->tw_pct);
        if (r < 0 || st->tw_pct.n == 0)
                return r;
        e->scan = &st->scan;
        e->tw_peak = st->tw_peak;
        e->port_lo = st->port_lo, e->port_hi = st->port_hi;
        return tcp_time_wait_finding(rep, e);
}

static int report_udp(NetState *st, const Sysroot *root, Report *rep, double *buf, double *w, size_t m) {
        static const RateSpec udp[] = {
                { SNMP_UDP_IN_ERRORS, "in_errors_per_s", "1/s" },
                { SNMP_UDP_RCVBUF, "rcvbuf_errors_per_s", "1/s" },
                { SNMP_UDP_SNDBUF, "sndbuf_errors_per_s", "1/s" },
                { SNMP_UDP_NO_PORTS, "no_ports_per_s", "1/s" },
        };
        size_t k[ELEMENTSOF(udp)];
        int r = report_rates(&st->snmp, rep, "udp", udp, ELEMENTSOF(udp), buf, w, m, k);
        /* Evidence for the UDP buffer findings (rules/findings.conf): the socket buffer caps they quote,
         * when readable. */
        uint64_t rmem, wmem;
        if (r >= 0 && sysroot_read_u64(root, "proc/sys/net/core/rmem_max", &rmem) >= 0 && rmem <= INT64_MAX)
                r = report_fact(rep, "network", "udp", "rmem_max", json_integer((json_int_t) rmem));
        if (r >= 0 && sysroot_read_u64(root, "proc/sys/net/core/wmem_max", &wmem) >= 0 && wmem <= INT64_MAX)
                r = report_fact(rep, "network", "udp", "wmem_max", json_integer((json_int_t) wmem));
        return r;
}

static int report_tcp(NetState *st, const Sysroot *root, Report *rep) {
        static const RateSpec ext[] = {
                [R_OVERFLOWS] = { EXT_LISTEN_OVERFLOWS, "listen_overflows_per_s", "1/s" },
                [R_DROPS] = { EXT_LISTEN_DROPS, "listen_drops_per_s", "1/s" },
                [R_COOKIES] = { EXT_SYNCOOKIES_SENT, "syncookies_sent_per_s", "1/s" },
                [R_REQQ] = { EXT_REQ_Q_FULL_DROP, "req_q_full_drops_per_s", "1/s" },
                [R_BACKLOG] = { EXT_BACKLOG_DROP, "backlog_drops_per_s", "1/s" },
                [R_TIMEOUTS] = { EXT_TIMEOUTS, "timeouts_per_s", "1/s" },
                [R_SYN_RETRANS] = { EXT_SYN_RETRANS, "syn_retrans_per_s", "1/s" },
        };
        static const RateSpec snmp[] = {
                { SNMP_OUT_RSTS, "out_resets_per_s", "1/s" },
                { SNMP_IN_ERRS, "in_errors_per_s", "1/s" },
                { SNMP_ACTIVE_OPENS, "active_opens_per_s", "1/s" },
                { SNMP_PASSIVE_OPENS, "passive_opens_per_s", "1/s" },
                { SNMP_ATTEMPT_FAILS, "attempt_fails_per_s", "1/s" },
        };
        size_t m = MAX(MAX(st->ext.t.n, st->snmp.t.n), MAX(st->sock.t.n, (size_t) 1));
        _cleanup_free_ double *buf = calloc(2 * ELEMENTSOF(ext) * m, sizeof(double));
        if (!buf)
                return -ENOMEM;
        double *w = buf + ELEMENTSOF(ext) * m;   /* interval lengths, the same layout */
        size_t k[ELEMENTSOF(ext)];
        TcpEvidence e = { .root = root, .scan = st->tcp_error < 0 ? NULL : &st->scan, .attempt_fails = -1 };
        int r = report_rates(&st->ext, rep, "tcp", ext, ELEMENTSOF(ext), buf, w, m, k);
        if (r >= 0)
                queue_evidence(st, buf, w, m, k, &e);
        r = r ?: report_rates(&st->snmp, rep, "tcp", snmp, ELEMENTSOF(snmp), buf, w, m, k);
        size_t af = ELEMENTSOF(snmp) - 1;
        if (r >= 0 && k[af] > 0)
                e.attempt_fails = avg_of(buf + af * m, w + af * m, k[af]);
        if (r >= 0 && st->snmp.found & (UINT64_C(1) << SNMP_CURR_ESTAB)) {
                size_t n = counter_table_gauges(&st->snmp.t, SNMP_CURR_ESTAB, 1.0, buf);
                r = report_series(rep, "network", "tcp", "curr_estab", "count", buf, n);
        }
        const char *cause = NULL;
        r = r ?: tcp_queue_findings(rep, &e, &cause);
        r = r ?: report_retrans(st, rep, buf, w, &e);
        r = r ?: tcp_retrans_finding(rep, &e, cause);
        r = r ?: report_sockets(st, rep, buf, buf + m, &e);
        r = r ?: report_udp(st, root, rep, buf, w, m);
        return r;
}

static int report_source_state(Report *rep, const NetSource *src, const char *name) {
        if (src->open_error < 0)
                return report_unavailable(rep, "network", name, "cannot open %s: %s%s", src->path, strerror(-src->open_error),
                                          source_error_hint(src->open_error));
        if (src->bad > 0)
                return report_unavailable(rep, "network", name, "%s could not be read or parsed in %u sample(s)%s", src->path,
                                          src->bad, source_error_hint(-EBADMSG));
        return 0;
}

/* A source that was read but too few times for a rate (--duration 0, or fewer full samples). */
static int report_source_rates(Report *rep, const NetSource *src, size_t rows, const char *name) {
        if (src->open_error < 0 || src->bad > 0 || rows >= 2)
                return 0;
        return report_rates_unavailable(rep, "network", name, src->path);
}

static int net_report(void *state, const Sysroot *root, Report *rep) {
        NetState *st = state;
        int r = report_source_state(rep, &st->dev, "dev");
        r = r ?: report_source_state(rep, &st->snmp, "snmp");
        r = r ?: report_source_state(rep, &st->ext, "netstat");
        r = r ?: report_source_state(rep, &st->sock, "sockstat");
        r = r ?: report_source_rates(rep, &st->dev, st->ifaces.samples, "dev_rates");
        r = r ?: report_source_rates(rep, &st->snmp, st->snmp.t.n, "snmp_rates");
        r = r ?: report_source_rates(rep, &st->ext, st->ext.t.n, "netstat_rates");
        r = r ?: report_interfaces(st, root, rep);
        r = r ?: report_tcp(st, root, rep);
        return r;
}

static void net_close(void *state) {
        NetState *st = state;
        NetSource *all[] = { &st->dev, &st->snmp, &st->ext, &st->sock };
        for (size_t i = 0; i < ELEMENTSOF(all); i++) {
                kept_file_close(&all[i]->file);
                counter_table_free(&all[i]->t);
        }
        kept_file_close(&st->tcp[0]);
        kept_file_close(&st->tcp[1]);
        tcp_scan_free(&st->scan);
        series_free(&st->tw_outgoing);
        series_free(&st->tw_pct);
        counter_set_free(&st->ifaces);
}

static const MetricSpec network_metrics[] = {
        { "network.interfaces.*.speed_mbps", METRIC_FACT },
        { "network.interfaces.*.operstate", METRIC_FACT },
        { "network.interfaces.*.mtu", METRIC_FACT },
        { "network.interfaces.*.rx_bytes_per_s", METRIC_SERIES },
        { "network.interfaces.*.tx_bytes_per_s", METRIC_SERIES },
        { "network.interfaces.*.rx_packets_per_s", METRIC_SERIES },
        { "network.interfaces.*.tx_packets_per_s", METRIC_SERIES },
        { "network.interfaces.*.rx_drops_per_s", METRIC_SERIES },
        { "network.interfaces.*.tx_drops_per_s", METRIC_SERIES },
        { "network.interfaces.*.rx_errors_per_s", METRIC_SERIES },
        { "network.interfaces.*.tx_errors_per_s", METRIC_SERIES },
        { "network.interfaces.*.util_pct", METRIC_SERIES },
        { "network.tcp.retrans_pct", METRIC_SERIES },
        { "network.tcp.time_wait", METRIC_SERIES },
        { "network.tcp.orphans", METRIC_SERIES },
        { "network.tcp.time_wait_pct_of_port_range", METRIC_SERIES },
        { "network.tcp.time_wait_outgoing", METRIC_SERIES },
        { "network.tcp.syn_retrans_per_s", METRIC_SERIES },
        { "network.tcp.attempt_fails_per_s", METRIC_SERIES },
        { "network.tcp.curr_estab", METRIC_SERIES },
        { "network.tcp.listen_overflows_per_s", METRIC_SERIES },
        { "network.tcp.listen_drops_per_s", METRIC_SERIES },
        { "network.tcp.syncookies_sent_per_s", METRIC_SERIES },
        { "network.tcp.req_q_full_drops_per_s", METRIC_SERIES },
        { "network.tcp.backlog_drops_per_s", METRIC_SERIES },
        { "network.tcp.timeouts_per_s", METRIC_SERIES },
        { "network.tcp.out_resets_per_s", METRIC_SERIES },
        { "network.tcp.in_errors_per_s", METRIC_SERIES },
        { "network.tcp.active_opens_per_s", METRIC_SERIES },
        { "network.tcp.passive_opens_per_s", METRIC_SERIES },
        { "network.tcp.port_range_size", METRIC_GAUGE },
        { "network.udp.in_errors_per_s", METRIC_SERIES },
        { "network.udp.rcvbuf_errors_per_s", METRIC_SERIES },
        { "network.udp.sndbuf_errors_per_s", METRIC_SERIES },
        { "network.udp.no_ports_per_s", METRIC_SERIES },
        { "network.udp.rmem_max", METRIC_FACT },
        { "network.udp.wmem_max", METRIC_FACT },
};

const Collector collector_network = {
        .name = "network",
        .state_size = sizeof(NetState),
        .open = net_open,
        .sample = net_sample,
        .report = net_report,
        .close = net_close,
        .metrics = network_metrics,
        .n_metrics = ELEMENTSOF(network_metrics),
};

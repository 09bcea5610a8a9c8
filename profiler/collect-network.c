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
#include "netstat-repeat.h"
#include "netstat.h"
#include "network-findings.h"
#include "network-iface.h"
#include "safe-text.h"
#include "series.h"
#include "source-error.h"
#include "tcp-socket-scan.h"

enum {
        SNMP_RETRANS, SNMP_OUT_SEGS, SNMP_OUT_RSTS, SNMP_IN_ERRS, SNMP_ACTIVE_OPENS, SNMP_PASSIVE_OPENS,
        SNMP_CURR_ESTAB, SNMP_UDP_IN_ERRORS, SNMP_UDP_RCVBUF, SNMP_UDP_SNDBUF, SNMP_UDP_NO_PORTS,
        SNMP_ATTEMPT_FAILS, SNMP_IN_SEGS,
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
        [SNMP_IN_SEGS] = { "Tcp", "InSegs" },
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

/* The snmp counters the TcpExt counters of ext_fields move with (netstat-repeat.h). */
static const int tcp_segs[NETSTAT_TCP_SEGS] = { SNMP_IN_SEGS, SNMP_OUT_SEGS, SNMP_RETRANS };

/* One source file: kept open, parsed into a CounterTable row per sample. */
typedef struct NetSource {
        const char *path;
        KeptFile file;
        int open_error;
        unsigned bad;
        CounterTable t;
        uint64_t found;          /* fields present in every parsed sample (snmp, netstat) */
        NetstatLayout layout;    /* their columns, learned at the first sample */
        bool fresh;              /* read at this sample: its interval is due */
} NetSource;

/* Streaming: every source keeps its last two rows; each sample emits its interval (net_interval). */
typedef struct NetState {
        const Sysroot *root;
        NetSource dev, snmp, ext, sock;  /* ext (netstat) at full samples only */
        NetstatRepeat ext_repeat;        /* whether netstat need be read at a full sample */
        CounterSet ifaces;       /* _NETDEV_MAX counters per interface */
        NetIface *iface;
        size_t n_iface, iface_cap;
        uint64_t port_lo, port_hi;
        int port_error;
        /* /proc/net/tcp and tcp6, scanned at full samples (tcp_sample). */
        KeptFile tcp[2];
        int tcp_error;
        TcpScan scan;
        bool scanned;                    /* at this sample: its TIME-WAIT gauges are due */
        size_t tw_scans;
        TcpDestination tw_peak;          /* the busiest destination of the fullest scan */
        /* Window totals for the findings (TcpEvidence), summed interval by interval. */
        double syn_excess_sum, syn_excess_secs, retrans_secs;
        uint64_t retrans, out_segs, syn_retrans;
} NetState;

static int source_open(NetSource *src, const Sysroot *root, const char *path, size_t width) {
        src->path = path;
        src->file = KEPT_FILE_INIT;
        src->found = UINT64_MAX;
        counter_table_init_last_two(&src->t, width);
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
        st->root = root;
        st->dev.file = st->snmp.file = st->ext.file = st->sock.file = KEPT_FILE_INIT;
        int r = source_open(&st->dev, root, "/proc/net/dev", 0);
        r = r ?: source_open(&st->snmp, root, "/proc/net/snmp", _SNMP_MAX);
        r = r ?: source_open(&st->ext, root, "/proc/net/netstat", _EXT_MAX);
        r = r ?: source_open(&st->sock, root, "/proc/net/sockstat", _SOCK_MAX);
        counter_set_init_last_two(&st->ifaces, _NETDEV_MAX);
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
        src->fresh = true;
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
        st->scanned = true;
        st->tw_scans++;
        return 0;
}

/* snmp's tcp_segs at this sample (back 0) or the one before (back 1); NULL when not known. */
static const uint64_t *snmp_segs(const NetSource *snmp, size_t back, uint64_t segs[NETSTAT_TCP_SEGS]) {
        const uint64_t *row =
                snmp->fresh && snmp->t.n > back ? counter_table_row(&snmp->t, snmp->t.n - 1 - back) : NULL;
        for (size_t i = 0; row && i < NETSTAT_TCP_SEGS; i++) {
                if (!(snmp->found & (UINT64_C(1) << tcp_segs[i])))
                        return NULL;
                segs[i] = row[tcp_segs[i]];
        }
        return row ? segs : NULL;
}

/* netstat at a full sample: read, or its last row again while TCP is idle (netstat-repeat.h). */
static int sample_ext(NetState *st, uint64_t now, SampleKind kind) {
        uint64_t segs[NETSTAT_TCP_SEGS], prev[NETSTAT_TCP_SEGS];
        NetSource *ext = &st->ext;
        const uint64_t *last = ext->t.n ? counter_table_row(&ext->t, ext->t.n - 1) : NULL;
        if (kept_file_is_open(&ext->file) && last &&
            netstat_repeat_ok(&st->ext_repeat, snmp_segs(&st->snmp, 0, segs), now, kind == SAMPLE_FULL)) {
                uint64_t row[_EXT_MAX]; /* a copy: the push moves the table's rows */
                memcpy(row, last, sizeof(row));
                ext->fresh = true;
                return counter_table_push(&ext->t, now, row);
        }
        int r = sample_source(st, ext, now);
        if (r < 0 || !ext->fresh)
                return r;
        const uint64_t *row = counter_table_row(&ext->t, ext->t.n - 1);
        bool timeouts = row && ext->found & (UINT64_C(1) << EXT_TIMEOUTS);
        netstat_repeat_read(&st->ext_repeat, snmp_segs(&st->snmp, 1, prev), now, timeouts ? &row[EXT_TIMEOUTS] : NULL);
        return 0;
}

static int net_sample(void *state, uint64_t now, SampleKind kind) {
        NetState *st = state;
        bool full = kind != SAMPLE_QUICK;
        /* /proc/net/snmp at every sample too: Tcp CurrEstab is a gauge, which only every sample can
         * average, and the file is a fraction of the cost of netstat (5 against 14 us here). */
        NetSource *all[] = { &st->dev, &st->sock, &st->snmp, &st->ext };
        st->scanned = false;
        st->ext_repeat.to_fresh = false;
        for (size_t i = 0; i < ELEMENTSOF(all); i++)
                all[i]->fresh = false;
        for (size_t i = 0; i < 3; i++) {
                int r = sample_source(st, all[i], now);
                if (r < 0)
                        return r;
        }
        if (!full)
                return 0;
        int r = sample_ext(st, now, kind);
        return r < 0 ? r : tcp_sample(st);
}

static int emit_interfaces(NetState *st, const MetricSink *sink) {
        while (st->n_iface < st->ifaces.n) {
                int r = array_reserve((void **) &st->iface, &st->iface_cap, st->n_iface, sizeof(NetIface));
                if (r < 0)
                        return r;
                st->iface[st->n_iface++] = (NetIface) {};
        }
        if (!st->dev.fresh)
                return 0;
        for (size_t i = 0; i < st->ifaces.n; i++) {
                network_iface_check(st->root, &st->ifaces.obj[i], &st->iface[i]);
                int r = network_iface_emit(&st->ifaces.obj[i], &st->iface[i], sink);
                if (r < 0)
                        return r;
        }
        return 0;
}

typedef struct RateSpec {
        int col;
        const char *name, *unit;
} RateSpec;

/* The latest interval's rates of the listed columns of a source that were present in every sample. */
static int emit_rates(const NetSource *src, const char *object, const RateSpec *spec, size_t n, const MetricSink *sink) {
        int r = 0;
        for (size_t j = 0; r >= 0 && src->fresh && j < n; j++) {
                double v, dt;
                if (src->found & (UINT64_C(1) << spec[j].col) && network_last_rate(&src->t, (size_t) spec[j].col, &v, &dt))
                        r = network_emit(sink, object, spec[j].name, spec[j].unit, METRIC_WEIGHT_TIME, v, dt);
        }
        return r;
}

static bool found2(const NetSource *src, int a, int b) {
        uint64_t bits = (UINT64_C(1) << a) | (UINT64_C(1) << b);
        return (src->found & bits) == bits;
}

/* The window totals the findings quote, summed over the intervals of /proc/net/netstat. ListenDrops
 * counts every drop at LISTEN, accept-queue overflows included: the rest are SYNs dropped for a full
 * SYN queue (or other reasons). */
static void sum_ext(NetState *st) {
        const CounterTable *t = &st->ext.t;
        uint64_t dd, dov, ds;
        double dt;
        if (!st->ext.fresh || t->n < 2)
                return;
        if (found2(&st->ext, EXT_LISTEN_DROPS, EXT_LISTEN_OVERFLOWS) &&
            counter_table_delta(t, t->n - 1, EXT_LISTEN_DROPS, &dd, &dt) &&
            counter_table_delta(t, t->n - 1, EXT_LISTEN_OVERFLOWS, &dov, NULL)) {
                st->syn_excess_sum += dd > dov ? (double) (dd - dov) : 0;
                st->syn_excess_secs += dt;
        }
        if (counter_table_delta(t, t->n - 1, EXT_SYN_RETRANS, &ds, NULL))
                st->syn_retrans += ds;
}

/* Retransmissions of the latest interval: the totals for the finding, and the share as a metric
 * weighed by the segments sent, so its average is RetransSegs / OutSegs over the window. */
static int emit_retrans(NetState *st, const MetricSink *sink) {
        const CounterTable *t = &st->snmp.t;
        uint64_t dr, ds;
        double dt;
        if (!st->snmp.fresh || t->n < 2 || !found2(&st->snmp, SNMP_RETRANS, SNMP_OUT_SEGS) ||
            !counter_table_delta(t, t->n - 1, SNMP_RETRANS, &dr, &dt) ||
            !counter_table_delta(t, t->n - 1, SNMP_OUT_SEGS, &ds, NULL))
                return 0;
        st->retrans += dr, st->out_segs += ds, st->retrans_secs += dt;
        if (ds == 0)
                return 0;
        return network_emit(sink, "tcp", "retrans_pct", "percent", METRIC_WEIGHT_RATIO, 100.0 * (double) dr / (double) ds,
                    (double) ds);
}

/* The gauges read at this sample: sockets (sockstat), established connections (snmp), and the
 * TIME-WAIT of outgoing connections when /proc/net/tcp was scanned. */
static int emit_gauges(NetState *st, const MetricSink *sink) {
        const uint64_t *sock = st->sock.fresh ? counter_table_row(&st->sock.t, st->sock.t.n - 1) : NULL;
        const uint64_t *snmp = st->snmp.fresh ? counter_table_row(&st->snmp.t, st->snmp.t.n - 1) : NULL;
        int r = 0;
        if (snmp && st->snmp.found & (UINT64_C(1) << SNMP_CURR_ESTAB))
                r = network_emit(sink, "tcp", "curr_estab", "count", METRIC_WEIGHT_EQUAL, (double) snmp[SNMP_CURR_ESTAB], 1);
        if (r >= 0 && sock) {
                r = network_emit(sink, "tcp", "time_wait", "count", METRIC_WEIGHT_EQUAL, (double) sock[SOCK_TW], 1);
                r = r ?: network_emit(sink, "tcp", "orphans", "count", METRIC_WEIGHT_EQUAL, (double) sock[SOCK_ORPHAN], 1);
        }
        if (r < 0 || !st->scanned)
                return r;
        double size = (double) (st->port_hi - st->port_lo + 1);
        r = network_emit(sink, "tcp", "time_wait_outgoing", "count", METRIC_WEIGHT_EQUAL, (double) st->scan.time_wait_ephemeral, 1);
        return r ?: network_emit(sink, "tcp", "time_wait_pct_of_port_range", "percent", METRIC_WEIGHT_EQUAL,
                         100.0 * st->scan.busiest.time_wait / size, 1);
}

static const RateSpec ext_rates[] = {
        { EXT_LISTEN_OVERFLOWS, "listen_overflows_per_s", "1/s" },
        { EXT_LISTEN_DROPS, "listen_drops_per_s", "1/s" },
        { EXT_SYNCOOKIES_SENT, "syncookies_sent_per_s", "1/s" },
        { EXT_REQ_Q_FULL_DROP, "req_q_full_drops_per_s", "1/s" },
        { EXT_BACKLOG_DROP, "backlog_drops_per_s", "1/s" },
        { EXT_SYN_RETRANS, "syn_retrans_per_s", "1/s" },
};
static const RateSpec snmp_rates[] = {
        { SNMP_OUT_RSTS, "out_resets_per_s", "1/s" },
        { SNMP_IN_ERRS, "in_errors_per_s", "1/s" },
        { SNMP_ACTIVE_OPENS, "active_opens_per_s", "1/s" },
        { SNMP_PASSIVE_OPENS, "passive_opens_per_s", "1/s" },
        { SNMP_ATTEMPT_FAILS, "attempt_fails_per_s", "1/s" },
};
static const RateSpec udp_rates[] = {
        { SNMP_UDP_IN_ERRORS, "in_errors_per_s", "1/s" },
        { SNMP_UDP_RCVBUF, "rcvbuf_errors_per_s", "1/s" },
        { SNMP_UDP_SNDBUF, "sndbuf_errors_per_s", "1/s" },
        { SNMP_UDP_NO_PORTS, "no_ports_per_s", "1/s" },
};

/* The metrics of the interval that ended at this sample, from the last two rows of each source. */
static int net_interval(void *state, const MetricSink *sink) {
        NetState *st = state;
        int r = emit_interfaces(st, sink);
        r = r ?: emit_rates(&st->ext, "tcp", ext_rates, ELEMENTSOF(ext_rates), sink);
        double v, dt;
        if (r >= 0 && netstat_repeat_timeouts(&st->ext_repeat, &v, &dt))
                r = network_emit(sink, "tcp", "timeouts_per_s", "1/s", METRIC_WEIGHT_TIME, v, dt);
        r = r ?: emit_rates(&st->snmp, "tcp", snmp_rates, ELEMENTSOF(snmp_rates), sink);
        r = r ?: emit_retrans(st, sink);
        r = r ?: emit_gauges(st, sink);
        r = r ?: emit_rates(&st->snmp, "udp", udp_rates, ELEMENTSOF(udp_rates), sink);
        if (r >= 0)
                sum_ext(st);
        return r;
}

static int report_sockets(NetState *st, Report *rep, TcpEvidence *e) {
        if (st->port_error < 0)
                return report_unavailable(rep, "network", "port_range",
                                          "cannot read /proc/sys/net/ipv4/ip_local_port_range: %s%s",
                                          strerror(-st->port_error), source_error_hint(st->port_error));
        double size = (double) (st->port_hi - st->port_lo + 1);
        int r = report_gauge(rep, "network", "tcp", "port_range_size", "count", size);
        if (r >= 0 && st->tcp_error < 0)
                return report_unavailable(rep, "network", "tcp_sockets", "cannot read /proc/net/tcp: %s%s",
                                          strerror(-st->tcp_error), source_error_hint(st->tcp_error));
        if (r < 0 || st->tw_scans == 0)
                return r;
        e->scan = &st->scan;
        e->tw_peak = st->tw_peak;
        e->port_lo = st->port_lo, e->port_hi = st->port_hi;
        return 0;
}

/* Evidence for the UDP buffer findings (rules/findings.conf): the socket buffer caps they quote,
 * when readable. */
static int report_udp(const Sysroot *root, Report *rep) {
        uint64_t rmem, wmem;
        int r = 0;
        if (sysroot_read_u64(root, "proc/sys/net/core/rmem_max", &rmem) >= 0 && rmem <= INT64_MAX)
                r = report_fact(rep, "network", "udp", "rmem_max", json_integer((json_int_t) rmem));
        if (r >= 0 && sysroot_read_u64(root, "proc/sys/net/core/wmem_max", &wmem) >= 0 && wmem <= INT64_MAX)
                r = report_fact(rep, "network", "udp", "wmem_max", json_integer((json_int_t) wmem));
        return r;
}

/* The series come from the stream (net_interval); the findings' evidence from the window totals. */
static int report_tcp(NetState *st, const Sysroot *root, Report *rep) {
        TcpEvidence e = { .root = root, .scan = st->tcp_error < 0 ? NULL : &st->scan };
        e.has_syn_excess = st->syn_excess_secs > 0;
        e.syn_excess = e.has_syn_excess ? st->syn_excess_sum / st->syn_excess_secs : 0;
        e.retrans = st->retrans, e.out_segs = st->out_segs, e.secs = st->retrans_secs;
        e.has_syn_retrans = st->ext.found & (UINT64_C(1) << EXT_SYN_RETRANS);
        e.syn_retrans = e.has_syn_retrans ? st->syn_retrans : 0;
        int r = report_sockets(st, rep, &e);
        r = r ?: tcp_evidence_report(rep, &e);
        r = r ?: report_udp(root, rep);
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
        /* The interfaces' facts first: their objects come before the tcp and udp ones. */
        for (size_t i = 0; r >= 0 && i < st->ifaces.n; i++) {
                const char *name = st->ifaces.obj[i].name;
                char obj[COUNTER_NAME_MAX + 16], dir[96];
                snprintf(obj, sizeof(obj), "interfaces/%s", name);
                snprintf(dir, sizeof(dir), "sys/class/net/%s", name);
                r = network_iface_facts(root, rep, obj, name, network_link_speed(root, dir));
        }
        r = r ?: report_stream_series(rep);
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
        counter_set_free(&st->ifaces);
        free(st->iface);
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
        { "network.tcp.port_range", METRIC_FACT },
        { "network.tcp.listen_drops_beyond_overflows_per_s", METRIC_GAUGE },
        { "network.tcp.retrans_segs", METRIC_GAUGE },
        { "network.tcp.out_segs", METRIC_GAUGE },
        { "network.tcp.out_segs_per_s", METRIC_GAUGE },
        { "network.tcp.syn_retrans_segs", METRIC_GAUGE },
        { "network.tcp.fullest_listener.port", METRIC_FACT },
        { "network.tcp.fullest_listener.peak", METRIC_FACT },
        { "network.tcp.fullest_listener.peak_accept", METRIC_FACT },
        { "network.tcp.fullest_listener.peak_syn", METRIC_FACT },
        { "network.tcp.time_wait_busiest.sockets", METRIC_FACT },
        { "network.tcp.time_wait_busiest.from", METRIC_FACT },
        { "network.tcp.time_wait_busiest.to", METRIC_FACT },
        { "network.tcp.time_wait_busiest.loopback", METRIC_FACT },
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
        .interval = net_interval,
        .report = net_report,
        .close = net_close,
        .metrics = network_metrics,
        .n_metrics = ELEMENTSOF(network_metrics),
};

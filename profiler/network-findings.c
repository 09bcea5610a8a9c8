/* SPDX-License-Identifier: MIT */
/* The network collector's window evidence for the TCP findings of rules/findings.conf: the accept
 * and SYN queues, retransmissions (a symptom of a queue finding when SYN retransmits explain them)
 * and TIME-WAIT port exhaustion.
 *
 * Kernel facts the advice rests on (net/ipv4/tcp_input.c tcp_conn_request, 4.x to 6.x): a SYN is
 * dropped (ListenOverflows) when the accept queue is full, and a listener's SYN queue is full at
 * sk_max_ack_backlog = min(listen() backlog, net.core.somaxconn), after which SYN cookies are sent
 * (tcp_syncookies 1 or 2) or the SYN dropped (TCPReqQFullDrop). tcp_max_syn_backlog only drops
 * SYNs of unknown peers past 3/4 of it, and only with tcp_syncookies 0: raising it alone moves
 * neither queue. */
#include "network-findings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "netdev.h"
#include "safe-text.h"
#include "series.h"
#include "textscan.h"

static int fact_u(Report *rep, const char *object, const char *name, uint64_t v) {
        return report_fact(rep, "network", object, name, json_integer((json_int_t) v));
}

/* The listener whose accept or SYN queue peaked highest over the scans: the cap it hit is its own
 * backlog when the peak stayed below somaxconn (the tcp-listen-* findings say which). */
static int report_listener(Report *rep, const TcpEvidence *e) {
        const TcpListenPort *lp = e->scan ? tcp_scan_fullest_listener(e->scan) : NULL;
        uint32_t peak = lp ? MAX(lp->peak_accept, lp->peak_syn) : 0;
        if (peak == 0)
                return 0;
        int r = fact_u(rep, "tcp/fullest_listener", "port", lp->port);
        r = r ?: fact_u(rep, "tcp/fullest_listener", "peak", peak);
        r = r ?: fact_u(rep, "tcp/fullest_listener", "peak_accept", lp->peak_accept);
        return r ?: fact_u(rep, "tcp/fullest_listener", "peak_syn", lp->peak_syn);
}

/* The destination with the most TIME-WAIT sockets of outgoing connections, at the fullest scan. */
static int report_time_wait(Report *rep, const TcpEvidence *e) {
        char dst[64], src[64], range[48];
        static const uint8_t v6_loopback[16] = { [15] = 1 };
        if (!e->scan || e->tw_peak.time_wait == 0)
                return 0;
        tcp_endpoint_format(e->tw_peak.v6, e->tw_peak.remote, e->tw_peak.remote_port, dst, sizeof(dst));
        tcp_endpoint_format(e->tw_peak.v6, e->tw_peak.local, 0, src, sizeof(src));
        *strrchr(src, ':') = '\0';
        snprintf(range, sizeof(range), "%llu-%llu", (unsigned long long) e->port_lo, (unsigned long long) e->port_hi);
        /* connect() may reuse a port of this destination in TIME-WAIT with tcp_tw_reuse 2 on loopback. */
        bool loopback = e->tw_peak.v6 ? memcmp(e->tw_peak.remote, v6_loopback, 16) == 0 : e->tw_peak.remote[0] == 127;
        int r = report_fact(rep, "network", "tcp", "port_range", json_string(range));
        r = r ?: fact_u(rep, "tcp/time_wait_busiest", "sockets", e->tw_peak.time_wait);
        r = r ?: report_fact(rep, "network", "tcp/time_wait_busiest", "from", json_string(src));
        r = r ?: report_fact(rep, "network", "tcp/time_wait_busiest", "to", json_string(dst));
        return r ?: report_fact(rep, "network", "tcp/time_wait_busiest", "loopback", json_boolean(loopback));
}

/* Retransmissions over the whole window: the totals of RetransSegs and OutSegs, the rate of the
 * segments sent (the finding needs enough traffic for the ratio to mean something), and how many of
 * the retransmits were SYNs (TCPSynRetrans, a subset). */
static int report_retrans(Report *rep, const TcpEvidence *e) {
        if (e->out_segs == 0 || e->secs <= 0)
                return 0;
        int r = report_gauge(rep, "network", "tcp", "retrans_segs", "count", (double) e->retrans);
        r = r ?: report_gauge(rep, "network", "tcp", "out_segs", "count", (double) e->out_segs);
        r = r ?: report_gauge(rep, "network", "tcp", "out_segs_per_s", "1/s", (double) e->out_segs / e->secs);
        if (r >= 0 && e->has_syn_retrans)
                r = report_gauge(rep, "network", "tcp", "syn_retrans_segs", "count",
                                 (double) MIN(e->syn_retrans, e->retrans));
        return r;
}

int tcp_evidence_report(Report *rep, const TcpEvidence *e) {
        int r = report_retrans(rep, e);
        if (r >= 0 && e->has_syn_excess)
                r = report_gauge(rep, "network", "tcp", "listen_drops_beyond_overflows_per_s", "1/s", e->syn_excess);
        r = r ?: report_listener(rep, e);
        return r ?: report_time_wait(rep, e);
}

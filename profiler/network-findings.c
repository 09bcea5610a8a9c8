/* SPDX-License-Identifier: MIT */
/* Kernel facts the advice rests on (net/ipv4/tcp_input.c tcp_conn_request, 4.x to 6.x): a SYN is
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

const char *sysctl_now(const Sysroot *root, const char *rel, char *buf, size_t size) {
        _cleanup_free_ char *line = NULL;
        if (sysroot_read_line(root, rel, &line) < 0 || isempty(line))
                return "unknown";
        snprintf(buf, size, "%s", line);
        return buf;
}

/* Which limit the fullest listener hit: its own backlog when its queue peaked below somaxconn. */
static const char *listener_cap(const TcpEvidence *e, char *buf, size_t size) {
        const TcpListenPort *lp = e->scan ? tcp_scan_fullest_listener(e->scan) : NULL;
        uint64_t somaxconn;
        uint32_t peak = lp ? MAX(lp->peak_accept, lp->peak_syn) : 0;
        if (peak == 0 || sysroot_read_u64(e->root, "proc/sys/net/core/somaxconn", &somaxconn) < 0) {
                snprintf(buf, size, "the application's backlog is the cap when it is below somaxconn");
                return buf;
        }
        if (peak < somaxconn)
                snprintf(buf, size, "port %u queued at most %u (accept queue %u, SYN queue %u per socket in "
                         "/proc/net/tcp), under somaxconn %llu: the application's own listen() backlog is the "
                         "cap, raise it there (nginx: listen ... backlog=N)", (unsigned) lp->port, peak,
                         lp->peak_accept, lp->peak_syn, (unsigned long long) somaxconn);
        else
                snprintf(buf, size, "port %u queued %u (/proc/net/tcp): somaxconn %llu is the cap",
                         (unsigned) lp->port, peak, (unsigned long long) somaxconn);
        return buf;
}

static int syn_queue_finding(Report *rep, const TcpEvidence *e, const char **ret_metric) {
        const char *metric = "network.tcp.listen_drops_per_s";
        double worst = e->syn_excess;
        if (e->reqq > worst)
                metric = "network.tcp.req_q_full_drops_per_s", worst = e->reqq;
        if (e->cookies > worst)
                metric = "network.tcp.syncookies_sent_per_s", worst = e->cookies;
        char som[64], syn[64], cookies[16], cap[256];
        *ret_metric = metric;
        return report_finding(rep, FINDING_SATURATION, SEVERITY_WARNING, "network", metric, worst, 0,
                              "the SYN queue overflowed: %.2f SYNs/s dropped at LISTEN beyond accept-queue "
                              "overflows, %.2f/s TCPReqQFullDrop, %.2f/s SYN cookies sent (/proc/net/netstat, "
                              "threshold 0): a listener's SYN queue is capped by min(its listen() backlog, "
                              "net.core.somaxconn (now %s)), so raise somaxconn and the application's backlog; "
                              "%s. net.ipv4.tcp_max_syn_backlog (now %s) matters only with net.ipv4.tcp_syncookies "
                              "0 (now %s); if it is a SYN flood, keep syncookies on",
                              e->syn_excess, e->reqq, e->cookies,
                              sysctl_now(e->root, "proc/sys/net/core/somaxconn", som, sizeof(som)),
                              listener_cap(e, cap, sizeof(cap)),
                              sysctl_now(e->root, "proc/sys/net/ipv4/tcp_max_syn_backlog", syn, sizeof(syn)),
                              sysctl_now(e->root, "proc/sys/net/ipv4/tcp_syncookies", cookies, sizeof(cookies)));
}

int tcp_queue_findings(Report *rep, const TcpEvidence *e, const char **ret_cause) {
        char now[64], cap[256];
        int r = 0;
        *ret_cause = NULL;
        if (e->overflows > 0) {
                r = report_finding(rep, FINDING_SATURATION, SEVERITY_WARNING, "network", "network.tcp.listen_overflows_per_s",
                                   e->overflows, 0,
                                   "%.2f connections/s found a full accept queue (TcpExt ListenOverflows in "
                                   "/proc/net/netstat, threshold 0): raise net.core.somaxconn (now %s) and the "
                                   "application's listen() backlog, which somaxconn caps, or make it accept faster; %s",
                                   e->overflows, sysctl_now(e->root, "proc/sys/net/core/somaxconn", now, sizeof(now)),
                                   listener_cap(e, cap, sizeof(cap)));
                *ret_cause = "network.tcp.listen_overflows_per_s";
        }
        if (r >= 0 && (e->syn_excess > 0 || e->reqq > 0 || e->cookies > 0)) {
                const char *metric;
                r = syn_queue_finding(rep, e, &metric);
                if (!*ret_cause && e->syn_excess + e->reqq > 0)
                        *ret_cause = metric;     /* cookies alone drop nothing: no client retries */
        }
        return r;
}

int tcp_retrans_finding(Report *rep, const TcpEvidence *e, const char *cause) {
        if (e->out_segs == 0 || e->secs <= 0)
                return 0;
        /* Over the whole window, and only with enough traffic for the ratio to mean something. */
        double pct = 100.0 * (double) e->retrans / (double) e->out_segs, rate = (double) e->out_segs / e->secs;
        if (pct < 1 || rate < 100)
                return 0;
        FindingSeverity sev = pct >= 5 ? SEVERITY_CRITICAL : SEVERITY_WARNING;
        uint64_t syn = e->has_syn_retrans ? MIN(e->syn_retrans, e->retrans) : 0;
        double rest = 100.0 * (double) (e->retrans - syn) / (double) e->out_segs;
        if (cause && syn > 0 && rest < 1) {
                /* The listen queue drops SYNs; the clients retransmit them: a symptom of that finding. */
                int r = report_finding(rep, FINDING_ERRORS, sev, "network", "network.tcp.retrans_pct", pct, 1,
                                       "%.2f%% of TCP segments sent were retransmissions (RetransSegs/OutSegs in "
                                       "/proc/net/snmp, %.0f segments/s; threshold 1%%), but %llu of the %llu were "
                                       "SYN retransmits (TcpExt TCPSynRetrans) of connections the full listen queue "
                                       "dropped: a symptom of %s, not loss on the path (the rest is %.2f%%)",
                                       pct, rate, (unsigned long long) syn, (unsigned long long) e->retrans, cause, rest);
                return r < 0 ? r : report_finding_cause(rep, cause);
        }
        char part[128] = "";
        if (syn > 0)
                snprintf(part, sizeof(part), "; %llu of the %llu were SYN retransmits (TcpExt TCPSynRetrans)",
                         (unsigned long long) syn, (unsigned long long) e->retrans);
        return report_finding(rep, FINDING_ERRORS, sev, "network", "network.tcp.retrans_pct", pct, 1,
                              "%.2f%% of TCP segments sent were retransmissions (RetransSegs/OutSegs in "
                              "/proc/net/snmp, %.0f segments/s; threshold 1%%): packet loss on the path or an "
                              "overloaded peer%s",
                              pct, rate, part);
}

/* Whether connect() may take a port of this destination that is in TIME-WAIT (tcp_tw_reuse 1, or 2
 * for loopback, the default since 4.19; both need TCP timestamps). */
static bool tw_reusable(const TcpEvidence *e, char *buf, size_t size) {
        uint64_t reuse, ts;
        if (sysroot_read_u64(e->root, "proc/sys/net/ipv4/tcp_tw_reuse", &reuse) < 0 ||
            sysroot_read_u64(e->root, "proc/sys/net/ipv4/tcp_timestamps", &ts) < 0 || ts == 0)
                return false;
        static const uint8_t v6_loopback[16] = { [15] = 1 };
        bool loopback = e->tw_peak.v6 ? memcmp(e->tw_peak.remote, v6_loopback, 16) == 0 : e->tw_peak.remote[0] == 127;
        if (reuse != 1 && !(reuse == 2 && loopback))
                return false;
        snprintf(buf, size, "; net.ipv4.tcp_tw_reuse %llu lets connect() reuse them (TCP timestamps are on), so "
                 "they are not exhausted", (unsigned long long) reuse);
        return true;
}

int tcp_time_wait_finding(Report *rep, const TcpEvidence *e) {
        double size = (double) (e->port_hi - e->port_lo + 1);
        double pct = 100.0 * e->tw_peak.time_wait / size;
        if (!e->scan || pct < 50)
                return 0;
        char dst[64], src[64], fails[96], reuse[128] = "";
        tcp_endpoint_format(e->tw_peak.v6, e->tw_peak.remote, e->tw_peak.remote_port, dst, sizeof(dst));
        tcp_endpoint_format(e->tw_peak.v6, e->tw_peak.local, 0, src, sizeof(src));
        *strrchr(src, ':') = '\0';
        /* Exhaustion is a risk until connects fail: rank it with the errors only then. */
        bool failing = e->attempt_fails > 0;
        if (failing)
                snprintf(fails, sizeof(fails), "%.2f connects/s failed in the window (Tcp AttemptFails)",
                         e->attempt_fails);
        else
                snprintf(fails, sizeof(fails), "no connect failed in the window%s",
                         e->attempt_fails < 0 ? " that the kernel counted" : " (Tcp AttemptFails unchanged)");
        bool reusable = tw_reusable(e, reuse, sizeof(reuse));
        FindingSeverity sev = failing && pct >= 90 ? SEVERITY_CRITICAL : reusable && !failing ? SEVERITY_INFO : SEVERITY_WARNING;
        return report_finding(rep, failing ? FINDING_ERRORS : FINDING_SATURATION, sev, "network",
                              "network.tcp.time_wait_pct_of_port_range", pct, 50,
                              "up to %u TIME-WAIT sockets of outgoing connections from %s to %s (/proc/net/tcp), "
                              "%.0f%% of the %.0f ephemeral ports (threshold 50%%); %s%s: new connects to it fail "
                              "with EADDRNOTAVAIL once all are used; widen net.ipv4.ip_local_port_range (now "
                              "%llu-%llu) or reuse connections",
                              e->tw_peak.time_wait, src, dst, pct, size, fails, reuse, (unsigned long long) e->port_lo,
                              (unsigned long long) e->port_hi);
}

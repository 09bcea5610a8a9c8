/* SPDX-License-Identifier: MIT */
/* Findings of the network collector, from what it measured over the window: interface errors and
 * drops, the accept and SYN queues (with the listeners seen in /proc/net/tcp), retransmissions
 * (attributed to the queues when SYN retransmits explain them) and TIME-WAIT port exhaustion per
 * destination. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report.h"
#include "sysroot.h"
#include "tcp-socket-scan.h"

typedef struct TcpEvidence {
        const Sysroot *root;
        /* Per second over the window (/proc/net/netstat); a missing counter reads 0. */
        double overflows, syn_excess, reqq, cookies;
        /* Totals over the window: RetransSegs, OutSegs (snmp), TCPSynRetrans (netstat). */
        uint64_t retrans, out_segs, syn_retrans;
        double secs;
        bool has_syn_retrans;
        double attempt_fails;           /* Tcp AttemptFails per second; < 0 when unknown */
        /* TIME-WAIT of outgoing connections: the busiest destination's peak over the scans. */
        const TcpScan *scan;            /* NULL when /proc/net/tcp was never scanned */
        TcpDestination tw_peak;
        uint64_t port_lo, port_hi;
} TcpEvidence;


/* The current value of a sysctl for a message ("unknown" when unreadable). */
const char *sysctl_now(const Sysroot *root, const char *rel, char *buf, size_t size);

/* Accept-queue overflow and SYN-queue findings; *ret_cause is the metric of the one that explains
 * SYN retransmits (NULL when none fired). */
int tcp_queue_findings(Report *rep, const TcpEvidence *e, const char **ret_cause);
/* Retransmissions over the window, attributed to cause (a queue finding's metric, or NULL). */
int tcp_retrans_finding(Report *rep, const TcpEvidence *e, const char *cause);
/* TIME-WAIT sockets of one destination against the ephemeral port range. */
int tcp_time_wait_finding(Report *rep, const TcpEvidence *e);

/* SPDX-License-Identifier: MIT */
/* What the network collector measured over the window for its findings: the evidence the rules of
 * the accept and SYN queues, retransmissions and TIME-WAIT port exhaustion read
 * (rules/findings.conf). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report.h"
#include "sysroot.h"
#include "tcp-socket-scan.h"

typedef struct TcpEvidence {
        const Sysroot *root;
        /* SYNs dropped at LISTEN beyond the accept-queue overflows, per second over the window. */
        double syn_excess;
        bool has_syn_excess;            /* ListenDrops and ListenOverflows were both read */
        /* Totals over the window: RetransSegs, OutSegs (snmp), TCPSynRetrans (netstat). */
        uint64_t retrans, out_segs, syn_retrans;
        double secs;
        bool has_syn_retrans;
        /* TIME-WAIT of outgoing connections: the busiest destination's peak over the scans. */
        const TcpScan *scan;            /* NULL when /proc/net/tcp was never scanned */
        TcpDestination tw_peak;
        uint64_t port_lo, port_hi;
} TcpEvidence;


/* The evidence the TCP findings of rules/findings.conf read (the sysctls their advice quotes are the
 * profile's tunables.sysctl.*): SYNs dropped at LISTEN beyond accept-queue overflows, the window's
 * retransmissions (network.tcp.retrans_segs, out_segs, out_segs_per_s, syn_retrans_segs), the fullest
 * listener (network.tcp.fullest_listener) and the busiest TIME-WAIT destination
 * (network.tcp.time_wait_busiest, network.tcp.port_range). */
int tcp_evidence_report(Report *rep, const TcpEvidence *e);

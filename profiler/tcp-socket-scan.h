/* SPDX-License-Identifier: MIT */
/* What one pass over /proc/net/tcp and tcp6 says about port exhaustion and listen queues:
 *  - TIME-WAIT sockets of outgoing connections: local port in the ephemeral range and not a port
 *    something listens on (an accepted connection keeps the listener's port). connect() can reuse a
 *    local port for another destination, so what runs out is the ports per (local address, remote
 *    address, remote port): the busiest such destination is kept.
 *  - per listening port: its accept queue length (the largest of its sockets) and the handshakes in
 *    its SYN queue, with their peaks over all scans.
 * The kernel lists the listening sockets of a file before the others (tcp_get_idx walks the
 * listening hash first), so a listener is known before the connections on its port. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proc-net-tcp.h"

typedef struct TcpDestination {
        bool used, v6;
        uint8_t local[16], remote[16];
        uint16_t remote_port;
        uint32_t time_wait;
} TcpDestination;

typedef struct TcpListenPort {
        uint16_t port;
        uint32_t sockets, accept_queue, syn_queue;     /* this scan */
        uint32_t peak_accept, peak_syn;                /* over all scans; syn per listening socket */
} TcpListenPort;

/* Destinations tracked per scan, and listening ports over the window: bounded memory. */
#define TCP_SCAN_MAX_DESTINATIONS 65536
#define TCP_SCAN_MAX_LISTEN_PORTS 4096

typedef struct TcpScan {
        uint16_t port_lo, port_hi;
        uint64_t listening[65536 / 64];        /* bit per port, this scan */
        TcpDestination *dest;                  /* open addressing, dest_cap a power of two */
        size_t dest_cap, dest_n;
        uint16_t *port_slot;                   /* 65536 entries: index + 1 into lp, 0 = none */
        TcpListenPort *lp;
        size_t lp_n, lp_cap;
        char *buf;                             /* the read buffer */
        /* The last scan. */
        uint64_t time_wait, time_wait_ephemeral, untracked, bad;
        bool truncated;
        TcpDestination busiest;
} TcpScan;

void tcp_scan_init(TcpScan *s, uint16_t port_lo, uint16_t port_hi);
void tcp_scan_free(TcpScan *s);
/* One scan of the open files fds[0..n) (tcp, tcp6; -1 for one that is missing). */
int tcp_scan_files(TcpScan *s, const int *fds, size_t n);
/* The listening port with the fullest queue over the window (by its peaks), or NULL. */
const TcpListenPort *tcp_scan_fullest_listener(const TcpScan *s);
/* "127.0.0.1:8080" or "[::1]:8080". */
void tcp_endpoint_format(bool v6, const uint8_t addr[16], uint16_t port, char *buf, size_t size);

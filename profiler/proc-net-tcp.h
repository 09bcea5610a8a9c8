/* SPDX-License-Identifier: MIT */
/* Parser of /proc/net/tcp and /proc/net/tcp6: a header line, then one socket per line
 *   "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000003 00:00000000 00000000  0  0 12345 ..."
 * (sl, local address:port, remote address:port, state, tx_queue:rx_queue, ...). Addresses are the
 * kernel's 32-bit words printed in hex in host byte order (%08X of a __be32, four of them for IPv6),
 * ports are hex numbers. For a listener (state 0A) rx_queue is its accept queue length
 * (sk_ack_backlog, not its limit); the handshakes waiting in its SYN queue are listed as SYN_RECV
 * (03) lines with its local address and port. The files are megabytes on a host with 100 000
 * sockets: proc_net_tcp_stream reads them in fixed-size chunks and never holds the whole file. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
        TCP_STATE_ESTABLISHED = 0x01,
        TCP_STATE_SYN_RECV = 0x03,
        TCP_STATE_TIME_WAIT = 0x06,
        TCP_STATE_LISTEN = 0x0A,
};

typedef struct TcpSocketLine {
        bool v6;                        /* an IPv6 address; v4-mapped ones (::ffff:a.b.c.d) are IPv4 */
        uint8_t local[16], remote[16];  /* network byte order; IPv4 in the first 4 bytes, the rest 0 */
        uint16_t local_port, remote_port;
        uint8_t state;
        uint32_t tx_queue, rx_queue;
} TcpSocketLine;

/* One line (without its '\n'): 1 and *ret for a socket, 0 for the header, -EBADMSG otherwise. */
int proc_net_tcp_line(const char *line, size_t len, TcpSocketLine *ret);

typedef int (*TcpSocketFn)(const TcpSocketLine *s, void *userdata);

typedef struct TcpStreamStats {
        uint64_t sockets, bad;          /* lines given to fn, lines that did not parse */
        bool truncated;                 /* stopped at max_lines */
} TcpStreamStats;

/* The most lines read from one file in one scan: bounds the work on a host with very many sockets. */
#define PROC_NET_TCP_MAX_LINES 1000000

/* Read the open file fd from offset 0 in chunks of buf (size >= 512), calling fn for every socket
 * line, at most max_lines lines. A line longer than buf counts as bad. fn's negative return stops
 * the read and is returned; a read error is returned as a negative errno. */
int proc_net_tcp_stream(int fd, char *buf, size_t size, uint64_t max_lines, TcpSocketFn fn, void *userdata,
                        TcpStreamStats *stats);

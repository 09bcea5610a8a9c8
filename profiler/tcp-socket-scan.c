/* SPDX-License-Identifier: MIT */
#include "tcp-socket-scan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "macro.h"
#include "series.h"

#define SCAN_BUF_SIZE (64 * 1024)

void tcp_scan_init(TcpScan *s, uint16_t port_lo, uint16_t port_hi) {
        *s = (TcpScan) { .port_lo = port_lo, .port_hi = port_hi };
}

void tcp_scan_free(TcpScan *s) {
        free(s->dest);
        free(s->port_slot);
        free(s->lp);
        free(s->buf);
        *s = (TcpScan) {};
}

static uint64_t dest_hash(const TcpDestination *d) {
        uint64_t h = 1469598103934665603ull;    /* FNV-1a */
        const uint8_t *parts[] = { d->local, d->remote };
        for (size_t p = 0; p < 2; p++)
                for (size_t i = 0; i < 16; i++)
                        h = (h ^ parts[p][i]) * 1099511628211ull;
        h = (h ^ d->remote_port) * 1099511628211ull;
        return h ^ d->v6;
}

static bool dest_same(const TcpDestination *a, const TcpDestination *b) {
        return a->v6 == b->v6 && a->remote_port == b->remote_port && memcmp(a->local, b->local, 16) == 0 &&
               memcmp(a->remote, b->remote, 16) == 0;
}

static TcpDestination *dest_slot(TcpDestination *table, size_t cap, const TcpDestination *key) {
        size_t i = (size_t) dest_hash(key) & (cap - 1);
        while (table[i].used && !dest_same(&table[i], key))
                i = (i + 1) & (cap - 1);
        return &table[i];
}

/* Keep the table at most half full; past TCP_SCAN_MAX_DESTINATIONS, new destinations go uncounted. */
static int dest_grow(TcpScan *s) {
        if (s->dest && 2 * (s->dest_n + 1) <= s->dest_cap)
                return 0;
        size_t ncap = s->dest_cap ? 2 * s->dest_cap : 1024;
        if (ncap > 2 * TCP_SCAN_MAX_DESTINATIONS)
                return -ENOSPC;
        TcpDestination *t = calloc(ncap, sizeof(*t));
        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < s->dest_cap; i++)
                if (s->dest[i].used)
                        *dest_slot(t, ncap, &s->dest[i]) = s->dest[i];
        free(s->dest);
        s->dest = t;
        s->dest_cap = ncap;
        return 0;
}

static int add_time_wait(TcpScan *s, const TcpSocketLine *l) {
        s->time_wait++;
        if (l->local_port < s->port_lo || l->local_port > s->port_hi ||
            s->listening[l->local_port / 64] & (UINT64_C(1) << (l->local_port % 64)))
                return 0;
        s->time_wait_ephemeral++;
        TcpDestination key = { .used = true, .v6 = l->v6, .remote_port = l->remote_port };
        memcpy(key.local, l->local, 16);
        memcpy(key.remote, l->remote, 16);
        TcpDestination *d = s->dest ? dest_slot(s->dest, s->dest_cap, &key) : NULL;
        if (!d || !d->used) {
                int r = dest_grow(s);
                if (r == -ENOSPC) {
                        s->untracked++;
                        return 0;
                }
                if (r < 0)
                        return r;
                d = dest_slot(s->dest, s->dest_cap, &key);
                *d = key;
                s->dest_n++;
        }
        d->time_wait++;
        return 0;
}

static TcpListenPort *listen_port(TcpScan *s, uint16_t port, bool add) {
        if (s->port_slot[port])
                return &s->lp[s->port_slot[port] - 1];
        if (!add || s->lp_n >= TCP_SCAN_MAX_LISTEN_PORTS ||
            array_reserve((void **) &s->lp, &s->lp_cap, s->lp_n, sizeof(TcpListenPort)) < 0)
                return NULL;
        s->lp[s->lp_n] = (TcpListenPort) { .port = port };
        s->port_slot[port] = (uint16_t) ++s->lp_n;
        return &s->lp[s->lp_n - 1];
}

static int add_socket(const TcpSocketLine *l, void *userdata) {
        TcpScan *s = userdata;
        TcpListenPort *lp;
        switch (l->state) {
        case TCP_STATE_LISTEN:
                s->listening[l->local_port / 64] |= UINT64_C(1) << (l->local_port % 64);
                if ((lp = listen_port(s, l->local_port, true))) {
                        lp->sockets++;
                        lp->accept_queue = MAX(lp->accept_queue, l->rx_queue);
                }
                return 0;
        case TCP_STATE_SYN_RECV:
                if ((lp = listen_port(s, l->local_port, false)) && lp->sockets > 0)
                        lp->syn_queue++;
                return 0;
        case TCP_STATE_TIME_WAIT:
                return add_time_wait(s, l);
        default:
                return 0;
        }
}

static void scan_begin(TcpScan *s) {
        memset(s->listening, 0, sizeof(s->listening));
        if (s->dest)
                memset(s->dest, 0, s->dest_cap * sizeof(*s->dest));
        s->dest_n = 0;
        for (size_t i = 0; i < s->lp_n; i++)
                s->lp[i].sockets = s->lp[i].accept_queue = s->lp[i].syn_queue = 0;
        s->time_wait = s->time_wait_ephemeral = s->untracked = s->bad = 0;
        s->truncated = false;
        s->busiest = (TcpDestination) {};
}

static void scan_end(TcpScan *s) {
        for (size_t i = 0; i < s->dest_cap; i++)
                if (s->dest[i].used && s->dest[i].time_wait > s->busiest.time_wait)
                        s->busiest = s->dest[i];
        for (size_t i = 0; i < s->lp_n; i++) {
                TcpListenPort *lp = &s->lp[i];
                lp->peak_accept = MAX(lp->peak_accept, lp->accept_queue);
                if (lp->sockets > 0)
                        lp->peak_syn = MAX(lp->peak_syn, lp->syn_queue / lp->sockets);
        }
}

int tcp_scan_files(TcpScan *s, const int *fds, size_t n) {
        if (!s->buf && !(s->buf = malloc(SCAN_BUF_SIZE)))
                return -ENOMEM;
        if (!s->port_slot && !(s->port_slot = calloc(65536, sizeof(uint16_t))))
                return -ENOMEM;
        scan_begin(s);
        for (size_t i = 0; i < n; i++) {
                if (fds[i] < 0)
                        continue;
                TcpStreamStats st;
                int r = proc_net_tcp_stream(fds[i], s->buf, SCAN_BUF_SIZE, PROC_NET_TCP_MAX_LINES, add_socket, s, &st);
                if (r < 0)
                        return r;
                s->bad += st.bad;
                s->truncated |= st.truncated;
        }
        scan_end(s);
        return 0;
}

const TcpListenPort *tcp_scan_fullest_listener(const TcpScan *s) {
        const TcpListenPort *best = NULL;
        for (size_t i = 0; i < s->lp_n; i++) {
                const TcpListenPort *lp = &s->lp[i];
                if (!best || MAX(lp->peak_accept, lp->peak_syn) > MAX(best->peak_accept, best->peak_syn))
                        best = lp;
        }
        return best;
}

void tcp_endpoint_format(bool v6, const uint8_t addr[16], uint16_t port, char *buf, size_t size) {
        char a[INET6_ADDRSTRLEN] = "?";
        (void) inet_ntop(v6 ? AF_INET6 : AF_INET, addr, a, sizeof(a));
        snprintf(buf, size, v6 ? "[%s]:%u" : "%s:%u", a, (unsigned) port);
}

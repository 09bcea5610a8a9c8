/* SPDX-License-Identifier: MIT */
#include "proc-net-tcp.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "textscan.h"

/* Exactly n hex digits (n <= 8) at p. */
static bool hex_u32(const char *p, size_t n, uint32_t *ret) {
        uint32_t v = 0;
        for (size_t i = 0; i < n; i++) {
                int d = hex_digit(p[i]);
                if (d < 0)
                        return false;
                v = v << 4 | (uint32_t) d;
        }
        *ret = v;
        return true;
}

/* "ADDR:PORT" with ADDR 8 (IPv4) or 32 (IPv6) hex digits and PORT 4. */
static bool parse_endpoint(Scan w, uint8_t addr[16], uint16_t *port, bool *v6) {
        size_t n = scan_len(w);
        if (n != 8 + 1 + 4 && n != 32 + 1 + 4)
                return false;
        size_t alen = n - 5;
        if (w.p[alen] != ':')
                return false;
        memset(addr, 0, 16);
        for (size_t i = 0; i < alen / 8; i++) {
                uint32_t word;
                if (!hex_u32(w.p + 8 * i, 8, &word))
                        return false;
                /* The kernel printed the word of a __be32 as a host integer: its bytes in memory are
                 * the address in network order. */
                memcpy(addr + 4 * i, &word, 4);
        }
        uint32_t p;
        if (!hex_u32(w.p + alen + 1, 4, &p))
                return false;
        *port = (uint16_t) p;
        *v6 = alen == 32;
        return true;
}

/* ::ffff:a.b.c.d is an IPv4 connection of a dual-stack socket: it shares IPv4's ports. */
static void unmap_v4(uint8_t addr[16], bool *v6) {
        static const uint8_t prefix[12] = { [10] = 0xff, [11] = 0xff };
        if (!*v6 || memcmp(addr, prefix, sizeof(prefix)) != 0)
                return;
        memmove(addr, addr + 12, 4);
        memset(addr + 4, 0, 12);
        *v6 = false;
}

int proc_net_tcp_line(const char *line, size_t len, TcpSocketLine *ret) {
        Scan s = scan_init(line, len), w;
        if (!scan_word(&s, &w))
                return -EBADMSG;
        if (scan_eq(w, "sl"))
                return 0;
        if (scan_len(w) < 2 || w.end[-1] != ':')
                return -EBADMSG;
        TcpSocketLine l = {};
        bool v6_remote;
        Scan local, remote, st, queues;
        if (!scan_word(&s, &local) || !scan_word(&s, &remote) || !scan_word(&s, &st) || !scan_word(&s, &queues))
                return -EBADMSG;
        if (!parse_endpoint(local, l.local, &l.local_port, &l.v6) ||
            !parse_endpoint(remote, l.remote, &l.remote_port, &v6_remote) || v6_remote != l.v6)
                return -EBADMSG;
        uint32_t state;
        if (scan_len(st) != 2 || !hex_u32(st.p, 2, &state))
                return -EBADMSG;
        l.state = (uint8_t) state;
        if (scan_len(queues) != 17 || queues.p[8] != ':' || !hex_u32(queues.p, 8, &l.tx_queue) ||
            !hex_u32(queues.p + 9, 8, &l.rx_queue))
                return -EBADMSG;
        unmap_v4(l.local, &l.v6);
        unmap_v4(l.remote, &v6_remote);
        if (v6_remote != l.v6)
                return -EBADMSG;        /* one end mapped, the other not: not a real socket */
        *ret = l;
        return 1;
}

/* Hand every complete line of buf[0..n) to fn; returns the bytes consumed, or a negative errno. */
static ssize_t feed_lines(const char *buf, size_t n, bool eof, uint64_t max_lines, TcpSocketFn fn, void *userdata,
                          TcpStreamStats *st, uint64_t *lines) {
        size_t off = 0;
        while (off < n && *lines < max_lines) {
                const char *nl = memchr(buf + off, '\n', n - off);
                if (!nl && !eof)
                        break;
                size_t len = nl ? (size_t) (nl - (buf + off)) : n - off;
                TcpSocketLine l;
                int r = proc_net_tcp_line(buf + off, len, &l);
                off += len + (nl ? 1 : 0);
                (*lines)++;
                if (r < 0 && len > 0)
                        st->bad++;
                if (r <= 0)
                        continue;
                st->sockets++;
                r = fn(&l, userdata);
                if (r < 0)
                        return r;
        }
        return (ssize_t) off;
}

int proc_net_tcp_stream(int fd, char *buf, size_t size, uint64_t max_lines, TcpSocketFn fn, void *userdata,
                        TcpStreamStats *stats) {
        TcpStreamStats st = {};
        uint64_t lines = 0;
        size_t have = 0;
        off_t pos = 0;
        bool skipping = false;          /* inside a line longer than buf */
        if (size < 512)
                return -EINVAL;
        for (;;) {
                ssize_t k = pread(fd, buf + have, size - have, pos);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                pos += k;
                have += (size_t) k;
                bool eof = k == 0;
                if (skipping) {
                        const char *nl = memchr(buf, '\n', have);
                        size_t drop = nl ? (size_t) (nl - buf) + 1 : have;
                        memmove(buf, buf + drop, have - drop);
                        have -= drop;
                        skipping = !nl && !eof;
                }
                ssize_t used = feed_lines(buf, have, eof, max_lines, fn, userdata, &st, &lines);
                if (used < 0)
                        return (int) used;
                memmove(buf, buf + used, have - (size_t) used);
                have -= (size_t) used;
                if (lines >= max_lines) {
                        st.truncated = !eof || have > 0;
                        break;
                }
                if (eof)
                        break;
                if (have == size) {
                        /* No newline in a whole buffer: not a line of this file. */
                        st.bad++;
                        have = 0;
                        skipping = true;
                }
        }
        *stats = st;
        return 0;
}

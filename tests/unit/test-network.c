/* SPDX-License-Identifier: MIT */
/* /proc/net/dev, /proc/net/snmp + netstat and sockstat parsers, and the network collector against the
 * net-idle fixture with counters rewritten between samples. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "netdev.h"
#include "netstat.h"
#include "profiler.h"
#include "scenario.h"

static const char dev_text[] =
        "Inter-|   Receive                                                |  Transmit\n"
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
        "    lo:    3267      29    0    0    0     0          0         0     3267      29    0    0    0     0       0          0\n"
        "  eth0:12345678901   713    1    2    3     4          5         6    43373     549    7    8    9    10      11         12\n";

static void test_netdev_parse(void **state) {
        Scan s = scan_init(dev_text, strlen(dev_text));
        NetDevLine l;
        assert_int_equal(netdev_next(&s, &l), 1);
        assert_true(scan_eq(l.name, "lo"));
        assert_int_equal(l.v[NETDEV_RX_BYTES], 3267);
        assert_int_equal(l.v[NETDEV_TX_PACKETS], 29);
        assert_int_equal(netdev_next(&s, &l), 1);
        assert_true(scan_eq(l.name, "eth0"));
        assert_true(l.v[NETDEV_RX_BYTES] == 12345678901ull);   /* no blank after the ':' */
        assert_int_equal(l.v[NETDEV_RX_ERRS], 1);
        assert_int_equal(l.v[NETDEV_RX_DROP], 2);
        assert_int_equal(l.v[NETDEV_TX_ERRS], 7);
        assert_int_equal(l.v[NETDEV_TX_DROP], 8);
        assert_int_equal(l.v[NETDEV_TX_COMPRESSED], 12);
        assert_int_equal(netdev_next(&s, &l), 0);
}

static void test_netdev_malformed(void **state) {
        NetDevLine l;
        Scan s = scan_init("", 0);
        assert_int_equal(netdev_next(&s, &l), 0);
        /* A bad line is an error, and the next call continues after it. */
        const char bad[] = "a: 1 2 x\n: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\nb: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n";
        s = scan_init(bad, strlen(bad));
        assert_int_equal(netdev_next(&s, &l), -EBADMSG);
        assert_int_equal(netdev_next(&s, &l), -EBADMSG);
        assert_int_equal(netdev_next(&s, &l), 1);
        assert_true(scan_eq(l.name, "b"));
        assert_int_equal(l.v[15], 16);
        /* Truncated at every byte: never more lines than there are, a cut line is an error. */
        for (size_t n = 0; n < strlen(dev_text); n++) {
                s = scan_init(dev_text, n);
                int r, lines = 0;
                while ((r = netdev_next(&s, &l)) != 0)
                        lines += r > 0;
                assert_true(lines <= 2);
        }
        s = scan_init(dev_text, strlen(dev_text) - 3);
        assert_int_equal(netdev_next(&s, &l), 1);
        assert_int_equal(netdev_next(&s, &l), -EBADMSG);
}

static const char netstat_text[] =
        "TcpExt: SyncookiesSent SyncookiesRecv ListenOverflows ListenDrops TCPTimeouts\n"
        "TcpExt: 1 2 3 4 5\n"
        "Tcp: RtoAlgorithm MaxConn ActiveOpens CurrEstab\n"
        "Tcp: 1 -1 14 7\n"
        "Udp: InDatagrams InErrors\n"
        "Udp: 29 3\n"
        "UdpLite: InDatagrams InErrors\n"
        "UdpLite: 0 99\n";

static const NetstatField fields[] = {
        { "TcpExt", "ListenOverflows" }, { "TcpExt", "ListenDrops" }, { "TcpExt", "TCPReqQFullDrop" },
        { "Tcp", "MaxConn" },            { "Tcp", "CurrEstab" },      { "Udp", "InErrors" },
        { "TcpExt", "TCPTimeouts" },
};

static void test_netstat_parse(void **state) {
        uint64_t v[ELEMENTSOF(fields)] = {}, found;
        assert_int_equal(netstat_parse(netstat_text, strlen(netstat_text), fields, ELEMENTSOF(fields), NULL, v, &found), 0);
        assert_int_equal(v[0], 3);
        assert_int_equal(v[1], 4);
        assert_false(found & (1u << 2));        /* TCPReqQFullDrop: not on this kernel */
        assert_false(found & (1u << 3));        /* MaxConn is -1: not a counter */
        assert_true(found & (1u << 4));
        assert_int_equal(v[4], 7);
        assert_int_equal(v[5], 3);              /* Udp, not UdpLite */
        assert_int_equal(v[6], 5);
        assert_int_equal(found, 0x73);
}

static void test_netstat_malformed(void **state) {
        uint64_t v[ELEMENTSOF(fields)], found;
        size_t nf = ELEMENTSOF(fields);
        assert_int_equal(netstat_parse("", 0, fields, nf, NULL, v, &found), -EBADMSG);
        /* A wanted section whose value line is missing or belongs to another section. */
        const char novalue[] = "TcpExt: ListenOverflows\n";
        assert_int_equal(netstat_parse(novalue, strlen(novalue), fields, nf, NULL, v, &found), -EBADMSG);
        const char mixed[] = "TcpExt: ListenOverflows\nTcp: 4\n";
        assert_int_equal(netstat_parse(mixed, strlen(mixed), fields, nf, NULL, v, &found), -EBADMSG);
        /* A short value line: the columns it lacks are not found. */
        const char shortline[] = "TcpExt: ListenOverflows ListenDrops\nTcpExt: 9\n";
        assert_int_equal(netstat_parse(shortline, strlen(shortline), fields, nf, NULL, v, &found), 0);
        assert_int_equal(found, 1);
        assert_int_equal(v[0], 9);
        const char garbage[] = "TcpExt: ListenOverflows ListenDrops\nTcpExt: x 8\n";
        assert_int_equal(netstat_parse(garbage, strlen(garbage), fields, nf, NULL, v, &found), 0);
        assert_int_equal(found, 2);
        /* Truncated at every byte: no crash; once the TcpExt values are cut, they are not found. */
        for (size_t n = 0; n < strlen(netstat_text); n++) {
                int r = netstat_parse(netstat_text, n, fields, nf, NULL, v, &found);
                if (n < strlen("TcpExt: SyncookiesSent SyncookiesRecv ListenOverflows ListenDrops TCPTimeouts\nTcpExt: 1 2 3"))
                        assert_true(r < 0 || !(found & 1));
        }
        assert_int_equal(netstat_parse(netstat_text, 10, fields, nf, NULL, v, &found), -EBADMSG);
}

/* The learned layout gives the same values as a full parse, follows changed values and notices a
 * changed header; a truncated text under a learned layout never reads out of bounds. */
static void test_netstat_layout(void **state) {
        uint64_t v[ELEMENTSOF(fields)] = {}, w[ELEMENTSOF(fields)] = {}, found, found2;
        size_t nf = ELEMENTSOF(fields), len = strlen(netstat_text);
        NetstatLayout layout = {};
        assert_int_equal(netstat_parse(netstat_text, len, fields, nf, &layout, v, &found), 0);
        assert_int_equal(found, 0x73);
        assert_int_equal(layout.known, 0x7b);     /* MaxConn is placed, though -1 is not a counter */
        assert_int_equal(layout.column[0], 2);
        memset(v, 0, sizeof(v));
        assert_int_equal(netstat_parse(netstat_text, len, fields, nf, &layout, v, &found2), 0);
        assert_int_equal(found2, found);
        assert_int_equal(netstat_parse(netstat_text, len, fields, nf, NULL, w, &found), 0);
        assert_memory_equal(v, w, sizeof(v));

        const char moved[] = "TcpExt: SyncookiesSent SyncookiesRecv ListenOverflows ListenDrops TCPTimeouts\n"
                             "TcpExt: 1 2 300000 4 5\n"
                             "Tcp: RtoAlgorithm MaxConn ActiveOpens CurrEstab\nTcp: 1 -1 14 7\nUdp: InErrors\nUdp: 3\n";
        assert_int_equal(netstat_parse(moved, strlen(moved), fields, nf, &layout, v, &found), 0);
        assert_int_equal(v[0], 300000);          /* new value, same layout */
        assert_int_equal(v[5], 3);               /* Udp changed: parsed in full again */
        const char renamed[] = "TcpExt: SyncookiesSent SyncookiesRecv ListenDrops ListenOverflows TCPTimeouts\n"
                               "TcpExt: 1 2 40 30 5\n";
        assert_int_equal(netstat_parse(renamed, strlen(renamed), fields, nf, &layout, v, &found), 0);
        assert_int_equal(v[0], 30);
        assert_int_equal(v[1], 40);
        for (size_t n = 0; n < len; n++) {
                NetstatLayout l = {};
                assert_int_equal(netstat_parse(netstat_text, len, fields, nf, &l, v, &found), 0);
                (void) netstat_parse(netstat_text, n, fields, nf, &l, v, &found);
        }
}

static void test_sockstat(void **state) {
        const char text[] = "sockets: used 14\nTCP: inuse 1 orphan 2 tw 3 alloc 4 mem 5\nUDP: inuse 0 mem 0\n";
        SockstatTcp t;
        assert_int_equal(sockstat_parse_tcp(text, strlen(text), &t), 0);
        assert_int_equal(t.inuse, 1);
        assert_int_equal(t.orphan, 2);
        assert_int_equal(t.tw, 3);
        assert_int_equal(t.mem, 5);
        assert_int_equal(sockstat_parse_tcp("", 0, &t), -EBADMSG);
        const char notw[] = "TCP: inuse 1 orphan 2 alloc 4\n";
        const char old[] = "TCP: inuse 1 orphan 2 tw 3\n";
        assert_int_equal(sockstat_parse_tcp(old, strlen(old), &t), 0);
        assert_int_equal(t.tw, 3);
        assert_int_equal(sockstat_parse_tcp(notw, strlen(notw), &t), -EBADMSG);
        const char bad[] = "TCP: inuse 1 orphan x tw 3 alloc 4\n";
        assert_int_equal(sockstat_parse_tcp(bad, strlen(bad), &t), -EBADMSG);
        size_t tw_end = (size_t) (strstr(text, "tw 3") - text) + 3;     /* before the "3" */
        size_t line_end = (size_t) (strstr(text, "mem 5") - text) + 5;
        for (size_t n = 0; n < strlen(text); n++) {
                int r = sockstat_parse_tcp(text, n, &t);
                if (n <= tw_end)
                        assert_int_equal(r, -EBADMSG);
                else if (n >= line_end)
                        assert_int_equal(r, 0);
        }
}

/* Network scenarios: per-second increments of the counters, applied at each sample. */
typedef struct NetScenario {
        unsigned long long overflows, drops, reqq, cookies, out_segs, retrans, udp_rcvbuf;
        unsigned long long rx_bytes, rx_errs, rx_drop;
        unsigned long long tw;
        unsigned long long eth0_rx_start;
        unsigned eth1_gone_at;          /* sample where eth1 is missing (0: always present) */
        unsigned long long syn_retrans, attempt_fails;
        /* /proc/net/tcp (written when any is set): TIME-WAIT sockets of outgoing connections from
         * 10.0.0.5 to tw_dests destinations 10.0.0.7:5432.. (0: one), of connections accepted on
         * 10.0.0.5:8080 and on 10.0.0.5:40000 (a listener inside the ephemeral range), and the
         * listener on port 8080's SYN_RECV entries and accept queue. */
        unsigned tw_client, tw_dests, tw_server, tw_server_eph, syn_recv, accept_q;
        bool tcp;
        bool tcp_idle;                  /* no segment received, sent or retransmitted (snmp) */
        unsigned segs_at, overflow_at;  /* from these samples on (0: never): one InSegs, one overflow more */
        unsigned netstat_bad_at;        /* the sample whose netstat cannot be parsed (0: none) */
} NetScenario;

/* The kernel's %08X of an IPv4 address (a __be32 printed as a host integer). */
static unsigned hex4(const char *ip) {
        struct in_addr a;
        assert_int_equal(inet_pton(AF_INET, ip, &a), 1);
        unsigned v;
        memcpy(&v, &a, 4);
        return v;
}

static void tcp_line(FILE *f, unsigned *sl, const char *la, unsigned lp, const char *ra, unsigned rp, unsigned st,
                     unsigned rxq) {
        fprintf(f, "%4u: %08X:%04X %08X:%04X %02X 00000000:%08X 00:00000000 00000000     0        0 0 1 "
                   "00000000deadbeef 100 0 0 10 0\n", (*sl)++, hex4(la), lp, hex4(ra), rp, st, rxq);
}

static void write_tcp(const char *dir, const NetScenario *sc) {
        char *text;
        size_t len;
        unsigned sl = 0, dests = sc->tw_dests ? sc->tw_dests : 1;
        FILE *f = open_memstream(&text, &len);
        assert_non_null(f);
        fprintf(f, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
        tcp_line(f, &sl, "0.0.0.0", 8080, "0.0.0.0", 0, 0x0A, sc->accept_q);
        if (sc->tw_server_eph)
                tcp_line(f, &sl, "0.0.0.0", 40000, "0.0.0.0", 0, 0x0A, 0);
        for (unsigned i = 0; i < sc->syn_recv; i++)
                tcp_line(f, &sl, "10.0.0.5", 8080, "10.0.0.99", 1024 + i, 0x03, 0);
        for (unsigned i = 0; i < sc->tw_client; i++)
                tcp_line(f, &sl, "10.0.0.5", 33000 + i / dests, "10.0.0.7", 5432 + i % dests, 0x06, 0);
        for (unsigned i = 0; i < sc->tw_server; i++)
                tcp_line(f, &sl, "10.0.0.5", 8080, i % 2 ? "10.0.0.8" : "10.0.0.9", 33000 + i / 2, 0x06, 0);
        for (unsigned i = 0; i < sc->tw_server_eph; i++)
                tcp_line(f, &sl, "10.0.0.5", 40000, "10.0.0.9", 1024 + i, 0x06, 0);
        fclose(f);
        test_write(dir, "proc/net/tcp", text);
        free(text);
}

static void net_step(const char *dir, unsigned i, void *userdata) {
        const NetScenario *sc = userdata;
        /* Every listen-queue event is a segment received. */
        unsigned long long in_segs = sc->tcp_idle ? 0 : 1 + sc->overflows + sc->drops + sc->cookies + sc->reqq;
        unsigned long long late = sc->overflow_at && i >= sc->overflow_at;
        test_writef(dir, "proc/net/netstat",
                    "TcpExt: SyncookiesSent SyncookiesRecv PruneCalled TW ListenOverflows ListenDrops TCPBacklogDrop "
                    "TCPTimeouts TCPReqQFullDrop TCPRcvQDrop TCPSynRetrans\n"
                    "TcpExt: %llu 0 0 12 %llu %llu 0 %u %llu 0 %llu\n"
                    "IpExt: InNoRoutes InOctets\nIpExt: 0 20448617\n"
                    "MPTcpExt: MPCapableSYNRX\nMPTcpExt: 0\n",
                    i * sc->cookies, i * sc->overflows + late, i * (sc->overflows + sc->drops) + late, 2 * i,
                    i * sc->reqq, i * sc->syn_retrans);
        if (sc->netstat_bad_at && i == sc->netstat_bad_at)
                test_write(dir, "proc/net/netstat", "TcpExt: ListenOverflows\n");
        test_writef(dir, "proc/net/snmp",
                    "Ip: Forwarding DefaultTTL\nIp: 2 64\n"
                    "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets "
                    "CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n"
                    "Tcp: 1 200 120000 -1 %u %u %llu 0 17 %llu %llu %llu 0 %u 0\n"
                    "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors\n"
                    "Udp: 29 0 %llu 30 %llu 0 0\n"
                    "UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors\n"
                    "UdpLite: 0 0 0 0 555 0 0\n",
                    14 + 3 * i, 2 + i, i * sc->attempt_fails, 709 + i * in_segs + (sc->segs_at && i >= sc->segs_at),
                    538 + i * sc->out_segs, i * sc->retrans, 2 * i, i * sc->udp_rcvbuf, i * sc->udp_rcvbuf);
        unsigned long long tw = sc->tcp ? sc->tw_client + sc->tw_server + sc->tw_server_eph : sc->tw;
        test_writef(dir, "proc/net/sockstat", "sockets: used 14\nTCP: inuse 1 orphan 0 tw %llu alloc 1 mem 0\n", tw);
        if (sc->tcp)
                write_tcp(dir, sc);
        char eth1[160] = "";
        if (sc->eth1_gone_at == 0 || i != sc->eth1_gone_at)
                /* Re-appears with counters reset (lower than before). */
                snprintf(eth1, sizeof(eth1), "  eth1: %u 10 0 0 0 0 0 0 %u 10 0 0 0 0 0 0\n",
                         sc->eth1_gone_at && i > sc->eth1_gone_at ? 100 * (i - sc->eth1_gone_at) : 100000 + 500 * i,
                         1000 * i);
        test_writef(dir, "proc/net/dev",
                    "Inter-|   Receive                                                |  Transmit\n"
                    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
                    "    lo:    3267      29    0    0    0     0          0         0     3267      29    0    0    0     0       0          0\n"
                    "  eth0:%llu %u %llu %llu 0 0 0 0 %u 549 0 0 0 0 0 0\n%s",
                    (sc->eth0_rx_start + i * sc->rx_bytes) & 0xffffffffull, 713 + i, i * sc->rx_errs, i * sc->rx_drop,
                    43373 + 1000 * i, eth1);
}

static void test_idle(void **state) {
        char *dir = test_tmpdir();
        test_copy_fixture("net-idle", dir);
        json_t *doc = test_profile(dir, 3, NULL, NULL);
        assert_null(test_find_finding(doc, "network.*"));
        assert_true(test_num(doc, "resources.network.tcp.listen_overflows_per_s.max") == 0);
        assert_true(test_num(doc, "resources.network.interfaces.eth0.rx_bytes_per_s.n") == 2);
        assert_true(test_num(doc, "resources.network.tcp.port_range_size.value") == 28232);
        assert_true(json_is_null(test_path(doc, "resources.network.interfaces.lo.speed_mbps")));
        assert_int_equal(json_integer_value(test_path(doc, "resources.network.interfaces.eth0.speed_mbps")), 1000);
        assert_null(test_path(doc, "resources.network.unavailable"));
        test_profile_done(doc, dir);

        /* Rewritten each sample with traffic but nothing wrong: still no finding. */
        NetScenario sc = { .out_segs = 5000, .retrans = 10, .rx_bytes = 1000000, .tw = 100 };
        doc = test_profile_fixture("net-idle", 4, net_step, &sc, &dir);
        assert_null(test_find_finding(doc, "network.*"));
        assert_true(test_num(doc, "resources.network.tcp.retrans_pct.value") == 0.2);
        assert_true(test_num(doc, "resources.network.tcp.active_opens_per_s.value") == 3);
        assert_true(test_num(doc, "resources.network.tcp.curr_estab.value") == 17);
        /* 100 TIME-WAIT sockets, under 25 % of the range: /proc/net/tcp is not read for them. */
        assert_null(test_path(doc, "resources.network.tcp.time_wait_pct_of_port_range"));
        /* 1 MB/s received on a 1000 Mb/s full-duplex link: 0.8 %. */
        assert_true(test_num(doc, "resources.network.interfaces.eth0.util_pct.value") == 0.8);
        assert_null(test_path(doc, "resources.network.interfaces.lo.util_pct"));
        test_profile_done(doc, dir);
}

/* No TCP segment moved (snmp's InSegs, OutSegs and RetransSegs): netstat's last row stands for a
 * full sample instead of a read. TCPTimeouts goes up by 2 a second in the fixture all the same, as at
 * timer expiries that send nothing: its rate is taken between real reads (0, 1 and the last: its
 * baseline is snmp one sample before a read), and a read comes at least every 60 s. */
static void test_netstat_idle_tcp(void **state) {
        NetScenario sc = { .tcp_idle = true };
        char *dir;
        json_t *doc = test_profile_fixture("net-idle", 5, net_step, &sc, &dir);
        assert_true(test_num(doc, "resources.network.tcp.timeouts_per_s.value") == 2);
        assert_true(test_num(doc, "resources.network.tcp.timeouts_per_s.max") == 2);
        assert_int_equal((int) test_num(doc, "resources.network.tcp.timeouts_per_s.n"), 2);
        assert_true(test_num(doc, "resources.network.tcp.listen_overflows_per_s.max") == 0);
        assert_int_equal((int) test_num(doc, "resources.network.tcp.listen_overflows_per_s.n"), 4);
        test_profile_done(doc, dir);

        doc = test_profile_fixture("net-idle", 70, net_step, &sc, &dir);
        assert_true(test_num(doc, "resources.network.tcp.timeouts_per_s.max") == 2);
        assert_int_equal((int) test_num(doc, "resources.network.tcp.timeouts_per_s.n"), 3); /* 0-1, 1-61, 61-69 */
        assert_int_equal((int) test_num(doc, "resources.network.tcp.timeouts_per_s.longest_interval_s"), 60);
        test_profile_done(doc, dir);

        /* A segment a second: netstat is read at every full sample. */
        sc.tcp_idle = false;
        doc = test_profile_fixture("net-idle", 5, net_step, &sc, &dir);
        assert_int_equal((int) test_num(doc, "resources.network.tcp.timeouts_per_s.n"), 4);
        test_profile_done(doc, dir);
}

typedef struct Overflows {
        uint64_t at[8];
        size_t n, timeouts;
} Overflows;

static int note_overflow(void *userdata, const MetricPoint *p) {
        Overflows *o = userdata;
        if (strcmp(p->name, "listen_overflows_per_s") == 0 && p->value > 0 && o->n < ELEMENTSOF(o->at))
                o->at[o->n++] = p->at_usec;
        o->timeouts += strcmp(p->name, "timeouts_per_s") == 0;
        return 0;
}

/* Five samples, each full (the last SAMPLE_WHOLE), points into o. */
static void run_points(const NetScenario *sc, bool repeats, Overflows *o) {
        char *dir = test_tmpdir();
        test_copy_fixture("net-idle", dir);
        Sysroot *root = NULL;
        Profiler *p = NULL;
        MetricSink sink = { note_overflow, o };
        assert_int_equal(sysroot_open(dir, &root), 0);
        net_step(dir, 0, (void *) sc);
        assert_int_equal(profiler_new(root, &p), 0);
        profiler_set_full_period(p, 0);
        profiler_set_repeats(p, repeats);
        assert_int_equal(profiler_add_sink(p, &sink), 0);
        for (unsigned i = 0; i < 5; i++) {
                if (i > 0)
                        net_step(dir, i, (void *) sc);
                assert_int_equal(profiler_sample(p, 1000000ull * (i + 1), i == 4), 0);
        }
        profiler_free(p);
        sysroot_free(root);
        test_profile_done(NULL, dir);
}

/* At the profile's cadence (full samples at 0, 5, 10 and the last, 11): netstat is read at 0, 5 (no
 * baseline yet: the read at 0 had no sample before it) and 11, and taken as read at 10; the quick
 * samples between emit no timeouts. A netstat that cannot be parsed at 5 ends the spans there: the
 * next full sample reads it. A profiler without repeats reads it at every full sample. */
static void test_netstat_idle_cadence(void **state) {
        NetScenario sc = { .tcp_idle = true };
        char *dir = test_tmpdir();
        test_copy_fixture("net-idle", dir);
        json_t *doc = test_profile_cadence(dir, 12, net_step, &sc);
        assert_int_equal((int) test_num(doc, "resources.network.tcp.timeouts_per_s.n"), 2);
        assert_true(test_num(doc, "resources.network.tcp.timeouts_per_s.value") == 2);
        assert_int_equal((int) test_num(doc, "resources.network.tcp.listen_overflows_per_s.n"), 3);
        test_profile_done(doc, dir);

        sc.netstat_bad_at = 5;
        dir = test_tmpdir();
        test_copy_fixture("net-idle", dir);
        doc = test_profile_cadence(dir, 12, net_step, &sc);
        assert_int_equal((int) test_num(doc, "resources.network.tcp.timeouts_per_s.n"), 1);
        assert_int_equal((int) test_num(doc, "resources.network.tcp.listen_overflows_per_s.n"), 1);
        assert_non_null(test_path(doc, "resources.network.unavailable.netstat"));
        test_profile_done(doc, dir);
}

/* The segment of an overflow is counted in InSegs at its arrival and in ListenOverflows a little
 * later: a read of netstat between the two (here: InSegs at sample 1, the overflow at 2) must not
 * make the later samples repeat a row without it. The overflow shows at 2, not at the last sample. */
static void test_netstat_segment_then_counter(void **state) {
        NetScenario sc = { .tcp_idle = true, .segs_at = 1, .overflow_at = 2 };
        Overflows o = {};
        run_points(&sc, true, &o);
        assert_int_equal((int) o.n, 1);
        assert_int_equal((int) (o.at[0] / 1000000), 3);
        assert_int_equal((int) o.timeouts, 3); /* reads at 0, 1, 2 and 4 */

        /* Without repeats, every full sample reads: a timeouts point at each. */
        NetScenario idle = { .tcp_idle = true };
        o = (Overflows) {};
        run_points(&idle, false, &o);
        assert_int_equal((int) o.timeouts, 4);
}

static void test_listen_overflows(void **state) {
        NetScenario sc = { .overflows = 5 };
        char *dir;
        json_t *doc = test_profile_fixture("net-idle", 4, net_step, &sc, &dir);
        assert_true(test_num(doc, "resources.network.tcp.listen_overflows_per_s.value") == 5);
        assert_true(test_num(doc, "resources.network.tcp.listen_drops_per_s.value") == 5);
        json_t *f = test_expect_finding(doc, "network.tcp.listen_overflows_per_s", "saturation", "warning");
        assert_true(test_finding_value(f) == 5);
        assert_non_null(strstr(test_finding_str(f, "message"), "net.core.somaxconn (now 4096)"));
        assert_non_null(strstr(test_finding_str(f, "message"), "listen() backlog"));
        /* Every drop was an overflow: the SYN queue is fine. */
        assert_null(test_find_finding(doc, "network.tcp.listen_drops_per_s"));
        assert_null(test_find_finding(doc, "network.tcp.req_q_full_drops_per_s"));
        test_profile_done(doc, dir);
}

static void test_syn_queue(void **state) {
        NetScenario sc = { .overflows = 3, .drops = 8 };
        char *dir;
        json_t *doc = test_profile_fixture("net-idle", 3, net_step, &sc, &dir);
        json_t *f = test_expect_finding(doc, "network.tcp.listen_drops_per_s", "saturation", "warning");
        assert_true(test_finding_value(f) == 8);
        assert_non_null(strstr(test_finding_str(f, "message"), "net.ipv4.tcp_max_syn_backlog"));
        test_profile_done(doc, dir);

        NetScenario cookies = { .cookies = 2, .reqq = 1 };
        doc = test_profile_fixture("net-idle", 3, net_step, &cookies, &dir);
        f = test_expect_finding(doc, "network.tcp.syncookies_sent_per_s", "saturation", NULL);
        assert_true(test_finding_value(f) == 2);
        assert_true(test_num(doc, "resources.network.tcp.req_q_full_drops_per_s.value") == 1);
        assert_null(test_find_finding(doc, "network.tcp.listen_overflows_per_s"));
        test_profile_done(doc, dir);
}

static void test_retrans(void **state) {
        NetScenario sc = { .out_segs = 1000, .retrans = 20 };
        char *dir;
        json_t *doc = test_profile_fixture("net-idle", 3, net_step, &sc, &dir);
        json_t *f = test_expect_finding(doc, "network.tcp.retrans_pct", "errors", NULL);
        assert_true(test_finding_value(f) == 2);
        assert_non_null(strstr(test_finding_str(f, "message"), "packet loss on the path"));
        test_profile_done(doc, dir);

        /* 10 % retransmits of 50 segments/s: too little traffic to call it loss. */
        NetScenario low = { .out_segs = 50, .retrans = 5 };
        doc = test_profile_fixture("net-idle", 3, net_step, &low, &dir);
        assert_true(test_num(doc, "resources.network.tcp.retrans_pct.value") == 10);
        assert_null(test_find_finding(doc, "network.tcp.retrans_pct"));
        test_profile_done(doc, dir);
}

/* 20000 TIME-WAIT sockets of outgoing connections to one destination: 70.8 % of its 28232 ports.
 * Nothing failed, so it is a warning among the saturation findings. */
static void test_time_wait_outgoing(void **state) {
        NetScenario sc = { .tcp = true, .tw_client = 20000, .tw_server = 3000 };
        char *dir;
        json_t *doc = test_profile_fixture("net-idle", 3, net_step, &sc, &dir);
        json_t *f = test_expect_finding(doc, "network.tcp.time_wait_pct_of_port_range", "saturation", "warning");
        assert_true(test_finding_value(f) > 70.8 && test_finding_value(f) < 70.9);
        assert_true(test_num(doc, "resources.network.tcp.time_wait.max") == 23000);
        assert_true(test_num(doc, "resources.network.tcp.time_wait_outgoing.max") == 20000);
        const char *m = test_finding_str(f, "message");
        assert_non_null(strstr(m, "from 10.0.0.5 to 10.0.0.7:5432"));
        assert_non_null(strstr(m, "no connect failed"));
        assert_non_null(strstr(m, "ip_local_port_range (now 32768-60999)"));
        test_profile_done(doc, dir);

        /* Connects fail meanwhile: an error, critical near exhaustion, ranked with the errors. */
        NetScenario failing = { .tcp = true, .tw_client = 27000, .attempt_fails = 40, .out_segs = 1000, .retrans = 5 };
        doc = test_profile_fixture("net-idle", 3, net_step, &failing, &dir);
        f = test_expect_finding(doc, "network.tcp.time_wait_pct_of_port_range", "errors", "critical");
        assert_non_null(strstr(test_finding_str(f, "message"), "40.00 connects/s failed"));
        assert_int_equal(json_integer_value(json_object_get(f, "rank")), 1);
        test_profile_done(doc, dir);

        /* tcp_tw_reuse 1 with timestamps: connect() reuses those ports, nothing runs out. */
        NetScenario reuse = { .tcp = true, .tw_client = 20000 };
        dir = test_tmpdir();
        test_copy_fixture("net-idle", dir);
        test_write(dir, "proc/sys/net/ipv4/tcp_tw_reuse", "1\n");
        test_write(dir, "proc/sys/net/ipv4/tcp_timestamps", "1\n");
        doc = test_profile(dir, 3, net_step, &reuse);
        f = test_expect_finding(doc, "network.tcp.time_wait_pct_of_port_range", "saturation", "info");
        assert_non_null(strstr(test_finding_str(f, "message"), "tcp_tw_reuse 1 lets connect() reuse them"));
        test_profile_done(doc, dir);

        /* The same sockets spread over four destinations: each has most of its ports free. */
        NetScenario spread = { .tcp = true, .tw_client = 20000, .tw_dests = 4 };
        doc = test_profile_fixture("net-idle", 3, net_step, &spread, &dir);
        assert_true(test_num(doc, "resources.network.tcp.time_wait_pct_of_port_range.max") < 17.8);
        assert_null(test_find_finding(doc, "network.tcp.time_wait_pct_of_port_range"));
        test_profile_done(doc, dir);
}

/* TIME-WAIT of accepted connections keeps the listener's port, in the ephemeral range or not:
 * 35000 of them (124 % of the range in sockstat) exhaust nothing. */
static void test_time_wait_server_side(void **state) {
        NetScenario sc = { .tcp = true, .tw_server = 30000, .tw_server_eph = 5000, .out_segs = 1000 };
        char *dir;
        json_t *doc = test_profile_fixture("net-idle", 3, net_step, &sc, &dir);
        assert_null(test_find_finding(doc, "network.*"));
        assert_true(test_num(doc, "resources.network.tcp.time_wait.max") == 35000);
        assert_true(test_num(doc, "resources.network.tcp.time_wait_outgoing.max") == 0);
        assert_true(test_num(doc, "resources.network.tcp.time_wait_pct_of_port_range.max") == 0);
        test_profile_done(doc, dir);
}

/* SYN cookies while port 8080 holds 128 handshakes and 129 unaccepted connections, with somaxconn
 * 4096: the application's backlog (128) is the cap; tcp_max_syn_backlog is not the advice. */
static void test_syn_queue_names_the_cap(void **state) {
        NetScenario sc = { .tcp = true, .cookies = 70, .syn_recv = 128, .accept_q = 129 };
        char *dir;
        json_t *doc = test_profile_fixture("net-idle", 3, net_step, &sc, &dir);
        json_t *f = test_expect_finding(doc, "network.tcp.syncookies_sent_per_s", "saturation", NULL);
        const char *m = test_finding_str(f, "message");
        assert_non_null(strstr(m, "min(its listen() backlog, net.core.somaxconn (now 4096))"));
        assert_non_null(strstr(m, "port 8080 queued at most 129"));
        assert_non_null(strstr(m, "application's own listen() backlog is the cap"));
        assert_non_null(strstr(m, "net.ipv4.tcp_syncookies 0 (now 1)"));
        assert_null(strstr(m, "raise net.ipv4.tcp_max_syn_backlog"));
        test_profile_done(doc, dir);

        /* The queue reached somaxconn: somaxconn is the cap. */
        NetScenario full = { .tcp = true, .overflows = 9, .drops = 3, .syn_recv = 10, .accept_q = 4097 };
        doc = test_profile_fixture("net-idle", 3, net_step, &full, &dir);
        m = test_finding_str(test_expect_finding(doc, "network.tcp.listen_drops_per_s", "saturation", NULL), "message");
        assert_non_null(strstr(m, "somaxconn 4096 is the cap"));
        m = test_finding_str(test_expect_finding(doc, "network.tcp.listen_overflows_per_s", "saturation", NULL), "message");
        assert_non_null(strstr(m, "somaxconn 4096 is the cap"));
        test_profile_done(doc, dir);
}

/* Accept-queue overflows on loopback: 28 of the 30 retransmits a second are SYN retransmits of the
 * dropped connections. The overflow ranks first and the retransmissions are its symptom. */
static void test_retrans_attributed_to_overflows(void **state) {
        NetScenario sc = { .overflows = 50, .out_segs = 1000, .retrans = 30, .syn_retrans = 28 };
        char *dir;
        json_t *doc = test_profile_fixture("net-idle", 3, net_step, &sc, &dir);
        json_t *cause = test_expect_finding(doc, "network.tcp.listen_overflows_per_s", "saturation", NULL);
        json_t *f = test_expect_finding(doc, "network.tcp.retrans_pct", "errors", NULL);
        assert_int_equal(json_integer_value(json_object_get(cause, "rank")), 1);
        assert_int_equal(json_integer_value(json_object_get(f, "rank")), 2);
        assert_string_equal(test_finding_str(f, "cause"), "network.tcp.listen_overflows_per_s");
        const char *m = test_finding_str(f, "message");
        assert_non_null(strstr(m, "56 of the 60 were SYN retransmits"));
        assert_non_null(strstr(m, "a symptom of network.tcp.listen_overflows_per_s"));
        assert_null(strstr(m, "packet loss on the path"));
        test_profile_done(doc, dir);

        /* Retransmits beyond the SYNs are loss of their own: ranked as such, no cause. */
        NetScenario lossy = { .overflows = 50, .out_segs = 1000, .retrans = 40, .syn_retrans = 5 };
        doc = test_profile_fixture("net-idle", 3, net_step, &lossy, &dir);
        f = test_expect_finding(doc, "network.tcp.retrans_pct", "errors", NULL);
        assert_int_equal(json_integer_value(json_object_get(f, "rank")), 1);
        assert_null(json_object_get(f, "cause"));
        assert_non_null(strstr(test_finding_str(f, "message"), "packet loss on the path"));
        test_profile_done(doc, dir);
}

static void test_interface_errors_and_udp(void **state) {
        NetScenario sc = { .rx_errs = 2, .rx_drop = 3, .udp_rcvbuf = 4 };
        char *dir;
        json_t *doc = test_profile_fixture("net-idle", 3, net_step, &sc, &dir);
        json_t *f = test_expect_finding(doc, "network.interfaces.eth0.rx_errors_per_s", "errors", NULL);
        f = test_expect_finding(doc, "network.interfaces.eth0.rx_drops_per_s", "saturation", NULL);
        assert_true(test_finding_value(f) == 3);
        f = test_expect_finding(doc, "network.udp.rcvbuf_errors_per_s", "errors", "warning");
        assert_true(test_finding_value(f) == 4);
        assert_non_null(strstr(test_finding_str(f, "message"), "SO_RCVBUF"));
        assert_null(test_find_finding(doc, "network.udp.sndbuf_errors_per_s"));
        assert_null(test_find_finding(doc, "network.interfaces.lo.*"));
        test_profile_done(doc, dir);
}

static void test_wrap_and_vanishing_interface(void **state) {
        /* eth0's rx bytes wrap at 2^32 between samples 1 and 2: the rate stays 1000 bytes/s. */
        NetScenario sc = { .rx_bytes = 1000, .eth0_rx_start = 4294967296ull - 1500, .eth1_gone_at = 2 };
        char *dir;
        json_t *doc = test_profile_fixture("net-idle", 5, net_step, &sc, &dir);
        assert_true(test_num(doc, "resources.network.interfaces.eth0.rx_bytes_per_s.min") == 1000);
        assert_true(test_num(doc, "resources.network.interfaces.eth0.rx_bytes_per_s.max") == 1000);
        assert_int_equal((int) test_num(doc, "resources.network.interfaces.eth0.rx_bytes_per_s.n"), 4);
        /* eth1 is missing at sample 2 and back at 3 with reset counters: only 0-1 and 3-4 count. */
        assert_int_equal((int) test_num(doc, "resources.network.interfaces.eth1.rx_bytes_per_s.n"), 2);
        assert_true(test_num(doc, "resources.network.interfaces.eth1.rx_bytes_per_s.max") == 500);
        assert_true(test_num(doc, "resources.network.interfaces.eth1.rx_bytes_per_s.min") == 100);
        assert_true(json_is_null(test_path(doc, "resources.network.interfaces.eth1.speed_mbps")));
        test_profile_done(doc, dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_netdev_parse),
                cmocka_unit_test(test_netdev_malformed),
                cmocka_unit_test(test_netstat_parse),
                cmocka_unit_test(test_netstat_malformed),
                cmocka_unit_test(test_netstat_layout),
                cmocka_unit_test(test_sockstat),
                cmocka_unit_test(test_idle),
                cmocka_unit_test(test_netstat_idle_tcp),
                cmocka_unit_test(test_netstat_segment_then_counter),
                cmocka_unit_test(test_netstat_idle_cadence),
                cmocka_unit_test(test_listen_overflows),
                cmocka_unit_test(test_syn_queue),
                cmocka_unit_test(test_retrans),
                cmocka_unit_test(test_time_wait_outgoing),
                cmocka_unit_test(test_time_wait_server_side),
                cmocka_unit_test(test_syn_queue_names_the_cap),
                cmocka_unit_test(test_retrans_attributed_to_overflows),
                cmocka_unit_test(test_interface_errors_and_udp),
                cmocka_unit_test(test_wrap_and_vanishing_interface),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

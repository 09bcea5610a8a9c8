/* SPDX-License-Identifier: MIT */
/* /proc/net/tcp and tcp6 lines, the chunked reader (lines across chunk boundaries, a line longer
 * than the buffer, the line cap) and the per-destination and per-listener scan. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc-net-tcp.h"
#include "support.h"
#include "tcp-socket-scan.h"

static const char v4_listen[] =
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000003 00:00000000 00000000     0        0 581 1 "
        "00000000edb9e290 100 0 0 10 0";
static const char v6_tw[] =
        "   3: 00000000000000000000000001000000:8A4C 0000000000000000FFFF00000500000A:1538 06 00000000:00000000 "
        "03:0000046F 00000000     0        0 0 3 00000000e027ed4c";
static const char v4mapped[] =
        "   4: 0000000000000000FFFF00000100007F:8A4C 0000000000000000FFFF00000100007F:1F90 06 00000000:00000000 "
        "03:0000046F 00000000     0        0 0 3 00000000e027ed4c";

static void test_lines(void **state) {
        TcpSocketLine l;
        const char hdr[] = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
        assert_int_equal(proc_net_tcp_line(hdr, strlen(hdr), &l), 0);
        assert_int_equal(proc_net_tcp_line(v4_listen, strlen(v4_listen), &l), 1);
        char a[INET6_ADDRSTRLEN];
        assert_false(l.v6);
        assert_string_equal(inet_ntop(AF_INET, l.local, a, sizeof(a)), "127.0.0.1");
        assert_int_equal(l.local_port, 8080);
        assert_int_equal(l.state, TCP_STATE_LISTEN);
        assert_int_equal(l.rx_queue, 3);
        /* ::1 to ::ffff:10.0.0.5 cannot be: one end mapped and the other not. */
        assert_int_equal(proc_net_tcp_line(v6_tw, strlen(v6_tw), &l), -EBADMSG);
        /* Both ends v4-mapped: an IPv4 connection of a dual-stack socket. */
        assert_int_equal(proc_net_tcp_line(v4mapped, strlen(v4mapped), &l), 1);
        assert_false(l.v6);
        assert_string_equal(inet_ntop(AF_INET, l.remote, a, sizeof(a)), "127.0.0.1");
        assert_int_equal(l.remote_port, 8080);
        assert_int_equal(l.state, TCP_STATE_TIME_WAIT);
        const char v6[] = "   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A "
                          "00000000:00000000 00:00000000 00000000     0        0 582 1 0";
        assert_int_equal(proc_net_tcp_line(v6, strlen(v6), &l), 1);
        assert_true(l.v6);
        assert_string_equal(inet_ntop(AF_INET6, l.local, a, sizeof(a)), "::1");
}

static void test_malformed(void **state) {
        TcpSocketLine l;
        static const char *const bad[] = {
                "", "   0:", "   0: 0100007F:1F90", "   0: 0100007F:1F9 00000000:0000 0A 00000000:00000000",
                "   0: 0100007G:1F90 00000000:0000 0A 00000000:00000000",
                "   0: 0100007F:1F90 00000000:0000 A 00000000:00000000",
                "   0: 0100007F:1F90 00000000:0000 0A 00000000-00000000",
                "   0: 0100007F:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000",
                "0 0100007F:1F90 00000000:0000 0A 00000000:00000000",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                if (proc_net_tcp_line(bad[i], strlen(bad[i]), &l) != -EBADMSG)
                        fail_msg("accepted: \"%s\"", bad[i]);
        /* Cut at every byte: an error or the whole socket, never a read past the end. */
        for (size_t n = 0; n <= strlen(v4_listen); n++) {
                char *copy = malloc(n ? n : 1);
                memcpy(copy, v4_listen, n);
                int r = proc_net_tcp_line(copy, n, &l);
                assert_true(r == -EBADMSG || (r == 1 && n >= 49));
                free(copy);
        }
}

static int count_fn(const TcpSocketLine *l, void *userdata) {
        unsigned *n = userdata;
        n[0]++;
        n[1] += l->local_port;
        return 0;
}

static int write_tmp(const char *dir, const char *text) {
        test_write(dir, "tcp", text);
        char *p;
        assert_true(asprintf(&p, "%s/tcp", dir) > 0);
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        free(p);
        return fd;
}

/* 3000 lines through a 512-byte buffer: every line across a chunk boundary is whole. */
static void test_stream(void **state) {
        char *dir = test_tmpdir(), *text;
        size_t len;
        FILE *f = open_memstream(&text, &len);
        fprintf(f, "  sl  local_address rem_address   st tx_queue rx_queue\n");
        unsigned want = 0;
        for (unsigned i = 0; i < 3000; i++) {
                fprintf(f, "%4u: 0100007F:%04X 0100007F:1F90 06 00000000:00000000 03:0000046F 00000000 0 0 0 3 0\n",
                        i, 32768 + i);
                want += 32768 + i;
        }
        fprintf(f, "%0600d\n", 7);       /* a line longer than the buffer */
        fprintf(f, "   1: 0100007F:0001 0100007F:1F90 06 00000000:00000000");    /* last, no newline */
        fclose(f);
        int fd = write_tmp(dir, text);
        char buf[512];
        unsigned n[2] = {};
        TcpStreamStats st;
        assert_int_equal(proc_net_tcp_stream(fd, buf, sizeof(buf), PROC_NET_TCP_MAX_LINES, count_fn, n, &st), 0);
        assert_int_equal(n[0], 3001);
        assert_int_equal(n[1], want + 1);
        assert_int_equal(st.sockets, 3001);
        assert_true(st.bad >= 1);
        assert_false(st.truncated);
        /* At most 100 lines (the header is one). */
        memset(n, 0, sizeof(n));
        assert_int_equal(proc_net_tcp_stream(fd, buf, sizeof(buf), 100, count_fn, n, &st), 0);
        assert_int_equal(n[0], 99);
        assert_true(st.truncated);
        assert_int_equal(proc_net_tcp_stream(fd, buf, 100, 100, count_fn, n, &st), -EINVAL);
        close(fd);
        free(text);
        test_rm_rf(dir);
        free(dir);
}

/* A listener on 40000 inside the range: its accepted connections' TIME-WAIT is not outgoing. */
static void test_scan(void **state) {
        char *dir = test_tmpdir();
        const char text[] =
                "  sl  local_address rem_address   st tx_queue rx_queue\n"
                "   0: 00000000:9C40 00000000:0000 0A 00000000:00000005 00:00000000 00000000\n"
                "   1: 0500000A:9C40 0900000A:0401 03 00000000:00000000 00:00000000 00000000\n"
                "   2: 0500000A:9C40 0900000A:0402 03 00000000:00000000 00:00000000 00000000\n"
                "   3: 0500000A:9C40 0900000A:0403 06 00000000:00000000 00:00000000 00000000\n"
                "   4: 0500000A:8000 0700000A:1538 06 00000000:00000000 00:00000000 00000000\n"
                "   5: 0500000A:8001 0700000A:1538 06 00000000:00000000 00:00000000 00000000\n"
                "   6: 0500000A:8002 0800000A:1538 06 00000000:00000000 00:00000000 00000000\n"
                "   7: 0500000A:0400 0700000A:1538 06 00000000:00000000 00:00000000 00000000\n";
        int fds[2] = { write_tmp(dir, text), -1 };
        TcpScan s;
        tcp_scan_init(&s, 32768, 60999);
        assert_int_equal(tcp_scan_files(&s, fds, 2), 0);
        assert_int_equal(s.time_wait, 5);
        assert_int_equal(s.time_wait_ephemeral, 3);
        assert_int_equal(s.busiest.time_wait, 2);
        char ep[64];
        tcp_endpoint_format(s.busiest.v6, s.busiest.remote, s.busiest.remote_port, ep, sizeof(ep));
        assert_string_equal(ep, "10.0.0.7:5432");
        const TcpListenPort *lp = tcp_scan_fullest_listener(&s);
        assert_non_null(lp);
        assert_int_equal(lp->port, 40000);
        assert_int_equal(lp->peak_accept, 5);
        assert_int_equal(lp->peak_syn, 2);
        /* A second scan of the same file counts afresh; the peaks stay. */
        assert_int_equal(tcp_scan_files(&s, fds, 1), 0);
        assert_int_equal(s.time_wait, 5);
        assert_int_equal(s.busiest.time_wait, 2);
        tcp_scan_free(&s);
        close(fds[0]);
        test_rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lines),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_stream),
                cmocka_unit_test(test_scan),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

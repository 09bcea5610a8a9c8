/* SPDX-License-Identifier: MIT */
/* monitor/listen-addr: the forms of the `listen` key, each written back in one form; loopback
 * addresses only (a public or wildcard one is refused as such, not as malformed); ports 1 .. 65535
 * in decimal digits only; the result is untouched on failure. */
#include <arpa/inet.h>
#include <string.h>

#include "listen-addr.h"
#include "support.h"

static void test_accepted(void **state) {
        static const struct {
                const char *text, *shown;
                int family;
                unsigned port;
        } cases[] = {
                { "127.0.0.1:9677", "127.0.0.1:9677", AF_INET, 9677 },
                { "127.1.2.3:1", "127.1.2.3:1", AF_INET, 1 },
                { "127.255.255.255:65535", "127.255.255.255:65535", AF_INET, 65535 },
                { "127.0.0.1:09677", "127.0.0.1:9677", AF_INET, 9677 },
                { "[::1]:9677", "[::1]:9677", AF_INET6, 9677 },
                { "[0:0:0:0:0:0:0:1]:80", "[::1]:80", AF_INET6, 80 },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                ListenAddr a;
                const char *why = NULL;
                if (listen_addr_parse(cases[i].text, &a, &why) != 0)
                        fail_msg("'%s' refused: %s", cases[i].text, why);
                assert_false(a.off);
                assert_string_equal(a.text, cases[i].shown);
                assert_int_equal(a.sa.ss_family, cases[i].family);
                in_port_t port = cases[i].family == AF_INET ? ((struct sockaddr_in *) &a.sa)->sin_port
                                                            : ((struct sockaddr_in6 *) &a.sa)->sin6_port;
                assert_int_equal(ntohs(port), cases[i].port);
                assert_int_equal(a.len,
                                 cases[i].family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
        }
        ListenAddr off, def;
        assert_int_equal(listen_addr_parse("off", &off, NULL), 0);
        assert_true(off.off);
        assert_string_equal(off.text, "off");
        assert_int_equal(listen_addr_parse(LISTEN_ADDR_DEFAULT, &def, NULL), 0);
        assert_false(listen_addr_equal(&off, &def));
        ListenAddr again;
        assert_int_equal(listen_addr_parse("127.0.0.1:09677", &again, NULL), 0);
        assert_true(listen_addr_equal(&def, &again));
}

static void test_refused(void **state) {
        static const struct {
                const char *text;
                int r;
                const char *why;
        } cases[] = {
                { "0.0.0.0:9677", -EADDRNOTAVAIL, "loopback" },
                { "192.168.1.10:9677", -EADDRNOTAVAIL, "loopback" },
                { "128.0.0.1:9677", -EADDRNOTAVAIL, "loopback" },
                { "[::]:9677", -EADDRNOTAVAIL, "loopback" },
                { "[::ffff:127.0.0.1]:9677", -EADDRNOTAVAIL, "loopback" },
                { "[fe80::1]:9677", -EADDRNOTAVAIL, "loopback" },
                { "localhost:9677", -EINVAL, "not looked up" },
                { "127.1:9677", -EINVAL, "IPv4" },
                { "127.0.0.1", -EINVAL, "ADDRESS:PORT" },
                { ":9677", -EINVAL, "ADDRESS:PORT" },
                { "127.0.0.1:", -EINVAL, "port" },
                { "127.0.0.1:0", -EINVAL, "port" },
                { "127.0.0.1:65536", -EINVAL, "port" },
                { "127.0.0.1:123456", -EINVAL, "port" },
                { "127.0.0.1:+80", -EINVAL, "port" },
                { "127.0.0.1:80 ", -EINVAL, "port" },
                { "127.0.0.1:0x50", -EINVAL, "port" },
                { "::1:9677", -EINVAL, "IPv4" },
                { "[::1]9677", -EINVAL, "[::1]:PORT" },
                { "[::1:9677", -EINVAL, "[::1]:PORT" },
                { "[]:9677", -EINVAL, "[::1]:PORT" },
                { "[::1]:", -EINVAL, "port" },
                { "[127.0.0.1]:9677", -EINVAL, "IPv6" },
                { "", -EINVAL, "ADDRESS:PORT" },
                { "OFF", -EINVAL, "ADDRESS:PORT" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                ListenAddr a = { .text = "untouched" };
                const char *why = NULL;
                int r = listen_addr_parse(cases[i].text, &a, &why);
                if (r != cases[i].r || !why || !strstr(why, cases[i].why))
                        fail_msg("'%s': %d '%s', want %d '%s'", cases[i].text, r, why ? why : "(null)", cases[i].r,
                                 cases[i].why);
                assert_string_equal(a.text, "untouched");
        }
}

/* Any address, for a listener that asks for a token: loopback or not, said in the result. */
static void test_any(void **state) {
        static const struct {
                const char *text, *shown;
                bool loopback;
        } cases[] = {
                { "0.0.0.0:9677", "0.0.0.0:9677", false },
                { "192.0.2.10:80", "192.0.2.10:80", false },
                { "[::]:9677", "[::]:9677", false },
                { "[fe80::1]:1", "[fe80::1]:1", false },
                { "127.0.0.2:9677", "127.0.0.2:9677", true },
                { "[::1]:9677", "[::1]:9677", true },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                ListenAddr a;
                const char *why = NULL;
                if (listen_addr_parse_any(cases[i].text, &a, &why) != 0)
                        fail_msg("'%s' refused: %s", cases[i].text, why);
                assert_string_equal(a.text, cases[i].shown);
                assert_int_equal(a.loopback, cases[i].loopback);
        }
        ListenAddr a;
        assert_int_equal(listen_addr_parse_any("localhost:9677", &a, NULL), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_accepted),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_any),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

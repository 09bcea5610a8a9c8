/* SPDX-License-Identifier: MIT */
/* The `listen` key's value (listen-addr.h): parsed by hand, so that every accepted text has one
 * meaning (no "127.1", no port "+80", no name to look up at start). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "listen-addr.h"

/* "9677": 1 .. 65535, decimal digits only. */
static int parse_port(const char *s, in_port_t *ret) {
        unsigned long v = 0;
        size_t n = strspn(s, "0123456789");
        if (n == 0 || n > 5 || s[n] != '\0')
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                v = v * 10 + (unsigned long) (s[i] - '0');
        if (v == 0 || v > 65535)
                return -EINVAL;
        *ret = htons((in_port_t) v);
        return 0;
}

static int fail(const char **ret_why, const char *why, int r) {
        if (ret_why)
                *ret_why = why;
        return r;
}

static int parse_v6(const char *text, ListenAddr *a, const char **ret_why) {
        const char *close = strchr(text, ']');
        char host[INET6_ADDRSTRLEN];
        struct sockaddr_in6 *sa = (struct sockaddr_in6 *) &a->sa;
        size_t n = close ? (size_t) (close - text - 1) : 0;
        if (!close || n == 0 || n >= sizeof(host) || close[1] != ':')
                return fail(ret_why, "an IPv6 address is written [::1]:PORT", -EINVAL);
        memcpy(host, text + 1, n);
        host[n] = '\0';
        *sa = (struct sockaddr_in6) { .sin6_family = AF_INET6 };
        if (inet_pton(AF_INET6, host, &sa->sin6_addr) != 1)
                return fail(ret_why, "not an IPv6 address", -EINVAL);
        if (parse_port(close + 2, &sa->sin6_port) < 0)
                return fail(ret_why, "the port must be a number from 1 to 65535", -EINVAL);
        a->loopback = IN6_IS_ADDR_LOOPBACK(&sa->sin6_addr);
        a->len = sizeof(*sa);
        char shown[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, &sa->sin6_addr, shown, sizeof(shown));
        snprintf(a->text, sizeof(a->text), "[%s]:%u", shown, (unsigned) ntohs(sa->sin6_port));
        return 0;
}

static int parse_v4(const char *text, ListenAddr *a, const char **ret_why) {
        const char *colon = strrchr(text, ':');
        char host[INET_ADDRSTRLEN];
        struct sockaddr_in *sa = (struct sockaddr_in *) &a->sa;
        size_t n = colon ? (size_t) (colon - text) : 0;
        if (!colon || n == 0 || n >= sizeof(host))
                return fail(ret_why, "give ADDRESS:PORT, as 127.0.0.1:9677", -EINVAL);
        memcpy(host, text, n);
        host[n] = '\0';
        *sa = (struct sockaddr_in) { .sin_family = AF_INET };
        if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
                return fail(ret_why, "not an IPv4 address (a host name is not looked up: give 127.0.0.1)", -EINVAL);
        if (parse_port(colon + 1, &sa->sin_port) < 0)
                return fail(ret_why, "the port must be a number from 1 to 65535", -EINVAL);
        a->loopback = (ntohl(sa->sin_addr.s_addr) >> 24) == 127;
        a->len = sizeof(*sa);
        char shown[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &sa->sin_addr, shown, sizeof(shown));
        snprintf(a->text, sizeof(a->text), "%s:%u", shown, (unsigned) ntohs(sa->sin_port));
        return 0;
}

int listen_addr_parse_any(const char *text, ListenAddr *ret, const char **ret_why) {
        ListenAddr a = {};
        int r;
        if (strcmp(text, "off") == 0) {
                a.off = true;
                snprintf(a.text, sizeof(a.text), "off");
                r = 0;
        } else if (text[0] == '[')
                r = parse_v6(text, &a, ret_why);
        else
                r = parse_v4(text, &a, ret_why);
        if (r >= 0)
                *ret = a;
        return r;
}

int listen_addr_parse(const char *text, ListenAddr *ret, const char **ret_why) {
        ListenAddr a;
        int r = listen_addr_parse_any(text, &a, ret_why);
        if (r >= 0 && !a.off && !a.loopback)
                return fail(ret_why, "not a loopback address", -EADDRNOTAVAIL);
        if (r >= 0)
                *ret = a;
        return r;
}

bool listen_addr_equal(const ListenAddr *a, const ListenAddr *b) {
        return strcmp(a->text, b->text) == 0;
}

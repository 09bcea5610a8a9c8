/* SPDX-License-Identifier: MIT */
/* The `listen` key of monitor.conf (docs/monitor.md, The HTTP API): where skytune-monitor serves
 * its HTTP API. "off", an IPv4 "a.b.c.d:PORT" or an IPv6 "[addr]:PORT"; a loopback one (127.0.0.0/8
 * or ::1) unless the API asks for a token (api_token_file): without one anything else is refused, so
 * that a typo cannot put the host's metrics on the network. */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>

#define LISTEN_ADDR_DEFAULT  "127.0.0.1:9677"
#define LISTEN_ADDR_TEXT_MAX 64 /* "[" INET6_ADDRSTRLEN "]:65535" */

typedef struct ListenAddr {
        bool off;
        bool loopback;              /* 127.0.0.0/8 or ::1 */
        struct sockaddr_storage sa; /* AF_INET or AF_INET6, the port in network order */
        socklen_t len;
        char text[LISTEN_ADDR_TEXT_MAX]; /* written back in one form: "127.0.0.1:9677", "[::1]:9677", "off" */
} ListenAddr;

/* Parses text into *ret. -EINVAL when it is none of the forms, -EADDRNOTAVAIL when the address is
 * not a loopback one; *ret_why (when not NULL) then says what is wrong in a few words. *ret is
 * untouched on failure. */
int listen_addr_parse(const char *text, ListenAddr *ret, const char **ret_why);
/* The same, any address (ret->loopback says which). */
int listen_addr_parse_any(const char *text, ListenAddr *ret, const char **ret_why);
/* The same address and port (or both off). */
bool listen_addr_equal(const ListenAddr *a, const ListenAddr *b);

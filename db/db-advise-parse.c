/* SPDX-License-Identifier: MIT */
/* What db advise reads from the server and the DSN, without a server: pg_settings units ("8kB" for
 * a page, "16kB" on a server built with larger blocks) and whether the server's host is this one. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "db-advise.h"
#include "macro.h"

uint64_t db_advise_unit_bytes(const char *unit) {
        static const struct {
                const char *suffix;
                uint64_t bytes;
        } units[] = { { "B", 1 },
                      { "kB", 1024 },
                      { "MB", 1024 * 1024 },
                      { "GB", 1024 * 1024 * 1024 },
                      { "TB", 1024ull * 1024 * 1024 * 1024 } };
        uint64_t n = 1;
        const char *p = unit;
        if (isdigit((unsigned char) *p)) {
                char *end;
                n = strtoull(p, &end, 10);
                if (n == 0 || n > 1u << 20)
                        return 0;
                p = end;
        }
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (strcmp(p, units[i].suffix) == 0)
                        return n * units[i].bytes;
        return 0;
}

bool db_advise_host_is_local(const char *host) {
        if (!host || !*host || host[0] == '/' || host[0] == '@' || strcmp(host, "localhost") == 0)
                return true;
        struct in_addr a4;
        struct in6_addr a6;
        if (inet_pton(AF_INET, host, &a4) == 1)
                return (ntohl(a4.s_addr) >> 24) == 127;
        if (inet_pton(AF_INET6, host, &a6) == 1)
                return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
        return false;
}

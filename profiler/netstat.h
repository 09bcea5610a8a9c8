/* SPDX-License-Identifier: MIT */
/* Parsers of /proc/net/snmp and /proc/net/netstat (pairs of lines: "Tcp: Name1 Name2 ...", then
 * "Tcp: value1 value2 ..."), and of the TCP line of /proc/net/sockstat. */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct NetstatField {
        const char *section;       /* "TcpExt" */
        const char *name;          /* "ListenOverflows" */
} NetstatField;

#define NETSTAT_FIELDS_MAX 64

/* Where the wanted names sit in their header lines, learned by one call and checked by the next: the
 * header lines of a running kernel do not change, so later calls walk only the value lines. */
typedef struct NetstatLayout {
        uint64_t known;                              /* bit i: fields[i] was found */
        uint32_t header_len[NETSTAT_FIELDS_MAX];     /* length of its header line */
        uint32_t offset[NETSTAT_FIELDS_MAX];         /* offset of its name in that line */
        uint32_t column[NETSTAT_FIELDS_MAX];         /* its column, 0 = the first after the prefix */
} NetstatLayout;

/* For each fields[i] (n <= NETSTAT_FIELDS_MAX) found, sets values[i] and bit i of *ret_found; fields
 * that are absent, negative or not numbers are left out. Only the sections named in fields are split
 * into words, and only the wanted columns are parsed. layout (zeroed before the first call, or NULL)
 * caches the columns; a header line that changed is parsed in full again. -EBADMSG when a wanted
 * section's header has no value line after it, or no line pair at all was found. */
int netstat_parse(const char *text, size_t len, const NetstatField *fields, size_t n, NetstatLayout *layout,
                  uint64_t *values, uint64_t *ret_found);

typedef struct SockstatTcp {
        uint64_t inuse, orphan, tw, alloc, mem;
} SockstatTcp;

/* "TCP: inuse N orphan N tw N alloc N mem N"; -EBADMSG when the line, inuse, orphan or tw is missing,
 * or a value is not a number. */
int sockstat_parse_tcp(const char *text, size_t len, SockstatTcp *ret);

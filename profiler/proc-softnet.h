/* SPDX-License-Identifier: MIT */
/* Parsers of /proc/net/softnet_stat and /proc/softirqs.
 *
 * softnet_stat: one row per online CPU, columns in hex (%08x, 32-bit counters): 1 processed,
 * 2 dropped (input backlog full, net.core.netdev_max_backlog), 3 time_squeeze (net_rx_action ran out
 * of net.core.netdev_budget or netdev_budget_usecs), 4-8 zero, 9 cpu_collision, 10 received_rps,
 * 11 flow_limit_count; 5.10+ add 12 backlog length and 13 the CPU id, 6.x more. Rows skip offline
 * CPUs, so without column 13 the row index is only a guess at the CPU id.
 *
 * softirqs: a header "CPU0 CPU1 ..." (every possible CPU), then "NAME: n n ..." rows of 32-bit
 * per-CPU counts. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SOFTNET_MAX_CPUS 512

typedef struct SoftnetRow {
        unsigned cpu;
        uint64_t dropped, time_squeeze;
} SoftnetRow;

typedef struct Softnet {
        unsigned nrows;              /* at most SOFTNET_MAX_CPUS; further rows are ignored */
        unsigned ncols;
        bool cpu_from_column;        /* ids come from column 13, not the row index */
        SoftnetRow row[SOFTNET_MAX_CPUS];
} Softnet;

/* -EBADMSG on a non-hex field, fewer than 3 columns, or rows of differing width. No rows is valid. */
int softnet_parse(const char *text, size_t len, Softnet *ret);

typedef struct Softirqs {
        unsigned ncpu;               /* columns in the header, at most SOFTNET_MAX_CPUS */
        uint64_t net_rx[SOFTNET_MAX_CPUS], net_tx[SOFTNET_MAX_CPUS];
} Softirqs;

/* -EBADMSG when the header, NET_RX or NET_TX is missing or a row's width differs from the header. */
int softirqs_parse(const char *text, size_t len, Softirqs *ret);

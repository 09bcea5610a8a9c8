/* SPDX-License-Identifier: MIT */
/* Parser of /proc/net/dev: one line per interface, "name: 8 receive counters 8 transmit counters". */
#pragma once

#include <stdint.h>

#include "textscan.h"

enum {
        NETDEV_RX_BYTES, NETDEV_RX_PACKETS, NETDEV_RX_ERRS, NETDEV_RX_DROP,
        NETDEV_RX_FIFO, NETDEV_RX_FRAME, NETDEV_RX_COMPRESSED, NETDEV_RX_MULTICAST,
        NETDEV_TX_BYTES, NETDEV_TX_PACKETS, NETDEV_TX_ERRS, NETDEV_TX_DROP,
        NETDEV_TX_FIFO, NETDEV_TX_COLLS, NETDEV_TX_CARRIER, NETDEV_TX_COMPRESSED,
        _NETDEV_MAX,
};

typedef struct NetDevLine {
        Scan name;                 /* points into the text */
        uint64_t v[_NETDEV_MAX];
} NetDevLine;

/* The next interface line of the text in *s. Returns 1 with *ret filled, 0 at the end, -EBADMSG for a
 * malformed line (the next call continues after it). The two header lines carry no ':' and are skipped.
 * Names cannot contain ':' (dev_valid_name), and a long counter may follow the ':' without a blank. */
int netdev_next(Scan *s, NetDevLine *ret);

/* SPDX-License-Identifier: MIT */
/* When /proc/net/netstat need not be read again at a full sample (collect-network.c). It costs the
 * kernel 13-14 us a read here, 40 % of a full sample on an idle host. The TcpExt counters the
 * collector uses count at a received segment (the listen queues, backlog drops) or with a
 * retransmission (SYN retransmits), so while snmp's InSegs, OutSegs and RetransSegs stand still, the
 * last row stands for the sample, as if read again. The baseline is snmp one sample before the read:
 * InSegs counts at a segment's arrival, its TcpExt counter microseconds later, and the read may fall
 * between the two. Never at a SAMPLE_WHOLE (the window's last sample), and a real read at the first
 * full sample NETSTAT_REPEAT_MAX_USEC or more after the last one. TCPTimeouts also counts at timer
 * expiries that send nothing (a connection that dies, a retransmission that fails for want of a route
 * or memory, SYN-ACK timers): its rate is taken between real reads only, over the time between them. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define NETSTAT_TCP_SEGS        3
#define NETSTAT_REPEAT_MAX_USEC UINT64_C(60000000)

typedef struct NetstatRepeat {
        uint64_t base[NETSTAT_TCP_SEGS]; /* snmp's segment counters one sample before it */
        bool base_ok;
        uint64_t to_at[2], to[2]; /* the last two real reads ([1] the latest) and TCPTimeouts then */
        bool to_ok[2];            /* read there */
        bool to_fresh;            /* read at this sample: its span is due */
} NetstatRepeat;

/* Whether the last row may stand for this full sample: may is false at a SAMPLE_WHOLE; segs are
 * snmp's counters at this sample (NULL: not known). */
bool netstat_repeat_ok(const NetstatRepeat *r, const uint64_t segs[NETSTAT_TCP_SEGS], uint64_t now, bool may);
/* After a real read at now: snmp's counters at the sample before (NULL: not known), and TCPTimeouts as
 * read (NULL: the read failed or lacks it, which ends the span). */
void netstat_repeat_read(NetstatRepeat *r, const uint64_t prev_segs[NETSTAT_TCP_SEGS], uint64_t now,
                         const uint64_t *timeouts);
/* TCPTimeouts a second between the last two real reads, when the latest was made at this sample. */
bool netstat_repeat_timeouts(const NetstatRepeat *r, double *ret_rate, double *ret_dt);

/* SPDX-License-Identifier: MIT */
/* clock-state: what the kernel says about this host's clock (adjtimex(2) with no change asked):
 * whether an NTP daemon (chrony, ntpd, systemd-timesyncd) keeps it synchronized, the offset the
 * kernel is still correcting and its estimated and maximum error. Each agent of a distributed run
 * records it at the start and end (client.segment.clock, docs/load.md) so that `skytune load merge`
 * can say when the agents' clocks are too far apart for their intervals to line up. Library code:
 * nothing printed. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <sys/timex.h>

typedef struct ClockState {
        bool known;             /* adjtimex answered (else every figure below is unknown) */
        bool synchronized;      /* neither STA_UNSYNC nor a TIME_ERROR return */
        double offset_s;        /* the kernel's remaining offset correction (STA_NANO respected) */
        double esterror_s, maxerror_s;
} ClockState;

/* How the state is read: adjtimex(2) by default; tests install a function that fills tx with known
 * values (NULL restores adjtimex). Returns the clock state (TIME_OK ... TIME_ERROR) or -1 with errno. */
typedef int (*ClockAdjtimexFn)(struct timex *tx);
void clock_state_set_source(ClockAdjtimexFn fn);

/* The state now into *ret. -errno (ret->known false) when adjtimex failed. */
int clock_state_read(ClockState *ret);

/* { "synchronized", "offset_s", "esterror_s", "maxerror_s", "source": "adjtimex" }; the figures null
 * when unknown. */
json_t *clock_state_json(const ClockState *c);
/* The offset as client.segment.clock_offset_s gives it: null unless the clock is synchronized (an
 * unsynchronized clock's offset is no measure of anything). */
json_t *clock_state_offset_json(const ClockState *c);

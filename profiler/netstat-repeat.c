/* SPDX-License-Identifier: MIT */
#include "netstat-repeat.h"

#include <string.h>

#include "series.h"

bool netstat_repeat_ok(const NetstatRepeat *r, const uint64_t segs[NETSTAT_TCP_SEGS], uint64_t now, bool may) {
        return may && segs && r->base_ok && now - r->to_at[1] < NETSTAT_REPEAT_MAX_USEC &&
                memcmp(segs, r->base, sizeof(r->base)) == 0;
}

void netstat_repeat_read(NetstatRepeat *r, const uint64_t prev_segs[NETSTAT_TCP_SEGS], uint64_t now,
                         const uint64_t *timeouts) {
        r->base_ok = prev_segs != NULL;
        if (prev_segs)
                memcpy(r->base, prev_segs, sizeof(r->base));
        r->to_at[0] = r->to_at[1], r->to[0] = r->to[1], r->to_ok[0] = r->to_ok[1];
        r->to_at[1] = now, r->to[1] = timeouts ? *timeouts : 0, r->to_ok[1] = timeouts != NULL;
        r->to_fresh = true;
}

bool netstat_repeat_timeouts(const NetstatRepeat *r, double *ret_rate, double *ret_dt) {
        uint64_t d;
        if (!r->to_fresh || !r->to_ok[0] || !r->to_ok[1] || r->to_at[1] <= r->to_at[0] ||
            !counter_delta(r->to[0], r->to[1], &d))
                return false;
        *ret_dt = (double) (r->to_at[1] - r->to_at[0]) / 1e6;
        *ret_rate = (double) d / *ret_dt;
        return true;
}

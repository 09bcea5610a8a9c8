/* SPDX-License-Identifier: MIT */
/* The host clock's synchronization state from adjtimex(2) (clock-state.h). */
#include "clock-state.h"

#include <errno.h>


static int real_adjtimex(struct timex *tx) {
        return adjtimex(tx);
}

static ClockAdjtimexFn source = real_adjtimex;

void clock_state_set_source(ClockAdjtimexFn fn) {
        source = fn ? fn : real_adjtimex;
}

int clock_state_read(ClockState *ret) {
        struct timex tx = { .modes = 0 }; /* read only: no privilege needed */
        *ret = (ClockState) { .known = false };
        int state = source(&tx);
        if (state < 0)
                return errno > 0 ? -errno : -EIO;
        /* offset is in microseconds unless STA_NANO; esterror and maxerror always are. */
        double unit = (tx.status & STA_NANO) ? 1e-9 : 1e-6;
        *ret = (ClockState) {
                .known = true,
                .synchronized = state != TIME_ERROR && !(tx.status & STA_UNSYNC),
                .offset_s = (double) tx.offset * unit,
                .esterror_s = (double) tx.esterror * 1e-6,
                .maxerror_s = (double) tx.maxerror * 1e-6,
        };
        return 0;
}

json_t *clock_state_json(const ClockState *c) {
        json_t *o = json_object();
        json_object_set_new(o, "synchronized", json_boolean(c->known && c->synchronized));
        json_object_set_new(o, "offset_s", c->known ? json_real(c->offset_s) : json_null());
        json_object_set_new(o, "esterror_s", c->known ? json_real(c->esterror_s) : json_null());
        json_object_set_new(o, "maxerror_s", c->known ? json_real(c->maxerror_s) : json_null());
        json_object_set_new(o, "source", json_string("adjtimex"));
        return o;
}

json_t *clock_state_offset_json(const ClockState *c) {
        return c->known && c->synchronized ? json_real(c->offset_s) : json_null();
}

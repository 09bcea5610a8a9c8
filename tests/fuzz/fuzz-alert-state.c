/* SPDX-License-Identifier: MIT */
/* An alert's state as skytune-monitor reads it back from its store (monitor/alert-state.c,
 * alert_state_from_json): any JSON text. An accepted record keeps the machine's invariant (pending
 * and firing have a level, inactive and resolved none), writes back to a record that reads the same,
 * and steps on without harm. */
#include <math.h>
#include <string.h>

#include "../../monitor/alert-state.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json_t *j = json_loadb((const char *) data, size, 0, NULL);
        if (!j)
                return 0;
        AlertState s, again;
        alert_state_init(&s);
        const int64_t shift = INT64_C(1796342400000), now = 5000000;
        if (alert_state_from_json(j, shift, now, &s) == 0) {
                bool standing = s.phase == ALERT_PENDING || s.phase == ALERT_FIRING;
                fuzz_check(standing == (s.level != ALERT_LEVEL_NONE) && s.since_ms <= now);
                json_t *back = alert_state_to_json(&s, shift);
                fuzz_check(back && alert_state_from_json(back, shift, now, &again) == 0);
                fuzz_check(again.phase == s.phase && again.level == s.level && again.since_ms == s.since_ms &&
                           again.cleared_ms == s.cleared_ms && again.flapping == s.flapping &&
                           again.n_changes == s.n_changes);
                for (unsigned k = 0; k < s.n_changes; k++)
                        fuzz_check(again.changes[k] == s.changes[k]);
                json_decref(back);
                AlertRule r = { .name = "F", .hits = 1, .flap_transitions = 3, .flap_window_ms = 10000 };
                r.level[ALERT_LEVEL_NONE] = r.level[ALERT_LEVEL_CRIT] = NAN;
                r.level[ALERT_LEVEL_WARN] = 1;
                for (int k = 0; k < 4; k++)
                        (void) alert_state_step(&r, &s, now + 1000 * k, true, k % 2 ? 5 : 0);
        }
        json_decref(j);
        return 0;
}

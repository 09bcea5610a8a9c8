/* SPDX-License-Identifier: MIT */
/* An alert rule file (monitor/alert-rule.c, libconfig) as skytune-monitor and `skytune alerts check`
 * read it, checked against the metric catalogue. An accepted file gives rules the state machine can
 * run (a level, a number expression over named series); a refused one adds nothing, with an error
 * at a line of the file. Each accepted rule is stepped through a few values and a gap, and after
 * each step pending and firing have a level, inactive and resolved none. */
#include <math.h>

#include "../../monitor/alert-state.h"
#include "../../profiler/profiler.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static MetricCatalog catalog;
        static bool have;
        if (!have)
                fuzz_check(profiler_metric_catalog(&catalog) == 0 && (have = true));
        const char *path = fuzz_write_file("alerts.conf", data, size);
        AlertRules rules = {};
        Error e = ERROR_NULL;
        if (alert_rules_load_file(path, &catalog, &rules, &e) >= 0) {
                for (size_t i = 0; i < rules.n; i++) {
                        const AlertRule *r = &rules.rules[i];
                        fuzz_check(r->name && r->expr && r->n_paths > 0 && r->hits >= 1);
                        fuzz_check(!isnan(r->level[ALERT_LEVEL_WARN]) || !isnan(r->level[ALERT_LEVEL_CRIT]));
                        AlertState s;
                        alert_state_init(&s);
                        const double v[] = { 0, 1e9, -1e9, NAN, 50, 50 };
                        for (int k = 0; k < 6; k++) {
                                (void) alert_state_step(r, &s, 1000 * k, !isnan(v[k]), v[k]);
                                bool standing = s.phase == ALERT_PENDING || s.phase == ALERT_FIRING;
                                fuzz_check(standing == (s.level != ALERT_LEVEL_NONE));
                        }
                }
        } else
                fuzz_check(rules.n == 0 && error_is_set(&e));
        alert_rules_done(&rules);
        error_done(&e);
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* An application metrics datagram (monitor/app-record.c, app-metrics.c) as skytune-monitor reads it
 * from its app socket: any bytes, records one a line. Every record is counted once (kept or dropped
 * by reason), and the harvested series have names in the series charset, bounded, and finite
 * values; a second harvest of an empty interval keeps that. */
#include <ctype.h>
#include <math.h>
#include <string.h>

#include "../../monitor/app-metrics.h"
#include "fuzz.h"

static int check_point(void *userdata, const char *name, const char *unit, double value) {
        size_t len = strlen(name);
        fuzz_check(len > 0 && len < 200 && isfinite(value));
        for (size_t i = 0; i < len; i++)
                fuzz_check(isalnum((unsigned char) name[i]) || name[i] == '_' || name[i] == '.');
        fuzz_check(name[0] != '.' && name[len - 1] != '.' && !strstr(name, ".."));
        fuzz_check(!unit || strlen(unit) <= APP_UNIT_MAX);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        AppMetrics *a;
        fuzz_check(app_metrics_new(4, &a) == 0);
        AppDropNote note = { APP_DROP_MAX, NULL, NULL };
        int dropped = app_metrics_feed(a, (const char *) data, size, &note);
        fuzz_check(dropped >= 0);
        AppMetricsStats s;
        app_metrics_stats(a, &s);
        uint64_t drops = 0;
        for (int d = 0; d < APP_DROP_MAX; d++)
                drops += s.dropped[d];
        fuzz_check(drops == (uint64_t) dropped && s.series <= 4);
        if (dropped > 0)
                fuzz_check(note.reason < APP_DROP_MAX &&
                           (note.reason != APP_DROP_BAD_FIELD || (note.field && note.why)));
        fuzz_check(app_metrics_harvest(a, 0.2, check_point, NULL) == 0);
        fuzz_check(app_metrics_harvest(a, 1.0, check_point, NULL) == 0);
        app_metrics_free(a);
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* GET /api/v1/status (monitor-status.h): a skytune.monitor-status/1 document. Times are ISO 8601 in
 * UTC (null before the first sample), periods in seconds, counts as integers. */
#include "monitor-status.h"
#include "schema.h"
#include "time-util.h"

static json_t *iso_or_null(int64_t ms) {
        char buf[ISO8601_USEC_SIZE];
        return ms > 0 ? json_string(time_format_iso8601((uint64_t) ms * 1000u, buf)) : json_null();
}

json_t *monitor_status_json(const MonitorStatus *s) {
        const MonitorRingStats *r = &s->ring;
        json_t *dropped = json_pack("{sIsIsIsI}", "overflow", (json_int_t) r->dropped_overflow, "series",
                                    (json_int_t) r->dropped_series, "order", (json_int_t) r->dropped_order, "value",
                                    (json_int_t) r->dropped_value);
        json_t *store = json_pack("{ssso}", "path", s->store, "bytes",
                                  s->store_bytes >= 0 ? json_integer(s->store_bytes) : json_null());
        return json_pack("{sssssosfsosIsIsIsIsIsososs}", "schema", MONITOR_STATUS_SCHEMA, "version", SKYTUNE_VERSION,
                         "started", iso_or_null(s->start_ms), "interval_s", (double) s->interval_ms / 1000,
                         "last_sample", iso_or_null(s->last_tick_ms), "series", (json_int_t) r->series,
                         "series_forgotten", (json_int_t) r->forgotten, "ticks", (json_int_t) s->ticks, "missed",
                         (json_int_t) s->missed, "samples_stored", (json_int_t) r->stored, "dropped", dropped, "store",
                         store, "listen", s->listen);
}

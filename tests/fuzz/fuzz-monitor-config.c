/* SPDX-License-Identifier: MIT */
/* monitor.conf (monitor/monitor-config.c, libconfig): the bytes are the file skytune-monitor reads at
 * start and on SIGHUP. An accepted file gives values inside their documented ranges; a refused one
 * leaves the configuration in use exactly as it was, with an error that names a line of the file. */
#include <string.h>

#include "../../monitor/monitor-config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *path = fuzz_write_file("monitor.conf", data, size);
        MonitorConfig c;
        fuzz_check(monitor_config_defaults(&c) == 0);
        c.interval_ms = 4242;
        Error e = ERROR_NULL;
        if (monitor_config_load(path, true, &c, &e) >= 0) {
                fuzz_check(c.interval_ms >= MONITOR_INTERVAL_MIN_MS && c.interval_ms <= MONITOR_INTERVAL_MAX_MS);
                fuzz_check(c.flush_ms >= 0 && c.flush_ms <= 3600000);
                fuzz_check(c.store && c.store[0] == '/');
                fuzz_check(c.max_series >= 1 && c.max_series <= MONITOR_MAX_SERIES_MAX);
                fuzz_check(c.max_pending >= 1 && c.max_pending <= CHUNK_MAX_POINTS);
                fuzz_check(!c.app_socket || (c.app_socket[0] == '/' && strlen(c.app_socket) < 108));
                fuzz_check(c.app_max_series >= 1 && c.app_max_series <= MONITOR_MAX_SERIES_MAX);
                for (int i = 0; i < TSDB_TIERS; i++)
                        fuzz_check(c.limits.age_ms[i] >= 0 && c.limits.bytes[i] >= 0);
        } else {
                fuzz_check(error_is_set(&e) && c.interval_ms == 4242 && strcmp(c.store, TSDB_DEFAULT_PATH) == 0);
        }
        monitor_config_done(&c);
        error_done(&e);
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* The monitor configuration tests' helpers: a monitor.conf loaded from text, and a file written with
 * a mode (secrets, DSN files). Header-only, after support.h and monitor-config.h. */
#pragma once

#include <stdio.h>
#include <sys/stat.h>

/* Writes TEXT as DIR/monitor.conf and loads it into c: NULL when it loads, else the error as the
 * daemon would print it (free it). */
static inline char *monitor_conf_error(const char *dir, const char *text, MonitorConfig *c) {
        test_write(dir, "monitor.conf", text);
        char path[4096];
        snprintf(path, sizeof(path), "%s/monitor.conf", dir);
        Error e = ERROR_NULL;
        int r = monitor_config_load(path, true, c, &e);
        char *msg = r < 0 ? error_format(&e) : NULL;
        error_done(&e);
        return msg;
}

static inline void test_write_mode(const char *dir, const char *name, const char *text, mode_t mode) {
        test_write(dir, name, text);
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        assert_int_equal(chmod(path, mode), 0);
}

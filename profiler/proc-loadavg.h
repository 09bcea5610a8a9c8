/* SPDX-License-Identifier: MIT */
/* Parser of /proc/loadavg: "0.04 0.07 0.03 1/88 11291" = load averages over 1, 5 and 15 minutes,
 * runnable/total scheduling entities (threads), last PID handed out. */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct LoadAvg {
        double load1, load5, load15;
        uint64_t runnable, threads, last_pid;
} LoadAvg;

int loadavg_parse(const char *text, size_t len, LoadAvg *ret);

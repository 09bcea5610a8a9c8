/* SPDX-License-Identifier: MIT */
/* Parser of /proc/pressure/{cpu,memory,io} (Documentation/accounting/psi.rst):
 *   some avg10=0.00 avg60=0.00 avg300=0.00 total=0
 *   full avg10=0.00 avg60=0.00 avg300=0.00 total=0
 * Only the cumulative stall time (total=, microseconds) is kept: its delta over the profiler's own
 * interval is exact, where the avgN values are smoothed over fixed windows. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct PsiTotals {
        uint64_t some_us, full_us;
        bool has_some, has_full;     /* irq has only "full"; kernels before 5.13 print no cpu "full" */
} PsiTotals;

/* -EBADMSG when neither line is present, or a present line has no valid total=. */
int psi_parse(const char *text, size_t len, PsiTotals *ret);

/* SPDX-License-Identifier: MIT */
/* Which failures of a probe round are measurements of the host. */
#include <errno.h>
#include <stdbool.h>

#include "macro.h"
#include "probe.h"

/* Resources exhausted, connections refused, reset or timed out, limits hit: the conditions that
 * somaxconn, the file and process limits, memory and port settings change. Everything else (EINVAL,
 * ENOENT, EBADF, EFAULT, EPERM, ...) says the probe cannot run here, not how the host behaves. */
static const int measurement_errors[] = {
        EAGAIN, ECONNREFUSED, ECONNRESET, ECONNABORTED, ETIMEDOUT, EMFILE, ENFILE, ENOBUFS, ENOMEM,
        EADDRNOTAVAIL, EADDRINUSE, EPIPE, ENOSPC, EDQUOT, EBUSY,
};

bool probe_failure_is_measurement(int r) {
        if (r >= 0)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(measurement_errors); i++)
                if (-r == measurement_errors[i])
                        return true;
        return false;
}

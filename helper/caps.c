/* SPDX-License-Identifier: MIT */
/* Capabilities: right after start the helper keeps only what its writes need, in the effective and
 * permitted sets, clears the inheritable and ambient sets, empties the bounding set of everything
 * else, and sets no_new_privs, so nothing it could ever exec regains more.
 *
 * Kept, and why:
 *   CAP_SYS_RESOURCE  prlimit(2) on another user's process, and raising a hard limit.
 * Not kept: CAP_SYS_ADMIN, although kernel.numa_balancing checks it in its handler (EPERM without):
 * one knob is not worth the broadest capability there is, so the helper refuses that key up front
 * (common/plan-validate.c) with a message saying why. CAP_DAC_OVERRIDE (the helper runs as uid 0, the owner of /proc/sys, /sys attributes,
 * /etc and its state directory, so plain owner permissions suffice), CAP_NET_ADMIN (net.* sysctls of
 * the initial network namespace are writable by uid 0), CAP_SETPCAP (used only here, once). */
#include <stdio.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "service.h"
#include "log.h"

static const cap_value_t kept[] = { CAP_SYS_RESOURCE };

static bool is_kept(cap_value_t c) {
        for (size_t i = 0; i < ELEMENTSOF(kept); i++)
                if (kept[i] == c)
                        return true;
        return false;
}

static void cap_freep(cap_t *c) {
        if (*c)
                cap_free(*c);
}

int caps_drop_to_needed(void) {
        _cleanup_(cap_freep) cap_t cur = cap_get_proc(), next = cap_init();
        if (!cur || !next)
                return negative_errno();
        cap_flag_value_t have_setpcap = CAP_CLEAR;
        (void) cap_get_flag(cur, CAP_SETPCAP, CAP_EFFECTIVE, &have_setpcap);

        /* Bounding set first: dropping from it needs CAP_SETPCAP, which goes next. */
        if (have_setpcap == CAP_SET)
                for (cap_value_t c = 0; c <= CAP_LAST_CAP || cap_valid(c); c++) {
                        if (is_kept(c) || !CAP_IS_SUPPORTED(c))
                                continue;
                        if (cap_drop_bound(c) < 0 && errno != EINVAL)
                                return log_error_errno(negative_errno(), "cannot drop capability %d from the bounding set: %m", c);
                }

        /* Keep a capability only if we have it now: asking for more would fail. */
        for (size_t i = 0; i < ELEMENTSOF(kept); i++) {
                cap_flag_value_t v = CAP_CLEAR;
                (void) cap_get_flag(cur, kept[i], CAP_PERMITTED, &v);
                if (v != CAP_SET)
                        continue;
                if (cap_set_flag(next, CAP_PERMITTED, 1, &kept[i], CAP_SET) < 0 ||
                    cap_set_flag(next, CAP_EFFECTIVE, 1, &kept[i], CAP_SET) < 0)
                        return negative_errno();
        }
        /* Under the packaged unit (CapabilityBoundingSet=CAP_SYS_RESOURCE) the sets are already right,
         * and its syscall filter keeps capset(2) out: only call it when something changes. */
        if (cap_compare(cur, next) != 0 && cap_set_proc(next) < 0)
                return log_error_errno(negative_errno(), "cannot set the capability sets: %m");
        if (CAP_AMBIENT_SUPPORTED())
                (void) cap_reset_ambient();
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return log_error_errno(negative_errno(), "cannot set no_new_privs: %m");
        return 0;
}

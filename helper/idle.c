/* SPDX-License-Identifier: MIT */
/* The event loop with exit on idle: after --idle-timeout with no request in flight (none waiting for
 * polkit), release the bus name, serve whatever reached us before the release took effect, then
 * exit. A call made after the release makes the bus start a fresh helper, which waits for this one's
 * journal lock. SIGTERM and SIGINT end the loop cleanly the same way. */
#include <signal.h>

#include "service.h"
#include "log.h"

static int on_signal(sd_event_source *source, const struct signalfd_siginfo *si, void *userdata) {
        Service *s = userdata;
        log_info("signal received: exiting");
        s->exiting = true;
        return sd_event_exit(s->event, 0);
}

int idle_loop(Service *s) {
        int r = sd_event_add_signal(s->event, NULL, SIGTERM, on_signal, s);
        if (r >= 0)
                r = sd_event_add_signal(s->event, NULL, SIGINT, on_signal, s);
        if (r < 0)
                return log_error_errno(r, "cannot watch SIGTERM/SIGINT: %m");
        bool released = false;
        for (;;) {
                if (sd_event_get_state(s->event) == SD_EVENT_FINISHED)
                        break;
                bool idle = bus_is_idle(s);
                uint64_t timeout = UINT64_MAX;
                if (released)
                        timeout = idle ? 0 : UINT64_MAX;
                else if (idle && s->idle_usec > 0)
                        timeout = s->idle_usec;
                r = sd_event_run(s->event, timeout);
                if (r < 0)
                        return log_error_errno(r, "event loop failed: %m");
                if (r > 0 || !idle || sd_event_get_state(s->event) == SD_EVENT_FINISHED)
                        continue;
                if (released)
                        break;        /* drained */
                if (timeout == UINT64_MAX)
                        continue;
                log_info("idle for %llu ms: releasing %s and exiting", (unsigned long long) (s->idle_usec / 1000), HELPER_BUS_NAME);
                r = sd_bus_release_name(s->bus, HELPER_BUS_NAME);
                if (r < 0)
                        log_warning_errno(r, "cannot release %s: %m", HELPER_BUS_NAME);
                released = true;
                s->exiting = true;
        }
        return 0;
}

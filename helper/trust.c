/* SPDX-License-Identifier: MIT */
/* Which callers the queue keeps a reserve for (bus.c): a uid polkit authorized within the last
 * HELPER_TRUST_USEC (remembered here), or a member of an administrators' group as the bus vouches
 * for it. Neither grants anything: the request still goes through polkit; it only is not refused as
 * Busy while unauthenticated callers fill the general queue. */
#include <grp.h>
#include <string.h>
#include <time.h>

#include "service.h"

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

void trust_remember(Service *s, uid_t uid) {
        size_t oldest = 0;
        for (size_t i = 0; i < ELEMENTSOF(s->trusted); i++) {
                if (s->trusted[i].at && s->trusted[i].uid == uid) {
                        oldest = i;
                        break;
                }
                if (s->trusted[i].at < s->trusted[oldest].at)
                        oldest = i;
        }
        s->trusted[oldest] = (TrustedUid) { .uid = uid, .at = now_usec() };
}

static bool recently_authorized(const Service *s, uid_t uid) {
        uint64_t now = now_usec();
        for (size_t i = 0; i < ELEMENTSOF(s->trusted); i++)
                if (s->trusted[i].at && s->trusted[i].uid == uid && now - s->trusted[i].at < HELPER_TRUST_USEC)
                        return true;
        return false;
}

static bool is_admin_gid(gid_t gid) {
        static const char *const groups[] = { "sudo", "adm", "wheel" };
        for (size_t g = 0; g < ELEMENTSOF(groups); g++) {
                const struct group *gr = getgrnam(groups[g]);
                if (gr && gr->gr_gid == gid)
                        return true;
        }
        return false;
}

/* The groups as the bus daemon vouches for them (GetConnectionCredentials' UnixGroupIDs, taken from
 * the socket when the caller connected), not as /proc says now. */
static bool in_admin_group(Service *s, sd_bus_message *m) {
        const char *sender = sd_bus_message_get_sender(m);
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        if (!sender || sd_bus_call_method(s->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                          "GetConnectionCredentials", NULL, &reply, "s", sender) < 0 ||
            sd_bus_message_enter_container(reply, 'a', "{sv}") < 0)
                return false;
        while (sd_bus_message_enter_container(reply, 'e', "sv") > 0) {
                const char *key;
                if (sd_bus_message_read(reply, "s", &key) < 0)
                        return false;
                if (strcmp(key, "UnixGroupIDs") != 0) {
                        if (sd_bus_message_skip(reply, "v") < 0 || sd_bus_message_exit_container(reply) < 0)
                                return false;
                        continue;
                }
                if (sd_bus_message_enter_container(reply, 'v', "au") < 0 || sd_bus_message_enter_container(reply, 'a', "u") < 0)
                        return false;
                for (uint32_t gid; sd_bus_message_read(reply, "u", &gid) > 0;)
                        if (is_admin_gid((gid_t) gid))
                                return true;
                return false;
        }
        return false;
}

bool trust_caller(Service *s, sd_bus_message *m, uid_t uid) {
        return recently_authorized(s, uid) || in_admin_group(s, m);
}

/* SPDX-License-Identifier: MIT */
/* polkit over public sd-bus: CheckAuthorization with the caller's unique bus name as the subject
 * (polkitd resolves the peer through the bus daemon, so no PID reuse race), sent asynchronously so a
 * caller sitting at a password prompt does not hold up anyone else. Each call asks polkitd afresh:
 * when polkitd is not on the bus only uid 0 is allowed, and a polkitd that appears later is used from
 * the next call on. */
#include <string.h>

#include "service.h"
#include "log.h"

#define POLKIT_ALLOW_USER_INTERACTION 1u

int polkit_check_async(Service *s, sd_bus_message *m, const char *action, bool interactive,
                       sd_bus_message_handler_t cb, void *userdata, sd_bus_slot **ret_slot) {
        const char *sender = sd_bus_message_get_sender(m);
        if (!sender)
                return -EBADMSG;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *c = NULL;
        int r = sd_bus_message_new_method_call(s->bus, &c, "org.freedesktop.PolicyKit1", "/org/freedesktop/PolicyKit1/Authority",
                                               "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
        if (r < 0)
                return r;
        r = sd_bus_message_append(c, "(sa{sv})sa{ss}us", "system-bus-name", 1, "name", "s", sender, action, 0,
                                  interactive ? POLKIT_ALLOW_USER_INTERACTION : 0u, "");
        if (r < 0)
                return r;
        if (interactive)
                (void) sd_bus_message_set_allow_interactive_authorization(c, true);
        /* The bus default (25 s) unless interactive: then a person may be typing, so five minutes. */
        return sd_bus_call_async(s->bus, ret_slot, c, cb, userdata, interactive ? HELPER_POLKIT_INTERACTIVE_USEC : 0);
}

int polkit_sender_is_root(sd_bus_message *request) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        uid_t euid;
        int r = sd_bus_query_sender_creds(request, SD_BUS_CREDS_EUID, &creds);
        if (r < 0)
                return r;
        /* Only credentials the bus vouches for, not ones read from /proc afterwards. */
        if (sd_bus_creds_get_augmented_mask(creds) & SD_BUS_CREDS_EUID)
                return 0;
        r = sd_bus_creds_get_euid(creds, &euid);
        return r < 0 ? r : euid == 0;
}

int polkit_verdict(sd_bus_message *request, sd_bus_message *reply, bool interactive, const char **why) {
        if (sd_bus_message_is_method_error(reply, NULL)) {
                const sd_bus_error *e = sd_bus_message_get_error(reply);
                if (sd_bus_error_has_names(e, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER)) {
                        int r = polkit_sender_is_root(request);
                        if (r > 0)
                                return 1;
                        *why = "polkit is not running, so only root may do this";
                        return 0;
                }
                log_warning("polkit check failed: %s: %s", e->name, strempty(e->message));
                *why = "the polkit check failed";
                return 0;
        }
        int authorized = 0, challenge = 0;
        int r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
        if (r >= 0)
                r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
        if (r < 0) {
                *why = "polkit sent a reply that cannot be read";
                return 0;
        }
        if (authorized)
                return 1;
        if (challenge && !interactive) {
                *why = "authentication is required; call again allowing interactive authorization";
                return -EBADR;
        }
        *why = "not authorized by polkit";
        return 0;
}

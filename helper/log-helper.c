/* SPDX-License-Identifier: MIT */
/* Logging of the helper: stderr (--log-target=console) or the journal with structured fields, one
 * record per change: SKYTUNE_TX, SKYTUNE_KIND, SKYTUNE_KEY, SKYTUNE_OLD, SKYTUNE_NEW. */
#include <systemd/sd-journal.h>

#include "service.h"
#include "log.h"

/* journalctl MESSAGE_ID=... finds every change skytune made or undid. */
#define SKYTUNE_MESSAGE_CHANGE "5ded79be69ed4b068cbc1b074db6e50d"

static void journal_sink(LogLevel level, const char *msg, void *userdata) {
        sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%i", (int) level, "SYSLOG_IDENTIFIER=skytune-helper", NULL);
}

void helper_log_setup(bool journal) {
        log_set_program("skytune-helper");
        log_set_level(LOG_LEVEL_INFO);
        if (journal)
                log_set_sink(journal_sink, NULL);
}

/* With --log-target=console the core logs the same line without the fields (core.c). */
void helper_log_change_journal(const char *tx, const char *verb, const char *kind, const char *key, const char *old,
                               const char *new) {
        sd_journal_send("MESSAGE=transaction %s: %s %s %s: %s -> %s", strempty(tx), verb, strempty(kind), strempty(key), strempty(old),
                        strempty(new), "MESSAGE_ID=" SKYTUNE_MESSAGE_CHANGE, "PRIORITY=%i", (int) LOG_LEVEL_NOTICE,
                        "SYSLOG_IDENTIFIER=skytune-helper", "SKYTUNE_TX=%s", strempty(tx), "SKYTUNE_KIND=%s", strempty(kind),
                        "SKYTUNE_KEY=%s", strempty(key), "SKYTUNE_OLD=%s", strempty(old), "SKYTUNE_NEW=%s", strempty(new), NULL);
}

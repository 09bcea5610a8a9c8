/* SPDX-License-Identifier: MIT */
/* The engine's lifetime and the two things every part of it reports through: the change log (a hook
 * of the executable) and the notes of a transaction. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "helper-core.h"
#include "log.h"

void helper_core_done(Helper *h) {
        h->root = sysroot_free(h->root);
        journal_index_free(h);
        if (h->tx_fd >= 0)
                close(h->tx_fd);
        if (h->state_fd >= 0)
                close(h->state_fd);
        if (h->lock_fd >= 0)
                close(h->lock_fd);
        h->tx_fd = h->state_fd = h->lock_fd = -EBADF;
}

void helper_log_change(Helper *h, const char *tx, const char *verb, const char *kind, const char *key, const char *old,
                       const char *new) {
        if (h->hooks.log_change) {
                h->hooks.log_change(tx, verb, kind, key, old, new);
                return;
        }
        log_notice("transaction %s: %s %s %s: %s -> %s", strempty(tx), verb, strempty(kind), strempty(key), strempty(old),
                   strempty(new));
}

void tx_note(json_t *tx, const char *fmt, ...) {
        char *s = format_varargs(fmt);
        if (!s)
                return;
        json_t *notes = json_object_get(tx, "notes");
        if (!notes) {
                notes = json_array();
                json_object_set_new(tx, "notes", notes);
        }
        json_array_append_new(notes, json_string(s));
        free(s);
}

/* SPDX-License-Identifier: MIT */
/* The notifiers skytune-monitor can send to, one table entry each (docs/monitor.md, Notifications):
 * what the entry needs from the configuration, how it carries a message (an HTTP POST, an email
 * over SMTP, a command's standard input) and how it writes the queued alerts into its body. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "notify-config.h"

typedef enum NotifyTransport { NOTIFY_HTTP, NOTIFY_SMTP, NOTIFY_EXEC } NotifyTransport;

typedef struct NotifyKind {
        const char *name;
        NotifyTransport transport;
        const char *const *keys; /* the configuration keys it takes besides name and type */
        const char *url_scheme;  /* "http" (http and https), "smtp" (smtp and smtps), NULL: no URL */
        bool url_secret;         /* the URL only from url_file */
        int64_t repeat_ms;       /* a firing alert is told again after this by default */
        const char *path;        /* appended to the URL ("/api/v2/alerts") */
        /* The body of one message for the queued group (notify-group.h), sent at now_ms; NULL on
         * ENOMEM. */
        char *(*body)(const NotifierConf *c, const json_t *group, int64_t now_ms);
} NotifyKind;

extern const NotifyKind notify_kinds[];
extern const size_t notify_kinds_n;

/* The kind named name: its index, or -ENOENT. */
int notify_kind_find(const char *name);

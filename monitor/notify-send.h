/* SPDX-License-Identifier: MIT */
/* One try of one notification, on the daemon's sd-event loop and never blocking it: an HTTP POST or
 * an email through libcurl's multi interface, or a command fed the body on its standard input.
 * The transport is the notifier kind's (notify-kind.h). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "error.h"
#include "notify-config.h"
#include "notify-kind.h"
#include "notify-retry.h"

typedef struct NotifyResult {
        bool abandoned; /* the sender was freed with the try in flight: release userdata, nothing else */
        NotifyOutcome outcome;
        long status;            /* the HTTP status, SMTP reply or exit status; 0: no answer */
        int64_t retry_after_ms; /* the receiver's Retry-After; -1: none */
        char detail[256];       /* what went wrong, for the log */
} NotifyResult;

/* Called once per notify_send that returned 0, later, from the event loop (or from
 * notify_sender_free, abandoned). */
typedef void (*notify_done_fn)(void *userdata, const NotifyResult *res);

typedef struct NotifySender NotifySender;

/* libcurl is loaded on the first HTTP or email try: -ENOENT then, with *e saying what to install. */
int notify_sender_new(sd_event *event, NotifySender **ret);
/* Tries in flight are abandoned: their done is called with abandoned set (a command is killed). */
NotifySender *notify_sender_free(NotifySender *s);

/* Starts a try of body (taken) to c. A failure to start (no libcurl, no memory, fork failing) is
 * a negative errno with *e filled; done is then not called. */
int notify_send(NotifySender *s, const NotifierConf *c, char *body, notify_done_fn done, void *userdata, Error *e);

/* SPDX-License-Identifier: MIT */
/* skytune-helper, the executable around the core library (helper-core.h): the D-Bus object, polkit,
 * the request queue and its trust reserve, exit on idle, capabilities, logging to the journal. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "helper-core.h"

#define HELPER_PENDING_MAX 32               /* requests waiting for polkit or their turn */
#define HELPER_PENDING_PER_UID 4            /* of which one uid may hold (root waits for no one: no polkit) */
#define HELPER_PENDING_RESERVED 8           /* more, for trusted callers only (trust.c) */
#define HELPER_TRUST_USEC (10 * 60 * UINT64_C(1000000)) /* how long a polkit authorization makes a uid trusted */

typedef struct Request Request;

typedef struct TrustedUid {
        uid_t uid;
        uint64_t at;                        /* CLOCK_MONOTONIC usec of its last authorization; 0: free */
} TrustedUid;

typedef struct Service {
        Helper core;                        /* the transaction engine */
        sd_event *event;
        sd_bus *bus;
        uint64_t idle_usec;
        Request *requests;                  /* waiting for polkit */
        unsigned n_requests;
        TrustedUid trusted[16];             /* uids polkit authorized lately (trust.c) */
        bool exiting;
} Service;

/* polkit.c: CheckAuthorization for the sender of m, without blocking; cb gets polkitd's reply (or the
 * bus's error when polkitd is not there), and polkit_verdict() reads it: 1 allowed, 0 denied,
 * -EBADR interactive authorization required; *why says why not. */
int polkit_check_async(Service *s, sd_bus_message *m, const char *action, bool interactive,
                       sd_bus_message_handler_t cb, void *userdata, sd_bus_slot **ret_slot);
int polkit_verdict(sd_bus_message *request, sd_bus_message *reply, bool interactive, const char **why);
/* 1 when the bus vouches (not /proc) that the sender's euid is 0; polkit always allows root. */
int polkit_sender_is_root(sd_bus_message *request);

/* trust.c: whether the queue's reserve is open to this caller (polkit authorized uid within
 * HELPER_TRUST_USEC, or a member of sudo, adm or wheel as the bus vouches); remember an authorization. */
bool trust_caller(Service *s, sd_bus_message *m, uid_t uid);
void trust_remember(Service *s, uid_t uid);

/* bus.c */
int bus_setup(Service *s);
bool bus_is_idle(Service *s);
void bus_cancel_requests(Service *s, const char *why);
/* The hook of the core that asks systemd for a daemon-reload (userdata: the Service). */
int bus_reload_systemd(void *userdata, Error *ret_error);

/* idle.c */
int idle_loop(Service *s);

/* caps.c */
int caps_drop_to_needed(void);

/* log-helper.c: logging setup, and the core's hook for one structured journal record per change. */
void helper_log_setup(bool journal);
void helper_log_change_journal(const char *tx, const char *verb, const char *kind, const char *key, const char *old,
                               const char *new);

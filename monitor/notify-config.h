/* SPDX-License-Identifier: MIT */
/* The notifiers of monitor.conf (docs/monitor.md, Notifications): `notifiers = ( { name = "ops";
 * type = "webhook"; url_file = "ops-hook"; }, ... );` and the queue's limits in `notify = { ... };`.
 * Secrets (webhook URLs, SMTP passwords) come only from files that nobody but their owner may read
 * (mode 0600 or stricter); a relative file name is looked up in $CREDENTIALS_DIRECTORY (systemd's
 * LoadCredential=) when it is set, else beside monitor.conf. Every mistake is an error at file:line. */
#pragma once

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf-read.h"

#define NOTIFIERS_MAX   32
#define NOTIFY_NAME_MAX 64

typedef struct NotifierConf {
        char *name; /* [A-Za-z0-9_.-], 1..NOTIFY_NAME_MAX: the queue's receiver */
        unsigned line;
        int kind;                     /* index in notify_kinds[] */
        char *url;                    /* http(s):// for the HTTP kinds, smtp(s):// for email; from url or url_file */
        bool url_secret;              /* from url_file: never shown */
        char *from, *user, *password; /* email */
        char **to;                    /* email: recipients; exec: the command and its arguments */
        size_t n_to;
        int64_t timeout_ms; /* one try: 10 s */
        int64_t repeat_ms;  /* a firing alert is told again after this: the kind's default */
        bool send_resolved; /* true */
} NotifierConf;

typedef struct NotifyConfig {
        NotifierConf *notifiers;
        size_t n;
        int64_t max_age_ms;     /* a notification not delivered after this is given up: 1 day */
        int64_t max_queue;      /* notifications a receiver keeps while it is down: 10000 */
        int64_t backoff_max_ms; /* the longest wait between tries (Retry-After excepted): 5 min */
} NotifyConfig;

void notify_config_defaults(NotifyConfig *c);
/* Reads `notifiers` and `notify` of root (the other keys are the caller's) into *c, which holds the
 * defaults. dir is monitor.conf's directory (for relative secret files). */
int notify_config_read(const ConfRead *r, const config_setting_t *root, const char *dir, NotifyConfig *c);
void notify_config_done(NotifyConfig *c);

/* A secret from path: a regular file of at most 4 KiB, mode 0600 or stricter, owned by this process's
 * user or root, its trailing newline dropped. -EPERM when group or others may read or write it, or
 * another user owns it, with *e saying what to do. */
int notify_read_secret(const char *path, char **ret, Error *e);
/* The secret file named by g's key (notify_read_secret): relative names in $CREDENTIALS_DIRECTORY
 * when it is set, else in dir (monitor.conf's). 1: read into *ret; 0: no such key; an error at the
 * key's file:line. The notifiers' url_file and password_file, the database's dsn_file. */
int notify_read_secret_key(const ConfRead *r, const config_setting_t *g, const char *key, const char *dir, char **ret);

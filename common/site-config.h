/* SPDX-License-Identifier: MIT */
/* /etc/skytune/skytune.conf (skytune.conf(5)): the settings the CLI and the services share, so that
 * one line moves them for all: the default policy of plan, apply and recommend, and where the
 * monitor keeps its store (the daemon writes it, `skytune monitor` and `skytune alerts` read it).
 * Every key is optional; a missing file is the defaults; a mistake is an Error at file:line. */
#pragma once

#include "error.h"

#define SITE_CONFIG_PATH "/etc/skytune/skytune.conf"

typedef struct SiteConfig {
        char *policy;        /* NULL: balanced */
        char *monitor_store; /* NULL: TSDB_DEFAULT_PATH; absolute */
} SiteConfig;

/* Reads path into *c (emptied first); a file that is not there gives the defaults. */
int site_config_load(const char *path, SiteConfig *c, Error *e);
void site_config_done(SiteConfig *c);

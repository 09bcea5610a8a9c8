/* SPDX-License-Identifier: MIT */
/* The CLI's view of /etc/skytune/skytune.conf (common/site-config.h): read once, from
 * $SKYTUNE_CONF when set (tests, another host's file), with a mistake logged at file:line. */
#pragma once

#include "site-config.h"

/* -errno, logged, when the file cannot be read or has a mistake. */
int cli_site_config(const SiteConfig **ret);
/* The monitor's store by default: skytune.conf's monitor.store, else TSDB_DEFAULT_PATH. */
int cli_default_store(const char **ret);

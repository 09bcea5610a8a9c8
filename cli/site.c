/* SPDX-License-Identifier: MIT */
/* skytune.conf for the CLI (site.h). */
#include <stdlib.h>

#include "log.h"
#include "site.h"
#include "tsdb.h"

static SiteConfig site;
static int loaded; /* 0 not yet, 1 read, -errno failed */

int cli_site_config(const SiteConfig **ret) {
        if (loaded == 0) {
                const char *path = getenv("SKYTUNE_CONF");
                Error e = ERROR_NULL;
                int r = site_config_load(path && path[0] ? path : SITE_CONFIG_PATH, &site, &e);
                if (r < 0) {
                        _cleanup_free_ char *msg = error_format(&e);
                        log_error("%s (skytune.conf(5))", msg ? msg : error_message(&e));
                }
                error_done(&e);
                loaded = r < 0 ? r : 1;
        }
        *ret = &site;
        return loaded < 0 ? loaded : 0;
}

int cli_default_store(const char **ret) {
        const SiteConfig *s;
        int r = cli_site_config(&s);
        *ret = s->monitor_store ? s->monitor_store : TSDB_DEFAULT_PATH;
        return r;
}

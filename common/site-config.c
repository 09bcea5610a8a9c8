/* SPDX-License-Identifier: MIT */
/* skytune.conf (site-config.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf-read.h"
#include "fileio.h"
#include "site-config.h"

#define SITE_DOC "skytune.conf(5)"

void site_config_done(SiteConfig *c) {
        free(c->policy);
        free(c->monitor_store);
        *c = (SiteConfig) {};
}

static int read_monitor(const ConfRead *r, const config_setting_t *root, SiteConfig *c) {
        const config_setting_t *g = config_setting_get_member(root, "monitor");
        if (!g)
                return 0;
        if (!config_setting_is_group(g))
                return conf_fail(r, g, "'monitor' must be a group: monitor = { store = \"/srv/skytune/store.db\"; };");
        static const char *const keys[] = { "store" };
        int k = conf_keys(r, g, "monitor", keys, ELEMENTSOF(keys));
        if (k >= 0)
                k = conf_string(r, g, "store", &c->monitor_store);
        if (k > 0 && c->monitor_store[0] != '/')
                return conf_fail(r, config_setting_get_member(g, "store"),
                                 "'monitor.store' must be an absolute path (the service starts in /)");
        return k < 0 ? k : 0;
}

static int read_root(const ConfRead *r, const config_setting_t *root, SiteConfig *c) {
        static const char *const keys[] = { "policy", "monitor" };
        int k = conf_keys(r, root, "skytune.conf", keys, ELEMENTSOF(keys));
        if (k >= 0)
                k = conf_string(r, root, "policy", &c->policy);
        if (k > 0 && (!c->policy[0] || strchr(c->policy, '/') || strlen(c->policy) > 64))
                return conf_fail(r, config_setting_get_member(root, "policy"),
                                 "'policy' must be a policy's name (skytune policy list), not a path");
        if (k >= 0)
                k = read_monitor(r, root, c);
        return k < 0 ? k : 0;
}

int site_config_load(const char *path, SiteConfig *c, Error *e) {
        site_config_done(c);
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = fileio_read_regular(path, 1u << 20, &text, &len);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return error_set(e, r, "cannot read %s: %s", path, strerror(-r));
        ConfRead cr = { .file = path, .doc = SITE_DOC, .e = e };
        config_t cfg;
        config_init(&cfg);
        r = conf_parse_text(&cr, &cfg, text, len);
        if (r >= 0)
                r = read_root(&cr, config_root_setting(&cfg), c);
        config_destroy(&cfg);
        if (r < 0)
                site_config_done(c);
        return r;
}

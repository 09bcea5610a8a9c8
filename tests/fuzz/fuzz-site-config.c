/* SPDX-License-Identifier: MIT */
/* /etc/skytune/skytune.conf (common/site-config.c, libconfig), as the CLI and skytune-monitor read
 * it: an accepted file gives a policy name without a '/' and an absolute store; a refused one an
 * error at a line and nothing half set. */
#include <string.h>

#include "../../common/site-config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *path = fuzz_write_file("skytune.conf", data, size);
        SiteConfig c = {};
        Error e = ERROR_NULL;
        if (site_config_load(path, &c, &e) >= 0) {
                fuzz_check(!c.policy || (c.policy[0] && !strchr(c.policy, '/')));
                fuzz_check(!c.monitor_store || c.monitor_store[0] == '/');
        } else {
                fuzz_check(error_is_set(&e) && !c.policy && !c.monitor_store);
        }
        site_config_done(&c);
        error_done(&e);
        return 0;
}

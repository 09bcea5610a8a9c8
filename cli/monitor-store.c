/* SPDX-License-Identifier: MIT */
/* What `skytune monitor` and `skytune alerts` share (monitor-store.h). */
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "monitor-store.h"

int monitor_store_open(const char *path, struct tsdb **ret) {
        int r = tsdb_open_reader(path, ret);
        if (r == -ENOENT)
                log_error("%s: no store there: skytune-monitor writes it once it runs; name another with --store FILE",
                          path);
        else if (r == -EBADMSG)
                log_error("%s: not a skytune store, or a damaged one (skytune-monitor moves a damaged store aside and "
                          "starts a new one)",
                          path);
        else if (r == -EPROTO)
                log_error("%s: written by a newer skytune: read it with that version", path);
        else if (r == -EACCES || r == -EPERM)
                log_error("%s: not readable by this user: run as root or as the monitor's user", path);
        else if (r < 0)
                log_error("%s: cannot open the store: %s", path, strerror(-r));
        return r;
}

int monitor_emit(json_t *doc, bool json, int (*render)(FILE *, const json_t *)) {
        int code = doc && (json ? cli_write_json(doc, NULL) : render(stdout, doc)) >= 0 ? EXIT_OK : EXIT_FAIL;
        if (!doc)
                log_error("out of memory");
        json_decref(doc);
        return code;
}

/* SPDX-License-Identifier: MIT */
/* The workload of a db command that runs one: --script FILE or a --builtin (default tpcb-like),
 * parsed, with :scale found from pgbench_branches when the script needs it and none was given. */
#include <errno.h>

#include "log.h"
#include "verb-db.h"

int db_cli_workload(const char *builtin, const char *script, DbScript **ret) {
        if (script)
                return db_cli_script_from_file(script, ret);
        const char *name = builtin ? builtin : "tpcb-like", *text = db_builtin_script(name);
        if (!text) {
                log_error("unknown --builtin '%s': the built-ins are %s", name, db_builtin_names());
                return -EINVAL;
        }
        Error e = ERROR_NULL;
        int r = db_script_parse(text, name, ret, &e);
        if (r < 0)
                log_error("built-in %s: %s", name, error_message(&e));
        error_done(&e);
        return r;
}

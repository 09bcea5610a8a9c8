/* SPDX-License-Identifier: MIT */
/* A script's variables (db-script.h): their own file so that the expression parser (db-expr.c) and
 * the script parser (db-script.c), which calls it, both reach them without calling each other. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db-script.h"

int db_script_var(DbScript *s, const char *name, size_t len, bool define) {
        for (size_t i = 0; i < s->n_vars; i++)
                if (strlen(s->vars[i]) == len && strncmp(s->vars[i], name, len) == 0) {
                        if (i == DB_VAR_SCALE)
                                s->uses_scale = true;
                        return (int) i;
                }
        if (!define)
                return -ENOENT;
        if (s->n_vars >= DB_SCRIPT_MAX_VARS)
                return -E2BIG;
        if (!(s->vars[s->n_vars] = strndup(name, len)))
                return -ENOMEM;
        return (int) s->n_vars++;
}

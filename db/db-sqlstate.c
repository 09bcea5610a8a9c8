/* SPDX-License-Identifier: MIT */
/* SQLSTATE to error class: a table of exact codes and class prefixes, first match wins. */
#include <string.h>

#include "db.h"
#include "macro.h"

static const struct {
        const char *prefix;
        DbErrClass cls;
} sqlstate_classes[] = {
        { "40001", DB_ERR_SERIALIZATION },
        { "40P01", DB_ERR_DEADLOCK },
        { "57014", DB_ERR_CANCELED },
        { "08", DB_ERR_CONNECTION },
        { "57P01", DB_ERR_CONNECTION },   /* admin_shutdown: the server is going away */
        { "57P02", DB_ERR_CONNECTION },   /* crash_shutdown */
        { "57P03", DB_ERR_CONNECTION },   /* cannot_connect_now */
};

static const char *const class_names[_DB_ERR_MAX] = {
        [DB_ERR_SERIALIZATION] = "serialization_failure",
        [DB_ERR_DEADLOCK] = "deadlock",
        [DB_ERR_CANCELED] = "query_canceled",
        [DB_ERR_CONNECTION] = "connection",
        [DB_ERR_OTHER] = "other",
};

DbErrClass db_sqlstate_class(const char *sqlstate) {
        if (!sqlstate || !*sqlstate)
                return DB_ERR_CONNECTION;
        for (size_t i = 0; i < ELEMENTSOF(sqlstate_classes); i++)
                if (strncmp(sqlstate, sqlstate_classes[i].prefix, strlen(sqlstate_classes[i].prefix)) == 0)
                        return sqlstate_classes[i].cls;
        return DB_ERR_OTHER;
}

const char *db_err_class_name(DbErrClass c) {
        return c >= 0 && c < _DB_ERR_MAX ? class_names[c] : "other";
}

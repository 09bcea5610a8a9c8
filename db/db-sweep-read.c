/* SPDX-License-Identifier: MIT */
/* A saved skytune.db-sweep/1 read back for `db advise --sweep FILE`: only its recommendation. The
 * file is outside input: anything but such a document is refused with what is wrong in it. */
#include <errno.h>

#include "db-sweep.h"
#include "json-util.h"
#include "macro.h"
#include "schema.h"

int db_sweep_read_recommended(const char *text, size_t len, unsigned *ret, Error *e) {
        json_error_t je;
        json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
        if (!doc)
                return error_set(e, -EBADMSG, "not JSON: %s at line %d", je.text, je.line);
        int r = 0;
        const json_t *rec = json_object_get(doc, "recommendation"), *cl = json_object_get(rec, "clients");
        if (!jstreq(doc, "schema", DB_SWEEP_SCHEMA))
                r = error_set(e, -EBADMSG,
                              "not a %s document (its schema is '%s'): save one with "
                              "'skytune db pool-sweep --json'",
                              DB_SWEEP_SCHEMA, jstr_or(doc, "schema", ""));
        else if (!json_is_object(rec) || !(json_is_null(cl) || json_is_integer(cl)))
                r = error_set(e, -EBADMSG, "its recommendation.clients is neither a number nor null");
        else if (json_is_integer(cl) && (json_integer_value(cl) < 1 || json_integer_value(cl) > 1000))
                r = error_set(e, -EBADMSG, "its recommendation.clients %" JSON_INTEGER_FORMAT " is out of range 1-1000",
                              json_integer_value(cl));
        else
                *ret = json_is_integer(cl) ? (unsigned) json_integer_value(cl) : 0;
        json_decref(doc);
        return r;
}

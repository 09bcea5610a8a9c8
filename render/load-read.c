/* SPDX-License-Identifier: MIT */
#include <errno.h>

#include "json-util.h"
#include "render-load.h"
#include "safe-text.h"
#include "schema.h"

int load_doc_read(const char *path, json_t **ret, Error *e) {
        json_error_t je;
        json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
        if (!doc) {
                if (je.line <= 0)
                        return error_set(e, -ENOENT, "cannot read %s: %s (give the file that skytune load --out wrote)",
                                         path, je.text);
                return error_set_input(e, -EINVAL, path, (unsigned) je.line, "not JSON: %s", je.text);
        }
        const char *schema = jstr(doc, "schema");
        if (!json_is_object(doc) || !schema || strcmp(schema, LOAD_SCHEMA) != 0) {
                int r = error_set_input(e, -EINVAL, path, 0,
                                        "schema is %s, not " LOAD_SCHEMA ": give a run that skytune load --out or --json wrote",
                                        schema ? schema : "missing");
                json_decref(doc);
                return r;
        }
        if (json_escape_tree(doc) < 0) {
                json_decref(doc);
                return error_set(e, -ENOMEM, "out of memory reading %s", path);
        }
        *ret = doc;
        return 0;
}

/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "macro.h"
#include "plan-common.h"
#include "profile-source.h"
#include "profiler.h"

int cli_profile_get(const char *file, const Sysroot *root, double duration_s, json_t **ret) {
        if (!file)
                return cli_collect_profile(root, duration_s, duration_s > 0 && duration_s < 1 ? duration_s : 1, false, ret);
        json_t *doc = NULL;
        int r = cli_load_json(file, "profile (write one with 'skytune profile --out FILE')", &doc);
        if (r < 0)
                return r;
        const char *schema = json_string_value(json_object_get(doc, "schema"));
        if (!schema || strcmp(schema, PROFILE_SCHEMA) != 0) {
                log_error("%s: \"schema\" is %s%s%s, not \"%s\" (write a profile with 'skytune profile --out FILE')", file,
                          schema ? "\"" : "", schema ? schema : "missing", schema ? "\"" : "", PROFILE_SCHEMA);
                json_decref(doc);
                return -EINVAL;
        }
        *ret = doc;
        return 0;
}

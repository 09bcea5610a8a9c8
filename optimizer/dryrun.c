/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dryrun.h"
#include "owned-file.h"
#include "plan.h"
#include "tunable.h"
#include "udiff.h"

int dryrun_check_plan(const json_t *plan, OptError *err) {
        json_t *schema = json_object_get(plan, "schema"), *changes = json_object_get(plan, "changes");
        if (!json_is_object(plan) || !json_is_string(schema) || strcmp(json_string_value(schema), PLAN_SCHEMA) != 0)
                return opt_error_set(err, -EINVAL, NULL, 0, "not a skytune plan: \"schema\" must be \"%s\" (write one "
                                     "with 'skytune plan --out FILE')", PLAN_SCHEMA);
        if (!json_is_array(changes))
                return opt_error_set(err, -EINVAL, NULL, 0, "the plan's \"changes\" must be an array");
        size_t i;
        json_t *c;
        json_array_foreach(changes, i, c) {
                const char *kind = json_string_value(json_object_get(c, "kind")),
                           *key = json_string_value(json_object_get(c, "key")),
                           *proposed = json_string_value(json_object_get(c, "proposed"));
                if (!kind || !key || !proposed)
                        return opt_error_set(err, -EINVAL, NULL, 0, "changes[%zu]: kind, key and proposed must be strings", i);
                TunableKind k = tunable_kind_from_string(kind);
                const char *why = NULL;
                if (k < 0)
                        return opt_error_set(err, -EINVAL, NULL, 0, "changes[%zu]: unknown kind '%s'", i, kind);
                if (tunable_check(k, key, proposed, NULL, &why) < 0)
                        return opt_error_set(err, -EINVAL, NULL, 0, "changes[%zu] (%s %s = %s): %s", i, kind, key, proposed,
                                             strempty(why));
        }
        return 0;
}

static int file_effect(const Sysroot *root, const char *path, const json_t *changes, json_t *files, unsigned *pending) {
        _cleanup_free_ char *old = NULL, *new = NULL, *diff = NULL;
        int r = sysroot_read_file(root, path, &old, NULL);
        if (r < 0 && r != -ENOENT)
                return r;
        r = owned_file_render(path, old, changes, &new);
        if (r < 0)
                return r;
        r = udiff(path, old, new, &diff);
        if (r < 0)
                return r;
        bool changed = *diff != '\0';
        *pending += changed;
        return json_array_append_new(files, json_pack("{s:s, s:b, s:b, s:s}", "path", path, "exists", old != NULL,
                                                      "changed", changed, "diff", diff));
}

int dryrun_effects(const Sysroot *root, const json_t *plan, bool persist, json_t **ret, OptError *err) {
        int r = dryrun_check_plan(plan, err);
        if (r < 0)
                return r;
        json_t *changes = json_object_get(plan, "changes");
        json_t *live = json_array(), *files = json_array(), *paths = json_array();
        unsigned pending = 0;
        size_t i;
        json_t *c;
        json_array_foreach(changes, i, c) {
                const char *kind = json_string_value(json_object_get(c, "kind")),
                           *key = json_string_value(json_object_get(c, "key")),
                           *proposed = json_string_value(json_object_get(c, "proposed"));
                TunableKind k = tunable_kind_from_string(kind);
                _cleanup_free_ char *canon = NULL, *cur = NULL, *pfile = NULL;
                if (tunable_check(k, key, NULL, &canon, NULL) < 0 || owned_file_for(k, canon, &pfile) < 0) {
                        r = -ENOMEM;
                        break;
                }
                bool file_only = owned_file_only(k, canon);
                const char *status;
                if (file_only) {
                        r = owned_file_value(root, k, canon, &cur);
                        if (r < 0 && r != -ENOENT)
                                break;
                        if (r == -ENOENT) {
                                json_t *pc = json_object_get(c, "current");
                                cur = json_is_string(pc) ? strdup(json_string_value(pc)) : NULL;
                        }
                        status = "file";
                        r = 0;
                } else {
                        r = tunable_read(root, k, canon, &cur);
                        if (r == -ENOENT)
                                status = "unsupported";
                        else if (r < 0)
                                break;
                        else
                                status = tunable_values_equal(k, canon, cur, proposed) ? "unchanged" : "change";
                        pending += strcmp(status, "change") == 0;
                        r = 0;
                }
                json_t *e = json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s}", "kind", kind, "key", canon, "from", cur, "to",
                                      proposed, "mechanism", owned_mechanism(k, canon), "status", status);
                if (e && !cur)
                        json_object_set_new(e, "from", json_null());
                /* The file that carries the change: the only mechanism of a file-only key, else its
                 * persistent form (written with --persist). */
                if (e && pfile)
                        json_object_set_new(e, "file", json_string(pfile));
                json_array_append_new(live, e);
                if (pfile && (persist || file_only)) {
                        bool seen = false;
                        size_t j;
                        json_t *p;
                        json_array_foreach(paths, j, p)
                                seen = seen || strcmp(json_string_value(p), pfile) == 0;
                        if (!seen)
                                json_array_append_new(paths, json_string(pfile));
                }
        }
        json_t *p;
        json_array_foreach(paths, i, p) {
                if (r < 0)
                        break;
                r = file_effect(root, json_string_value(p), changes, files, &pending);
        }
        json_decref(paths);
        if (r < 0) {
                json_decref(live);
                json_decref(files);
                return opt_error_set(err, r, NULL, 0, "cannot compute the effect of the plan: %s", strerror(-r));
        }
        *ret = json_pack("{s:o, s:o, s:i}", "live", live, "files", files, "pending", (int) pending);
        return *ret ? 0 : -ENOMEM;
}

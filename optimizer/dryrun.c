/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dryrun.h"
#include "owned-file.h"
#include "plan.h"
#include "ulimit.h"
#include "tunable.h"
#include "udiff.h"

int dryrun_check_plan(const Sysroot *root, const json_t *plan, OptError *err) {
        /* What helper_client_encode_plan() sends: the helper validates exactly these bytes. */
        _cleanup_free_ char *text = json_dumps(plan, JSON_COMPACT);
        if (!text)
                return opt_error_set(err, -ENOMEM, NULL, 0, "cannot format the plan: %s", strerror(ENOMEM));
        _cleanup_(error_done) Error why = ERROR_NULL;
        int r = plan_validate(text, strlen(text), root, NULL, &why);
        if (r < 0)
                return opt_error_set(err, r, NULL, 0, "%s", error_message(&why));
        return 0;
}

int dryrun_load_plan(const Sysroot *root, const char *path, json_t **ret, OptError *err) {
        bool std_in = strcmp(path, "-") == 0;
        _cleanup_fclose_ FILE *owned = std_in ? NULL : fopen(path, "re");
        FILE *f = std_in ? stdin : owned;
        if (!f)
                return opt_error_set(err, negative_errno(), path, 0, "cannot open the plan: %s (write one with "
                                     "'skytune plan --out FILE')", strerror(errno));
        /* One byte more than the helper takes, so that a larger plan gets the helper's own refusal. */
        _cleanup_free_ char *text = malloc(PLAN_MAX_BYTES + 1);
        if (!text)
                return opt_error_set(err, -ENOMEM, path, 0, "cannot read the plan: %s", strerror(ENOMEM));
        size_t len = fread(text, 1, PLAN_MAX_BYTES + 1, f);
        if (ferror(f))
                return opt_error_set(err, -EIO, path, 0, "cannot read the plan: %s", strerror(EIO));
        _cleanup_(error_done) Error why = ERROR_NULL;
        int r = plan_validate(text, len, root, NULL, &why);
        if (r < 0)
                return opt_error_set(err, r, path, 0, "%s", error_message(&why));
        json_error_t jerr;
        *ret = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
        return *ret ? 0 : opt_error_set(err, -EINVAL, path, jerr.line, "%s", jerr.text);
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

/* A file-only key: its value in the owned file, else the plan's current value. */
static int file_status(const Sysroot *root, TunableKind k, const char *canon, const json_t *c, char **cur,
                       const char **status) {
        int r = owned_file_value(root, k, canon, cur);
        if (r < 0 && r != -ENOENT)
                return r;
        if (r == -ENOENT) {
                json_t *pc = json_object_get(c, "current");
                *cur = json_is_string(pc) ? strdup(json_string_value(pc)) : NULL;
        }
        *status = "file";
        return 0;
}

/* A live key: whether applying the plan would change it now (a lowered hard ulimit warns). */
static int live_status(const Sysroot *root, TunableKind k, const char *canon, const char *proposed, char **cur,
                       const char **status, json_t *warnings, unsigned *pending) {
        int r = tunable_read(root, k, canon, cur);
        if (r == -ENOENT)
                *status = "unsupported";
        else if (r < 0)
                return r;
        else
                *status = tunable_values_equal(k, canon, *cur, proposed) ? "unchanged" : "change";
        *pending += strcmp(*status, "change") == 0;
        _cleanup_free_ char *lowered = NULL;
        if (k == TUNABLE_ULIMIT && strcmp(*status, "change") == 0 &&
            ulimit_lowered_hard_warning(canon, *cur, proposed, &lowered) > 0)
                json_array_append_new(warnings, json_pack("{s:s}", "message", lowered));
        return 0;
}

int dryrun_effects(const Sysroot *root, const json_t *plan, bool persist, json_t **ret, OptError *err) {
        int r = dryrun_check_plan(root, plan, err);
        if (r < 0)
                return r;
        json_t *changes = json_object_get(plan, "changes");
        json_t *live = json_array(), *files = json_array(), *paths = json_array(), *warnings = json_array();
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
                r = file_only ? file_status(root, k, canon, c, &cur, &status)
                              : live_status(root, k, canon, proposed, &cur, &status, warnings, &pending);
                if (r < 0)
                        break;
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
                json_decref(warnings);
                return opt_error_set(err, r, NULL, 0, "cannot compute the effect of the plan: %s", strerror(-r));
        }
        *ret = json_pack("{s:o, s:o, s:o, s:i}", "live", live, "files", files, "warnings", warnings, "pending", (int) pending);
        return *ret ? 0 : -ENOMEM;
}

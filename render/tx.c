/* SPDX-License-Identifier: MIT */
/* A skytune.tx/1 transaction for people (apply, rollback, history ID): one line per change and per
 * owned file, and with RENDER_ROLLBACK what the rollback did and what it left alone, and why. */
#include <string.h>

#include "json-util.h"
#include "render-profile.h"

/* The entries of an owned file that a rollback left in place, and why. */
static void print_entries_left(FILE *f, const json_t *file) {
        const char *key;
        json_t *e;
        json_object_foreach(json_object_get(file, "entries"), key, e) {
                const char *r = jstr_or(e, "rollback", "-");
                if (strcmp(r, "conflict") == 0)
                        fprintf(f, "  %-11s %-12s   %s: the line is now \"%s\": left alone (--force restores it)\n", r, "entry", key,
                                jstr_or(e, "found", "-"));
                else if (strcmp(r, "superseded") == 0)
                        fprintf(f, "  %-11s %-12s   %s: set again by the newer transaction %s: left alone (roll that one back first)\n", r,
                                "entry", key, jstr_or(e, "superseded_by", "-"));
                else if (strcmp(r, "refused") == 0 || strcmp(r, "failed") == 0)
                        fprintf(f, "  %-11s %-12s   %s: not restored: %s\n", r, "entry", key, jstr_or(e, "error", "-"));
        }
        if (json_object_get(file, "rollback_error"))
                fprintf(f, "  %-11s %-12s   %s\n", "", "", jstr_or(file, "rollback_error", "-"));
}

int render_tx(FILE *f, const json_t *tx, const RenderView *v) {
        bool rollback = v->flags & RENDER_ROLLBACK;
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(tx, "changes"), i, c) {
                const char *status = rollback ? jstr_or(c, "rollback", "-") : jstr_or(c, "status", "-");
                if (rollback && strcmp(status, "-") == 0)
                        status = jstr_or(c, "status", "-");
                fprintf(f, "  %-11s %-12s %-32s ", status, jstr_or(c, "kind", "-"), jstr_or(c, "key", "-"));
                if (rollback && strcmp(status, "conflict") == 0)
                        fprintf(f, "now %s, skytune had set %s: left alone (--force restores %s)\n", jstr_or(c, "found", "-"), jstr_or(c, "new", "-"),
                                jstr_or(c, "old", "-"));
                else if (rollback && strcmp(status, "superseded") == 0)
                        fprintf(f, "%s%s%sset again by the newer transaction %s: left alone (roll that one back first)\n",
                                json_object_get(c, "found") ? "now " : "", json_object_get(c, "found") ? jstr_or(c, "found", "-") : "",
                                json_object_get(c, "found") ? ", " : "", jstr_or(c, "superseded_by", "-"));
                else if (rollback && (strcmp(status, "refused") == 0 || strcmp(status, "failed") == 0))
                        fprintf(f, "%s -> %s not restored: %s\n", jstr_or(c, "new", "-"), jstr_or(c, "old", "-"), jstr_or(c, "rollback_error", "-"));
                else if (rollback)
                        fprintf(f, "%s -> %s\n", jstr_or(c, "new", "-"), jstr_or(c, "old", "-"));
                else
                        fprintf(f, "%s -> %s\n", jstr_or(c, "old", "-"), strcmp(jstr_or(c, "new", "-"), "-") ? jstr_or(c, "new", "-") : jstr_or(c, "proposed", "-"));
        }
        json_array_foreach(json_object_get(tx, "files"), i, c) {
                const char *status = rollback ? jstr_or(c, "rollback", "-") : jstr_or(c, "status", "-");
                fprintf(f, "  %-11s %-12s /%s%s\n", status, "file", jstr_or(c, "path", "-"),
                        json_is_false(json_object_get(c, "existed")) && (!rollback || strcmp(status, "restored") == 0)
                                ? (rollback ? " (removed)" : " (new)")
                                : "");
                if (rollback)
                        print_entries_left(f, c);
        }
        json_array_foreach(json_object_get(tx, "notes"), i, c)
                fprintf(f, "  note: %s\n", json_string_value(c));
        return render_status_of(f);
}

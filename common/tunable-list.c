/* SPDX-License-Identifier: MIT */
/* The allowlist as a document for people and scripts (`skytune policy keys`), read from the backends
 * and their tables so that it always says what the helper accepts. */
#include <jansson.h>
#include <stdlib.h>

#include "tunable.h"
#include "ulimit.h"

static json_t *sysctl_names(void) {
        json_t *a = json_array();
        const char *name;
        for (size_t i = 0; a && (name = tunable_sysctl_allowlist_entry(i)); i++) {
                char *values = tunable_sysctl_allowlist_values(i);
                json_array_append_new(a, json_pack("{s:s, s:s?}", "name", name, "values", values));
                free(values);
        }
        return a;
}

static json_t *ulimit_resources(void) {
        json_t *a = json_array();
        const UlimitResource *r;
        for (size_t i = 0; a && (r = ulimit_resource_at(i)); i++)
                json_array_append_new(a, json_pack("{s:s, s:I, s:b, s:s}", "name", r->name, "max", (json_int_t) r->max,
                                                   "infinity", r->infinity_ok, "unit", r->bytes ? "bytes" : "count"));
        return a;
}

static json_t *ulimit_scopes(void) {
        json_t *a = json_array();
        const char *s;
        for (size_t i = 0; a && (s = ulimit_scope_at(i)); i++)
                json_array_append_new(a, json_string(s));
        return a;
}

json_t *tunable_allowlist_json(void) {
        json_t *kinds = json_array();
        for (int k = 0; kinds && k < _TUNABLE_KIND_MAX; k++) {
                const TunableBackend *b = tunable_backend((TunableKind) k);
                json_t *o = json_pack("{s:s, s:s?, s:s?}", "kind", b->name, "keys", b->key_help, "values", b->value_help);
                if (o && k == TUNABLE_SYSCTL)
                        json_object_set_new(o, "names", sysctl_names());
                if (o && k == TUNABLE_ULIMIT) {
                        json_object_set_new(o, "scopes", ulimit_scopes());
                        json_object_set_new(o, "resources", ulimit_resources());
                }
                if (!o || json_array_append_new(kinds, o) < 0) {
                        json_decref(kinds);
                        return NULL;
                }
        }
        return kinds;
}

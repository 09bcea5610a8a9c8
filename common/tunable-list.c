/* SPDX-License-Identifier: MIT */
/* The allowlist as a document for people and scripts (`skytune policy keys`), read from the backends
 * and their tables so that it always says what the helper accepts. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tunable.h"
#include "ulimit.h"

static json_t *json_decref_null(json_t *o) {
        json_decref(o);
        return NULL;
}

json_t *tunable_allowlist_json(void) {
        json_t *kinds = json_array();
        for (int k = 0; kinds && k < _TUNABLE_KIND_MAX; k++) {
                const TunableBackend *b = tunable_backend((TunableKind) k);
                json_t *o = json_pack("{s:s, s:s?, s:s?}", "kind", b->name, "keys", b->key_help, "values", b->value_help);
                if (o && b->describe && b->describe(o) < 0)
                        o = json_decref_null(o);
                if (!o || json_array_append_new(kinds, o) < 0) {
                        json_decref(kinds);
                        return NULL;
                }
        }
        return kinds;
}

/* The names name(0), name(1) ... joined by ", " and, with last, the last one by last instead. */
static char *join_names(const char *(*name)(size_t i), const char *last) {
        char *buf = NULL;
        size_t len = 0, n = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
                return NULL;
        while (name(n))
                n++;
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%s%s", i == 0 ? "" : last && i + 1 == n ? last : ", ", name(i));
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static const char *kind_name(size_t i) {
        return i < _TUNABLE_KIND_MAX ? tunable_kind_to_string((TunableKind) i) : NULL;
}

static const char *resource_name(size_t i) {
        const UlimitResource *r = ulimit_resource_at(i);
        return r ? r->name : NULL;
}

char *tunable_kind_names(void) {
        return join_names(kind_name, " or ");
}

char *ulimit_resource_names(void) {
        return join_names(resource_name, NULL);
}

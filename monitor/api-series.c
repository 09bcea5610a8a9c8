/* SPDX-License-Identifier: MIT */
/* GET /api/v1/series (api.h): the store's series (name, scale) and the ring's (unit, the time of the
 * latest sample), one entry per name in name order. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api-args.h"
#include "api.h"
#include "safe-text.h"
#include "schema.h"
#include "tsdb.h"

typedef struct Walk {
        json_t *by_name; /* name -> entry */
        int error;
} Walk;

/* The entry of name, made when new: NULL on ENOMEM. A name made of a host's bytes that is not
 * printable UTF-8 is listed escaped (safe-text.h). */
static json_t *entry(Walk *w, const char *raw) {
        char escaped[1024];
        const char *name = text_is_printable(raw) ? raw : text_escape_buf(escaped, sizeof(escaped), raw);
        json_t *e = json_object_get(w->by_name, name);
        if (e)
                return e;
        e = json_pack("{ss}", "name", name);
        if (!e || json_object_set_new(w->by_name, name, e) < 0)
                return NULL;
        return e;
}

static int from_store(int64_t id, const char *name, int scale, void *userdata) {
        json_t *e = entry(userdata, name);
        return e && json_object_set_new(e, "scale", json_integer(scale)) == 0 ? 0 : -ENOMEM;
}

static int from_ring(void *userdata, const char *name, const char *unit, int64_t t_ms, double v) {
        json_t *e = entry(userdata, name);
        if (!e || (unit[0] && json_object_set_new(e, "unit", json_string(unit)) < 0) ||
            json_object_set_new(e, "last", json_integer(t_ms)) < 0)
                return -ENOMEM;
        return 0;
}

static int by_name(const void *a, const void *b) {
        return strcmp(json_string_value(json_object_get(*(json_t *const *) a, "name")),
                      json_string_value(json_object_get(*(json_t *const *) b, "name")));
}

int api_series(const ApiSource *s, HttpRequest *r, char **ret, size_t *ret_len) {
        static const char *const keys[] = { NULL };
        int k = api_known_args(r, keys, "no arguments");
        if (k < 0)
                return k;
        Walk w = { .by_name = json_object() };
        if (!w.by_name)
                return -ENOMEM;
        k = s->store ? tsdb_series_each(s->store, from_store, &w) : 0;
        if (k >= 0)
                k = ring_each_last(s->ring, from_ring, &w);
        size_t n = json_object_size(w.by_name), i = 0;
        json_t **v = k >= 0 ? malloc((n + 1) * sizeof(*v)) : NULL;
        json_t *list = v ? json_array() : NULL, *doc = NULL;
        if (list) {
                const char *name;
                json_t *e;
                json_object_foreach(w.by_name, name, e)
                        v[i++] = e;
                qsort(v, n, sizeof(*v), by_name);
                for (i = 0; i < n; i++)
                        json_array_append(list, v[i]);
                doc = json_pack("{sssIso}", "schema", MONITOR_API_SERIES_SCHEMA, "t", (json_int_t) s->tick_ms, "series",
                                list);
        }
        free(v);
        json_decref(w.by_name);
        if (k < 0)
                return k;
        return api_body(doc, ret, ret_len);
}

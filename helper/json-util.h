/* SPDX-License-Identifier: MIT */
/* Small accessors of journal documents shared by the helper's files. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <string.h>

static inline const char *jstr(const json_t *o, const char *k) {
        return json_string_value(json_object_get(o, k));
}

static inline bool jstreq(const json_t *o, const char *k, const char *v) {
        const char *s = jstr(o, k);
        return s && strcmp(s, v) == 0;
}

static inline void set_str(json_t *o, const char *k, const char *v) {
        json_object_set_new(o, k, v ? json_string(v) : json_null());
}

/* Whether member k of o is a string equal to one of the NULL-terminated list. */
static inline bool jstr_in(const json_t *o, const char *k, const char *const *list) {
        const char *s = jstr(o, k);
        for (; s && *list; list++)
                if (strcmp(s, *list) == 0)
                        return true;
        return false;
}

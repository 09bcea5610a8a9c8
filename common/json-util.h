/* SPDX-License-Identifier: MIT */
/* Small accessors of JSON documents (jansson) that never trust the document: a member that is absent
 * or of another type reads as NULL (or the default given). Used by the helper's journal, the CLI and
 * the renderers. */
#pragma once

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

/* Member k of o when it is a string, else NULL. */
static inline const char *jstr(const json_t *o, const char *k) {
        return json_string_value(json_object_get(o, k));
}

/* The same, dflt when it is not a string. */
static inline const char *jstr_or(const json_t *o, const char *k, const char *dflt) {
        const char *s = jstr(o, k);
        return s ? s : dflt;
}

static inline bool jstreq(const json_t *o, const char *k, const char *v) {
        const char *s = jstr(o, k);
        return s && strcmp(s, v) == 0;
}

/* Member k of o set to a copy of v, or to null when v is NULL. */
static inline void set_str(json_t *o, const char *k, const char *v) {
        json_object_set_new(o, k, v ? json_string(v) : json_null());
}

/* A number, or null when v is NaN or infinite (what JSON cannot hold). */
static inline json_t *json_num(double v) {
        return isfinite(v) ? json_real(v) : json_null();
}

/* Member k of o when it is a number, else NaN. */
static inline double jnum(const json_t *o, const char *k) {
        const json_t *v = json_object_get(o, k);
        return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The finite numbers of array a (others skipped) in a new array; *ret_n how many. NULL: no memory. */
double *json_finite_numbers(const json_t *a, size_t *ret_n);

/* Whether member k of o is a string equal to one of the NULL-terminated list. */
bool jstr_in(const json_t *o, const char *k, const char *const *list);

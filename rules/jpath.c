/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jpath.h"

json_t *jpath_get(const json_t *doc, const char *path) {
        if (!doc || !path)
                return NULL;
        if (!*path)
                return (json_t *) doc;
        if (json_is_array(doc)) {
                /* A list's element by its index ("top_processes.0.pct"). */
                char *end;
                unsigned long i = strtoul(path, &end, 10);
                if (end == path || !isdigit((unsigned char) *path) || (*end && *end != '.'))
                        return NULL;
                return jpath_get(json_array_get(doc, i), *end ? end + 1 : end);
        }
        if (!json_is_object(doc))
                return NULL;
        size_t n = strlen(path);
        json_t *whole = json_object_getn(doc, path, n);
        if (whole)
                return whole;
        /* Longest prefix that is a key, then shorter ones. */
        for (size_t i = n; i-- > 0;) {
                if (path[i] != '.' || i == 0)
                        continue;
                json_t *child = json_object_getn(doc, path, i);
                if (!child)
                        continue;
                json_t *v = jpath_get(child, path + i + 1);
                if (v)
                        return v;
        }
        return NULL;
}

json_t *jpath_profile(const json_t *profile, const json_t *ctx, const char *path) {
        json_t *v = jpath_get(ctx, path);
        if (!v)
                v = jpath_get(json_object_get(profile, "resources"), path);
        if (!v)
                v = jpath_get(profile, path);
        return v;
}

json_t *jpath_scalar(json_t *v) {
        if (json_is_object(v) && json_object_get(v, "value"))
                return json_object_get(v, "value");
        return v;
}

bool jpath_number(const json_t *v, double *ret) {
        if (json_is_number(v)) {
                *ret = json_number_value(v);
                return true;
        }
        if (!json_is_string(v))
                return false;
        const char *s = json_string_value(v);
        char *end;
        if (!*s)
                return false;
        double d = strtod(s, &end);
        if (*end || !isfinite(d))
                return false;
        *ret = d;
        return true;
}

char *jpath_subst(const char *s, const char *subst) {
        size_t n = 0, sl = subst ? strlen(subst) : 0;
        for (const char *p = s; *p; p++)
                n += *p == '$' ? sl : 1;
        char *out = malloc(n + 1), *o = out;
        if (!out)
                return NULL;
        for (const char *p = s; *p; p++)
                if (*p == '$') {
                        if (sl)
                                memcpy(o, subst, sl);
                        o += sl;
                } else
                        *o++ = *p;
        *o = '\0';
        return out;
}

/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "json-util.h"

bool jstr_in(const json_t *o, const char *k, const char *const *list) {
        const char *s = jstr(o, k);
        for (; s && *list; list++)
                if (strcmp(s, *list) == 0)
                        return true;
        return false;
}

double *json_finite_numbers(const json_t *a, size_t *ret_n) {
        double *v = malloc((json_array_size(a) + 1) * sizeof(double));
        size_t i, n = 0;
        const json_t *x;
        if (!v)
                return NULL;
        json_array_foreach(a, i, x)
                if (json_is_number(x) && isfinite(json_number_value(x)))
                        v[n++] = json_number_value(x);
        *ret_n = n;
        return v;
}

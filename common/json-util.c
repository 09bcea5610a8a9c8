/* SPDX-License-Identifier: MIT */
#include "json-util.h"

bool jstr_in(const json_t *o, const char *k, const char *const *list) {
        const char *s = jstr(o, k);
        for (; s && *list; list++)
                if (strcmp(s, *list) == 0)
                        return true;
        return false;
}

/* SPDX-License-Identifier: MIT */
/* A JSON document as an API body (api.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

int api_body(json_t *doc, char **ret, size_t *ret_len) {
        char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
        json_decref(doc);
        size_t len = text ? strlen(text) : 0;
        char *line = text ? realloc(text, len + 2) : NULL;
        if (!line) {
                free(text);
                return -ENOMEM;
        }
        memcpy(line + len, "\n", 2);
        *ret = line;
        *ret_len = len + 1;
        return 0;
}

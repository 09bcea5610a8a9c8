/* SPDX-License-Identifier: MIT */
/* A page of another site's request (http-origin.h). */
#include <string.h>
#include <strings.h>

#include "http-origin.h"

bool http_cross_site(const char *host, const char *origin, const char *fetch_site) {
        if (fetch_site && strcmp(fetch_site, "same-origin") != 0 && strcmp(fetch_site, "none") != 0)
                return true;
        if (!origin)
                return false;
        const char *rest = strncmp(origin, "http://", 7) == 0 ? origin + 7
                : strncmp(origin, "https://", 8) == 0         ? origin + 8
                                                              : NULL;
        return !rest || !host || strcasecmp(rest, host) != 0;
}

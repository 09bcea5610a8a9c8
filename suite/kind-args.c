/* SPDX-License-Identifier: MIT */
/* The keys the kinds that run skytune itself share: files beside the suite file, urls without
 * credentials. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite-internal.h"

int suite_conf_path(const ConfRead *c, const config_setting_t *g, const char *key, bool required, const char *example,
                    char **ret) {
        int r = suite_conf_text(c, g, key, required, example, ret);
        if (r <= 0 || (*ret)[0] == '/')
                return r;
        char *copy = strdup(c->file ? c->file : ".");
        char *p = NULL;
        if (!copy || asprintf(&p, "%s/%s", dirname(copy), *ret) < 0) {
                free(copy);
                return error_set(c->e, -ENOMEM, "out of memory");
        }
        free(copy);
        free(*ret);
        *ret = p;
        return r;
}

bool suite_names_file(const char *s) {
        return strchr(s, '/') || strchr(s, '.');
}

int suite_conf_url(const ConfRead *c, const config_setting_t *g, bool required, char **ret) {
        int r = suite_conf_text(c, g, "url", required, "\"http://127.0.0.1:8080/\"", ret);
        const char *auth = r > 0 ? strstr(*ret, "://") : NULL, *at = auth ? strchr(auth + 3, '@') : NULL;
        if (at && at < auth + 3 + strcspn(auth + 3, "/?#"))
                return conf_fail(c, config_setting_get_member(g, "url"),
                                 "a url with a user or password would be stored in the history and shown by ps: "
                                 "benchmark a server that needs none (a load benchmark may use a scenario)");
        return r;
}

/* SPDX-License-Identifier: MIT */
/* Offered values: the lists the kernel prints beside (or in) an attribute, "none [mq-deadline] kyber",
 * scaling_available_governors, tcp_available_congestion_control. The one reader of them, for the
 * optimizer (which alternative to pick) and the plan check (which value to refuse). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "tunable.h"

char **tunable_offered_free(char **v) {
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
        return NULL;
}

static int words(char *text, char ***ret) {
        char **v = calloc(1, sizeof(char *));
        size_t n = 0;
        if (!v)
                return -ENOMEM;
        /* Brackets mark the current selection: "[mq-deadline]" offers mq-deadline. */
        for (char *save = NULL, *w = strtok_r(text, " \t\n[]", &save); w; w = strtok_r(NULL, " \t\n[]", &save)) {
                char **nv = realloc(v, (n + 2) * sizeof(char *));
                if (!nv || !(nv[n] = strdup(w))) {
                        tunable_offered_free(nv ?: v);
                        return -ENOMEM;
                }
                v = nv;
                v[++n] = NULL;
        }
        *ret = v;
        return 0;
}

int tunable_offered(const Sysroot *root, TunableKind kind, const char *key, char ***ret) {
        const TunableBackend *b = tunable_backend(kind);
        _cleanup_free_ char *path = NULL, *text = NULL;
        if (!b || !key)
                return -EINVAL;
        if (!b->offered_path)
                return -EOPNOTSUPP;
        int r = b->offered_path(key, &path);
        if (r < 0)
                return r;
        if (!path)
                return -EOPNOTSUPP;
        r = sysroot_read_file(root, path, &text, NULL);
        return r < 0 ? r : words(text, ret);
}

int tunable_offers(const Sysroot *root, TunableKind kind, const char *key, const char *value) {
        const TunableBackend *b = tunable_backend(kind);
        if (!b || !value)
                return -EINVAL;
        if (b->offered_words_only && isdigit((unsigned char) value[0]))
                return 1;       /* a number: its range is the allowlist's */
        char **v = NULL;
        int r = tunable_offered(root, kind, key, &v);
        if (r == -EOPNOTSUPP)
                return 1;
        if (r < 0)
                return r;
        bool found = false;
        for (size_t i = 0; !found && v[i]; i++)
                found = strcmp(v[i], value) == 0;
        tunable_offered_free(v);
        return found;
}

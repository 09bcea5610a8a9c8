/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "nearest.h"
#include "owned-file.h"
#include "tunable-arg.h"

#define PROC_SYS "/proc/sys/"

/* The names a mistyped one is compared with: the sysctl allowlist and "KIND:" of each other kind. */
static const char *nearest_known(const char *word, char *buf, size_t size) {
        const char *names[256];
        char kinds[_TUNABLE_KIND_MAX][32];
        size_t n = 0;
        for (int k = 0; k < _TUNABLE_KIND_MAX; k++)
                if (k != TUNABLE_SYSCTL) {
                        snprintf(kinds[k], sizeof(kinds[k]), "%s:", tunable_kind_to_string(k));
                        names[n++] = kinds[k];
                }
        for (size_t i = 0; n < ELEMENTSOF(names) && tunable_sysctl_allowlist_entry(i); i++)
                names[n++] = tunable_sysctl_allowlist_entry(i);
        const char *near = nearest_name(word, names, n);
        if (!near)
                return NULL;
        snprintf(buf, size, "%s", near);
        return buf;
}

static int unknown(const char *arg, const char *word, const char *reason) {
        char buf[TUNABLE_KEY_MAX + 1];
        const char *near = nearest_known(word, buf, sizeof(buf));
        if (near)
                log_error("unknown tunable '%s': did you mean '%s'?", arg, near);
        else
                log_error("unknown tunable '%s'%s%s ('skytune policy keys' lists what skytune knows)", arg,
                          reason ? ": " : "", strempty(reason));
        return -EINVAL;
}

/* "ulimit:unit:x:nofile": the kind is the part before the first ':' when it names one. */
static TunableKind split_kind(const char *arg, const char **ret_rest) {
        const char *colon = strchr(arg, ':');
        *ret_rest = arg;
        if (!colon || (size_t) (colon - arg) >= 32)
                return TUNABLE_SYSCTL;
        char kind[32];
        memcpy(kind, arg, colon - arg);
        kind[colon - arg] = 0;
        TunableKind k = tunable_kind_from_string(kind);
        if (k >= 0)
                *ret_rest = colon + 1;
        return k;
}

int tunable_arg_parse(const char *arg, TunableKind *ret_kind, char **ret_key) {
        const char *key;
        TunableKind kind = split_kind(arg, &key);
        if (kind < 0)
                return unknown(arg, arg, "no such kind before ':'");
        if (kind == TUNABLE_SYSCTL && strncmp(key, PROC_SYS, strlen(PROC_SYS)) == 0)
                key += strlen(PROC_SYS);
        const TunableBackend *b = tunable_backend(kind);
        _cleanup_(error_done) Error why = ERROR_NULL;
        char *canon = NULL;
        int r = b->canonical_key(key, &canon, &why);
        if (r == -ENOMEM)
                return log_error_errno(r, "cannot parse '%s': %m", arg);
        if (r < 0) {
                _cleanup_free_ char *dotted = NULL;
                if (kind == TUNABLE_SYSCTL && sysctl_key_canonical(key, &dotted) >= 0)
                        key = dotted;
                return unknown(arg, kind == TUNABLE_SYSCTL ? key : arg, why.message);
        }
        *ret_kind = kind;
        *ret_key = canon;
        return 0;
}

char *tunable_arg_format(TunableKind kind, const char *key) {
        char *s = NULL;
        if (kind == TUNABLE_SYSCTL)
                return strdup(key);
        return asprintf(&s, "%s:%s", tunable_kind_to_string(kind), key) < 0 ? NULL : s;
}

char *tunable_arg_read_error(TunableKind kind, const char *key, int r) {
        const TunableBackend *b = tunable_backend(kind);
        _cleanup_free_ char *path = NULL;
        char *s = NULL;
        int k;
        if (b->live_path && b->live_path(key, &path) >= 0)
                k = r == -ENOENT ? asprintf(&s, "/%s does not exist: this host does not offer it", path)
                                 : asprintf(&s, "cannot read /%s: %s", path, strerror(-r));
        else
                k = r == -ENOENT ? asprintf(&s, "no file of skytune sets it (the drop-in or limits.d entry is absent)")
                                 : asprintf(&s, "cannot read it: %s", strerror(-r));
        return k < 0 ? NULL : s;
}

char *tunable_arg_values(TunableKind kind, const char *key) {
        const char *e;
        for (size_t i = 0; kind == TUNABLE_SYSCTL && (e = tunable_sysctl_allowlist_entry(i)); i++)
                if (strcmp(e, key) == 0)
                        return tunable_sysctl_allowlist_values(i);
        const TunableBackend *b = tunable_backend(kind);
        return b && b->value_help && kind != TUNABLE_SYSCTL ? strdup(b->value_help) : NULL;
}

int tunable_arg_read(const Sysroot *root, TunableKind kind, const char *key, char **ret) {
        int r = tunable_read(root, kind, key, ret);
        if (r == -EOPNOTSUPP) {         /* a file-only ulimit scope: what skytune's file sets */
                r = owned_file_value(root, kind, key, ret);
                if (r == -ENODATA)
                        r = -ENOENT;
        }
        return r;
}

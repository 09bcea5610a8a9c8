/* SPDX-License-Identifier: MIT */
/* Owned files, rollback side: what a transaction changed in a file (its entry keys), one entry's
 * line, a line-by-line edit that keeps every other line byte for byte, and the check that a line or
 * a content from the journal is one skytune writes for an allowlisted key and a valid value. Several
 * transactions share one file, so a rollback edits the entries it changed instead of putting back
 * the whole file as it found it (which would undo the later transactions' lines, or keep its own). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "owned-file-internal.h"
#include "owned-file.h"
#include "ulimit.h"

static const Entry *entries_find(const Entries *e, const char *ekey) {
        for (size_t i = 0; i < e->n; i++)
                if (strcmp(e->v[i].ekey, ekey) == 0)
                        return &e->v[i];
        return NULL;
}

static bool streq_or_both_null(const char *a, const char *b) {
        return a == b || (a && b && strcmp(a, b) == 0);
}

char **owned_keys_free(char **keys) {
        for (char **k = keys; k && *k; k++)
                free(*k);
        free(keys);
        return NULL;
}

static int keys_add(char ***keys, size_t *n, const char *k) {
        char **v = realloc(*keys, (*n + 2) * sizeof(char *));
        if (!v)
                return -ENOMEM;
        *keys = v;
        v[*n] = strdup(k);
        v[*n + 1] = NULL;
        if (!v[*n])
                return -ENOMEM;
        (*n)++;
        return 0;
}

int owned_file_changed_keys(const char *path, const char *before, const char *after, char ***ret) {
        OwnedFormat f = owned_format_of_path(path);
        if (f == OWNED_NONE)
                return -EINVAL;
        Entries a = {}, b = {};
        char **keys = calloc(1, sizeof(char *));
        size_t n = 0;
        int r = keys ? owned_parse_entries(f, before, &a) : -ENOMEM;
        if (r >= 0)
                r = owned_parse_entries(f, after, &b);
        for (size_t i = 0; r >= 0 && i < a.n; i++) {
                const Entry *o = entries_find(&b, a.v[i].ekey);
                if (!o || strcmp(o->line, a.v[i].line) != 0)
                        r = keys_add(&keys, &n, a.v[i].ekey);
        }
        for (size_t i = 0; r >= 0 && i < b.n; i++)
                if (!entries_find(&a, b.v[i].ekey))
                        r = keys_add(&keys, &n, b.v[i].ekey);
        owned_entries_done(&a);
        owned_entries_done(&b);
        if (r < 0) {
                owned_keys_free(keys);
                return r;
        }
        *ret = keys;
        return 0;
}

int owned_file_change_keys(TunableKind kind, const char *key, const char *value, char ***ret) {
        _cleanup_free_ char *path = NULL;
        int r = owned_file_for(kind, key, &path);
        if (r < 0)
                return r;
        if (!path)
                return -EOPNOTSUPP;
        Entries e = {};
        char **keys = calloc(1, sizeof(char *));
        size_t n = 0;
        r = keys ? owned_add_change(owned_format_of_path(path), &e, kind, key, value) : -ENOMEM;
        for (size_t i = 0; r >= 0 && i < e.n; i++)
                r = keys_add(&keys, &n, e.v[i].ekey);
        owned_entries_done(&e);
        if (r < 0) {
                owned_keys_free(keys);
                return r;
        }
        *ret = keys;
        return 0;
}

int owned_file_line(const char *path, const char *content, const char *ekey, char **ret) {
        OwnedFormat f = owned_format_of_path(path);
        if (f == OWNED_NONE)
                return -EINVAL;
        Entries e = {};
        int r = owned_parse_entries(f, content, &e);
        const Entry *x = r < 0 ? NULL : entries_find(&e, ekey);
        char *line = x ? strdup(x->line) : NULL;
        owned_entries_done(&e);
        if (r < 0)
                return r;
        if (x && !line)
                return -ENOMEM;
        *ret = line;
        return 0;
}

static const char *section_of(OwnedFormat f) {
        const OwnedFormatInfo *info = owned_format_info(f);
        return info ? info->section : NULL;
}

int owned_file_set_line(const char *path, const char *content, const char *ekey, const char *line, char **ret) {
        OwnedFormat f = owned_format_of_path(path);
        if (f == OWNED_NONE)
                return -EINVAL;
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        if (!out)
                return -ENOMEM;
        if (!content) {
                fputs(OWNED_FILE_HEADER, out);
                if (section_of(f))
                        fprintf(out, "%s\n", section_of(f));
        }
        bool placed = false, ends_nl = true;
        for (const char *p = content; p && *p;) {
                const char *nl = strchrnul(p, '\n');
                _cleanup_free_ char *l = strndup(p, (size_t) (nl - p)), *ek = l ? owned_line_ekey(f, l) : NULL;
                if (ek && strcmp(ek, ekey) == 0) {
                        /* This entry's line (every one of them: the reader takes the last). */
                        if (line && !placed)
                                fprintf(out, "%s\n", line);
                        placed = true;
                } else {
                        fwrite(p, 1, (size_t) (nl - p) + (*nl == '\n'), out);
                        ends_nl = *nl == '\n';
                }
                p = *nl ? nl + 1 : nl;
        }
        if (line && !placed)
                fprintf(out, "%s%s\n", ends_nl ? "" : "\n", line);
        if (fclose(out) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

int owned_file_same_entries(const char *path, const char *a, const char *b) {
        OwnedFormat f = owned_format_of_path(path);
        if (f == OWNED_NONE)
                return -EINVAL;
        Entries x = {}, y = {};
        int r = owned_parse_entries(f, a, &x);
        if (r >= 0)
                r = owned_parse_entries(f, b, &y);
        bool same = r >= 0 && x.n == y.n;
        for (size_t i = 0; same && i < x.n; i++) {
                const Entry *o = entries_find(&y, x.v[i].ekey);
                same = o && strcmp(o->line, x.v[i].line) == 0;
        }
        owned_entries_done(&x);
        owned_entries_done(&y);
        return r < 0 ? r : same;
}

static char *trim_dup(const char *b, const char *e) {
        while (b < e && isspace((unsigned char) *b))
                b++;
        while (e > b && isspace((unsigned char) e[-1]))
                e--;
        return strndup(b, (size_t) (e - b));
}

/* The resource of "LimitNOFILE" / "DefaultLimitNOFILE" and the like. */
static const UlimitResource *systemd_resource(const char *ekey) {
        const char *s = startswith(ekey, "Default") ? ekey + STRLEN("Default") : ekey;
        if (!startswith(s, "Limit"))
                return NULL;
        char name[32];
        size_t i;
        for (i = 0; s[5 + i] && i < sizeof(name) - 1; i++)
                name[i] = (char) tolower((unsigned char) s[5 + i]);
        name[i] = '\0';
        const UlimitResource *res = ulimit_resource(name);
        return res && strcmp(res->systemd, s + 5) == 0 ? res : NULL;
}

/* The change (kind, key, value) that a line of a non-sysctl format sets; -EINVAL when it is none. */
static int line_change(OwnedFormat f, const char *path, const char *line, const char *ekey, TunableKind *ret_kind,
                       char **ret_key, char **ret_value) {
        char w[4][256];
        const char *q;
        switch (f) {
        case OWNED_UDEV:
        case OWNED_TMPFILES: {
                /* The attribute's file: its kind and key are the backend's whose live path it is. */
                _cleanup_free_ char *attr_path = NULL;
                const char *sp = strchr(ekey, ' ');
                if (f == OWNED_UDEV) {
                        q = strstr(line, "ATTR{queue/");
                        if (!sp || !q || !(q = strstr(q, "}=\"")))
                                return -EINVAL;
                        if (asprintf(&attr_path, "sys/block/%.*s/queue/%s", (int) (sp - ekey), ekey, sp + 1) < 0) {
                                attr_path = NULL;
                                return -ENOMEM;
                        }
                        *ret_value = strndup(q + 3, strcspn(q + 3, "\""));
                } else {
                        if (!(q = strrchr(line, ' ')) || !(attr_path = strdup(ekey)))
                                return -EINVAL;
                        *ret_value = trim_dup(q, q + strlen(q));
                }
                int r = owned_attr_kind(f, attr_path, ret_kind, ret_key);
                if (r < 0)
                        return r;       /* the caller frees *ret_value */
                break;
        }
        case OWNED_LIMITS: {
                long long v;
                const UlimitResource *res;
                if (sscanf(line, "%255s %255s %255s %255s", w[0], w[1], w[2], w[3]) != 4 || !(res = ulimit_resource(w[2])) ||
                    ulimit_limits_conf_parse(res, w[3], &v) < 0 || ulimit_value_format(v, v, ret_value) < 0)
                        return -EINVAL;
                *ret_kind = TUNABLE_ULIMIT;
                if (asprintf(ret_key, "login:%s:%s", w[0], w[2]) < 0)
                        *ret_key = NULL;
                break;
        }
        case OWNED_UNIT:
        case OWNED_SYSTEM: {
                const UlimitResource *res = systemd_resource(ekey);
                const char *p = path + (*path == '/') + STRLEN("etc/systemd/system/");
                if (!res)
                        return -EINVAL;
                *ret_kind = TUNABLE_ULIMIT;
                *ret_value = trim_dup(strchr(line, '=') + 1, line + strlen(line));
                if (f == OWNED_SYSTEM ? asprintf(ret_key, "default:*:%s", res->name) < 0
                                  : asprintf(ret_key, "unit:%.*s:%s", (int) (strstr(p, ".d/") - p), p, res->name) < 0)
                        *ret_key = NULL;
                break;
        }
        default:
                return -EINVAL;
        }
        return *ret_key && *ret_value ? 0 : -ENOMEM;
}

#define NOT_OURS "not a line that skytune writes in this file"

int owned_file_check_line(const char *path, const char *line, Error *e) {
        OwnedFormat f = owned_format_of_path(path);
        _cleanup_free_ char *ekey = f == OWNED_NONE ? NULL : owned_line_ekey(f, line), *key = NULL, *value = NULL,
                            *canon = NULL;
        TunableKind kind = _TUNABLE_KIND_INVALID;
        if (!ekey)
                return error_set(e, -EINVAL, NOT_OURS);
        if (f == OWNED_SYSCTL) {
                /* "key = value" (an administrator may have written it without the spaces). */
                value = trim_dup(strchr(line, '=') + 1, line + strlen(line));
                return value ? tunable_check(TUNABLE_SYSCTL, ekey, value, NULL, e) : -ENOMEM;
        }
        int r = line_change(f, path, line, ekey, &kind, &key, &value);
        if (r < 0)
                return error_set(e, r, NOT_OURS);
        r = tunable_check(kind, key, value, &canon, e);
        if (r < 0)
                return r;
        /* Exactly the line skytune renders for it: nothing else (a RUN+= in a rule) rides along. */
        Entries en = {};
        r = owned_add_change(f, &en, kind, canon, value);
        const Entry *x = r < 0 ? NULL : entries_find(&en, ekey);
        bool same = x && strcmp(x->line, line) == 0;
        owned_entries_done(&en);
        if (r < 0)
                return error_set(e, r == -ENOMEM ? r : -EINVAL, NOT_OURS);
        if (!same)
                return error_set(e, -EINVAL, "not the line skytune writes for this setting");
        return 0;
}

int owned_file_check_content(const char *path, const char *content, Error *e) {
        OwnedFormat f = owned_format_of_path(path);
        if (f == OWNED_NONE)
                return error_set(e, -EINVAL, "not a file skytune owns");
        for (const char *p = content; p && *p;) {
                const char *nl = strchrnul(p, '\n');
                _cleanup_free_ char *line = strndup(p, (size_t) (nl - p)), *t = line ? trim_dup(line, line + strlen(line)) : NULL;
                if (!t)
                        return -ENOMEM;
                if (*t && *t != '#' && *t != ';' && !streq_or_both_null(t, section_of(f))) {
                        int r = owned_file_check_line(path, line, e);
                        if (r < 0)
                                return r;
                }
                p = *nl ? nl + 1 : nl;
        }
        return 0;
}

bool owned_file_path_valid(const char *path) {
        OwnedFormat f = owned_format_of_path(path);
        if (f != OWNED_UNIT)
                return f != OWNED_NONE;
        const char *unit = path + (*path == '/') + STRLEN("etc/systemd/system/");
        _cleanup_free_ char *name = strndup(unit, strlen(unit) - STRLEN(".d/90-skytune.conf"));
        return name && tunable_component_ok(name, 255);
}

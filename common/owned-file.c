/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "owned-file-internal.h"
#include "owned-file.h"
#include "ulimit.h"

#define SYSCTL_FILE "/etc/sysctl.d/90-skytune.conf"
#define UDEV_FILE "/etc/udev/rules.d/90-skytune.rules"
#define TMPFILES_FILE "/etc/tmpfiles.d/90-skytune.conf"
#define LIMITS_FILE "/etc/security/limits.d/90-skytune.conf"
#define SYSTEM_CONF_FILE "/etc/systemd/system.conf.d/90-skytune.conf"

static const OwnedFormatInfo formats[] = {
        [OWNED_SYSCTL] = { SYSCTL_FILE, "sysctl", NULL },
        [OWNED_UDEV] = { UDEV_FILE, "sysfs", NULL },
        [OWNED_TMPFILES] = { TMPFILES_FILE, "sysfs", NULL },
        [OWNED_LIMITS] = { LIMITS_FILE, "limits.d", NULL },
        [OWNED_UNIT] = { NULL, "systemd-dropin", "[Service]" },
        [OWNED_SYSTEM] = { SYSTEM_CONF_FILE, "system.conf.d", "[Manager]" },
};
static_assert(ELEMENTSOF(formats) == _OWNED_FORMAT_MAX, "an owned-file format without its file");

const OwnedFormatInfo *owned_format_info(OwnedFormat f) {
        return f >= 0 && f < _OWNED_FORMAT_MAX ? &formats[f] : NULL;
}

static OwnedFormat format_for(TunableKind kind, const char *key) {
        TunablePlace place;
        return tunable_place(kind, key, &place) < 0 ? OWNED_NONE : place.format;
}

const char *owned_mechanism(TunableKind kind, const char *key) {
        TunablePlace place;
        if (tunable_place(kind, key, &place) < 0)
                return "none";
        if (place.format != OWNED_NONE)
                return formats[place.format].mechanism;
        return place.mechanism == TUNABLE_MECH_PRLIMIT ? "prlimit" : "none";
}

bool owned_file_only(TunableKind kind, const char *key) {
        TunablePlace place;
        return tunable_place(kind, key, &place) >= 0 && place.mechanism == TUNABLE_MECH_FILE;
}

int owned_file_for(TunableKind kind, const char *key, char **ret) {
        OwnedFormat f = format_for(kind, key);
        UlimitKey uk;
        if (f == OWNED_NONE) {
                *ret = NULL;
                return 0;
        }
        if (f == OWNED_UNIT) {
                if (ulimit_key_parse(key, &uk) < 0)
                        return -EINVAL;
                return asprintf(ret, "/etc/systemd/system/%s.d/90-skytune.conf", uk.target) < 0 ? -ENOMEM : 0;
        }
        *ret = strdup(formats[f].path);
        return *ret ? 0 : -ENOMEM;
}

OwnedFormat owned_format_of_path(const char *path) {
        path += *path == '/';
        for (size_t i = 0; i < ELEMENTSOF(formats); i++)
                if (formats[i].path && strcmp(path, formats[i].path + 1) == 0)
                        return (OwnedFormat) i;
        if (startswith(path, "etc/systemd/system/") && endswith(path, ".d/90-skytune.conf"))
                return OWNED_UNIT;
        return OWNED_NONE;
}

/* Marks the key in a live path template: no key holds it. */
#define KEY_MARK "\x01"

int owned_attr_kind(OwnedFormat f, const char *path, TunableKind *ret_kind, char **ret_key) {
        path += *path == '/';
        size_t n = strlen(path);
        for (int k = 0; k < _TUNABLE_KIND_MAX; k++) {
                const TunableBackend *b = tunable_backend((TunableKind) k);
                _cleanup_free_ char *tmpl = NULL, *key = NULL, *canon = NULL, *live = NULL;
                if (b->place_of || b->place.format != f || !b->live_path || b->live_path(KEY_MARK, &tmpl) < 0)
                        continue;
                const char *mark = strstr(tmpl, KEY_MARK), *suffix = mark ? mark + STRLEN(KEY_MARK) : NULL;
                size_t pre = mark ? (size_t) (mark - tmpl) : 0, suf = suffix ? strlen(suffix) : 0;
                if (!mark || n <= pre + suf || strncmp(path, tmpl, pre) != 0 || strcmp(path + n - suf, suffix) != 0)
                        continue;
                key = strndup(path + pre, n - pre - suf);
                if (!key)
                        return -ENOMEM;
                if (tunable_check((TunableKind) k, key, NULL, &canon, NULL) < 0 || b->live_path(canon, &live) < 0 ||
                    strcmp(live, path) != 0)
                        continue;
                *ret_kind = (TunableKind) k;
                *ret_key = TAKE_PTR(canon);
                return 0;
        }
        return -EINVAL;
}

void owned_entries_done(Entries *e) {
        for (size_t i = 0; i < e->n; i++) {
                free(e->v[i].ekey);
                free(e->v[i].line);
        }
        free(e->v);
}

static void entries_remove(Entries *e, const char *ekey) {
        for (size_t i = 0; i < e->n; i++)
                if (strcmp(e->v[i].ekey, ekey) == 0) {
                        free(e->v[i].ekey);
                        free(e->v[i].line);
                        memmove(&e->v[i], &e->v[i + 1], (e->n - i - 1) * sizeof(Entry));
                        e->n--;
                        return;
                }
}

/* Takes ownership of ekey and line. */
static int entries_set(Entries *e, char *ekey, char *line) {
        if (!ekey || !line) {
                free(ekey);
                free(line);
                return -ENOMEM;
        }
        for (size_t i = 0; i < e->n; i++)
                if (strcmp(e->v[i].ekey, ekey) == 0) {
                        free(e->v[i].line);
                        free(ekey);
                        e->v[i].line = line;
                        return 0;
                }
        Entry *n = realloc(e->v, (e->n + 1) * sizeof(Entry));
        if (!n) {
                free(ekey);
                free(line);
                return -ENOMEM;
        }
        e->v = n;
        e->v[e->n++] = (Entry) { ekey, line };
        return 0;
}

static char *trimmed(const char *b, const char *e) {
        while (b < e && isspace((unsigned char) *b))
                b++;
        while (e > b && isspace((unsigned char) e[-1]))
                e--;
        return strndup(b, (size_t) (e - b));
}

char *owned_line_ekey(OwnedFormat f, const char *line) {
        const char *p = line;
        while (isspace((unsigned char) *p))
                p++;
        if (!*p || *p == '#' || *p == ';' || *p == '[')
                return NULL;
        switch (f) {
        case OWNED_SYSCTL:
        case OWNED_UNIT:
        case OWNED_SYSTEM: {
                const char *eq = strchr(p, '=');
                return eq ? trimmed(p, eq) : NULL;
        }
        case OWNED_UDEV: {
                const char *k = strstr(p, "KERNEL==\""), *a = strstr(p, "ATTR{queue/");
                if (!k || !a)
                        return NULL;
                k += 9;
                a += 11;
                char *s = NULL;
                return asprintf(&s, "%.*s %.*s", (int) strcspn(k, "\""), k, (int) strcspn(a, "}"), a) < 0 ? NULL : s;
        }
        case OWNED_TMPFILES: {
                char w[2][512];
                return sscanf(p, "%511s %511s", w[0], w[1]) == 2 ? strdup(w[1]) : NULL;
        }
        case OWNED_LIMITS: {
                char w[3][256];
                char *s = NULL;
                if (sscanf(p, "%255s %255s %255s", w[0], w[1], w[2]) != 3)
                        return NULL;
                return asprintf(&s, "%s %s %s", w[0], w[1], w[2]) < 0 ? NULL : s;
        }
        case OWNED_NONE:
        case _OWNED_FORMAT_MAX:
                break;
        }
        return NULL;
}

int owned_parse_entries(OwnedFormat f, const char *text, Entries *e) {
        for (const char *p = text; p && *p;) {
                const char *nl = strchrnul(p, '\n');
                _cleanup_free_ char *line = strndup(p, (size_t) (nl - p));
                if (!line)
                        return -ENOMEM;
                char *ek = owned_line_ekey(f, line);
                if (ek) {
                        int r = entries_set(e, ek, strdup(line));     /* kept verbatim, in file order */
                        if (r < 0)
                                return r;
                }
                p = *nl ? nl + 1 : nl;
        }
        return 0;
}

/* A sysfs attribute of the key's live path: a udev rule of its block device, or a tmpfiles.d w line. */
static int add_attr_change(OwnedFormat f, Entries *e, TunableKind kind, const char *key, const char *value) {
        const TunableBackend *b = tunable_backend(kind);
        _cleanup_free_ char *live = NULL, *dev = NULL;
        char *ek = NULL, *line = NULL;
        int r = b && b->live_path ? b->live_path(key, &live) : -EINVAL;
        if (r < 0)
                return r;
        if (f == OWNED_TMPFILES) {
                if (asprintf(&ek, "/%s", live) < 0)
                        return -ENOMEM;
                if (asprintf(&line, "w %s - - - - %s", ek, value) < 0)
                        line = NULL;
                return entries_set(e, ek, line);
        }
        if (asprintf(&dev, "sys/block/%s/queue/", key) < 0) {
                dev = NULL;
                return -ENOMEM;
        }
        const char *attr = startswith(live, dev) ? live + strlen(dev) : NULL;
        if (!attr || strchr(attr, '/'))
                return -EINVAL;         /* udev sets the queue attributes of block devices */
        if (asprintf(&ek, "%s %s", key, attr) < 0)
                return -ENOMEM;
        if (asprintf(&line, "ACTION==\"add|change\", SUBSYSTEM==\"block\", KERNEL==\"%s\", ATTR{queue/%s}=\"%s\"", key,
                     attr, value) < 0)
                line = NULL;
        return entries_set(e, ek, line);
}

int owned_add_change(OwnedFormat f, Entries *e, TunableKind kind, const char *key, const char *value) {
        char *ek = NULL, *line = NULL;
        UlimitKey uk;
        long long soft, hard;
        switch (f) {
        case OWNED_SYSCTL:
                if (sysctl_coupled_partner(key))
                        entries_remove(e, sysctl_coupled_partner(key));
                if (asprintf(&line, "%s = %s", key, value) < 0)
                        line = NULL;
                return entries_set(e, strdup(key), line);
        case OWNED_UDEV:
        case OWNED_TMPFILES:
                return add_attr_change(f, e, kind, key, value);
        case OWNED_LIMITS:
        case OWNED_UNIT:
        case OWNED_SYSTEM: {
                if (ulimit_key_parse(key, &uk) < 0 || ulimit_value_parse(value, uk.resource, &soft, &hard) < 0)
                        return -EINVAL;
                if (f == OWNED_LIMITS) {
                        /* limits.conf(5): "unlimited", and KiB for memlock, core and stack. */
                        for (int j = 0; j < 2; j++) {
                                const char *type = j ? "hard" : "soft";
                                char buf[24];
                                if (asprintf(&ek, "%s %s %s", uk.target, type, uk.resource->name) < 0)
                                        return -ENOMEM;
                                if (asprintf(&line, "%s %s %s %s", uk.target, type, uk.resource->name,
                                             ulimit_limits_conf_word(uk.resource, j ? hard : soft, buf)) < 0)
                                        line = NULL;
                                int r = entries_set(e, ek, line);
                                if (r < 0)
                                        return r;
                        }
                        return 0;
                }
                if (asprintf(&ek, "%sLimit%s", f == OWNED_SYSTEM ? "Default" : "", uk.resource->systemd) < 0)
                        return -ENOMEM;
                _cleanup_free_ char *v = NULL;
                if (ulimit_value_format(soft, hard, &v) < 0 || asprintf(&line, "%s=%s", ek, v) < 0)
                        line = NULL;
                return entries_set(e, ek, line);
        }
        case OWNED_NONE:
        case _OWNED_FORMAT_MAX:
                break;
        }
        return -EINVAL;
}

int owned_file_render(const char *path, const char *old, const json_t *changes, char **ret) {
        OwnedFormat f = owned_format_of_path(path);
        if (f == OWNED_NONE)
                return -EINVAL;
        Entries e = {};
        int r = owned_parse_entries(f, old, &e);
        size_t i;
        json_t *c;
        json_array_foreach(changes, i, c) {
                if (r < 0)
                        break;
                const char *kind = json_string_value(json_object_get(c, "kind")),
                           *key = json_string_value(json_object_get(c, "key")),
                           *value = json_string_value(json_object_get(c, "proposed"));
                TunableKind k = tunable_kind_from_string(kind);
                _cleanup_free_ char *p = NULL, *canon = NULL;
                if (k < 0 || !key || !value || tunable_check(k, key, NULL, &canon, NULL) < 0 ||
                    owned_file_for(k, canon, &p) < 0 || !p || strcmp(p + 1, path + (*path == '/')) != 0 ||
                    strcmp(strempty(json_string_value(json_object_get(c, "status"))), "unavailable") == 0)
                        continue;
                r = owned_add_change(f, &e, k, canon, value);
        }
        if (r < 0) {
                owned_entries_done(&e);
                return r;
        }
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        if (!out) {
                owned_entries_done(&e);
                return -ENOMEM;
        }
        fputs(OWNED_FILE_HEADER, out);
        if (formats[f].section)
                fprintf(out, "%s\n", formats[f].section);
        for (i = 0; i < e.n; i++)
                fprintf(out, "%s\n", e.v[i].line);
        owned_entries_done(&e);
        if (fclose(out) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

int owned_file_value(const Sysroot *root, TunableKind kind, const char *key, char **ret) {
        if (!owned_file_only(kind, key))
                return -EOPNOTSUPP;
        _cleanup_free_ char *path = NULL, *text = NULL;
        int r = owned_file_for(kind, key, &path);
        if (r < 0)
                return r;
        r = sysroot_read_file(root, path, &text, NULL);
        return r < 0 ? r : owned_file_parse_value(text, kind, key, ret);
}

int owned_file_parse_value(const char *text, TunableKind kind, const char *key, char **ret) {
        UlimitKey uk;
        OwnedFormat f = format_for(kind, key);
        if (!owned_file_only(kind, key) || ulimit_key_parse(key, &uk) < 0)
                return -EOPNOTSUPP;
        Entries e = {};
        int r = owned_parse_entries(f, text, &e);
        const char *soft = NULL;
        long long lsoft = 0, lhard = 0;
        bool have_soft = false, have_hard = false;
        for (size_t i = 0; r >= 0 && i < e.n; i++) {
                const char *line = e.v[i].line;
                if (f == OWNED_LIMITS) {
                        /* Words in limits.conf(5) units (KiB for memlock), read back into the kind's (bytes). */
                        char dom[256], type[16], item[32], val[32];
                        long long v;
                        if (sscanf(line, "%255s %15s %31s %31s", dom, type, item, val) != 4 || strcmp(dom, uk.target) != 0 ||
                            strcmp(item, uk.resource->name) != 0 || ulimit_limits_conf_parse(uk.resource, val, &v) < 0)
                                continue;
                        if (strcmp(type, "soft") == 0 || strcmp(type, "-") == 0) {
                                lsoft = v;
                                have_soft = true;
                        }
                        if (strcmp(type, "hard") == 0 || strcmp(type, "-") == 0) {
                                lhard = v;
                                have_hard = true;
                        }
                        continue;
                }
                char want[64];
                snprintf(want, sizeof(want), "%sLimit%s", f == OWNED_SYSTEM ? "Default" : "", uk.resource->systemd);
                if (strcmp(e.v[i].ekey, want) == 0)
                        soft = strchr(line, '=') + 1;
        }
        _cleanup_free_ char *v = NULL;
        if (r >= 0 && have_soft) {
                if (ulimit_value_format(lsoft, have_hard ? lhard : lsoft, &v) < 0)
                        r = -ENOMEM;
                soft = v;
        }
        bool found = soft != NULL;      /* soft may point into e, freed below */
        if (r >= 0 && soft && !v)
                v = strdup(soft);
        owned_entries_done(&e);
        if (r < 0)
                return r;
        if (!found)
                return -ENOENT;
        if (!v)
                return -ENOMEM;
        r = tunable_normalize(kind, key, v, ret);
        return r < 0 ? -ENOENT : r;
}

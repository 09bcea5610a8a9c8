/* SPDX-License-Identifier: MIT */
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

static FileFormat format_for(TunableKind kind, const char *key, UlimitKey *uk) {
        switch (kind) {
        case TUNABLE_SYSCTL:
                return F_SYSCTL;
        case TUNABLE_IO_SCHEDULER:
        case TUNABLE_READ_AHEAD_KB:
        case TUNABLE_NR_REQUESTS:
                return F_UDEV;
        case TUNABLE_CPU_GOVERNOR:
        case TUNABLE_CPU_EPP:
                return F_TMPFILES;
        case TUNABLE_ULIMIT:
                if (ulimit_key_parse(key, uk) < 0)
                        return F_NONE;
                return strcmp(uk->scope, "unit") == 0    ? F_UNIT
                       : strcmp(uk->scope, "login") == 0 ? F_LIMITS
                       : strcmp(uk->scope, "default") == 0 ? F_SYSTEM
                                                           : F_NONE;
        default:
                return F_NONE;
        }
}

const char *owned_mechanism(TunableKind kind, const char *key) {
        UlimitKey uk;
        switch (format_for(kind, key, &uk)) {
        case F_SYSCTL:
                return "sysctl";
        case F_UDEV:
        case F_TMPFILES:
                return "sysfs";
        case F_UNIT:
                return "systemd-dropin";
        case F_LIMITS:
                return "limits.d";
        case F_SYSTEM:
                return "system.conf.d";
        case F_NONE:
                break;
        }
        return kind == TUNABLE_ULIMIT ? "prlimit" : "none";
}

bool owned_file_only(TunableKind kind, const char *key) {
        UlimitKey uk;
        FileFormat f = format_for(kind, key, &uk);
        return f == F_UNIT || f == F_LIMITS || f == F_SYSTEM;
}

int owned_file_for(TunableKind kind, const char *key, char **ret) {
        UlimitKey uk;
        const char *p = NULL;
        switch (format_for(kind, key, &uk)) {
        case F_SYSCTL: p = SYSCTL_FILE; break;
        case F_UDEV: p = UDEV_FILE; break;
        case F_TMPFILES: p = TMPFILES_FILE; break;
        case F_LIMITS: p = LIMITS_FILE; break;
        case F_SYSTEM: p = SYSTEM_CONF_FILE; break;
        case F_UNIT:
                return asprintf(ret, "/etc/systemd/system/%s.d/90-skytune.conf", uk.target) < 0 ? -ENOMEM : 0;
        case F_NONE:
                *ret = NULL;
                return 0;
        }
        *ret = strdup(p);
        return *ret ? 0 : -ENOMEM;
}

FileFormat owned_format_of_path(const char *path) {
        static const struct {
                const char *path;
                FileFormat f;
        } fixed[] = {
                { SYSCTL_FILE, F_SYSCTL }, { UDEV_FILE, F_UDEV }, { TMPFILES_FILE, F_TMPFILES },
                { LIMITS_FILE, F_LIMITS }, { SYSTEM_CONF_FILE, F_SYSTEM },
        };
        path += *path == '/';
        for (size_t i = 0; i < ELEMENTSOF(fixed); i++)
                if (strcmp(path, fixed[i].path + 1) == 0)
                        return fixed[i].f;
        if (startswith(path, "etc/systemd/system/") && endswith(path, ".d/90-skytune.conf"))
                return F_UNIT;
        return F_NONE;
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

char *owned_line_ekey(FileFormat f, const char *line) {
        const char *p = line;
        while (isspace((unsigned char) *p))
                p++;
        if (!*p || *p == '#' || *p == ';' || *p == '[')
                return NULL;
        switch (f) {
        case F_SYSCTL:
        case F_UNIT:
        case F_SYSTEM: {
                const char *eq = strchr(p, '=');
                return eq ? trimmed(p, eq) : NULL;
        }
        case F_UDEV: {
                const char *k = strstr(p, "KERNEL==\""), *a = strstr(p, "ATTR{queue/");
                if (!k || !a)
                        return NULL;
                k += 9;
                a += 11;
                char *s = NULL;
                return asprintf(&s, "%.*s %.*s", (int) strcspn(k, "\""), k, (int) strcspn(a, "}"), a) < 0 ? NULL : s;
        }
        case F_TMPFILES: {
                char w[2][512];
                return sscanf(p, "%511s %511s", w[0], w[1]) == 2 ? strdup(w[1]) : NULL;
        }
        case F_LIMITS: {
                char w[3][256];
                char *s = NULL;
                if (sscanf(p, "%255s %255s %255s", w[0], w[1], w[2]) != 3)
                        return NULL;
                return asprintf(&s, "%s %s %s", w[0], w[1], w[2]) < 0 ? NULL : s;
        }
        case F_NONE:
                break;
        }
        return NULL;
}

int owned_parse_entries(FileFormat f, const char *text, Entries *e) {
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

int owned_add_change(FileFormat f, Entries *e, TunableKind kind, const char *key, const char *value) {
        char *ek = NULL, *line = NULL;
        UlimitKey uk;
        long long soft, hard;
        switch (f) {
        case F_SYSCTL:
                if (sysctl_coupled_partner(key))
                        entries_remove(e, sysctl_coupled_partner(key));
                if (asprintf(&line, "%s = %s", key, value) < 0)
                        line = NULL;
                return entries_set(e, strdup(key), line);
        case F_UDEV: {
                const char *attr = kind == TUNABLE_IO_SCHEDULER ? "scheduler"
                                   : kind == TUNABLE_READ_AHEAD_KB ? "read_ahead_kb" : "nr_requests";
                if (asprintf(&ek, "%s %s", key, attr) < 0)
                        return -ENOMEM;
                if (asprintf(&line, "ACTION==\"add|change\", SUBSYSTEM==\"block\", KERNEL==\"%s\", ATTR{queue/%s}=\"%s\"",
                             key, attr, value) < 0)
                        line = NULL;
                return entries_set(e, ek, line);
        }
        case F_TMPFILES: {
                const char *attr = kind == TUNABLE_CPU_GOVERNOR ? "scaling_governor" : "energy_performance_preference";
                if (asprintf(&ek, "/sys/devices/system/cpu/cpufreq/%s/%s", key, attr) < 0)
                        return -ENOMEM;
                if (asprintf(&line, "w %s - - - - %s", ek, value) < 0)
                        line = NULL;
                return entries_set(e, ek, line);
        }
        case F_LIMITS:
        case F_UNIT:
        case F_SYSTEM: {
                if (ulimit_key_parse(key, &uk) < 0 || ulimit_value_parse(value, uk.resource, &soft, &hard) < 0)
                        return -EINVAL;
                if (f == F_LIMITS) {
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
                if (asprintf(&ek, "%sLimit%s", f == F_SYSTEM ? "Default" : "", uk.resource->systemd) < 0)
                        return -ENOMEM;
                _cleanup_free_ char *v = NULL;
                if (ulimit_value_format(soft, hard, &v) < 0 || asprintf(&line, "%s=%s", ek, v) < 0)
                        line = NULL;
                return entries_set(e, ek, line);
        }
        case F_NONE:
                break;
        }
        return -EINVAL;
}

int owned_file_render(const char *path, const char *old, const json_t *changes, char **ret) {
        FileFormat f = owned_format_of_path(path);
        if (f == F_NONE)
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
        if (f == F_UNIT)
                fputs("[Service]\n", out);
        else if (f == F_SYSTEM)
                fputs("[Manager]\n", out);
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
        FileFormat f = format_for(kind, key, &uk);
        if (f != F_UNIT && f != F_LIMITS && f != F_SYSTEM)
                return -EOPNOTSUPP;
        Entries e = {};
        int r = owned_parse_entries(f, text, &e);
        const char *soft = NULL;
        long long lsoft = 0, lhard = 0;
        bool have_soft = false, have_hard = false;
        for (size_t i = 0; r >= 0 && i < e.n; i++) {
                const char *line = e.v[i].line;
                if (f == F_LIMITS) {
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
                snprintf(want, sizeof(want), "%sLimit%s", f == F_SYSTEM ? "Default" : "", uk.resource->systemd);
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

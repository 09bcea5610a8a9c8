/* SPDX-License-Identifier: MIT */
/* Owned files: the persistent forms of changes. skytune owns exactly these files and no others:
 *   etc/sysctl.d/90-skytune.conf                   sysctl          "key = value"
 *   etc/udev/rules.d/90-skytune.rules              block queue     ACTION=="add|change", ... ATTR{queue/x}="v"
 *   etc/tmpfiles.d/90-skytune.conf                 cpufreq         w /sys/.../scaling_governor - - - - v
 *   etc/security/limits.d/90-skytune.conf          ulimit login    "TARGET soft|hard RESOURCE N"
 *   etc/systemd/system/UNIT.d/90-skytune.conf      ulimit unit     [Service] LimitRES=soft:hard
 *   etc/systemd/system.conf.d/90-skytune.conf      ulimit default  [Manager] DefaultLimitRES=soft:hard
 * Each file is rewritten whole and atomically through the sysroot; the journal keeps its previous
 * content (or its absence) so that a rollback restores it byte for byte or removes it. A sysctl line
 * replaces the line of its coupled partner (vm.dirty_bytes / vm.dirty_ratio and the background pair),
 * since the kernel keeps only one of the two. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "helper.h"
#include "log.h"
#include "ulimit.h"

#define OWNED_FILE_MAX (256 * 1024)

typedef struct FileType {
        const char *suffix;          /* how the path ends */
        const char *section;         /* "[Service]" or NULL */
        const char *sep;             /* the value follows the first (or last) occurrence */
        bool sep_last;
} FileType;

static const FileType file_types[] = {
        { "sysctl.d/90-skytune.conf", NULL, "=", false },
        { "udev/rules.d/90-skytune.rules", NULL, "=\"", true },
        { "tmpfiles.d/90-skytune.conf", NULL, " ", true },
        { "limits.d/90-skytune.conf", NULL, " ", true },
        { "system.conf.d/90-skytune.conf", "[Manager]", "=", false },
        { ".d/90-skytune.conf", "[Service]", "=", false },        /* unit drop-ins: keep last */
};

static const FileType *file_type(const char *path) {
        size_t n = strlen(path);
        for (size_t i = 0; i < ELEMENTSOF(file_types); i++) {
                size_t s = strlen(file_types[i].suffix);
                if (n >= s && strcmp(path + n - s, file_types[i].suffix) == 0)
                        return &file_types[i];
        }
        return NULL;
}

bool persist_path_is_systemd(const char *path) {
        return strncmp(path, "etc/systemd/", STRLEN("etc/systemd/")) == 0;
}

static int unit_name(const char *target, char **ret) {
        /* A bare name means a service, as systemctl assumes. */
        return asprintf(ret, "%s%s", target, strchr(target, '.') ? "" : ".service") < 0 ? -ENOMEM : 0;
}

int persist_file_for(TunableKind kind, const char *key, char **ret_path) {
        const char *p = NULL;
        switch (kind) {
        case TUNABLE_SYSCTL:
                p = "etc/sysctl.d/90-skytune.conf";
                break;
        case TUNABLE_IO_SCHEDULER:
        case TUNABLE_READ_AHEAD_KB:
        case TUNABLE_NR_REQUESTS:
                p = "etc/udev/rules.d/90-skytune.rules";
                break;
        case TUNABLE_CPU_GOVERNOR:
        case TUNABLE_CPU_EPP:
                p = "etc/tmpfiles.d/90-skytune.conf";
                break;
        case TUNABLE_ULIMIT: {
                UlimitKey k;
                int r = ulimit_key_parse(key, &k);
                if (r < 0)
                        return r;
                if (strcmp(k.scope, "login") == 0)
                        p = "etc/security/limits.d/90-skytune.conf";
                else if (strcmp(k.scope, "default") == 0)
                        p = "etc/systemd/system.conf.d/90-skytune.conf";
                else if (strcmp(k.scope, "unit") == 0) {
                        _cleanup_free_ char *unit = NULL;
                        r = unit_name(k.target, &unit);
                        if (r < 0)
                                return r;
                        return asprintf(ret_path, "etc/systemd/system/%s.d/90-skytune.conf", unit) < 0 ? -ENOMEM : 0;
                } else
                        return -EOPNOTSUPP;        /* running processes only */
                break;
        }
        default:
                return -EOPNOTSUPP;
        }
        char *s = strdup(p);
        if (!s)
                return -ENOMEM;
        *ret_path = s;
        return 0;
}

/* Entries: an id (what the line sets) and the full line. */
typedef struct Entry {
        char *id;
        char *line;
} Entry;

typedef struct Entries {
        Entry *e;
        size_t n;
} Entries;

static void entries_done(Entries *es) {
        for (size_t i = 0; i < es->n; i++) {
                free(es->e[i].id);
                free(es->e[i].line);
        }
        free(es->e);
        *es = (Entries) {};
}

/* Add or replace (same id) an entry; takes ownership of id and line. */
static int entries_put(Entries *es, char *id, char *line) {
        if (!id || !line) {
                free(id);
                free(line);
                return -ENOMEM;
        }
        for (size_t i = 0; i < es->n; i++)
                if (strcmp(es->e[i].id, id) == 0) {
                        free(es->e[i].line);
                        free(id);
                        es->e[i].line = line;
                        return 0;
                }
        Entry *ne = realloc(es->e, (es->n + 1) * sizeof(Entry));
        if (!ne) {
                free(id);
                free(line);
                return -ENOMEM;
        }
        es->e = ne;
        es->e[es->n++] = (Entry) { id, line };
        return 0;
}

static void entries_remove(Entries *es, const char *id) {
        for (size_t i = 0; i < es->n; i++)
                if (strcmp(es->e[i].id, id) == 0) {
                        free(es->e[i].id);
                        free(es->e[i].line);
                        memmove(&es->e[i], &es->e[i + 1], (es->n - i - 1) * sizeof(Entry));
                        es->n--;
                        return;
                }
}

static char *trimmed(const char *s, size_t n) {
        while (n > 0 && (*s == ' ' || *s == '\t'))
                s++, n--;
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                n--;
        return strndup(s, n);
}

/* The value part of a line and its id (what precedes the separator). */
static const char *line_split(const FileType *t, const char *line, size_t *ret_id_len) {
        const char *s = NULL;
        if (t->sep_last)
                for (const char *p = line; (p = strstr(p, t->sep)); p++)
                        s = p;
        else
                s = strstr(line, t->sep);
        if (!s)
                return NULL;
        *ret_id_len = (size_t) (s - line);
        return s + strlen(t->sep);
}

static int entries_parse(const FileType *t, const char *content, Entries *es) {
        if (!content)
                return 0;
        _cleanup_free_ char *copy = strdup(content);
        if (!copy)
                return -ENOMEM;
        for (char *save = NULL, *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                if (l[0] == '#' || l[0] == '[' || l[strspn(l, " \t")] == '\0')
                        continue;
                size_t idn;
                const char *v = line_split(t, l, &idn);
                int r = entries_put(es, v ? trimmed(l, idn) : strdup(l), strdup(l));
                if (r < 0)
                        return r;
        }
        return 0;
}

static char *strdupf(const char *fmt, ...) _printf_(1, 2);
static char *strdupf(const char *fmt, ...) {
        va_list ap;
        char *s;
        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        return s;
}

static int entries_for_change(TunableKind kind, const char *key, const char *value, Entries *es) {
        const TunableBackend *b = tunable_backend(kind);
        switch (kind) {
        case TUNABLE_SYSCTL: {
                /* Writing vm.dirty_bytes zeroes vm.dirty_ratio in the kernel (and so on): a line for the
                 * partner left over from an earlier transaction would undo this one at the next boot,
                 * or the other way round, depending on the order systemd-sysctl applies them. */
                const char *partner = sysctl_coupled_partner(key);
                if (partner)
                        entries_remove(es, partner);
                return entries_put(es, strdup(key), strdupf("%s = %s", key, value));
        }
        case TUNABLE_IO_SCHEDULER:
        case TUNABLE_READ_AHEAD_KB:
        case TUNABLE_NR_REQUESTS: {
                const char *attr = kind == TUNABLE_IO_SCHEDULER ? "scheduler" : b->name;
                return entries_put(es, strdupf("ACTION==\"add|change\", SUBSYSTEM==\"block\", KERNEL==\"%s\", ATTR{queue/%s}", key, attr),
                                   strdupf("ACTION==\"add|change\", SUBSYSTEM==\"block\", KERNEL==\"%s\", ATTR{queue/%s}=\"%s\"", key, attr, value));
        }
        case TUNABLE_CPU_GOVERNOR:
        case TUNABLE_CPU_EPP: {
                _cleanup_free_ char *path = NULL;
                int r = b->live_path(key, &path);
                if (r < 0)
                        return r;
                return entries_put(es, strdupf("w /%s - - - -", path), strdupf("w /%s - - - - %s", path, value));
        }
        case TUNABLE_ULIMIT: {
                /* Written as the dry run shows them (optimizer/owned.c): limits.conf counts byte limits
                 * in KiB and says "unlimited"; systemd takes bytes and "infinity". */
                UlimitKey k;
                long long soft, hard;
                int r = ulimit_key_parse(key, &k);
                if (r < 0 || (r = ulimit_value_parse(value, k.resource, &soft, &hard)) < 0)
                        return r;
                if (strcmp(k.scope, "login") == 0) {
                        char ws[24], wh[24];
                        r = entries_put(es, strdupf("%s soft %s", k.target, k.resource->name),
                                        strdupf("%s soft %s %s", k.target, k.resource->name,
                                                ulimit_limits_conf_word(k.resource, soft, ws)));
                        return r < 0 ? r : entries_put(es, strdupf("%s hard %s", k.target, k.resource->name),
                                                       strdupf("%s hard %s %s", k.target, k.resource->name,
                                                               ulimit_limits_conf_word(k.resource, hard, wh)));
                }
                _cleanup_free_ char *v = NULL;
                r = ulimit_value_format(soft, hard, &v);
                if (r < 0)
                        return r;
                const char *prefix = strcmp(k.scope, "default") == 0 ? "DefaultLimit" : "Limit";
                return entries_put(es, strdupf("%s%s", prefix, k.resource->systemd), strdupf("%s%s=%s", prefix, k.resource->systemd, v));
        }
        default:
                return -EOPNOTSUPP;
        }
}

int persist_read_file(Helper *h, const char *path, char **ret_content, bool *ret_exists) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = sysroot_read_file(h->root, path, &text, &len);
        if (r == -ENOENT) {
                *ret_content = NULL;
                *ret_exists = false;
                return 0;
        }
        if (r < 0)
                return r;
        if (len > OWNED_FILE_MAX || strlen(text) != len)
                return -EBADMSG;        /* not a file skytune wrote: refuse to take it over */
        *ret_content = TAKE_PTR(text);
        *ret_exists = true;
        return 0;
}

/* "soft:hard" as read from the owned file -> the change's value form. limits.conf words count byte
 * limits in KiB; a systemd line is already in the value grammar. */
static int limits_conf_value(const char *key, const char *words, char **ret) {
        UlimitKey k;
        if (ulimit_key_parse(key, &k) < 0)
                return -ENOENT;
        if (strcmp(k.scope, "login") != 0)
                return tunable_normalize(TUNABLE_ULIMIT, key, words, ret) < 0 ? -ENOENT : 0;
        const char *colon = strchr(words, ':');
        if (!colon)
                return -ENOENT;
        _cleanup_free_ char *soft_word = strndup(words, (size_t) (colon - words));
        long long soft, hard;
        if (!soft_word)
                return -ENOMEM;
        if (ulimit_limits_conf_parse(k.resource, soft_word, &soft) < 0 ||
            ulimit_limits_conf_parse(k.resource, colon + 1, &hard) < 0)
                return -ENOENT;
        return ulimit_value_format(soft, hard, ret);
}

int persist_read_value(Helper *h, TunableKind kind, const char *key, char **ret) {
        _cleanup_free_ char *path = NULL, *content = NULL;
        _cleanup_(entries_done) Entries es = {};
        Entries want = {};
        bool exists;
        int r = persist_file_for(kind, key, &path);
        if (r < 0)
                return r;
        r = persist_read_file(h, path, &content, &exists);
        if (r < 0)
                return r;
        if (!exists)
                return -ENOENT;
        const FileType *t = file_type(path);
        r = entries_parse(t, content, &es);
        if (r >= 0)
                r = entries_for_change(kind, key, kind == TUNABLE_ULIMIT ? "0" : "x", &want);
        if (r < 0) {
                entries_done(&want);
                return r;
        }
        /* The values of the lines that set what this change sets, in order ("soft" then "hard"). */
        _cleanup_free_ char *joined = NULL;
        size_t found = 0;
        for (size_t i = 0; i < want.n && r >= 0; i++)
                for (size_t j = 0; j < es.n; j++) {
                        size_t idn;
                        const char *v = line_split(t, es.e[j].line, &idn);
                        if (strcmp(es.e[j].id, want.e[i].id) != 0 || !v)
                                continue;
                        _cleanup_free_ char *val = trimmed(v, strlen(v)), *nj = NULL;
                        if (!val || asprintf(&nj, "%s%s%s", joined ?: "", joined ? ":" : "", val) < 0)
                                r = -ENOMEM;
                        free(joined);
                        joined = TAKE_PTR(nj);
                        found++;
                        break;
                }
        size_t wanted = want.n;
        entries_done(&want);
        if (r < 0)
                return r;
        if (found != wanted)
                return -ENOENT;
        if (t && t->sep_last && joined && joined[strlen(joined) - 1] == '"')
                joined[strlen(joined) - 1] = '\0';
        if (kind == TUNABLE_ULIMIT)
                return limits_conf_value(key, joined, ret);
        return tunable_normalize(kind, key, joined, ret) < 0 ? -ENOENT : 0;
}

int persist_render(Helper *h, const char *path, const char *old_content, json_t *changes, char **ret) {
        const FileType *t = file_type(path);
        _cleanup_(entries_done) Entries es = {};
        if (!t)
                return -EINVAL;
        int r = entries_parse(t, old_content, &es);
        if (r < 0)
                return r;
        size_t i;
        json_t *c;
        json_array_foreach(changes, i, c) {
                const char *file = json_string_value(json_object_get(c, "file"));
                const char *status = json_string_value(json_object_get(c, "status"));
                if (!file || strcmp(file, path) != 0 || (status && strcmp(status, "unavailable") == 0))
                        continue;
                TunableKind kind = tunable_kind_from_string(json_string_value(json_object_get(c, "kind")));
                r = entries_for_change(kind, json_string_value(json_object_get(c, "key")),
                                       json_string_value(json_object_get(c, "proposed")), &es);
                if (r < 0)
                        return r;
        }
        size_t len = 0;
        const char *header = "# Written by skytune-helper; skytune rollback restores or removes this file.\n";
        len += strlen(header) + (t->section ? strlen(t->section) + 1 : 0);
        for (i = 0; i < es.n; i++)
                len += strlen(es.e[i].line) + 1;
        char *out = malloc(len + 1), *o = out;
        if (!out)
                return -ENOMEM;
        o = stpcpy(o, header);
        if (t->section)
                o = stpcpy(stpcpy(o, t->section), "\n");
        for (i = 0; i < es.n; i++)
                o = stpcpy(stpcpy(o, es.e[i].line), "\n");
        *ret = out;
        return 0;
}

static int split_dir(const char *path, char **ret_dir, const char **ret_base) {
        const char *slash = strrchr(path, '/');
        if (!slash || !slash[1])
                return -EINVAL;
        *ret_dir = strndup(path, (size_t) (slash - path));
        *ret_base = slash + 1;
        return *ret_dir ? 0 : -ENOMEM;
}

/* Create the missing directories of dir (relative, below etc/), recording each one created. */
static int make_dirs(Helper *h, const char *dir, json_t *created_dirs) {
        _cleanup_free_ char *p = strdup(dir);
        if (!p)
                return -ENOMEM;
        for (char *s = strchr(p, '/');; s = strchr(s + 1, '/')) {
                if (s)
                        *s = '\0';
                _cleanup_close_ int fd = sysroot_openat(h->root, p, O_PATH | O_DIRECTORY, 0);
                if (fd == -ENOENT) {
                        _cleanup_free_ char *parent = NULL;
                        const char *base;
                        if (split_dir(p, &parent, &base) < 0)
                                return -EINVAL;
                        _cleanup_close_ int pfd = sysroot_openat(h->root, parent, O_PATH | O_DIRECTORY, 0);
                        if (pfd < 0)
                                return pfd;
                        if (mkdirat(pfd, base, 0755) < 0 && errno != EEXIST)
                                return negative_errno();
                        if (created_dirs)
                                json_array_append_new(created_dirs, json_string(p));
                } else if (fd < 0)
                        return fd;
                if (!s)
                        return 0;
                *s = '/';
        }
}

int persist_write_file(Helper *h, const char *path, const char *content, json_t *created_dirs) {
        _cleanup_free_ char *dir = NULL;
        const char *base;
        int r = split_dir(path, &dir, &base);
        if (r < 0)
                return r;
        if (content) {
                r = make_dirs(h, dir, created_dirs);
                if (r < 0)
                        return r;
        }
        _cleanup_close_ int dfd = sysroot_openat(h->root, dir, O_RDONLY | O_DIRECTORY, 0);
        if (dfd < 0)
                return dfd == -ENOENT && !content ? 0 : dfd;
        if (content)
                r = write_file_atomic_at(dfd, base, content, strlen(content), 0644);
        else {
                r = unlinkat(dfd, base, 0) < 0 && errno != ENOENT ? negative_errno() : 0;
                if (r >= 0)
                        (void) fsync(dfd);
        }
        helper_count_write(h);
        return r;
}

int persist_remove_dirs(Helper *h, json_t *created_dirs) {
        for (size_t i = json_array_size(created_dirs); i > 0; i--) {
                const char *p = json_string_value(json_array_get(created_dirs, i - 1));
                _cleanup_free_ char *parent = NULL;
                const char *base;
                if (!p || split_dir(p, &parent, &base) < 0)
                        continue;
                _cleanup_close_ int pfd = sysroot_openat(h->root, parent, O_PATH | O_DIRECTORY, 0);
                if (pfd >= 0)
                        (void) unlinkat(pfd, base, AT_REMOVEDIR);        /* only if empty */
        }
        return 0;
}

static void add_note(json_t *tx, const char *note) {
        json_t *notes = json_object_get(tx, "notes");
        if (!notes) {
                notes = json_array();
                json_object_set_new(tx, "notes", notes);
        }
        json_array_append_new(notes, json_string(note));
}

void persist_reload_systemd(Helper *h, json_t *tx) {
        bool any = false;
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(tx, "files"), i, f) {
                const char *path = json_string_value(json_object_get(f, "path"));
                any = any || (path && persist_path_is_systemd(path));
        }
        if (!any)
                return;
        if (!sysroot_is_host(h->root)) {
                add_note(tx, "systemd drop-ins were written below a sysroot: no daemon-reload was requested");
                return;
        }
        if (access("/run/systemd/system", F_OK) < 0) {
                add_note(tx, "systemd is not running as PID 1: no daemon-reload was requested; the drop-ins take effect when systemd next loads its configuration");
                return;
        }
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = sd_bus_call_method(h->bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                   "org.freedesktop.systemd1.Manager", "Reload", &e, &reply, "");
        if (r < 0) {
                _cleanup_free_ char *msg = NULL;
                if (asprintf(&msg, "systemd daemon-reload failed: %s", e.message ?: strerror(-r)) >= 0)
                        add_note(tx, msg);
                log_warning("systemd daemon-reload failed: %s", e.message ?: strerror(-r));
        } else
                add_note(tx, "systemd daemon-reload requested (DefaultLimit*= in system.conf.d needs a daemon-reexec or reboot)");
}

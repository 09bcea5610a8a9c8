/* SPDX-License-Identifier: MIT */
/* The notifiers of monitor.conf (notify-config.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "notify-config.h"
#include "notify-kind.h"

#define SECRET_MAX 4096
#define HOUR_MS    (3600 * 1000)

void notify_config_defaults(NotifyConfig *c) {
        *c = (NotifyConfig) {
                .max_age_ms = 24 * 3600 * 1000,
                .max_queue = 10000,
                .backoff_max_ms = 5 * 60 * 1000,
        };
}

static void notifier_done(NotifierConf *n) {
        free(n->name);
        free(n->url);
        free(n->from);
        free(n->user);
        if (n->password)
                explicit_bzero(n->password, strlen(n->password));
        free(n->password);
        for (size_t i = 0; i < n->n_to; i++)
                free(n->to[i]);
        free(n->to);
}

void notify_config_done(NotifyConfig *c) {
        for (size_t i = 0; i < c->n; i++)
                notifier_done(&c->notifiers[i]);
        free(c->notifiers);
        notify_config_defaults(c);
}

int notify_read_secret(const char *path, char **ret, Error *e) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return error_set(e, -errno, "cannot read the secret file %s: %s", path, strerror(errno));
        struct stat st;
        int r = fstat(fd, &st) < 0 ? -errno : !S_ISREG(st.st_mode) ? -EISDIR : 0;
        if (r == 0 && (st.st_mode & 077)) {
                close(fd);
                return error_set(e, -EPERM,
                                 "the secret file %s has mode %04o, so others may read it: make it readable by its "
                                 "owner alone (chmod 600 %s)",
                                 path, (unsigned) (st.st_mode & 07777), path);
        }
        /* Another user who owns it may change it (or chmod it open) behind the service's back. */
        if (r == 0 && st.st_uid != geteuid() && st.st_uid != 0) {
                close(fd);
                return error_set(e, -EPERM,
                                 "the secret file %s is owned by uid %u, neither the service's user (uid %u) nor "
                                 "root: chown it to one of them",
                                 path, (unsigned) st.st_uid, (unsigned) geteuid());
        }
        char *buf = r == 0 ? malloc(SECRET_MAX + 1) : NULL;
        ssize_t n = buf ? read(fd, buf, SECRET_MAX + 1) : -1;
        if (r == 0)
                r = !buf ? -ENOMEM : n < 0 ? -errno : n > SECRET_MAX ? -EFBIG : 0;
        close(fd);
        if (r < 0) {
                free(buf);
                return error_set(e, r, "cannot read the secret file %s: %s", path,
                                 r == -EFBIG ? "it is larger than 4 KiB" : strerror(-r));
        }
        size_t len = n > 0 ? (size_t) n : 0; /* n >= 0 here: said for the compiler's bounds check */
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
                len--;
        buf[len] = '\0';
        if (len == 0 || strlen(buf) != len) {
                free(buf);
                return error_set(e, -EINVAL, "the secret file %s is empty or holds a NUL byte", path);
        }
        *ret = buf;
        return 0;
}

int notify_read_secret_key(const ConfRead *r, const config_setting_t *g, const char *key, const char *dir, char **ret) {
        _cleanup_free_ char *name = NULL;
        int k = conf_string(r, g, key, &name);
        if (k <= 0)
                return k;
        const char *creds = getenv("CREDENTIALS_DIRECTORY");
        _cleanup_free_ char *path = NULL;
        if (name[0] != '/' && asprintf(&path, "%s/%s", creds && creds[0] ? creds : dir, name) < 0)
                return error_set(r->e, -ENOMEM, "out of memory");
        Error e = ERROR_NULL;
        int q = notify_read_secret(path ? path : name, ret, &e);
        if (q < 0) {
                q = conf_fail(r, config_setting_get_member(g, key), "'%s': %s", key, error_message(&e));
                error_done(&e);
                return q;
        }
        return 1;
}

/* A string or a list of strings (1..64 of them). */
static int read_strings(const ConfRead *r, const config_setting_t *g, const char *key, char ***ret, size_t *ret_n) {
        const config_setting_t *s = config_setting_get_member(g, key);
        if (!s)
                return 0;
        bool one = config_setting_type(s) == CONFIG_TYPE_STRING;
        int n = one ? 1 : config_setting_is_aggregate(s) ? config_setting_length(s) : 0;
        if (n < 1 || n > 64)
                return conf_fail(r, s, "'%s' must be a string or a list of 1 to 64 strings: [\"a\", \"b\"]", key);
        char **v = calloc((size_t) n, sizeof(char *));
        if (!v)
                return error_set(r->e, -ENOMEM, "out of memory");
        for (int i = 0; i < n; i++) {
                const char *text = config_setting_get_string(one ? s : config_setting_get_elem(s, (unsigned) i));
                if (!text || !text[0] || !(v[i] = strdup(text))) {
                        for (int k = 0; k < i; k++)
                                free(v[k]);
                        free(v);
                        return text && text[0]
                                ? error_set(r->e, -ENOMEM, "out of memory")
                                : conf_fail(r, s, "'%s' holds something that is not a non-empty string", key);
                }
        }
        *ret = v;
        *ret_n = (size_t) n;
        return 1;
}

static bool name_ok(const char *s) {
        size_t n = strlen(s);
        return n >= 1 && n <= NOTIFY_NAME_MAX &&
                strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

static bool url_ok(const char *url, const char *scheme) {
        size_t n = strlen(scheme);
        if (strncmp(url, scheme, n) != 0)
                return false;
        const char *rest = url + n + (url[n] == 's');
        return strncmp(rest, "://", 3) == 0 && rest[3] != '\0' && !strpbrk(url, " \t\r\n");
}

/* A user or password in the URL ("http://u:p@host/"): '@' before the path. */
static bool url_has_userinfo(const char *url) {
        const char *host = strstr(url, "://");
        if (!host)
                return false;
        host += 3;
        size_t end = strcspn(host, "/?#");
        return memchr(host, '@', end) != NULL;
}

/* An address as SMTP's MAIL FROM and RCPT TO take it: local@domain, printable, no spaces or
 * brackets (a display name belongs in no envelope). */
static bool address_ok(const char *s) {
        size_t n = strlen(s);
        const char *at = strrchr(s, '@');
        if (n < 3 || n > 254 || !at || at == s || !at[1])
                return false;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p <= 0x20 || *p == 0x7f || strchr("<>()[],;:\\\"", *p))
                        return false;
        return true;
}

/* url or url_file (the secret kinds: url_file only), checked for its scheme. */
static int read_url(const ConfRead *r, const config_setting_t *g, const char *dir, const NotifyKind *kind,
                    NotifierConf *n) {
        int k = kind->url_secret ? 0 : conf_string(r, g, "url", &n->url);
        if (k > 0 && config_setting_get_member(g, "url_file"))
                return conf_fail(r, g, "notifier '%s': give 'url' or 'url_file', not both", n->name);
        if (k > 0 && url_has_userinfo(n->url))
                return conf_fail(r, config_setting_get_member(g, "url"),
                                 "notifier '%s': the URL holds a user or password, which this file would "
                                 "show: %s",
                                 n->name,
                                 kind->transport == NOTIFY_SMTP ? "give 'user' and 'password_file' instead"
                                                                : "put the URL in a file of mode 0600 and "
                                                                  "name it in 'url_file'");
        if (k == 0 && (k = notify_read_secret_key(r, g, "url_file", dir, &n->url)) > 0)
                n->url_secret = true;
        if (k >= 0 && !n->url)
                return conf_fail(r, g, "notifier '%s' needs %s", n->name,
                                 kind->url_secret ? "'url_file': a file of mode 0600 with the URL (a "
                                                    "secret)"
                                                  : "'url' or 'url_file'");
        if (k >= 0 && !url_ok(n->url, kind->url_scheme))
                return conf_fail(r, g, "notifier '%s': the URL must start with %s:// or %ss://", n->name,
                                 kind->url_scheme, kind->url_scheme);
        return k;
}

/* An email notifier's envelope and login. */
static int read_email(const ConfRead *r, const config_setting_t *g, const char *dir, NotifierConf *n) {
        int k;
        if ((k = conf_string(r, g, "from", &n->from)) == 0)
                return conf_fail(r, g, "notifier '%s' needs 'from': the sender's address", n->name);
        if (k > 0 && !address_ok(n->from))
                return conf_fail(r, config_setting_get_member(g, "from"),
                                 "notifier '%s': 'from' must be a bare address: monitor@example.org", n->name);
        if (k > 0 && (k = read_strings(r, g, "to", &n->to, &n->n_to)) == 0)
                return conf_fail(r, g, "notifier '%s' needs 'to': one address or a list of them", n->name);
        for (size_t i = 0; k > 0 && i < n->n_to; i++)
                if (!address_ok(n->to[i]))
                        return conf_fail(r, config_setting_get_member(g, "to"),
                                         "notifier '%s': '%s' in 'to' is not a bare address: ops@example.org", n->name,
                                         n->to[i]);
        if (k > 0)
                k = conf_string(r, g, "user", &n->user);
        if (k >= 0)
                k = notify_read_secret_key(r, g, "password_file", dir, &n->password);
        if (k >= 0 && !n->user != !n->password)
                return conf_fail(r, g, "notifier '%s': give both 'user' and 'password_file', or neither", n->name);
        return k;
}

static int read_notifier(const ConfRead *r, const config_setting_t *g, const char *dir, NotifierConf *n) {
        if (!config_setting_is_group(g))
                return conf_fail(r, g, "each notifier must be a group: { name = \"ops\"; type = \"webhook\"; ... }");
        n->line = conf_line(g);
        n->send_resolved = true;
        n->timeout_ms = 10000;
        int k = conf_string(r, g, "name", &n->name);
        if (k == 0)
                return conf_fail(r, g, "a notifier needs a 'name' (it names its queue and its log lines)");
        if (k > 0 && !name_ok(n->name))
                return conf_fail(r, config_setting_get_member(g, "name"),
                                 "notifier name '%s' must be 1 to %d letters, digits, '_', '.' or '-'", n->name,
                                 NOTIFY_NAME_MAX);
        _cleanup_free_ char *type = NULL;
        if (k >= 0 && (k = conf_string(r, g, "type", &type)) == 0)
                return conf_fail(r, g, "notifier '%s' needs a 'type': webhook, slack, alertmanager, email or exec",
                                 n->name);
        if (k < 0)
                return k;
        if ((n->kind = notify_kind_find(type)) < 0)
                return conf_fail(r, config_setting_get_member(g, "type"),
                                 "notifier '%s': unknown type '%s': use webhook, slack, alertmanager, email or exec",
                                 n->name, type);
        const NotifyKind *kind = &notify_kinds[n->kind];
        const char *keys[16] = { "name", "type", "timeout", "repeat", "send_resolved" };
        size_t nk = 5;
        for (const char *const *p = kind->keys; p && *p && nk < ELEMENTSOF(keys); p++)
                keys[nk++] = *p;
        char what[96];
        snprintf(what, sizeof(what), "notifier '%s' (type %s)", n->name, kind->name);
        n->repeat_ms = kind->repeat_ms;
        k = conf_keys(r, g, what, keys, nk);
        if (k >= 0)
                k = conf_span_ms(r, g, "timeout", &n->timeout_ms);
        if (k > 0 && (n->timeout_ms < 100 || n->timeout_ms > 300000))
                return conf_fail(r, config_setting_get_member(g, "timeout"), "'timeout' must be from 0.1 s to 5 min");
        if (k >= 0)
                k = conf_span_ms(r, g, "repeat", &n->repeat_ms);
        if (k >= 0)
                k = conf_bool(r, g, "send_resolved", &n->send_resolved);
        if (k >= 0 && kind->url_scheme)
                k = read_url(r, g, dir, kind, n);
        if (k >= 0 && n->repeat_ms != 0 && n->repeat_ms < 60000)
                return conf_fail(r, config_setting_get_member(g, "repeat"),
                                 "notifier '%s': 'repeat' must be 0 (never) or at least 1 min", n->name);
        if (k >= 0 && n->repeat_ms == 0 && kind->repeat_ms < HOUR_MS)
                return conf_fail(r, config_setting_get_member(g, "repeat"),
                                 "notifier '%s': a %s receiver resolves an alert that is not told again: 'repeat' "
                                 "must be at least 1 min (default %g min)",
                                 n->name, kind->name, (double) kind->repeat_ms / 60000);
        if (k < 0)
                return k;
        if (kind->transport == NOTIFY_SMTP) {
                k = read_email(r, g, dir, n);
        } else if (kind->transport == NOTIFY_EXEC) {
                if ((k = read_strings(r, g, "command", &n->to, &n->n_to)) == 0)
                        return conf_fail(r, g, "notifier '%s' needs 'command': [\"/path/to/program\", \"arg\"]",
                                         n->name);
                if (k > 0 && n->to[0][0] != '/')
                        return conf_fail(r, config_setting_get_member(g, "command"),
                                         "notifier '%s': the command must be an absolute path (no shell, no PATH "
                                         "search)",
                                         n->name);
        }
        return k < 0 ? k : 0;
}

static int read_limits(const ConfRead *r, const config_setting_t *root, NotifyConfig *c) {
        const config_setting_t *g = config_setting_get_member(root, "notify");
        if (!g)
                return 0;
        if (!config_setting_is_group(g))
                return conf_fail(r, g, "'notify' must be a group: notify = { max_age = \"1d\"; max_queue = 10000; };");
        static const char *const keys[] = { "max_age", "max_queue", "backoff_max" };
        int k = conf_keys(r, g, "notify", keys, ELEMENTSOF(keys));
        double v;
        if (k >= 0)
                k = conf_span_ms(r, g, "max_age", &c->max_age_ms);
        if (k >= 0)
                k = conf_span_ms(r, g, "backoff_max", &c->backoff_max_ms);
        if (k >= 0 && c->backoff_max_ms < 1000)
                return conf_fail(r, config_setting_get_member(g, "backoff_max"), "'backoff_max' must be at least 1 s");
        if (k >= 0 && c->max_age_ms < 60000)
                return conf_fail(r, config_setting_get_member(g, "max_age"), "'max_age' must be at least 1 min");
        if (k >= 0 && (k = conf_number(r, g, "max_queue", 1, 1000000, &v)) > 0)
                c->max_queue = (int64_t) v;
        return k < 0 ? k : 0;
}

int notify_config_read(const ConfRead *r, const config_setting_t *root, const char *dir, NotifyConfig *c) {
        int k = read_limits(r, root, c);
        const config_setting_t *list = config_setting_get_member(root, "notifiers");
        if (k < 0 || !list)
                return k;
        int n = config_setting_is_list(list) ? config_setting_length(list) : -1;
        if (n < 0 || n > NOTIFIERS_MAX)
                return conf_fail(r, list, "'notifiers' must be a list of at most %d groups: notifiers = ( { ... } );",
                                 NOTIFIERS_MAX);
        if (!(c->notifiers = calloc((size_t) n + 1, sizeof(NotifierConf))))
                return error_set(r->e, -ENOMEM, "out of memory");
        for (int i = 0; i < n; i++) {
                const config_setting_t *g = config_setting_get_elem(list, (unsigned) i);
                c->n++;
                if ((k = read_notifier(r, g, dir, &c->notifiers[i])) < 0)
                        return k;
                for (int j = 0; j < i; j++)
                        if (strcmp(c->notifiers[j].name, c->notifiers[i].name) == 0)
                                return conf_fail(r, g, "a second notifier named '%s' (the first is at line %u)",
                                                 c->notifiers[i].name, c->notifiers[j].line);
        }
        return 0;
}

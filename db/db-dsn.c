/* SPDX-License-Identifier: MIT */
/* Secrets never shown: the DSN redacted (URI user:password@, password= keywords), libpq's messages
 * scrubbed of the passwords skytune knows, and the password file read only when private. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"
#include "macro.h"

#define REDACTED   "***"
#define UNREADABLE "(a connection string skytune cannot read)"

static bool is_uri(const char *s) {
        return strncmp(s, "postgresql://", 13) == 0 || strncmp(s, "postgres://", 11) == 0;
}

/* The keys whose values are secrets: the server password and the client key's passphrase. */
static const char *const secret_keys[] = { "password", "sslpassword" };

static bool is_secret_key(const char *k, size_t klen) {
        for (size_t i = 0; i < ELEMENTSOF(secret_keys); i++)
                if (strlen(secret_keys[i]) == klen && strncmp(k, secret_keys[i], klen) == 0)
                        return true;
        return false;
}

/* Append n bytes to a growing buffer (the output is never longer than input + a few *** per key). */
static void put(char *out, size_t *o, const char *s, size_t n) {
        memcpy(out + *o, s, n);
        *o += n;
}

/* A URI: the password of user:password@ and the values of the secret keys in the query. The user
 * part ends at an '@' before any '/', as libpq reads it ('?' and '#' may be in a password). */
static char *redact_uri(const char *dsn) {
        size_t len = strlen(dsn), o = 0;
        char *out = malloc(len * 2 + 16);
        if (!out)
                return NULL;
        const char *auth = strstr(dsn, "://") + 3;
        size_t auth_len = strcspn(auth, "/");
        const char *at = memrchr(auth, '@', auth_len);
        put(out, &o, dsn, (size_t) (auth - dsn));
        if (at) {
                const char *colon = memchr(auth, ':', (size_t) (at - auth));
                if (colon) {
                        put(out, &o, auth, (size_t) (colon - auth) + 1);
                        put(out, &o, REDACTED, STRLEN(REDACTED));
                } else
                        put(out, &o, auth, (size_t) (at - auth));
                auth = at;
        }
        const char *p = auth + strcspn(auth, "?"); /* keys only in the query */
        put(out, &o, auth, (size_t) (p - auth));
        while (*p) {
                size_t n = strcspn(p, "?&"), klen = strcspn(p, "=?&");
                bool key = p > dsn && (p[-1] == '?' || p[-1] == '&') && p[klen] == '=' && is_secret_key(p, klen);
                if (key) {
                        put(out, &o, p, klen + 1);
                        put(out, &o, REDACTED, STRLEN(REDACTED));
                        /* a '/' kept: where the user part ends must not move when shown text is read again */
                        if (memchr(p, '/', n))
                                put(out, &o, "/", 1);
                } else
                        put(out, &o, p, n);
                p += n;
                if (*p)
                        put(out, &o, p++, 1);
        }
        out[o] = 0;
        return out;
}

/* One value of a key = value connection string: quoted ('...' with \ escapes) or up to a space.
 * Returns the end, or NULL when a quote is not closed. */
static const char *conninfo_value_end(const char *p) {
        if (*p != '\'')
                return p + strcspn(p, " \t\n\r\f\v");
        for (p++; *p && *p != '\''; p++)
                if (*p == '\\' && p[1])
                        p++;
        return *p ? p + 1 : NULL;
}

static char *redact_conninfo(const char *dsn) {
        size_t len = strlen(dsn), o = 0;
        char *out = malloc(len + 16 * (len / 8 + 1));
        if (!out)
                return NULL;
        const char *p = dsn;
        for (;;) {
                size_t sp = strspn(p, " \t\n\r\f\v");
                put(out, &o, p, sp);
                p += sp;
                if (!*p)
                        break;
                size_t klen = strcspn(p, "= \t\n\r\f\v");
                const char *eq = p + klen + strspn(p + klen, " \t\n\r\f\v");
                if (klen == 0 || *eq != '=')
                        goto unreadable;
                const char *v = eq + 1 + strspn(eq + 1, " \t\n\r\f\v");
                const char *end = conninfo_value_end(v);
                if (!end)
                        goto unreadable;
                put(out, &o, p, (size_t) (v - p));
                if (is_secret_key(p, klen)) {
                        put(out, &o, REDACTED, STRLEN(REDACTED));
                        /* 'quoted'next: libpq reads a key right after the quote; keep them apart */
                        if (*end && !strchr(" \t\n\r\f\v", *end))
                                put(out, &o, " ", 1);
                } else
                        put(out, &o, v, (size_t) (end - v));
                p = end;
        }
        out[o] = 0;
        return out;
unreadable:
        free(out);
        return strdup(UNREADABLE);
}

char *db_dsn_redact(const char *dsn) {
        if (!dsn || !*dsn)
                return strdup("(libpq defaults: PGHOST, PGPORT, PGDATABASE ...)");
        return is_uri(dsn) ? redact_uri(dsn) : redact_conninfo(dsn);
}

char *db_scrub(const char *s, const char *const *secrets, size_t n_secrets) {
        char *out = strdup(s ? s : "");
        for (size_t i = 0; out && i < n_secrets; i++) {
                const char *sec = secrets[i];
                if (!sec || !*sec)
                        continue;
                size_t n = strlen(sec), count = 0;
                for (const char *q = out; (q = strstr(q, sec)); q += n)
                        count++;
                if (count == 0)
                        continue;
                char *next = malloc(strlen(out) + count * STRLEN(REDACTED) + 1), *w = next;
                if (!next) {
                        free(out);
                        return NULL;
                }
                for (const char *q = out, *hit;; q = hit + n) {
                        hit = strstr(q, sec);
                        size_t k = hit ? (size_t) (hit - q) : strlen(q);
                        memcpy(w, q, k);
                        w += k;
                        if (!hit)
                                break;
                        memcpy(w, REDACTED, STRLEN(REDACTED));
                        w += STRLEN(REDACTED);
                }
                *w = 0;
                free(out);
                out = next;
        }
        return out;
}

static int read_secret(const char *path, const char *what, char **ret, Error *e) {
        /* O_NONBLOCK: a FIFO must not hang here before the regular-file check. */
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return error_set(e, -errno, "cannot open the %s %s: %m", what, path);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return error_set(e, -errno, "cannot read the %s %s: %m", what, path);
        if (!S_ISREG(st.st_mode))
                return error_set(e, -EINVAL, "the %s %s is not a regular file", what, path);
        if (st.st_mode & 077)
                return error_set(e, -EPERM,
                                 "the %s %s can be read by its group or others (mode %04o): "
                                 "run 'chmod 600 %s'",
                                 what, path, (unsigned) (st.st_mode & 07777), path);
        char buf[1024];
        ssize_t n = read(fd, buf, sizeof buf - 1);
        if (n < 0)
                return error_set(e, -errno, "cannot read the %s %s: %m", what, path);
        buf[n] = 0;
        size_t len = strcspn(buf, "\r\n");
        if (len == (size_t) n && n == (ssize_t) sizeof buf - 1) {
                explicit_bzero(buf, sizeof buf);
                return error_set(e, -E2BIG, "the first line of the %s %s is longer than %zu bytes: shorten it", what,
                                 path, sizeof buf - 2);
        }
        buf[len] = 0;
        if (!*buf)
                return error_set(e, -EINVAL, "the %s %s is empty: its first line is the %s", what, path,
                                 strcmp(what, "DSN file") == 0 ? "connection string" : "password");
        char *pw = strdup(buf);
        explicit_bzero(buf, sizeof buf);
        if (!pw)
                return error_set(e, -ENOMEM, "out of memory");
        *ret = pw;
        return 0;
}

int db_read_password_file(const char *path, char **ret, Error *e) {
        return read_secret(path, "password file", ret, e);
}

int db_read_dsn_file(const char *path, char **ret, Error *e) {
        return read_secret(path, "DSN file", ret, e);
}

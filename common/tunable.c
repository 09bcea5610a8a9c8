/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "tunable-internal.h"

static const TunableBackend *const backends[] = {
        [TUNABLE_SYSCTL] = &tunable_sysctl_backend,
        [TUNABLE_CPU_GOVERNOR] = &tunable_cpu_governor_backend,
        [TUNABLE_CPU_EPP] = &tunable_cpu_epp_backend,
        [TUNABLE_IO_SCHEDULER] = &tunable_io_scheduler_backend,
        [TUNABLE_READ_AHEAD_KB] = &tunable_read_ahead_backend,
        [TUNABLE_NR_REQUESTS] = &tunable_nr_requests_backend,
        [TUNABLE_ULIMIT] = &tunable_ulimit_backend,
};
static_assert(ELEMENTSOF(backends) == _TUNABLE_KIND_MAX, "a tunable kind without its backend");

TunableKind tunable_kind_from_string(const char *s) {
        if (!s)
                return _TUNABLE_KIND_INVALID;
        for (int k = 0; k < _TUNABLE_KIND_MAX; k++)
                if (strcmp(backends[k]->name, s) == 0)
                        return (TunableKind) k;
        return _TUNABLE_KIND_INVALID;
}

const char *tunable_kind_to_string(TunableKind k) {
        if (k < 0 || k >= _TUNABLE_KIND_MAX)
                return NULL;
        return backends[k]->name;
}

const TunableBackend *tunable_backend(TunableKind k) {
        if (k < 0 || k >= _TUNABLE_KIND_MAX)
                return NULL;
        return backends[k];
}

static bool has_control_chars(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 && *s != '\t')
                        return true;
        return false;
}

/* The reason for a refusal the backend did not explain itself. */
static const char *value_reason(int r) {
        switch (r) {
        case -ERANGE:
                return "value is out of the allowed range";
        case -EILSEQ:
                return "a number with a leading zero, a '+' or \"-0\": the kernel would read 0150 as octal 104; "
                       "write plain decimal (150)";
        default:
                return "value does not match the key's grammar";
        }
}

/* A refusal: the backend's reason when it gave one (in local), else the fallback. */
static int refuse(Error *e, Error *local, int r, const char *fallback) {
        if (local && local->message) {
                error_move(e, local);
                return r;
        }
        if (local)
                error_done(local);
        return error_set(e, r < 0 ? r : -EINVAL, "%s", fallback);
}

int tunable_check(TunableKind kind, const char *key, const char *value, char **ret_key, Error *e) {
        const TunableBackend *b = tunable_backend(kind);
        _cleanup_free_ char *canon = NULL;
        Error local = ERROR_NULL, *why = e ? &local : NULL;  /* none formatted when unwanted */
        int r;

        if (!b)
                return refuse(e, NULL, -EINVAL, "unknown tunable kind");
        if (!key || !*key || strlen(key) > TUNABLE_KEY_MAX || has_control_chars(key))
                return refuse(e, NULL, -EINVAL, "key is empty, longer than 255 bytes or holds control characters");
        r = b->canonical_key(key, &canon, why);
        if (r < 0)
                return refuse(e, why, r,
                              r == -EPERM ? "key is not in skytune's allowlist" : "key does not match the kind's grammar");
        if (value) {
                if (strlen(value) > TUNABLE_VALUE_MAX || has_control_chars(value))
                        return refuse(e, NULL, -EINVAL, "value is longer than 255 bytes or holds control characters");
                r = b->validate_value(canon, value, why);
                if (r < 0)
                        return refuse(e, why, r, value_reason(r));
        }
        if (ret_key)
                *ret_key = TAKE_PTR(canon);
        return 0;
}

int tunable_check_bytes(TunableKind kind, const char *key, const char *value, size_t len, Error *e) {
        if (!value || memchr(value, '\0', len))
                return error_set(e, -EINVAL, "value holds a NUL byte");
        _cleanup_free_ char *copy = strndup(value, len);
        if (!copy)
                return -ENOMEM;
        return tunable_check(kind, key, copy, NULL, e);
}

int tunable_read(const Sysroot *root, TunableKind kind, const char *key, char **ret) {
        _cleanup_free_ char *canon = NULL;
        int r = tunable_check(kind, key, NULL, &canon, NULL);
        if (r < 0)
                return r;
        const TunableBackend *b = tunable_backend(kind);
        if (b->read)
                return b->read(root, canon, ret);

        /* A plain attribute file: read it and normalize (the scheduler's "[x]" selection, spaces). */
        _cleanup_free_ char *path = NULL, *raw = NULL;
        r = b->live_path(canon, &path);
        if (r < 0)
                return r;
        r = sysroot_read_file(root, path, &raw, NULL);
        if (r < 0)
                return r;
        return b->normalize(canon, raw, ret);
}

int tunable_normalize(TunableKind kind, const char *key, const char *value, char **ret) {
        const TunableBackend *b = tunable_backend(kind);
        if (!b || !value)
                return -EINVAL;
        return b->normalize(key, value, ret);
}

bool tunable_values_equal(TunableKind kind, const char *key, const char *a, const char *b) {
        _cleanup_free_ char *na = NULL, *nb = NULL;
        if (!a || !b)
                return a == b;
        if (tunable_normalize(kind, key, a, &na) < 0 || tunable_normalize(kind, key, b, &nb) < 0)
                return strcmp(a, b) == 0;
        return strcmp(na, nb) == 0;
}

bool tunable_component_ok(const char *s, size_t max) {
        size_t n = strlen(s);
        if (n == 0 || n > max || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
                return false;
        for (; *s; s++)
                if (!isalnum((unsigned char) *s) && !strchr("_-.:@+", *s))
                        return false;
        return true;
}

int tunable_normalize_space(const char *value, char **ret) {
        size_t n = strlen(value);
        char *out = malloc(n + 1), *o = out;
        if (!out)
                return -ENOMEM;
        bool pending = false;
        for (const char *p = value; *p; p++) {
                if (isspace((unsigned char) *p)) {
                        pending = o != out;
                        continue;
                }
                if (pending)
                        *o++ = ' ';
                pending = false;
                *o++ = *p;
        }
        *o = '\0';
        *ret = out;
        return 0;
}

int tunable_parse_decimal(const char *s, size_t len, long long *ret) {
        if (!s || len == 0)
                return -EINVAL;
        size_t i = s[0] == '-' || s[0] == '+';
        if (i == len)
                return -EINVAL;
        for (size_t j = i; j < len; j++)
                if (!isdigit((unsigned char) s[j]))
                        return -EINVAL;
        /* Digits only from here: what the kernel would read otherwise than as decimal. */
        if (s[0] == '+' || (s[i] == '0' && (len - i > 1 || i == 1)))
                return -EILSEQ;
        unsigned long long mag = 0, limit = s[0] == '-' ? (unsigned long long) LLONG_MAX + 1 : LLONG_MAX;
        for (size_t j = i; j < len; j++) {
                unsigned d = (unsigned) (s[j] - '0');
                if (mag > (limit - d) / 10)
                        return -ERANGE;
                mag = mag * 10 + d;
        }
        *ret = s[0] == '-' ? (long long) (0 - mag) : (long long) mag;
        return 0;
}

int tunable_parse_i64(const char *s, long long *ret) {
        return s ? tunable_parse_decimal(s, strlen(s), ret) : -EINVAL;
}

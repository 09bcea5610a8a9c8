/* SPDX-License-Identifier: MIT */
/* A request's method, arguments and refusal (http-request.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "http-request.h"
#include "macro.h"
#include "textscan.h"

typedef struct HttpArg {
        char *key, *value;
} HttpArg;

struct HttpRequest {
        bool head;
        HttpArg args[HTTP_REQUEST_ARGS_MAX];
        size_t n;
        char *why, *key, *accepted; /* the refusal */
};

int http_request_new(bool head, HttpRequest **ret) {
        HttpRequest *r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->head = head;
        *ret = r;
        return 0;
}

HttpRequest *http_request_free(HttpRequest *r) {
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n; i++) {
                free(r->args[i].key);
                free(r->args[i].value);
        }
        free(r->why);
        free(r->key);
        free(r->accepted);
        free(r);
        return NULL;
}

static int copy_bounded(const char *s, size_t len, char **ret) {
        if (len > HTTP_REQUEST_ARG_MAX)
                return -E2BIG;
        char *c = strndup(s, len);
        if (!c)
                return -ENOMEM;
        *ret = c;
        return 0;
}

static void too_long(HttpRequest *r) {
        (void) http_request_refuse(r, NULL, "a query argument is too long",
                                   "keys and values of at most " STRINGIFY(HTTP_REQUEST_ARG_MAX) " bytes");
}

static int add_arg(HttpRequest *r, const char *key, size_t klen, const char *value, size_t vlen) {
        if (r->n >= HTTP_REQUEST_ARGS_MAX) {
                (void) http_request_refuse(r, NULL, "too many query arguments",
                                           "at most " STRINGIFY(HTTP_REQUEST_ARGS_MAX) " arguments");
                return -E2BIG;
        }
        HttpArg a = {};
        int q = copy_bounded(key, klen, &a.key);
        if (q >= 0)
                q = copy_bounded(value, vlen, &a.value);
        if (q < 0) {
                free(a.key);
                if (q == -E2BIG)
                        too_long(r);
                return q;
        }
        r->args[r->n++] = a;
        return 0;
}

int http_request_add_arg(HttpRequest *r, const char *key, const char *value) {
        value = value ? value : "";
        return add_arg(r, key, strlen(key), value, strlen(value));
}

/* s[0..len) decoded into out (at most len bytes): its length, or -EINVAL (%00 too: values are C strings). */
static int decode(const char *s, size_t len, char *out) {
        size_t o = 0;
        for (size_t i = 0; i < len; i++) {
                if (s[i] == '+')
                        out[o++] = ' ';
                else if (s[i] != '%')
                        out[o++] = s[i];
                else if (i + 2 < len) {
                        int h = hex_digit(s[i + 1]), l = hex_digit(s[i + 2]);
                        if (h < 0 || l < 0 || (h == 0 && l == 0))
                                return -EINVAL;
                        out[o++] = (char) (h * 16 + l);
                        i += 2;
                } else
                        return -EINVAL;
        }
        return (int) o;
}

int http_request_parse_query(HttpRequest *r, const char *query) {
        while (*query) {
                size_t len = strcspn(query, "&");
                if (len > 0) {
                        if (len > 2 * HTTP_REQUEST_ARG_MAX + 1) {
                                too_long(r);
                                return -E2BIG;
                        }
                        char buf[2 * HTTP_REQUEST_ARG_MAX + 2];
                        size_t klen = strcspn(query, "=");
                        klen = MIN(klen, len);
                        int k = decode(query, klen, buf);
                        int v = k < 0 ? k : decode(query + MIN(klen + 1, len), len - MIN(klen + 1, len), buf + k);
                        if (k < 0 || v < 0)
                                return http_request_refuse(r, NULL, "a bad %-escape in the query",
                                                           "%XX with two hex digits, not %00");
                        int q = add_arg(r, buf, (size_t) k, buf + k, (size_t) v);
                        if (q < 0)
                                return q;
                }
                query += len;
                if (*query == '&')
                        query++;
        }
        return 0;
}

bool http_request_head(const HttpRequest *r) {
        return r->head;
}

size_t http_request_count(const HttpRequest *r, const char *key) {
        size_t n = 0;
        for (size_t i = 0; i < r->n; i++)
                n += strcmp(r->args[i].key, key) == 0;
        return n;
}

const char *http_request_arg(const HttpRequest *r, const char *key, size_t i) {
        for (size_t j = 0; j < r->n; j++)
                if (strcmp(r->args[j].key, key) == 0 && i-- == 0)
                        return r->args[j].value;
        return NULL;
}

const char *http_request_unknown(const HttpRequest *r, const char *const *keys) {
        for (size_t i = 0; i < r->n; i++) {
                bool known = false;
                for (size_t k = 0; keys[k] && !known; k++)
                        known = strcmp(r->args[i].key, keys[k]) == 0;
                if (!known)
                        return r->args[i].key;
        }
        return NULL;
}

int http_request_refuse(HttpRequest *r, const char *key, const char *why, const char *accepted) {
        if (r->why)
                return -EINVAL;
        r->why = strdup(why);
        r->key = key ? strdup(key) : NULL;
        r->accepted = accepted ? strdup(accepted) : NULL;
        return -EINVAL;
}

const char *http_request_refusal(const HttpRequest *r, const char **ret_key, const char **ret_accepted) {
        if (ret_key)
                *ret_key = r->key;
        if (ret_accepted)
                *ret_accepted = r->accepted;
        return r->why;
}

/* SPDX-License-Identifier: MIT */
#include "safe-text.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the printable UTF-8 character at s (1..4), or 0 when s[0] must be escaped. */
static size_t printable_len(const unsigned char *s) {
        unsigned char c = s[0];
        if (c >= 0x20 && c < 0x7f)
                return 1;
        size_t n;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf)
                n = 2, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
                n = 3, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
                n = 4, cp = c & 0x07;
        else
                return 0;   /* controls, DEL, continuation bytes, 0xc0/0xc1, 0xf5.. */
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        static const uint32_t least[5] = { 0, 0, 0x80, 0x800, 0x10000 };
        if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;   /* overlong, out of range, surrogate */
        if (cp <= 0x9f)
                return 0;   /* C1 controls: 0x9b is CSI on some terminals */
        return n;
}

bool text_is_printable(const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; *p;) {
                size_t n = printable_len(p);
                if (n == 0)
                        return false;
                p += n;
        }
        return true;
}

/* Writes the escaped form into buf as far as it fits whole characters in size - 1 bytes, then a NUL
 * (when size > 0); returns the length of the whole escaped form. */
static size_t escape_into(char *buf, size_t size, const char *s) {
        size_t len = 0, kept = 0;
        bool full = false;
        for (const unsigned char *p = (const unsigned char *) s; *p;) {
                size_t n = printable_len(p), plen = n;
                char hex[5];
                const char *piece = (const char *) p;
                if (n == 0) {
                        snprintf(hex, sizeof(hex), "\\x%02x", *p);
                        piece = hex;
                        plen = 4;
                        n = 1;
                }
                if (!full && kept + plen < size) {
                        memcpy(buf + kept, piece, plen);
                        kept += plen;
                } else
                        full = true;
                len += plen;
                p += n;
        }
        if (size > 0)
                buf[kept] = '\0';
        return len;
}

char *text_escape(const char *s) {
        size_t need = escape_into(NULL, 0, s);
        char *buf = malloc(need + 1);
        if (buf)
                escape_into(buf, need + 1, s);
        return buf;
}

char *text_escape_buf(char *buf, size_t size, const char *s) {
        escape_into(buf, size, s);
        return buf;
}

json_t *json_text(const char *s) {
        if (!s)
                return json_null();
        if (text_is_printable(s))
                return json_string(s);
        char *e = text_escape(s);
        json_t *j = e ? json_string(e) : NULL;
        free(e);
        return j;
}

static int escape_object_keys(json_t *o) {
        const char *key;
        json_t *v;
        void *tmp;
        json_object_foreach_safe(o, tmp, key, v) {
                if (text_is_printable(key))
                        continue;
                char *e = text_escape(key);
                if (!e)
                        return -ENOMEM;
                json_incref(v);
                json_object_del(o, key);
                int r = json_object_set_new(o, e, v);
                free(e);
                if (r < 0)
                        return -ENOMEM;
        }
        return 0;
}

int json_escape_tree(json_t *doc) {
        size_t i;
        const char *key;
        json_t *v;
        if (json_is_object(doc)) {
                int r = escape_object_keys(doc);
                if (r < 0)
                        return r;
                json_object_foreach(doc, key, v)
                        if ((r = json_escape_tree(v)) < 0)
                                return r;
        } else if (json_is_array(doc)) {
                json_array_foreach(doc, i, v) {
                        int r = json_escape_tree(v);
                        if (r < 0)
                                return r;
                }
        } else if (json_is_string(doc) && !text_is_printable(json_string_value(doc))) {
                char *e = text_escape(json_string_value(doc));
                int r = e && json_string_set(doc, e) == 0 ? 0 : -ENOMEM;
                free(e);
                return r;
        }
        return 0;
}

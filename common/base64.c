/* SPDX-License-Identifier: MIT */
#include "base64.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const uint8_t *data, size_t len) {
        char *out = malloc((len + 2) / 3 * 4 + 1), *p = out;
        if (!out)
                return NULL;
        for (size_t i = 0; i < len; i += 3) {
                uint32_t v = (uint32_t) data[i] << 16;
                if (i + 1 < len)
                        v |= (uint32_t) data[i + 1] << 8;
                if (i + 2 < len)
                        v |= data[i + 2];
                *p++ = alphabet[v >> 18 & 63];
                *p++ = alphabet[v >> 12 & 63];
                *p++ = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
                *p++ = i + 2 < len ? alphabet[v & 63] : '=';
        }
        *p = 0;
        return out;
}

static int sextet(char c) {
        const char *p = c ? strchr(alphabet, c) : NULL;
        return p ? (int) (p - alphabet) : -1;
}

int base64_decode(const char *text, uint8_t **ret, size_t *ret_len) {
        size_t n = strlen(text);
        while (n > 0 && text[n - 1] == '=')
                n--;
        if (n % 4 == 1 || strlen(text) - n > 2)
                return -EINVAL;
        uint8_t *out = malloc(n / 4 * 3 + 3);
        if (!out)
                return -ENOMEM;
        size_t o = 0;
        uint32_t acc = 0;
        for (size_t i = 0; i < n; i++) {
                int s = sextet(text[i]);
                if (s < 0) {
                        free(out);
                        return -EINVAL;
                }
                acc = acc << 6 | (uint32_t) s;
                if (i % 4 == 3) {
                        out[o++] = (uint8_t) (acc >> 16);
                        out[o++] = (uint8_t) (acc >> 8);
                        out[o++] = (uint8_t) acc;
                        acc = 0;
                }
        }
        if (n % 4 == 2)
                out[o++] = (uint8_t) (acc >> 4);
        else if (n % 4 == 3) {
                out[o++] = (uint8_t) (acc >> 10);
                out[o++] = (uint8_t) (acc >> 2);
        }
        *ret = out;
        *ret_len = o;
        return 0;
}

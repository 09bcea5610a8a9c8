/* SPDX-License-Identifier: MIT */
/* testserver-http: the test server's reading of a request head (request line, Content-Length,
 * Connection), apart from its sockets so that the fuzz target reaches it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "testserver-http.h"

/* line (len bytes, no end of line) is "Name: value": the value and its length. */
static bool header_is(const char *line, size_t len, const char *name, const char **ret_value, size_t *ret_len)
{
        size_t n = strlen(name);
        if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
                return false;
        size_t i = n + 1;
        while (i < len && (line[i] == ' ' || line[i] == '\t'))
                i++;
        *ret_value = line + i;
        *ret_len = len - i;
        return true;
}

static size_t digits(const char *v, size_t len)
{
        size_t x = 0;
        for (size_t i = 0; i < len && v[i] >= '0' && v[i] <= '9'; i++)
                x = x > SIZE_MAX / 16 ? SIZE_MAX / 16 : x * 10 + (size_t) (v[i] - '0');
        return x;
}

void testserver_parse_head(const char *head, size_t len, TestRequest *r)
{
        *r = (TestRequest) { .bad = true };
        const char *eol = memmem(head, len, "\r\n", 2);
        if (!eol)
                return;
        size_t line = (size_t) (eol - head);
        const char *sp1 = memchr(head, ' ', line);
        const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t) (eol - sp1 - 1)) : NULL;
        if (!sp2 || (size_t) (sp2 - sp1 - 1) >= sizeof(r->path) || eol - sp2 - 1 != 8 ||
            strncmp(sp2 + 1, "HTTP/1.", 7) != 0)
                return;
        r->bad = false;
        memcpy(r->path, sp1 + 1, (size_t) (sp2 - sp1 - 1));
        r->close = sp2[8] == '0';       /* HTTP/1.0: no keep-alive */
        const char *end = head + len;
        for (const char *l = eol + 2; l < end;) {
                const char *e = memmem(l, (size_t) (end - l), "\r\n", 2), *v;
                size_t vlen;
                if (!e)
                        break;
                if (header_is(l, (size_t) (e - l), "Content-Length", &v, &vlen))
                        r->content_length = digits(v, vlen);
                else if (header_is(l, (size_t) (e - l), "Connection", &v, &vlen))
                        r->close = vlen >= 5 && strncasecmp(v, "close", 5) == 0;
                l = e + 2;
        }
}

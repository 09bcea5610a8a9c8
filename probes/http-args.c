/* SPDX-License-Identifier: MIT */
#include "probe-http.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "macro.h"

int http_url_check(const char *url, Error *e) {
        const char *sep = strstr(url, "://");
        size_t n = sep ? (size_t) (sep - url) : 0;
        bool scheme_ok = n > 0 && isalpha((unsigned char) url[0]);
        for (size_t i = 0; scheme_ok && i < n; i++)
                scheme_ok = isalnum((unsigned char) url[i]) || strchr("+.-", url[i]);
        if (!scheme_ok)
                return error_set(e, -EINVAL,
                            "'%.*s' is not a URL: give scheme://host[:port]/path, for example http://127.0.0.1:8080/",
                            (int) strlen(url), url);
        if (!(n == 4 && strncasecmp(url, "http", 4) == 0) && !(n == 5 && strncasecmp(url, "https", 5) == 0))
                return error_set(e, -EPROTONOSUPPORT,
                            "unsupported URL scheme '%.*s': the http probe speaks " HTTP_PROBE_SCHEMES " only", (int) n, url);
        const char *host = sep + 3;
        const char *at = host + strcspn(host, "/?#");
        const char *user_end = memchr(host, '@', (size_t) (at - host));
        if (user_end)
                host = user_end + 1;
        if (host == at || *host == ':')
                return error_set(e, -EINVAL, "'%.*s' names no host: give http://HOST[:PORT]/PATH", (int) strlen(url), url);
        for (const char *c = url; *c; c++)
                if ((unsigned char) *c <= ' ' || *c == 0x7f)
                        return error_set(e, -EINVAL,
                                    "'%.*s' holds a space or control character: percent-encode it (%%20)", (int) strlen(url), url);
        return 0;
}

int http_header_check(const char *header, Error *e) {
        if (strpbrk(header, "\r\n"))
                return error_set(e, -EINVAL,
                            "--header '%.*s' holds a line break (CR or LF): give one header per --header, 'Name: value'",
                            (int) strcspn(header, "\r\n"), header);
        size_t name = strcspn(header, ":;");
        if (!header[name])
                return error_set(e, -EINVAL,
                            "--header '%.*s' has no colon: give 'Name: value' (or 'Name;' for an empty value)", (int) name, header);
        if (name == 0)
                return error_set(e, -EINVAL, "--header '%.*s' has no name before the colon: give 'Name: value'", (int) strlen(header),
                            header);
        if (header[name] == ';' && header[name + 1])
                return error_set(e, -EINVAL, "--header '%.*s': 'Name;' sends Name empty and takes nothing after the "
                            "';' (for a value write 'Name: value')", (int) strlen(header), header);
        for (size_t i = 0; i < name; i++)
                if (!isgraph((unsigned char) header[i]))
                        return error_set(e, -EINVAL, "--header '%.*s': a header name has no spaces or control "
                                    "characters", (int) strlen(header), header);
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* The http probe's URL and header checks: what it cannot use is refused before any connection, with
 * the scheme named. */
#include <stdlib.h>
#include <string.h>

#include "probe-http.h"
#include "support.h"

static void expect(int r, const char *arg, int (*check)(const char *, Error *), const char *needle) {
        Error e = ERROR_NULL;
        int got = check(arg, &e);
        const char *why = e.message;
        if (got != r)
                fail_msg("'%s': %d, expected %d (%s)", arg, got, r, why ? why : "");
        if (needle && (!why || !strstr(why, needle)))
                fail_msg("'%s': message '%s' lacks '%s'", arg, why ? why : "(none)", needle);
        if (r == 0)
                assert_null(why);
        error_done(&e);
}

static void test_urls(void **state) {
        expect(0, "http://127.0.0.1:8080/", http_url_check, NULL);
        expect(0, "https://[::1]:8443/x?y=1", http_url_check, NULL);
        expect(0, "HTTP://localhost", http_url_check, NULL);
        expect(0, "http://user:pw@127.0.0.1/", http_url_check, NULL);
        expect(-EINVAL, "notaurl", http_url_check, "is not a URL");
        expect(-EINVAL, "127.0.0.1:8080", http_url_check, "is not a URL");
        expect(-EINVAL, "://x", http_url_check, "is not a URL");
        expect(-EPROTONOSUPPORT, "gopher://127.0.0.1/", http_url_check, "'gopher'");
        expect(-EPROTONOSUPPORT, "file:///etc/passwd", http_url_check, "http and https");
        expect(-EPROTONOSUPPORT, "ftp://x/", http_url_check, "'ftp'");
        expect(-EINVAL, "http://", http_url_check, "names no host");
        expect(-EINVAL, "http:///path", http_url_check, "names no host");
        expect(-EINVAL, "http://:80/", http_url_check, "names no host");
        expect(-EINVAL, "http://a b/", http_url_check, "space or control");
        expect(-EINVAL, "http://a/\r\nX: y", http_url_check, "space or control");
}

static void test_headers(void **state) {
        expect(0, "Authorization: Bearer x", http_header_check, NULL);
        expect(0, "X-Empty;", http_header_check, NULL);
        expect(0, "X-Drop:", http_header_check, NULL);
        expect(-EINVAL, "X: a\r\nY: b", http_header_check, "line break");
        expect(-EINVAL, "X: a\nY: b", http_header_check, "line break");
        expect(-EINVAL, "NoColon", http_header_check, "no colon");
        expect(-EINVAL, ": v", http_header_check, "no name");
        expect(-EINVAL, "Bad Name: v", http_header_check, "no spaces");
        expect(-EINVAL, "X; more", http_header_check, "nothing after");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_urls),
                cmocka_unit_test(test_headers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

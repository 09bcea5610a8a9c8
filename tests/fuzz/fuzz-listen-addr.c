/* SPDX-License-Identifier: MIT */
/* The `listen` key of monitor.conf (monitor/listen-addr.c): the bytes are the key's text. An
 * accepted text is off or a loopback address with a port, its written-back form parses again to
 * the same address; a refused one says why and leaves the result untouched. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "../../monitor/listen-addr.h"
#include "fuzz.h"

static void check_loopback(const ListenAddr *a) {
        if (a->off) {
                fuzz_check(strcmp(a->text, "off") == 0);
                return;
        }
        if (a->sa.ss_family == AF_INET) {
                const struct sockaddr_in *sa = (const struct sockaddr_in *) &a->sa;
                fuzz_check(a->len == sizeof(*sa) && ntohl(sa->sin_addr.s_addr) >> 24 == 127 && sa->sin_port != 0);
        } else {
                const struct sockaddr_in6 *sa = (const struct sockaddr_in6 *) &a->sa;
                fuzz_check(a->sa.ss_family == AF_INET6 && a->len == sizeof(*sa));
                fuzz_check(IN6_IS_ADDR_LOOPBACK(&sa->sin6_addr) && sa->sin6_port != 0);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_cstr(data, size);
        ListenAddr a = { .text = "untouched" }, again;
        const char *why = NULL;
        int r = listen_addr_parse(text, &a, &why);
        if (r >= 0) {
                check_loopback(&a);
                fuzz_check(listen_addr_parse(a.text, &again, NULL) == 0 && listen_addr_equal(&a, &again));
                fuzz_check(memcmp(&a.sa, &again.sa, sizeof(a.sa)) == 0);
        } else
                fuzz_check((r == -EINVAL || r == -EADDRNOTAVAIL) && why && strcmp(a.text, "untouched") == 0);
        free(text);
        return 0;
}

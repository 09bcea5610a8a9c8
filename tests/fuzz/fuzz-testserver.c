/* SPDX-License-Identifier: MIT */
/* The test server's readers of what clients send (tests/servers/): byte 0 even, the rest is a
 * request head (testserver-http.c); odd, a /_control query applied to an injector, after which
 * every setting is still within its range (testserver-inject.c). */
#include "fuzz.h"
#include "testserver-http.h"
#include "testserver-inject.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size == 0)
                return 0;
        if (data[0] % 2 == 0) {
                TestRequest r;
                testserver_parse_head((const char *) data + 1, size - 1, &r);
                if (!r.bad && strnlen(r.path, sizeof(r.path)) == sizeof(r.path))
                        abort();
                return 0;
        }
        char *q = fuzz_cstr(data + 1, size - 1), out[2048];
        Settings set;
        settings_defaults(&set);
        Injector in;
        injector_init(&in, &set, 0);
        unsigned status = injector_control(&in, q, out, sizeof(out));
        if (status != 200 && status != 400)
                abort();
        if (!(in.s.error_rate >= 0 && in.s.error_rate <= 1) || !(in.s.capacity >= 0) ||
            in.s.delay_dist >= _DELAY_DIST_MAX)
                abort();
        Decision d;
        injector_decide(&in, 1000, &d);
        if (d.ready_ns < 1000 || (d.status != 200 && d.status != 500 && d.status != 503))
                abort();
        free(q);
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* The query arguments of skytune-monitor's JSON API (monitor/http-request.c, monitor/api-args.c,
 * docs/api.md): the bytes are a query string ("series=a&series=b&from=-24h&step=1m"). Decoded, it
 * is parsed as a range and handed to /api/v1/query and /current over an empty ring: an accepted
 * range is aligned to its step, non-empty and within its bound; a refusal names why; every answer
 * is JSON. */
#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "../../monitor/api-args.h"
#include "../../monitor/api.h"
#include "fuzz.h"

#define NOW_MS INT64_C(1796342400000)

static void check_answer(int r, HttpRequest *req, char *body, size_t len) {
        if (r == 0) {
                fuzz_check(body && len > 0 && body[len - 1] == '\n');
                json_t *doc = json_loadb(body, len, 0, NULL);
                fuzz_check(doc != NULL);
                json_decref(doc);
        } else
                fuzz_check(r == -EINVAL && http_request_refusal(req, NULL, NULL));
        free(body);
}

static void route(int (*f)(const ApiSource *, HttpRequest *, char **, size_t *), const ApiSource *src,
                  const char *query) {
        HttpRequest *req = NULL;
        fuzz_check(http_request_new(false, &req) == 0);
        if (http_request_parse_query(req, query) == 0) {
                char *body = NULL;
                size_t len = 0;
                check_answer(f(src, req, &body, &len), req, body, len);
        }
        http_request_free(req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *query = fuzz_cstr(data, size);
        HttpRequest *req = NULL;
        fuzz_check(http_request_new(false, &req) == 0);
        int r = http_request_parse_query(req, query);
        fuzz_check(r == 0 || ((r == -EINVAL || r == -E2BIG) && http_request_refusal(req, NULL, NULL)));
        if (r == 0) {
                ApiRange g;
                int k = api_range(req, NOW_MS, 100000, &g);
                if (k == 0)
                        fuzz_check(g.step > 0 && g.from % g.step == 0 && g.to % g.step == 0 && g.from < g.to &&
                                   g.buckets == (g.to - g.from) / g.step && g.buckets <= 100000);
                else
                        fuzz_check(k == -EINVAL && http_request_refusal(req, NULL, NULL));
                for (size_t i = 0; i < 4; i++) {
                        const char *v = http_request_arg(req, "series", i);
                        int64_t t;
                        if (v && api_parse_time(v, NOW_MS, &t) == 0)
                                fuzz_check(t >= 0 && t <= API_TIME_MAX_MS);
                        if (v && api_parse_step(v, &t) == 0)
                                fuzz_check(t > 0);
                }
        }
        http_request_free(req);
        MonitorRing *ring = NULL;
        fuzz_check(ring_new(NULL, 16, 16, &ring) == 0);
        ApiSource src = { .ring = ring, .now_ms = NOW_MS, .tick_ms = NOW_MS, .stale_ms = 7000 };
        route(api_query, &src, query);
        route(api_current, &src, query);
        route(api_series, &src, query);
        ring_free(ring);
        free(query);
        return 0;
}

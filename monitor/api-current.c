/* SPDX-License-Identifier: MIT */
/* GET /api/v1/current (api.h): what the live page polls every second, so one walk of the ring's last
 * samples and one compact dump. A series sampled less often (the costly sources every 5 s) keeps its
 * latest value while it is within the staleness bound of the tick; an older one is left out. */
#include <errno.h>
#include <string.h>

#include "api-args.h"
#include "api.h"
#include "safe-text.h"
#include "schema.h"

typedef struct Current {
        json_t *values;
        const char *prefix;
        size_t prefix_len;
        int64_t oldest_ms;
} Current;

static int add_value(void *userdata, const char *name, const char *unit, int64_t t_ms, double v) {
        Current *c = userdata;
        if (t_ms < c->oldest_ms || strncmp(name, c->prefix, c->prefix_len) != 0)
                return 0;
        /* A name made of a host's bytes (a cgroup's, a device's) may not be UTF-8: escaped (safe-text.h). */
        char escaped[1024];
        const char *key = text_is_printable(name) ? name : text_escape_buf(escaped, sizeof(escaped), name);
        return json_object_set_new(c->values, key, json_real(v)) < 0 ? -ENOMEM : 0;
}

int api_current(const ApiSource *s, HttpRequest *r, char **ret, size_t *ret_len) {
        static const char *const keys[] = { "prefix", NULL };
        int k = api_known_args(r, keys, "prefix=P");
        if (k < 0)
                return k;
        if (http_request_count(r, "prefix") > 1)
                return http_request_refuse(r, "prefix", "given more than once", "one prefix");
        const char *prefix = http_request_arg(r, "prefix", 0) ?: "";
        Current c = { .values = json_object(),
                      .prefix = prefix,
                      .prefix_len = strlen(prefix),
                      .oldest_ms = s->tick_ms - s->stale_ms };
        if (!c.values)
                return -ENOMEM;
        k = ring_each_last(s->ring, add_value, &c);
        if (k < 0) {
                json_decref(c.values);
                return k;
        }
        return api_body(json_pack("{sssIso}", "schema", MONITOR_CURRENT_SCHEMA, "t", (json_int_t) s->tick_ms, "values",
                                  c.values),
                        ret, ret_len);
}

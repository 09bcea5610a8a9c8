/* SPDX-License-Identifier: MIT */
/* The merged document's "client": the agents, and whether together they made one valid load. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json-util.h"
#include "load-merge-internal.h"
#include "macro.h"

static double num(const json_t *o, const char *k) {
        return merge_num(o, k, 0);
}

static long long segment_int(const json_t *seg, const char *k) {
        const json_t *v = json_object_get(seg, k);
        return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* Why agent i makes the merged run invalid (the first reason found); false: it does not. */
static bool agent_invalid(const LoadMergeInput *in, size_t n, size_t i, char *why, size_t len) {
        const json_t *c = json_object_get(in[i].doc, "client"), *seg = json_object_get(c, "segment");
        long long index = segment_int(seg, "index"), count = segment_int(seg, "count");
        if (json_is_true(json_object_get(c, "client_bound")))
                snprintf(why, len,
                         "%s: the agent was client-bound (it could not keep its schedule): the merged "
                         "figures measure that client, not the server",
                         in[i].path);
        else if (json_is_true(json_object_get(in[i].doc, "interrupted")))
                snprintf(why, len, "%s: the agent was interrupted: its share of the load is missing", in[i].path);
        else if (count != (long long) n)
                snprintf(why, len,
                         "%s: the agent ran segment %lld/%lld, but %zu documents were given: give one "
                         "per agent (--segment i/%zu)",
                         in[i].path, index, count, n, n);
        else if (index < 0 || index >= count)
                snprintf(why, len, "%s: segment index %lld is not in 0..%lld", in[i].path, index, count - 1);
        else {
                for (size_t k = 0; k < i; k++)
                        if (segment_int(json_object_get(json_object_get(in[k].doc, "client"), "segment"), "index") ==
                            index) {
                                snprintf(why, len,
                                         "%s and %s are both segment %lld/%lld: each agent needs its own "
                                         "index (--segment i/N)",
                                         in[k].path, in[i].path, index, count);
                                return true;
                        }
                return false;
        }
        return true;
}

static json_t *agent_json(const LoadMergeInput *a, double offset_s) {
        const json_t *c = json_object_get(a->doc, "client"), *seg = json_object_get(c, "segment");
        json_t *o = json_object();
        json_object_set_new(o, "file", json_string(a->path));
        json_object_set(o, "hostname", json_object_get(json_object_get(a->doc, "host"), "hostname"));
        json_object_set_new(o, "index", json_integer(segment_int(seg, "index")));
        json_object_set_new(o, "count", json_integer(segment_int(seg, "count")));
        json_object_set(o, "started", json_object_get(a->doc, "started"));
        json_object_set_new(o, "offset_s", json_real(offset_s));
        json_object_set(o, "start_skew_s", json_object_get(seg, "start_skew_s"));
        json_object_set_new(o, "start_s", json_num(merge_agent_start(a, offset_s)));
        const json_t *clock = json_object_get(seg, "clock");
        json_object_set_new(o, "clock", json_is_object(clock) ? json_deep_copy(clock) : json_null());
        json_object_set_new(o, "client_bound", json_boolean(json_is_true(json_object_get(c, "client_bound"))));
        json_object_set_new(o, "interrupted", json_boolean(json_is_true(json_object_get(a->doc, "interrupted"))));
        json_object_set(o, "completed", json_object_get(json_object_get(a->doc, "total"), "completed"));
        json_object_set(o, "completed_per_s", json_object_get(json_object_get(a->doc, "total"), "completed_per_s"));
        return o;
}

int merge_client(const LoadMergeInput *in, size_t n, const double *offset_s, double interval_s, json_t *doc, char *why,
                 size_t len) {
        json_t *c = json_object(), *agents = json_array(), *seg = json_object();
        double threads = 0, cpu_s = 0;
        bool bound = false, invalid = false;
        for (size_t i = 0; i < n; i++) {
                const json_t *ci = json_object_get(in[i].doc, "client");
                threads += num(ci, "threads");
                cpu_s += num(ci, "cpu_s");
                bound |= json_is_true(json_object_get(ci, "client_bound"));
                if (!invalid)
                        invalid = agent_invalid(in, n, i, why, len);
                json_array_append_new(agents, agent_json(&in[i], offset_s[i]));
        }
        double done = num(json_object_get(doc, "total"), "completed");
        json_object_set_new(c, "threads", json_integer((json_int_t) threads));
        json_object_set_new(c, "cpu_s", json_num(cpu_s));
        json_object_set_new(c, "cpu_per_request_us", done > 0 ? json_real(cpu_s * 1e6 / done) : json_null());
        json_object_set_new(c, "client_bound", json_boolean(bound));
        json_object_set_new(seg, "index", json_null());
        json_object_set_new(seg, "count", json_integer((json_int_t) n));
        json_object_set(seg, "start_at", json_object_get(doc, "started"));
        json_object_set_new(seg, "clock_offset_s", json_null()); /* one per agent: client.agents[].clock */
        json_object_set_new(c, "segment", seg);
        json_object_set_new(c, "clock", merge_clock(in, n, offset_s, interval_s));
        json_object_set_new(c, "agents", agents);
        json_object_set_new(doc, "client", c);
        return invalid ? 5 : 0;
}

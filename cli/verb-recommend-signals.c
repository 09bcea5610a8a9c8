/* SPDX-License-Identifier: MIT */
/* The signals of skytune recommend: one table entry per role a profile can show. A signal adds its
 * weight to its policy and says why; the policy with the most weight wins, ties in table order
 * (the role of the host before the shape of its load, before the machine it runs on). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jpath.h"
#include "macro.h"
#include "recommend.h"

typedef struct Signal {
        const char *policy, *role;
        int weight;
        /* true with a line of evidence in buf when the host shows it */
        bool (*test)(const json_t *profile, const HostExtras *x, const void *arg, char *buf, size_t size);
        const void *arg;
} Signal;

static const char *const db_comms[] = { "postgres", "postmaster", "mysqld", "mariadbd", "mongod", NULL };
static const char *const web_comms[] = { "nginx", "httpd", "apache2", "haproxy", "caddy", "envoy", "lighttpd", NULL };
static const unsigned db_ports[] = { 5432, 3306, 27017, 0 };
static const unsigned web_ports[] = { 80, 443, 0 };

static bool in_list(const char *s, const char *const *list) {
        for (; s && *list; list++)
                if (strcmp(s, *list) == 0)
                        return true;
        return false;
}

/* A process by name: the profile's top file users, and on a live host every process. */
static bool process_named(const json_t *p, const HostExtras *x, const void *arg, char *buf, size_t size) {
        const char *const *names = arg;
        size_t i;
        json_t *t;
        json_array_foreach(jpath_get(p, "resources.files.top_processes"), i, t) {
                const char *comm = json_string_value(json_object_get(t, "comm"));
                if (in_list(comm, names)) {
                        snprintf(buf, size, "process %s (pid %lld) is running (files.top_processes)", comm,
                                 (long long) json_integer_value(json_object_get(t, "pid")));
                        return true;
                }
        }
        for (size_t k = 0; k < x->n_comms; k++)
                if (in_list(x->comms[k], names)) {
                        snprintf(buf, size, "process %s is running (/proc/PID/comm)", x->comms[k]);
                        return true;
                }
        return false;
}

static bool port_listening(const json_t *p, const HostExtras *x, const void *arg, char *buf, size_t size) {
        for (const unsigned *port = arg; *port; port++)
                for (size_t k = 0; k < x->n_listen; k++)
                        if (x->listen[k] == *port) {
                                snprintf(buf, size, "TCP port %u is listening (/proc/net/tcp)", *port);
                                return true;
                        }
        return false;
}

static bool web_connections(const json_t *p, const HostExtras *x, const void *arg, char *buf, size_t size) {
        if (x->web_estab < 100)
                return false;
        snprintf(buf, size, "%llu established connections on port 80/443 (/proc/net/tcp)", x->web_estab);
        return true;
}

/* The sampled value a threshold is compared with: p95 when the metric has one (a busy spell counts),
 * else the value. */
static bool metric(const json_t *p, const char *path, double *ret, const char **ret_what) {
        json_t *m = jpath_get(p, path);
        json_t *v = json_object_get(m, "p95");
        *ret_what = v ? "p95" : "value";
        return jpath_number(v ? v : json_object_get(m, "value"), ret);
}

typedef struct Threshold {
        const char *path, *what;
        double min;
} Threshold;

static bool above(const json_t *p, const HostExtras *x, const void *arg, char *buf, size_t size) {
        const Threshold *t = arg;
        double v;
        const char *which;
        if (!metric(p, t->path, &v, &which) || v < t->min)
                return false;
        snprintf(buf, size, "%s: %s %s %.4g >= %.4g", t->what, t->path + strlen("resources."), which, v, t->min);
        return true;
}

/* Any object under path (a device, an interface) whose metric name reaches min. */
static bool any_above(const json_t *p, const HostExtras *x, const void *arg, char *buf, size_t size) {
        const Threshold *t = arg;
        const char *dir = t->path, *name = strrchr(dir, '/') + 1, *key;
        char parent[96];
        snprintf(parent, sizeof(parent), "%.*s", (int) (name - dir - 1), dir);
        json_t *o;
        json_object_foreach(jpath_get(p, parent), key, o) {
                double v;
                json_t *m = json_object_get(o, name), *s = json_object_get(m, "p95");
                if (strcmp(key, "lo") == 0 || !jpath_number(s ? s : json_object_get(m, "value"), &v) || v < t->min)
                        continue;
                snprintf(buf, size, "%s: %s.%s.%s %s %.4g >= %.4g", t->what, parent + strlen("resources."), key, name,
                         s ? "p95" : "value", v, t->min);
                return true;
        }
        return false;
}

static bool virtual_machine(const json_t *p, const HostExtras *x, const void *arg, char *buf, size_t size) {
        const char *virt = json_string_value(jpath_get(p, "host.virtualization"));
        if (!virt || strcmp(virt, "none") == 0 || strcmp(virt, "unknown") == 0)
                return false;
        snprintf(buf, size, "a virtual machine: host.virtualization = %s", virt);
        return true;
}

/* No cpufreq alone is no evidence (a container, a kernel without it, an empty sysroot): it counts
 * only on a host that shows it is virtual, by its virtualization fact or by stolen CPU time. */
static bool no_cpufreq(const json_t *p, const HostExtras *x, const void *arg, char *buf, size_t size) {
        double steal;
        const char *which;
        if (!json_is_string(jpath_get(p, "host.cpufreq.unavailable")))
                return false;
        if (!virtual_machine(p, x, NULL, buf, size) &&
            !(metric(p, "resources.cpu.steal_pct", &steal, &which) && steal > 0))
                return false;
        snprintf(buf, size, "no cpufreq policies (host.cpufreq): the hypervisor sets the CPU frequency");
        return true;
}

static const Threshold busy_cpu = { "resources.cpu.utilization_pct", "CPU busy", 70 };
static const Threshold many_conns = { "resources.network.tcp.curr_estab", "many TCP connections", 500 };
static const Threshold overflows = { "resources.network.tcp.listen_overflows_per_s", "accept queues overflow", 1 };
static const Threshold squeeze = { "resources.interrupts.softnet_time_squeeze_per_s", "packet budget runs out", 1 };
static const Threshold switches = { "resources.cpu.context_switches_per_s", "request-driven scheduling", 50000 };
static const Threshold disk_busy = { "resources.disk.devices/util_pct", "a busy disk", 60 };
static const Threshold disk_bytes = { "resources.disk.devices/read_bytes_per_s", "bulk disk reads", 200e6 };
static const Threshold net_rx = { "resources.network.interfaces/rx_bytes_per_s", "bulk network receive", 100e6 };
static const Threshold net_tx = { "resources.network.interfaces/tx_bytes_per_s", "bulk network send", 100e6 };
static const Threshold small_pkts = { "resources.network.interfaces/rx_packets_per_s", "a high packet rate", 50000 };

static const Signal signals[] = {
        { "database", "a database server", 3, process_named, db_comms },
        { "database", "a database server", 3, port_listening, db_ports },
        { "web-server", "a web server", 3, process_named, web_comms },
        { "web-server", "a web server", 3, port_listening, web_ports },
        { "web-server", "a web server", 2, web_connections, NULL },
        { "web-server", "a web server", 1, above, &many_conns },
        { "web-server", "a web server", 1, above, &overflows },
        { "network-throughput", "a network throughput host", 3, any_above, &net_rx },
        { "network-throughput", "a network throughput host", 3, any_above, &net_tx },
        { "network-latency", "a network latency-sensitive host", 2, any_above, &small_pkts },
        { "network-latency", "a network latency-sensitive host", 1, above, &squeeze },
        { "latency-performance", "a latency-sensitive host", 2, above, &switches },
        { "throughput-performance", "a throughput (batch) host", 2, above, &busy_cpu },
        { "throughput-performance", "a throughput (batch) host", 2, any_above, &disk_busy },
        { "throughput-performance", "a throughput (batch) host", 2, any_above, &disk_bytes },
        { "virtual-guest", "a virtual machine", 2, virtual_machine, NULL },
        { "virtual-guest", "a virtual machine", 1, no_cpufreq, NULL },
};

static json_t *candidate(json_t *list, const Signal *s) {
        size_t i;
        json_t *c;
        json_array_foreach(list, i, c)
                if (strcmp(json_string_value(json_object_get(c, "policy")), s->policy) == 0)
                        return c;
        c = json_pack("{s:s, s:s, s:i, s:[]}", "policy", s->policy, "role", s->role, "score", 0, "evidence");
        return c && json_array_append_new(list, c) == 0 ? c : NULL;
}

static int by_score(const void *a, const void *b) {
        const json_t *x = *(json_t *const *) a, *y = *(json_t *const *) b;
        long long d = json_integer_value(json_object_get(y, "score")) - json_integer_value(json_object_get(x, "score"));
        /* stable by table order: the index stored while collecting */
        return d ? (d > 0 ? 1 : -1)
                 : (int) (json_integer_value(json_object_get(x, "order")) - json_integer_value(json_object_get(y, "order")));
}

static int sort_candidates(json_t *list, json_t **ret) {
        size_t n = json_array_size(list), i;
        json_t **v = calloc(n ? n : 1, sizeof(*v)), *sorted = json_array(), *c;
        if (!v || !sorted) {
                free(v);
                json_decref(sorted);
                return -ENOMEM;
        }
        json_array_foreach(list, i, c)
                v[i] = c;
        qsort(v, n, sizeof(*v), by_score);
        for (i = 0; i < n; i++) {
                json_object_del(v[i], "order");
                json_array_append(sorted, v[i]);
        }
        free(v);
        *ret = sorted;
        return 0;
}

int recommend_evaluate(const json_t *profile, const HostExtras *x, json_t **ret_candidates, const char **ret_best) {
        json_t *list = json_array();
        if (!list)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(signals); i++) {
                const Signal *s = &signals[i];
                char buf[256];
                if (!s->test(profile, x, s->arg, buf, sizeof(buf)))
                        continue;
                json_t *c = candidate(list, s);
                if (!c || json_array_append_new(json_object_get(c, "evidence"), json_string(buf)) < 0) {
                        json_decref(list);
                        return -ENOMEM;
                }
                json_object_set_new(c, "score", json_integer(json_integer_value(json_object_get(c, "score")) + s->weight));
                if (!json_object_get(c, "order"))
                        json_object_set_new(c, "order", json_integer((json_int_t) i));
        }
        json_t *sorted = NULL;
        int r = sort_candidates(list, &sorted);
        json_decref(list);
        if (r < 0)
                return r;
        json_t *first = json_array_get(sorted, 0);
        *ret_best = first ? json_string_value(json_object_get(first, "policy")) : "balanced";
        *ret_candidates = sorted;
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* The finding table (rules/findings.conf): each finding fires on a crafted document at its threshold
 * and not just below it, with its severity escalation and the cause it is attributed to; the table
 * passes the metric catalogue check and a mistyped copy fails at its file:line with "did you mean". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finding-table.h"
#include "macro.h"
#include "profiler.h"
#include "support.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

typedef struct Set {
        const char *path;       /* below the document's top ("resources.cpu.run_queue.avg", "host.x") */
        double num;
        const char *str;
        const char *json;       /* a value written as JSON (a list) instead */
} Set;

typedef struct Case {
        const char *id;
        Set base[12];           /* the rest of the evidence */
        const char *vary;       /* the path whose value decides */
        double at, below;
        const char *severity;   /* at the threshold */
        double escalate;        /* a value of vary that raises the severity (0: none) */
        const char *escalated;
        const char *cause;      /* attributed at the threshold */
} Case;

#define RQ2 { "resources.cpu.online_cpus.value", 2 }, { "resources.cpu.run_queue.n", 4 }
#define CG_LIMIT { "resources.memory.cgroups.web.limit_bytes.value", 268435456 }, \
        { "resources.memory.cgroups.web.limit_file", 0, "memory.max" }, \
        { "resources.memory.cgroups.web.peak_pct_of_limit.value", 95 }
#define CG_REFAULTS { "resources.memory.cgroups.web.refault_anon_per_s.value", 0 }, \
        { "resources.memory.cgroups.web.refault_file_per_s.value", 10 }
#define SYSCTL(key, v) { "tunables.sysctl.net." key, 0, v }
#define SYN_SYSCTLS SYSCTL("core.somaxconn", "4096"), SYSCTL("ipv4.tcp_max_syn_backlog", "2048"), \
        SYSCTL("ipv4.tcp_syncookies", "1")
#define SYN_A "resources.network.tcp.listen_drops_beyond_overflows_per_s.value"
#define SYN_B "resources.network.tcp.req_q_full_drops_per_s.avg"
#define SYN_C "resources.network.tcp.syncookies_sent_per_s.avg"
#define RETRANS { "resources.network.tcp.out_segs.value", 10000 }, { "resources.network.tcp.out_segs_per_s.value", 200 }
#define SYN_RETRANS { "resources.network.tcp.syn_retrans_segs.value", 100 }, SYSCTL("core.somaxconn", "4096")
#define TIME_WAIT { "resources.network.tcp.port_range_size.value", 1000 }, \
        { "resources.network.tcp.port_range", 0, "32768-33767" }, \
        { "resources.network.tcp.time_wait_busiest.from", 0, "10.0.0.5" }, \
        { "resources.network.tcp.time_wait_busiest.to", 0, "10.0.0.7:5432" }
#define TW_SOCKETS "resources.network.tcp.time_wait_busiest.sockets"

static const Case cases[] = {
        { "cpu-utilization", {}, "resources.cpu.utilization_pct.avg", 90, 89.9, "warning", 98, "critical" },
        { "cpu-imbalance", { { "resources.cpu.idlest_cpu", 0, "cpu0" }, { "resources.cpu.idlest_cpu_utilization_pct.value", 74 } },
          "resources.cpu.per_cpu.cpu1.utilization_pct.avg", 95, 94.9, "warning" },
        { "cpu-cgroup-throttled", {}, "resources.cpu.cgroups.nginx.throttled_pct.avg", 10.1, 10, "warning" },
        { "cpu-steal", {}, "resources.cpu.steal_pct.avg", 10, 9.9, "warning" },
        { "cpu-blocked", { { "resources.cpu.online_cpus.value", 2 } }, "resources.cpu.procs_blocked.avg", 1, 0.9,
          "warning" },
        { "cpu-run-queue", { RQ2, { "resources.cpu.psi_some_pct.avg", 10 } }, "resources.cpu.run_queue.avg", 2.5,
          2.4, "warning", 4.1, "critical" },
        { "cpu-run-queue-without-psi", { RQ2 }, "resources.cpu.run_queue.avg", 2.5, 2.4, "warning", 4.5,
          "critical" },
        { "cpu-psi-busy", { { "resources.cpu.utilization_pct.avg", 95 } }, "resources.cpu.psi_some_pct.avg", 20,
          19.9, "warning" },
        { "cpu-psi-queue", { RQ2, { "resources.cpu.run_queue.avg", 3 }, { "resources.cpu.utilization_pct.avg", 50 } },
          "resources.cpu.psi_some_pct.avg", 20, 19.9, "warning", 0, NULL, "cpu.run_queue" },
        { "cpu-psi-latency", { RQ2, { "resources.cpu.run_queue.avg", 1 }, { "resources.cpu.utilization_pct.avg", 30 },
          { "host.virtualization", 0, "none" } }, "resources.cpu.psi_some_pct.avg", 20, 19.9, "warning" },
        { "cpu-psi-latency-vm", { RQ2, { "resources.cpu.run_queue.avg", 1 }, { "resources.cpu.utilization_pct.avg", 30 },
          { "host.virtualization", 0, "kvm" }, { "resources.cpu.steal_pct.avg", 3 } }, "resources.cpu.psi_some_pct.avg", 20, 19.9, "warning" },
        { "memory-dirty", {}, "resources.memory.dirty_pct_of_threshold.max", 80, 79.9, "warning", 100, "critical" },
        { "memory-used", {}, "resources.memory.used_pct.avg", 90, 89.9, "warning", 98, "critical" },
        { "memory-oom", {}, "resources.memory.oom_kills.value", 1, 0, "critical" },
        { "memory-psi", {}, "resources.memory.psi_some_pct.avg", 10, 9.9, "warning", 25, "critical" },
        { "memory-swap-out", { { "resources.memory.swap_in_per_s.n", 4 }, { "resources.memory.swap_in_per_s.avg", 1 },
          { "resources.memory.swap_out_per_s.avg", 5 } }, "resources.memory.swap_active_intervals.value", 2, 1,
          "warning" },
        { "memory-swap-in", { { "resources.memory.swap_in_per_s.n", 4 }, { "resources.memory.swap_in_per_s.avg", 5 },
          { "resources.memory.swap_out_per_s.avg", 1 } }, "resources.memory.swap_active_intervals.value", 2, 1,
          "warning" },
        { "memory-direct-reclaim", { { "resources.memory.direct_scan_per_s.avg", 0 } },
          "resources.memory.allocstall_per_s.avg", 0.1, 0, "warning" },
        { "memory-direct-scan", { { "resources.memory.allocstall_per_s.avg", 0 } },
          "resources.memory.direct_scan_per_s.avg", 0.1, 0, "warning" },
        { "files-process-nofile", { { "resources.files.top_processes", .json = "[{\"pid\": 555, \"comm\": \"leaky\", "
          "\"fds\": 64, \"soft_limit\": 64, \"pct\": 0}]" } }, "resources.files.top_processes.0.pct", 80, 79.9, "warning",
          95, "critical" },
        { "cgroup-memory-oom", { CG_LIMIT, { "resources.memory.cgroups.web.window_s.value", 5 },
          { "resources.memory.cgroups_events_file", 0, "memory.events" } }, "resources.memory.cgroups.web.oom_kills.value", 1,
          0, "critical" },
        { "cgroup-memory-reclaim", { CG_LIMIT, CG_REFAULTS, { "resources.memory.cgroups_version", 0, "cgroup v2" },
          { "resources.memory.cgroups.web.max_events_per_s.value", 2 }, { "resources.memory.cgroups.web.high_events_per_s.value", 0 },
          { "resources.memory.cgroups.web.reclaim_steal_per_s.value", 900 }, { "resources.memory.page_size", 4096 } },
          "resources.memory.cgroups.web.reclaim_scan_per_s.value", 1000, 999.9, "warning" },
        { "cgroup-memory-limit-hits", { CG_LIMIT, CG_REFAULTS, { "resources.memory.cgroups_version", 0, "cgroup v1" } },
          "resources.memory.cgroups.web.max_events_per_s.value", 10, 9.9, "warning" },
        { "disk-psi-full", {}, "resources.disk.psi_full_pct.avg", 5, 4.9, "warning" },
        { "disk-await-read", { { "resources.disk.devices.vda.await_limit_ms.value", 20 },
          { "resources.disk.devices.vda.r_await_busy_ms.avg", 15 }, { "resources.disk.devices.vda.r_await_busy_ms.n", 5 },
          { "resources.disk.devices.vda.r_await_busy_over_limit.value", 1 }, { "resources.disk.devices.vda.type", 0, "ssd" } },
          "resources.disk.devices.vda.r_await_busy_ms.max", 20, 19.9, "warning", 80, "critical" },
        { "disk-await-write", { { "resources.disk.devices.vda.await_limit_ms.value", 100 },
          { "resources.disk.devices.vda.w_await_busy_ms.avg", 15 }, { "resources.disk.devices.vda.w_await_busy_ms.n", 5 },
          { "resources.disk.devices.vda.w_await_busy_over_limit.value", 1 }, { "resources.disk.devices.vda.type", 0, "hdd" } },
          "resources.disk.devices.vda.w_await_busy_ms.max", 100, 99.9, "warning", 400, "critical" },
        { "disk-busy", { { "resources.disk.devices.vda.aqu_sz.avg", 1.5 }, { "resources.disk.devices.vda.type", 0, "ssd" } },
          "resources.disk.devices.vda.util_pct.avg", 80, 79.9, "warning", 95, "critical" },
        { "disk-busy-parallel", { { "resources.disk.devices.vda.aqu_sz.avg", 1.5 },
          { "resources.disk.devices.vda.type", 0, "nvme" } }, "resources.disk.devices.vda.util_pct.avg", 80, 79.9,
          "info" },
        { "tasks-threads", { { "resources.tasks.threads_max.value", 1000 } }, "resources.tasks.threads_pct.avg", 80.1,
          80, "warning", 95.1, "critical" },
        { "tasks-pids", { { "resources.tasks.pid_max.value", 1000 } }, "resources.tasks.pids_pct.avg", 80.1, 80,
          "warning", 95.1, "critical" },
        { "files-file-max", { { "resources.files.max.value", 1000 } }, "resources.files.used_pct.max", 80, 79.9,
          "warning", 95, "critical" },
        { "iface-rx-errors", {}, "resources.network.interfaces.eth1.rx_errors_per_s.avg", 0.01, 0, "warning" },
        { "iface-tx-errors", {}, "resources.network.interfaces.eth0.tx_errors_per_s.avg", 0.01, 0, "warning" },
        { "iface-rx-drops", {}, "resources.network.interfaces.eth0.rx_drops_per_s.avg", 0.01, 0, "warning" },
        { "iface-tx-drops", {}, "resources.network.interfaces.eth0.tx_drops_per_s.avg", 0.01, 0, "warning" },
        { "udp-rcvbuf-errors", { { "resources.network.udp.rmem_max", 212992 } },
          "resources.network.udp.rcvbuf_errors_per_s.avg", 0.01, 0, "warning" },
        { "udp-sndbuf-errors", { { "resources.network.udp.wmem_max", 212992 } },
          "resources.network.udp.sndbuf_errors_per_s.avg", 0.01, 0, "warning" },
        { "tcp-listen-overflows", { SYSCTL("core.somaxconn", "4096") }, "resources.network.tcp.listen_overflows_per_s.avg",
          0.01, 0, "warning" },
        { "tcp-syn-queue-drops", { SYN_SYSCTLS, { SYN_B, 0 }, { SYN_C, 0 } }, SYN_A, 0.01, 0, "warning" },
        { "tcp-syn-queue-full", { SYN_SYSCTLS, { SYN_A, 0 }, { SYN_C, 0 } }, SYN_B, 0.01, 0, "warning" },
        { "tcp-syn-cookies", { SYN_SYSCTLS, { SYN_A, 0 }, { SYN_B, 0 } }, SYN_C, 0.01, 0, "warning" },
        { "tcp-retrans", { RETRANS }, "resources.network.tcp.retrans_segs.value", 100, 99, "warning", 500, "critical" },
        { "tcp-retrans-syn-drops", { RETRANS, SYN_RETRANS, { SYN_A, 1 }, { SYN_B, 0 }, { SYN_C, 0 } },
          "resources.network.tcp.retrans_segs.value", 100, 99, "warning", 0, NULL, "network.tcp.listen_drops_per_s" },
        { "tcp-retrans-syn-full", { RETRANS, SYN_RETRANS, { SYN_A, 0 }, { SYN_B, 1 }, { SYN_C, 0 } },
          "resources.network.tcp.retrans_segs.value", 100, 99, "warning", 0, NULL, "network.tcp.req_q_full_drops_per_s" },
        { "tcp-retrans-syn-cookies", { RETRANS, SYN_RETRANS, { SYN_A, 0.5 }, { SYN_B, 0 }, { SYN_C, 1 } },
          "resources.network.tcp.retrans_segs.value", 100, 99, "warning", 0, NULL, "network.tcp.syncookies_sent_per_s" },
        { "tcp-time-wait-failing", { TIME_WAIT, { "resources.network.tcp.attempt_fails_per_s.avg", 2 } }, TW_SOCKETS, 500,
          499, "warning", 900, "critical" },
        { "tcp-time-wait", { TIME_WAIT, { "resources.network.tcp.attempt_fails_per_s.avg", 0 }, SYSCTL("ipv4.tcp_tw_reuse", "0"),
          SYSCTL("ipv4.tcp_timestamps", "1") }, TW_SOCKETS, 500, 499, "warning" },
        { "softnet-dropped", {}, "resources.interrupts.softnet_dropped_per_s.avg", 0.1, 0, "warning" },
        { "softnet-squeeze", {}, "resources.interrupts.softnet_time_squeeze_per_s.avg", 0.1, 0, "info", 10, "warning" },
};

static const Case *case_of(const char *id) {
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                if (strcmp(cases[i].id, id) == 0)
                        return &cases[i];
        fail_msg("no case %s", id);
        return NULL;
}

/* Sets doc's path (dotted, objects made on the way) to j (stolen). */
static void put(json_t *doc, const char *path, json_t *j) {
        char buf[256];
        snprintf(buf, sizeof(buf), "%s", path);
        json_t *o = doc;
        char *save = NULL, *c = strtok_r(buf, ".", &save);
        for (char *next; c && (next = strtok_r(NULL, ".", &save)); c = next) {
                json_t *n = json_is_array(o) ? json_array_get(o, strtoul(c, NULL, 10)) : json_object_get(o, c);
                if (!n) {
                        n = json_object();
                        json_object_set_new(o, c, n);
                }
                o = n;
        }
        if (json_is_array(o))
                json_array_set_new(o, strtoul(c, NULL, 10), j);
        else
                json_object_set_new(o, c, j);
}

static json_t *document(const Case *k, double v) {
        json_t *doc = json_pack("{s:{}, s:{}}", "resources", "host");
        for (size_t i = 0; i < ELEMENTSOF(k->base) && k->base[i].path; i++) {
                const Set *b = &k->base[i];
                put(doc, b->path, b->json ? json_loads(b->json, 0, NULL) : b->str ? json_string(b->str) : json_real(b->num));
        }
        put(doc, k->vary, json_real(v));
        return doc;
}

typedef struct Hits {
        char id[64][64], severity[64][16], cause[64][64], message[64][600];
        double threshold[64];
        size_t n;
} Hits;

static int collect(const FindingHit *h, void *userdata) {
        Hits *hits = userdata;
        assert_true(hits->n < 64);
        snprintf(hits->id[hits->n], 64, "%s", h->rule->id);
        snprintf(hits->severity[hits->n], 16, "%s", h->severity);
        snprintf(hits->cause[hits->n], 64, "%s", h->cause ? h->cause : "");
        snprintf(hits->message[hits->n], 600, "%s", h->message);
        hits->threshold[hits->n++] = h->threshold;
        return 0;
}

static FindingTable *builtin(void) {
        FindingTable *t = NULL;
        Error e = ERROR_NULL;
        int r = finding_table_builtin(&t, &e);
        if (r < 0)
                fail_msg("the built-in table does not parse: %s", error_message(&e));
        error_done(&e);
        return t;
}

/* The index of the hit of rule id, or -1. */
static int eval_find(const FindingTable *t, json_t *doc, Hits *hits, const char *id) {
        *hits = (Hits) {};
        assert_int_equal(finding_table_eval(t, doc, collect, hits), 0);
        json_decref(doc);
        for (size_t i = 0; i < hits->n; i++)
                if (strcmp(hits->id[i], id) == 0)
                        return (int) i;
        return -1;
}

static void test_each_finding_at_its_threshold(void **state) {
        FindingTable *t = builtin();
        static Hits hits;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const Case *k = &cases[i];
                int at = eval_find(t, document(k, k->at), &hits, k->id);
                if (at < 0)
                        fail_msg("%s: no finding at %s = %g", k->id, k->vary, k->at);
                assert_string_equal(hits.severity[at], k->severity);
                assert_string_equal(hits.cause[at], k->cause ? k->cause : "");
                if (strchr(hits.message[at], '{') || strstr(hits.message[at], "unknown"))  /* a quote not filled */
                        fail_msg("%s: %s", k->id, hits.message[at]);
                if (eval_find(t, document(k, k->below), &hits, k->id) >= 0)
                        fail_msg("%s: a finding below the threshold (%s = %g)", k->id, k->vary, k->below);
                if (k->escalated) {
                        at = eval_find(t, document(k, k->escalate), &hits, k->id);
                        assert_true(at >= 0);
                        assert_string_equal(hits.severity[at], k->escalated);
                }
        }
        /* Every finding of the table has its case here. */
        for (size_t i = 0; i < t->n; i++) {
                bool found = false;
                for (size_t j = 0; j < ELEMENTSOF(cases); j++)
                        found = found || strcmp(cases[j].id, t->rules[i].id) == 0;
                if (!found)
                        fail_msg("finding '%s' of rules/findings.conf has no case in test-finding-table.c", t->rules[i].id);
        }
        finding_table_free(t);
}

/* The message quotes values and expressions as the collectors' printf did; the threshold may be
 * an expression; the cause is attributed only when its condition holds. */
static void test_message_threshold_cause(void **state) {
        FindingTable *t = builtin();
        static Hits hits;
        Case rq = *case_of("cpu-run-queue");
        int i = eval_find(t, document(&rq, 3.25), &hits, "cpu-run-queue");
        assert_true(i >= 0);
        assert_string_equal(hits.message[i], "3.2 runnable tasks on average for 2 CPUs (skytune's own reading "
                                             "thread not counted): about 1.2 tasks wait for a CPU; PSI cpu some "
                                             "10.0% confirms it");
        assert_true(hits.threshold[i] == 2);

        Case busy = *case_of("cpu-psi-busy");
        i = eval_find(t, document(&busy, 30), &hits, "cpu-psi-busy");
        assert_string_equal(hits.cause[i], "");         /* the run queue is not long */
        busy.base[1] = (Set) { "resources.cpu.run_queue.avg", 3 };
        busy.base[2] = (Set) { "resources.cpu.online_cpus.value", 2 };
        i = eval_find(t, document(&busy, 30), &hits, "cpu-psi-busy");
        assert_string_equal(hits.cause[i], "cpu.run_queue");

        Case vm = *case_of("cpu-psi-latency-vm");
        i = eval_find(t, document(&vm, 29), &hits, "cpu-psi-latency-vm");
        assert_non_null(strstr(hits.message[i], "on this virtual machine (kvm)"));
        assert_int_equal(eval_find(t, document(&vm, 29), &hits, "cpu-psi-latency"), -1);
        finding_table_free(t);
}

/* foreach: each device judged on its own, {$} its name. */
static void test_foreach_objects(void **state) {
        FindingTable *t = builtin();
        static Hits hits;
        json_t *doc = document(case_of("disk-busy"), 90);
        put(doc, "resources.disk.devices.vdb.util_pct.avg", json_real(10));
        put(doc, "resources.disk.devices.vdb.aqu_sz.avg", json_real(3));
        put(doc, "resources.disk.devices.vdb.type", json_string("hdd"));
        int i = eval_find(t, doc, &hits, "disk-busy");
        assert_true(i >= 0);
        assert_true(strncmp(hits.message[i], "vda busy 90% of the time with 1.5 requests", 42) == 0);
        size_t n = 0;
        for (size_t j = 0; j < hits.n; j++)
                n += strcmp(hits.id[j], "disk-busy") == 0;
        assert_int_equal(n, 1);
        finding_table_free(t);
}

/* rules/findings.conf of the source tree with from replaced by to (malloc'ed). */
static char *table_with(const char *from, const char *to) {
        FILE *f = fopen(SKYTUNE_FIXTURES "/../../rules/findings.conf", "re");
        assert_non_null(f);
        _cleanup_free_ char *text = calloc(1, 1 << 20);
        assert_non_null(text);
        fread(text, 1, (1 << 20) - 1, f);
        fclose(f);
        char *at = strstr(text, from);
        assert_non_null(at);
        char *out = NULL;
        assert_true(asprintf(&out, "%.*s%s%s", (int) (at - text), text, to, at + strlen(from)) > 0);
        return out;
}

/* The shipped table passes the catalogue check; a mistyped path in a copy fails at its file:line with
 * the nearest known name. */
static void test_catalogue_check(void **state) {
        MetricCatalog cat = {};
        assert_int_equal(profiler_metric_catalog(&cat), 0);
        FindingTable *t = builtin();
        Error e = ERROR_NULL;
        assert_int_equal(finding_table_check(t, &cat, &e), 0);
        finding_table_free(t);

        _cleanup_free_ char *bad = table_with("memory.psi_some_pct.avg >= 25", "memory.psi_sme_pct.avg >= 25");
        assert_int_equal(finding_table_parse(bad, "copy.conf", &t, &e), 0);
        assert_int_equal(finding_table_check(t, &cat, &e), -EINVAL);
        assert_non_null(strstr(error_message(&e), "copy.conf:"));
        assert_non_null(strstr(error_message(&e), "finding 'memory-psi' reads 'memory.psi_sme_pct.avg'"));
        assert_non_null(strstr(error_message(&e), "did you mean 'memory.psi_some_pct.avg'?"));
        error_done(&e);
        finding_table_free(t);

        _cleanup_free_ char *quote = table_with("{memory.used_pct.avg:.0f}", "{memory.usd_pct.avg:.0f}");
        assert_int_equal(finding_table_parse(quote, "copy.conf", &t, &e), 0);
        assert_int_equal(finding_table_check(t, &cat, &e), -EINVAL);
        assert_non_null(strstr(error_message(&e), "did you mean 'memory.used_pct.avg'?"));
        error_done(&e);
        finding_table_free(t);
        metric_catalog_done(&cat);
}

/* A bad table is refused as a whole, at file:line. */
static void test_bad_tables(void **state) {
        static const struct { const char *text, *error; } bad[] = {
                { "findings = ( { id = \"a\"; resource = \"cpu\"; kind = \"errors\"; metric = \"cpu.x\";\n"
                  "message = \"m\"; } );", "t.conf:1: finding 'a' has no 'when'" },
                { "findings = ( { id = \"a\"; resource = \"cpu\"; kind = \"oops\"; metric = \"cpu.x\";\n"
                  "when = \"cpu.x > 1\"; message = \"m\"; } );", "kind 'oops' is not errors" },
                { "findings = ( { id = \"a\"; resource = \"cpu\"; kind = \"errors\"; metric = \"cpu.x\";\n"
                  "when = \"cpu.x > \"; message = \"m\"; } );", "t.conf:2: condition 'when' of finding 'a' at column" },
                { "findings = ( { id = \"a\"; resource = \"cpu\"; kind = \"errors\"; metric = \"cpu.x\";\n"
                  "when = \"cpu.x > 1\"; message = \"m\"; colour = \"red\"; } );", "t.conf:2: unknown field 'colour'" },
                { "findings = ( { id = \"a\"; resource = \"cpu\"; kind = \"errors\"; metric = \"d.$.x\";\n"
                  "when = \"cpu.x > 1\"; message = \"m\"; } );", "uses '$' but has no foreach" },
                { "findings = ( { id = \"a\"; resource = \"cpu\"; kind = \"errors\"; metric = \"cpu.x\"; when = \"1\";"
                  " message = \"m\"; },\n{ id = \"a\"; resource = \"cpu\"; kind = \"errors\"; metric = \"cpu.x\"; "
                  "when = \"1\"; message = \"m\"; } );", "t.conf:2: finding id 'a' is already used at line 1" },
                { "findings = ( { id = \"a\"; resource = \"cpu\"", "t.conf:1: " },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                FindingTable *t = NULL;
                Error e = ERROR_NULL;
                assert_int_equal(finding_table_parse(bad[i].text, "t.conf", &t, &e), -EINVAL);
                assert_null(t);
                if (!strstr(error_message(&e), bad[i].error))
                        fail_msg("case %zu: '%s' lacks '%s'", i, error_message(&e), bad[i].error);
                error_done(&e);
        }
}

static json_t *lookup_top(const char *path, void *userdata) {
        return json_object_get(userdata, path);
}

/* + and - in the condition language: precedence below * and /, "a-b" still one path, and the number
 * a term stands for (cond_number) for values, thresholds and quotes. */
static void test_arithmetic(void **state) {
        json_t *doc = json_pack("{s:f, s:f, s:f}", "a", 5.0, "b", 2.0, "a-b", 100.0);
        static const struct { const char *expr; double want; } num[] = {
                { "a - b", 3 }, { "a + b * 2", 9 }, { "a - b - 1", 2 }, { "a / b + 1", 3.5 }, { "a-b", 100 },
                { "a-b - a", 95 }, { "1 + 2", 3 },
        };
        for (size_t i = 0; i < ELEMENTSOF(num); i++) {
                Cond *c = NULL;
                Error err = ERROR_NULL;
                double v = -1;
                if (cond_parse(num[i].expr, &c, &err) < 0)
                        fail_msg("%s: %s", num[i].expr, error_message(&err));
                assert_int_equal(cond_number(c, NULL, lookup_top, doc, &v), 0);
                if (v != num[i].want)
                        fail_msg("%s = %g, want %g", num[i].expr, v, num[i].want);
                cond_free(c);
        }
        Cond *c = NULL;
        Error err = ERROR_NULL;
        assert_int_equal(cond_parse("a - b >= 3 && a + missing > 0", &c, &err), 0);
        assert_int_equal(cond_eval(c, NULL, lookup_top, doc, NULL), 0);          /* a missing operand */
        double v;
        assert_int_equal(cond_number(c, NULL, lookup_top, doc, &v), -EINVAL);   /* not one term */
        cond_free(c);
        assert_int_equal(cond_parse("a - missing", &c, &err), 0);
        assert_int_equal(cond_number(c, NULL, lookup_top, doc, &v), -ENODATA);
        cond_free(c);
        assert_int_equal(cond_parse("a - ", &c, &err), -EINVAL);
        assert_non_null(strstr(error_message(&err), "at column"));
        error_done(&err);
        json_decref(doc);
}

/* The rule language the collectors' findings needed: a rule like another (its fields unless set),
 * a list walked by index, a text chosen by a condition or by the severity, a shared text, the
 * attributed cause quoted. */
static void test_rule_language(void **state) {
        static const char text[] =
                "texts = { where = \"at {x.$.name}\"; };\n"
                "findings = (\n"
                "{ id = \"a\"; resource = \"cpu\"; kind = \"saturation\"; foreach = \"x\"; metric = \"m.$\";"
                "  value = \"x.$.v\"; threshold = 1; when = \"x.$.v >= 1\"; critical = \"x.$.v >= 5\";"
                "  message = \"{$} {=where}: {?x.$.v >= 3?high {x.$.v:d}?low}{?critical?, critical}\";"
                "  cause = \"c.d\"; cause_when = \"x.$.v >= 4\"; advice = \"{?cause?of {cause}?alone}\"; },\n"
                "{ id = \"b\"; like = \"a\"; kind = \"errors\"; when = \"x.$.v >= 2\"; }\n);";
        FindingTable *t = NULL;
        Error e = ERROR_NULL;
        if (finding_table_parse(text, "t.conf", &t, &e) < 0)
                fail_msg("%s", error_message(&e));
        json_t *doc = json_pack("{s:{s:[{s:f, s:s}, {s:f, s:s}, {s:f, s:s}]}}", "resources", "x", "v", 1.0, "name",
                                "one", "v", 3.0, "name", "three", "v", 5.0, "name", "five");
        static Hits hits;
        hits = (Hits) {};
        assert_int_equal(finding_table_eval(t, doc, collect, &hits), 0);
        json_decref(doc);
        static const char *const want[][3] = {
                { "a", "warning", "0 at one: low: alone" },
                { "a", "warning", "1 at three: high 3: alone" },
                { "a", "critical", "2 at five: high 5, critical: of c.d" },
                { "b", "warning", "1 at three: high 3: alone" },
                { "b", "critical", "2 at five: high 5, critical: of c.d" },
        };
        assert_int_equal(hits.n, ELEMENTSOF(want));
        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                assert_string_equal(hits.id[i], want[i][0]);
                assert_string_equal(hits.severity[i], want[i][1]);
                assert_string_equal(hits.message[i], want[i][2]);
        }
        assert_string_equal(t->rules[1].kind, "errors");
        assert_string_equal(t->rules[1].resource, "cpu");
        finding_table_free(t);

        static const struct { const char *text, *error; } bad[] = {
                { "findings = ( { id = \"b\"; like = \"a\"; } );", "t.conf:1: like = \"a\" names no earlier finding" },
                { "findings = ( { id = \"a\"; resource = \"cpu\"; kind = \"errors\"; metric = \"cpu.x\"; when = \"1\";"
                  " message = \"m\"; },\n{ id = \"b\"; like = \"a\"; },\n{ id = \"c\"; like = \"b\"; } );",
                  "t.conf:3: like = \"b\" names a finding that is itself like another" },
                { "texts = ( \"x\" ); findings = ( );", "t.conf:1: texts must be a group" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                t = NULL;
                assert_int_equal(finding_table_parse(bad[i].text, "t.conf", &t, &e), -EINVAL);
                if (!strstr(error_message(&e), bad[i].error))
                        fail_msg("case %zu: '%s' lacks '%s'", i, error_message(&e), bad[i].error);
                error_done(&e);
        }
}

/* The check reads the paths of choices and shared texts, and the profile's tunables against their
 * allowlists. */
static void test_check_choices_texts(void **state) {
        MetricCatalog cat = {};
        assert_int_equal(profiler_metric_catalog(&cat), 0);
        static const struct { const char *from, *to, *error; } bad[] = {
                { "{?files.top_processes.$.fds >= ", "{?files.top_procs.$.fds >= ", "reads 'files.top_procs.$.fds'" },
                { "under somaxconn {tunables.sysctl.net.core.somaxconn:d}", "under {tunables.sysctl.net.core.somaxcon:d}",
                  "did you mean 'tunables.sysctl.net.core.somaxconn'?" },
                { "{=listener_cap}.", "{=listener_cop}.", "has no text 'listener_cop'" },
                { "soft_limit?at least }", "soft_limit at least }", "is not {?CONDITION?TEXT}" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *text = table_with(bad[i].from, bad[i].to);
                FindingTable *t = NULL;
                Error e = ERROR_NULL;
                assert_int_equal(finding_table_parse(text, "copy.conf", &t, &e), 0);
                assert_int_equal(finding_table_check(t, &cat, &e), -EINVAL);
                if (!strstr(error_message(&e), bad[i].error) || !strstr(error_message(&e), "copy.conf:"))
                        fail_msg("case %zu: '%s' lacks '%s'", i, error_message(&e), bad[i].error);
                error_done(&e);
                finding_table_free(t);
        }
        metric_catalog_done(&cat);
}

/* TIME-WAIT near the port range is only info when tcp_tw_reuse lets connect() reuse those ports: 2
 * does so for a loopback destination alone. */
static void test_time_wait_reuse(void **state) {
        FindingTable *t = builtin();
        static Hits hits;
        Case k = *case_of("tcp-time-wait");
        k.base[5] = (Set) SYSCTL("ipv4.tcp_tw_reuse", "2");     /* after TIME_WAIT and attempt_fails */
        for (int loopback = 0; loopback <= 1; loopback++) {
                json_t *doc = document(&k, 600);
                put(doc, "resources.network.tcp.time_wait_busiest.loopback", json_boolean(loopback));
                int i = eval_find(t, doc, &hits, "tcp-time-wait");
                assert_true(i >= 0);
                assert_string_equal(hits.severity[i], loopback ? "info" : "warning");
                assert_int_equal(strstr(hits.message[i], "; net.ipv4.tcp_tw_reuse 2 lets connect() reuse them (TCP "
                                        "timestamps are on)") != NULL, loopback);
                assert_non_null(strstr(hits.message[i], "60% of the 1000 ephemeral ports"));
        }
        finding_table_free(t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_each_finding_at_its_threshold),
                cmocka_unit_test(test_message_threshold_cause),
                cmocka_unit_test(test_foreach_objects),
                cmocka_unit_test(test_catalogue_check),
                cmocka_unit_test(test_bad_tables),
                cmocka_unit_test(test_arithmetic),
                cmocka_unit_test(test_rule_language),
                cmocka_unit_test(test_time_wait_reuse),
                cmocka_unit_test(test_check_choices_texts),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* Host facts (docs/profile.md "Host facts"): read once, at report time. A fact that cannot be read is
 * null, with the reason in host.unavailable.<fact>. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "dirlist.h"
#include "host-facts.h"
#include "host-virt.h"
#include "macro.h"
#include "mountinfo.h"
#include "safe-text.h"
#include "source-error.h"

static int set_unavailable(json_t *host, const char *fact, const char *fmt, ...) _printf_(3, 4);
static int set_unavailable(json_t *host, const char *fact, const char *fmt, ...) {
        char reason[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(reason, sizeof(reason), fmt, ap);
        va_end(ap);
        json_t *u = json_object_get(host, "unavailable");
        if (!u && json_object_set_new(host, "unavailable", u = json_object()) < 0)
                return -ENOMEM;
        if (json_object_set_new(u, fact, json_text(reason)) < 0 || json_object_set_new(host, fact, json_null()) < 0)
                return -ENOMEM;
        return 0;
}

static int set(json_t *host, const char *fact, json_t *v) {
        return v && json_object_set_new(host, fact, v) == 0 ? 0 : -ENOMEM;
}

/* A one-line file as a string fact. */
static int line_fact(json_t *host, const Sysroot *root, const char *fact, const char *rel) {
        _cleanup_free_ char *s = NULL;
        int r = sysroot_read_line(root, rel, &s);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return set_unavailable(host, fact, "cannot read /%s: %s%s", rel, strerror(-r), source_error_hint(r));
        return set(host, fact, json_text(s));
}

static int os_fact(json_t *host, const Sysroot *root) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        const char *rel = "etc/os-release";
        int r = sysroot_read_file(root, rel, &text, &len);
        if (r == -ENOENT) {
                rel = "usr/lib/os-release";
                r = sysroot_read_file(root, rel, &text, &len);
        }
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return set_unavailable(host, "os", "cannot read /etc/os-release or /usr/lib/os-release: %s%s",
                                       strerror(-r), source_error_hint(r));
        char name[256];
        r = os_release_pretty_name(text, len, name, sizeof(name));
        if (r < 0)
                return set_unavailable(host, "os", "/%s has no usable PRETTY_NAME line", rel);
        return set(host, "os", json_text(name));
}

static int cpuinfo_facts(json_t *host, const Sysroot *root, int *ret_flag) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        *ret_flag = -ENOENT;
        int r = sysroot_read_file(root, "proc/cpuinfo", &text, &len);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return set_unavailable(host, "cpu_model", "cannot read /proc/cpuinfo: %s%s", strerror(-r),
                                       source_error_hint(r));
        *ret_flag = cpuinfo_has_flag(text, len, "hypervisor");
        char model[256];
        if (cpuinfo_model(text, len, model, sizeof(model)) < 0)
                return set_unavailable(host, "cpu_model", "/proc/cpuinfo names no CPU model for this architecture");
        return set(host, "cpu_model", json_text(model));
}

static int count_fact(json_t *host, const Sysroot *root, const char *fact, const char *rel) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        unsigned n;
        int r = sysroot_read_file(root, rel, &text, &len);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return set_unavailable(host, fact, "cannot read /%s: %s%s", rel, strerror(-r), source_error_hint(r));
        if (cpulist_count(text, len, &n) < 0)
                return set_unavailable(host, fact, "/%s is not a list of ranges", rel);
        return set(host, fact, json_integer(n));
}

static int memory_facts(json_t *host, const Sysroot *root) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        uint64_t mem, swap;
        int r = sysroot_read_file(root, "proc/meminfo", &text, &len);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || meminfo_bytes(text, len, "MemTotal", &mem) < 0 ||
            meminfo_bytes(text, len, "SwapTotal", &swap) < 0) {
                const char *why = r < 0 ? strerror(-r) : "no valid MemTotal or SwapTotal line",
                           *hint = source_error_hint(r < 0 ? r : -EBADMSG);
                r = set_unavailable(host, "memory_bytes", "cannot read /proc/meminfo: %s%s", why, hint);
                return r ?: set_unavailable(host, "swap_bytes", "cannot read /proc/meminfo: %s%s", why, hint);
        }
        r = set(host, "memory_bytes", json_integer((json_int_t) mem));
        return r ?: set(host, "swap_bytes", json_integer((json_int_t) swap));
}

/* The whole file as a string without the trailing newline, or NULL. */
static char *read_opt(const Sysroot *root, const char *rel) {
        char *s = NULL;
        if (sysroot_read_line(root, rel, &s) < 0)
                return NULL;
        return s;
}

static int virt_fact(json_t *host, const Sysroot *root, int hypervisor_flag) {
        return set(host, "virtualization", json_text(host_virt_read(root, hypervisor_flag)));
}

static int cgroup_fact(json_t *host, const Sysroot *root) {
        CgroupLayout l;
        int r = cgroup_layout_read(root, &l);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return set_unavailable(host, "cgroup", "cannot read /proc/self/mountinfo: %s%s", strerror(-r),
                                       source_error_hint(r));
        return set(host, "cgroup",
                   json_pack("{s:s, s:o}", "mode", cgroup_mode_to_string(l.mode), "cgroup2_mount",
                             json_text(l.cgroup2[0] ? l.cgroup2 : NULL)));
}

static json_t *words_array(const char *s) {
        json_t *a = json_array();
        if (!a)
                return NULL;
        _cleanup_free_ char *copy = strdup(s);
        if (!copy)
                return json_decref(a), NULL;
        for (char *save = NULL, *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
                json_array_append_new(a, json_text(w));
        return a;
}

static int cpufreq_fact(json_t *host, const Sysroot *root) {
        const char *dir = CPUFREQ_DIR;
        NameList pol = {};
        int r = cpufreq_policies(root, &pol);
        if (r < 0)
                return r;
        if (pol.n == 0)
                return set(host, "cpufreq",
                           json_pack("{s:s}", "unavailable",
                                     "no cpufreq: " CPUFREQ_DIR " has no policies (typical in a VM)"));
        json_t *policies = json_object(), *cf = json_object();
        _cleanup_free_ char *driver = NULL;
        for (size_t i = 0; policies && cf && i < pol.n; i++) {
                char rel[512];
                snprintf(rel, sizeof(rel), "%s/%s/scaling_driver", dir, pol.v[i]);
                if (!driver)
                        driver = read_opt(root, rel);
                snprintf(rel, sizeof(rel), "%s/%s/scaling_governor", dir, pol.v[i]);
                _cleanup_free_ char *gov = read_opt(root, rel);
                snprintf(rel, sizeof(rel), "%s/%s/scaling_available_governors", dir, pol.v[i]);
                _cleanup_free_ char *avail = read_opt(root, rel);
                snprintf(rel, sizeof(rel), "%s/%s/energy_performance_preference", dir, pol.v[i]);
                _cleanup_free_ char *epp = read_opt(root, rel);
                json_t *p = json_pack("{s:o, s:o}", "governor", json_text(gov), "available_governors",
                                      avail ? words_array(avail) : json_array());
                if (p && epp)
                        json_object_set_new(p, "epp", json_text(epp));
                if (!p || json_object_set_new(policies, pol.v[i], p) < 0) {
                        r = -ENOMEM;
                        break;
                }
        }
        name_list_free(&pol);
        if (!policies || !cf || r == -ENOMEM) {
                json_decref(policies);
                json_decref(cf);
                return -ENOMEM;
        }
        json_object_set_new(cf, "driver", driver ? json_text(driver) : json_null());
        json_object_set_new(cf, "policies", policies);
        return set(host, "cpufreq", cf);
}

static int host_report(void *state, const Sysroot *root, Report *rep) {
        json_t *host = report_host(rep);
        int flag = -ENOENT;
        int r = line_fact(host, root, "hostname", "proc/sys/kernel/hostname");
        r = r ?: line_fact(host, root, "kernel", "proc/sys/kernel/osrelease");
        r = r ?: os_fact(host, root);
        r = r ?: cpuinfo_facts(host, root, &flag);
        r = r ?: count_fact(host, root, "cpus", "sys/devices/system/cpu/online");
        r = r ?: count_fact(host, root, "numa_nodes", "sys/devices/system/node/online");
        r = r ?: virt_fact(host, root, flag);
        r = r ?: memory_facts(host, root);
        r = r ?: cgroup_fact(host, root);
        r = r ?: cpufreq_fact(host, root);
        return r;
}

static const MetricSpec host_metrics[] = {
        { "host.hostname", METRIC_FACT },
        { "host.kernel", METRIC_FACT },
        { "host.os", METRIC_TREE },
        { "host.cpu_model", METRIC_FACT },
        { "host.cpus", METRIC_FACT },
        { "host.numa_nodes", METRIC_FACT },
        { "host.virtualization", METRIC_TREE },
        { "host.memory_bytes", METRIC_FACT },
        { "host.swap_bytes", METRIC_FACT },
        { "host.cgroup", METRIC_TREE },
        { "host.cpufreq.unavailable", METRIC_FACT },
        { "host.cpufreq.driver", METRIC_FACT },
        { "host.cpufreq.policies.*.governor", METRIC_FACT },
        { "host.cpufreq.policies.*.available_governors", METRIC_TREE },
        { "host.cpufreq.policies.*.epp", METRIC_FACT },
        { "host.unavailable", METRIC_TREE },
};

const Collector collector_host = {
        .name = "host",
        .report = host_report,
        .metrics = host_metrics,
        .n_metrics = ELEMENTSOF(host_metrics),
};

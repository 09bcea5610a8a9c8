/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"
#include "host-facts.h"
#include "host-virt.h"
#include "macro.h"

static json_t *line_or_unknown(const Sysroot *root, const char *rel) {
        _cleanup_free_ char *s = NULL;
        return json_string(sysroot_read_line(root, rel, &s) >= 0 && s ? s : "unknown");
}

static json_t *count(const Sysroot *root, const char *rel) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        unsigned n;
        if (sysroot_read_file(root, rel, &text, &len) < 0 || cpulist_count(text, len, &n) < 0)
                return json_string("unknown");
        char buf[16];
        snprintf(buf, sizeof(buf), "%u", n);
        return json_string(buf);
}

/* MemTotal to the nearest 256 MiB: it moves by a few MiB between boots and kernels. */
static json_t *memory(const Sysroot *root) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        uint64_t bytes;
        if (sysroot_read_file(root, "proc/meminfo", &text, &len) < 0 ||
            meminfo_bytes(text, len, "MemTotal", &bytes) < 0)
                return json_string("unknown");
        char buf[32];
        snprintf(buf, sizeof(buf), "%.2f GiB", round((double) bytes / (256.0 * 1024 * 1024)) / 4);
        return json_string(buf);
}

static json_t *kernel_major_minor(const Sysroot *root) {
        _cleanup_free_ char *rel = NULL;
        unsigned major, minor;
        if (sysroot_read_line(root, "proc/sys/kernel/osrelease", &rel) < 0 || sscanf(rel, "%u.%u", &major, &minor) != 2)
                return json_string("unknown");
        char buf[32];
        snprintf(buf, sizeof(buf), "%u.%u", major, minor);
        return json_string(buf);
}

/* The [bracketed] choice of a sysfs selector ("always [madvise] never" -> "madvise"). */
static json_t *selected(const Sysroot *root, const char *rel) {
        _cleanup_free_ char *s = NULL;
        if (sysroot_read_line(root, rel, &s) < 0 || !s)
                return json_string("unknown");
        char *open = strchr(s, '['), *close = open ? strchr(open, ']') : NULL;
        if (open && close) {
                *close = '\0';
                return json_string(open + 1);
        }
        return json_string(s);
}

/* mitigations= of the kernel command line ("auto" when not given). */
static json_t *mitigations(const Sysroot *root) {
        _cleanup_free_ char *cmdline = NULL;
        if (sysroot_read_line(root, "proc/cmdline", &cmdline) < 0 || !cmdline)
                return json_string("unknown");
        for (char *save = NULL, *w = strtok_r(cmdline, " ", &save); w; w = strtok_r(NULL, " ", &save))
                if (strncmp(w, "mitigations=", 12) == 0)
                        return json_string(w + 12);
        return json_string("auto");
}

static json_t *cpu_facts(const Sysroot *root, int *ret_flag) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        char model[256];
        *ret_flag = -ENOENT;
        if (sysroot_read_file(root, "proc/cpuinfo", &text, &len) < 0)
                return json_string("unknown");
        *ret_flag = cpuinfo_has_flag(text, len, "hypervisor");
        return json_string(cpuinfo_model(text, len, model, sizeof(model)) >= 0 ? model : "unknown");
}

json_t *fingerprint_read(const Sysroot *root) {
        int flag;
        json_t *model = cpu_facts(root, &flag);
        json_t *hard = json_pack("{s:o, s:o, s:o, s:o, s:o, s:s, s:s}", "cpu_model", model, "logical_cpus",
                                 count(root, "sys/devices/system/cpu/online"), "numa_nodes",
                                 count(root, "sys/devices/system/node/online"), "memory", memory(root), "kernel",
                                 kernel_major_minor(root), "virtualization", host_virt_read(root, flag),
                                 "skytune_version", SKYTUNE_VERSION);
        json_t *soft =
                json_pack("{s:o, s:o, s:o, s:o, s:o}", "governor",
                          line_or_unknown(root, "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"), "thp",
                          selected(root, "sys/kernel/mm/transparent_hugepage/enabled"), "mitigations",
                          mitigations(root), "kernel_release", line_or_unknown(root, "proc/sys/kernel/osrelease"),
                          "hostname", line_or_unknown(root, "proc/sys/kernel/hostname"));
        return json_pack("{s:o, s:o}", "hard", hard, "soft", soft);
}

json_t *fingerprint_diff(const json_t *a, const json_t *b, const char *level) {
        const json_t *la = json_object_get(a, level), *lb = json_object_get(b, level);
        json_t *diff = json_array();
        const char *key;
        const json_t *va;
        json_object_foreach((json_t *) la, key, va) {
                const json_t *vb = json_object_get(lb, key);
                if (!vb || !json_equal(va, vb))
                        json_array_append_new(
                                diff, json_pack("{s:s, s:O, s:O}", "field", key, "a", va, "b", vb ? vb : json_null()));
        }
        json_object_foreach((json_t *) lb, key, va)
                if (!json_object_get(la, key))
                        json_array_append_new(diff,
                                              json_pack("{s:s, s:o, s:O}", "field", key, "a", json_null(), "b", va));
        return diff;
}

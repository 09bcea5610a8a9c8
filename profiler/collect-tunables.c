/* SPDX-License-Identifier: MIT */
/* Current values of every tunable a shipped policy can touch, read once at report time through the
 * same tunable backends the helper writes with: every sysctl of the allowlist (patterns with '*' are
 * per-object and left to the rules that name the object), each block device's queue attributes and
 * each cpufreq policy's governor and EPP. What this host lacks is listed in tunables.unavailable. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "dirlist.h"
#include "macro.h"
#include "source-error.h"

/* One tunable: its value, or why it cannot be read. */
static int one(Report *rep, const Sysroot *root, TunableKind kind, const char *key) {
        _cleanup_free_ char *value = NULL, *path = NULL;
        int r = tunable_read(root, kind, key, &value);
        if (r >= 0)
                return report_tunable(rep, kind, key, value);
        if (r == -ENOMEM)
                return r;
        const TunableBackend *b = tunable_backend(kind);
        if (!b->live_path || b->live_path(key, &path) < 0)
                return report_tunable_unavailable(rep, kind, key, "cannot read %s %s: %s", b->name, key, strerror(-r));
        if (r == -ENOENT)
                return report_tunable_unavailable(rep, kind, key, "/%s does not exist: this kernel or device does not offer it",
                                                  path);
        return report_tunable_unavailable(rep, kind, key, "cannot read /%s: %s%s", path, strerror(-r), source_error_hint(r));
}

static int sysctls(Report *rep, const Sysroot *root) {
        const char *name;
        for (size_t i = 0; (name = tunable_sysctl_allowlist_entry(i)); i++) {
                if (strchr(name, '*'))
                        continue;
                int r = one(rep, root, TUNABLE_SYSCTL, name);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool is_block_device(const char *name) {
        return tunable_component_ok(name, 32);
}

static int block_devices(Report *rep, const Sysroot *root) {
        NameList devs = {};
        int r = dir_list(root, "sys/block", is_block_device, &devs);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return report_tunable_unavailable(rep, TUNABLE_IO_SCHEDULER, NULL, "cannot list /sys/block: %s%s", strerror(-r),
                                                  source_error_hint(r));
        static const TunableKind kinds[] = { TUNABLE_IO_SCHEDULER, TUNABLE_READ_AHEAD_KB, TUNABLE_NR_REQUESTS };
        for (size_t i = 0; r >= 0 && i < devs.n; i++)
                for (size_t k = 0; r >= 0 && k < ELEMENTSOF(kinds); k++)
                        r = one(rep, root, kinds[k], devs.v[i]);
        name_list_free(&devs);
        return r;
}

static int cpufreq(Report *rep, const Sysroot *root) {
        NameList pol = {};
        int r = cpufreq_policies(root, &pol);
        if (r < 0)
                return r;
        if (pol.n == 0)
                return report_tunable_unavailable(rep, TUNABLE_CPU_GOVERNOR, NULL,
                                                  "no cpufreq: /" CPUFREQ_DIR " has no policies (typical in a VM, "
                                                  "where the hypervisor controls the CPU frequency)");
        r = 0;
        for (size_t i = 0; r >= 0 && i < pol.n; i++) {
                r = one(rep, root, TUNABLE_CPU_GOVERNOR, pol.v[i]);
                r = r ?: one(rep, root, TUNABLE_CPU_EPP, pol.v[i]);
        }
        name_list_free(&pol);
        return r;
}

static int tunables_report(void *state, const Sysroot *root, Report *rep) {
        int r = sysctls(rep, root);
        r = r ?: block_devices(rep, root);
        r = r ?: cpufreq(rep, root);
        return r;
}

const Collector collector_tunables = {
        .name = "tunables",
        .report = tunables_report,
};

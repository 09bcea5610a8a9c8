/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jpath.h"
#include "plan-context.h"

void plan_kernel_limits(const Sysroot *root, long long *ret_nr_open, long long *ret_nproc_max) {
        _cleanup_free_ char *nr_open = NULL, *threads_max = NULL, *pid_max = NULL;
        *ret_nr_open = *ret_nproc_max = -1;
        if (tunable_read(root, TUNABLE_SYSCTL, "fs.nr_open", &nr_open) >= 0)
                *ret_nr_open = strtoll(nr_open, NULL, 10);
        if (tunable_read(root, TUNABLE_SYSCTL, "kernel.threads-max", &threads_max) >= 0)
                *ret_nproc_max = strtoll(threads_max, NULL, 10);
        if (tunable_read(root, TUNABLE_SYSCTL, "kernel.pid_max", &pid_max) >= 0) {
                long long v = strtoll(pid_max, NULL, 10);
                *ret_nproc_max = *ret_nproc_max > 0 && *ret_nproc_max < v ? *ret_nproc_max : v;
        }
}

/* A process of files.top_processes at 80% or more of its open-files limit, by a name that can be a
 * target; NULL otherwise. */
static const char *near_limit(const json_t *t) {
        double pct;
        const char *name = json_string_value(json_object_get(t, "comm"));
        if (!name || !jpath_number(json_object_get(t, "pct"), &pct) || pct < 80 || !tunable_component_ok(name, 128) ||
            strchr(name, ':'))
                return NULL;
        return name;
}

int plan_scan_targets(const PlanOptions *o, Target **ret, size_t *ret_n) {
        json_t *top = json_object_get(json_object_get(json_object_get(o->profile, "resources"), "files"), "top_processes");
        char **names = calloc(o->policy->n_targets + o->n_targets + json_array_size(top) + 1, sizeof(char *));
        size_t nn = 0;
        if (!names)
                return -ENOMEM;
        for (size_t pass = 0; pass < 3; pass++) {
                size_t ns = pass == 0 ? o->policy->n_targets : pass == 1 ? o->n_targets : json_array_size(top);
                for (size_t i = 0; i < ns; i++) {
                        const char *name = pass == 0 ? o->policy->targets[i]
                                         : pass == 1 ? o->targets[i]
                                                     : near_limit(json_array_get(top, i));
                        if (!name)
                                continue;
                        bool dup = false;
                        for (size_t j = 0; j < nn; j++)
                                dup = dup || strcmp(names[j], name) == 0;
                        if (!dup)
                                names[nn++] = (char *) name;
                }
        }
        int q = targets_scan(o->root, names, nn, ret, ret_n);
        free(names);
        return q;
}

/* The persistent huge page pool (HugePages_Total x Hugepagesize of /proc/meminfo), -1 unknown. */
static long long hugepages_bytes(const Sysroot *root) {
        _cleanup_free_ char *text = NULL;
        if (sysroot_read_file(root, "proc/meminfo", &text, NULL) < 0)
                return -1;
        const char *total = strstr(text, "HugePages_Total:"), *size = strstr(text, "Hugepagesize:");
        if (!total || !size)
                return -1;
        return strtoll(total + 16, NULL, 10) * strtoll(size + 13, NULL, 10) * 1024;
}

json_t *plan_context_json(const Sysroot *root, const Target *t, size_t n, long long nr_open, long long nproc_max) {
        json_t *tj = targets_to_json(t, n);
        json_t *lim = json_object();
        if (nr_open > 0)
                json_object_set_new(lim, "nr_open", json_integer(nr_open));
        if (nproc_max > 0)
                json_object_set_new(lim, "nproc_max", json_integer(nproc_max));
        long long huge = hugepages_bytes(root);
        if (huge >= 0)
                json_object_set_new(lim, "hugepages_bytes", json_integer(huge));
        return json_pack("{s:o, s:o}", "targets", tj, "limits", lim);
}

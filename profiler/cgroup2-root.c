/* SPDX-License-Identifier: MIT */
#include "cgroup2-root.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "mountinfo.h"
#include "source-error.h"
#include "textscan.h"

static bool has_word(const char *list, const char *word) {
        Scan s = scan_str(list), w;
        while (scan_word(&s, &w))
                if (scan_eq(w, word))
                        return true;
        return false;
}

int cgroup2_root_find(const Sysroot *root, const Cgroup2Need *need, char **ret_root, char *why, size_t why_size) {
        CgroupLayout l;
        int r = cgroup_layout_read(root, &l);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                snprintf(why, why_size, "cannot read /proc/self/mountinfo: %s%s", strerror(-r), source_error_hint(r));
                return 0;
        }
        if (!l.cgroup2[0]) {
                snprintf(why, why_size, "no cgroup2 file system is mounted (/proc/self/mountinfo, cgroup mode %s): %s; "
                         "boot with systemd.unified_cgroup_hierarchy=1", cgroup_mode_to_string(l.mode), need->source);
                return 0;
        }
        const char *mp = l.cgroup2 + strspn(l.cgroup2, "/");
        _cleanup_free_ char *rel_root = strdup(*mp ? mp : "."), *ctl = NULL;
        if (!rel_root)
                return -ENOMEM;
        char rel[PATH_MAX];
        snprintf(rel, sizeof(rel), "%s/cgroup.controllers", rel_root);
        r = sysroot_read_line(root, rel, &ctl);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                snprintf(why, why_size, "cannot read %s/cgroup.controllers: %s%s", l.cgroup2, strerror(-r),
                         source_error_hint(r));
                return 0;
        }
        if (!has_word(ctl, need->controller)) {
                bool v1 = strcmp(need->controller, "cpu") == 0 && l.v1_cpu;
                snprintf(why, why_size, "the %s controller is not on cgroup2 (%s/cgroup.controllers: \"%s\")%s: %s cannot be "
                         "read; boot with systemd.unified_cgroup_hierarchy=1", need->controller, l.cgroup2, ctl,
                         v1 ? ", it is bound to a cgroup v1 hierarchy" : "", need->lost);
                return 0;
        }
        *ret_root = TAKE_PTR(rel_root);
        return 1;
}

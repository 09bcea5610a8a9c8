/* SPDX-License-Identifier: MIT */
#include "cgroup-root.h"

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

/* True when the comma-separated list holds word. */
static bool in_list(Scan list, const char *word) {
        size_t n = strlen(word);
        for (const char *p = list.p; p + n <= list.end; p++)
                if ((p == list.p || p[-1] == ',') && memcmp(p, word, n) == 0 && (p + n == list.end || p[n] == ','))
                        return true;
        return false;
}

int cgroup_v1_root_find(const Sysroot *root, const char *controller, char **ret_root) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        if (sysroot_read_file(root, "proc/self/mountinfo", &text, &len) < 0)
                return 0;
        Scan s = scan_init(text, len);
        MountEntry m;
        for (int r; (r = mountinfo_next(&s, &m)) != -ENOENT;) {
                char mp[PATH_MAX];
                if (r < 0 || !scan_eq(m.fstype, "cgroup") || !in_list(m.super_options, controller) ||
                    mountinfo_unescape(m.mount_point, mp, sizeof(mp)) < 0)
                        continue;
                const char *rel = mp + strspn(mp, "/");
                *ret_root = strdup(*rel ? rel : ".");
                return *ret_root ? 1 : -ENOMEM;
        }
        return 0;
}

/* SPDX-License-Identifier: MIT */
#include "mountinfo.h"

#include <errno.h>
#include <string.h>

#include "macro.h"
#include "sysroot.h"

/* 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 * (1)(2)(3)   (4)   (5)      (6)      (7...)   - (9) (10)      (11) */
int mountinfo_next(Scan *s, MountEntry *ret) {
        Scan line, w;
        for (;;) {
                if (!scan_line(s, &line))
                        return -ENOENT;
                if (scan_len(scan_trim(line)) > 0)
                        break;
        }
        /* mount ID, parent ID, major:minor, root */
        if (!scan_skip_words(&line, 4))
                return -EBADMSG;
        Scan mp;
        if (!scan_word(&line, &mp))
                return -EBADMSG;
        /* mount options, then optional fields up to the "-" separator */
        if (!scan_word(&line, &w))
                return -EBADMSG;
        for (;;) {
                if (!scan_word(&line, &w))
                        return -EBADMSG;
                if (scan_eq(w, "-"))
                        break;
        }
        Scan fstype, source, opts;
        if (!scan_word(&line, &fstype) || !scan_word(&line, &source) || !scan_word(&line, &opts))
                return -EBADMSG;
        *ret = (MountEntry) { .mount_point = mp, .fstype = fstype, .super_options = opts };
        return 0;
}

int mountinfo_unescape(Scan w, char *buf, size_t size) {
        size_t o = 0;
        for (const char *p = w.p; p < w.end; p++) {
                char c = *p;
                if (c == '\\' && w.end - p >= 4 && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
                    p[3] >= '0' && p[3] <= '7') {
                        c = (char) ((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
                        p += 3;
                }
                if (o + 1 >= size)
                        return -ENAMETOOLONG;
                buf[o++] = c;
        }
        if (size == 0)
                return -ENAMETOOLONG;
        buf[o] = '\0';
        return 0;
}

/* True when the comma-separated option list holds opt. */
static bool has_option(Scan opts, const char *opt) {
        const char *p = opts.p;
        while (p < opts.end) {
                const char *comma = memchr(p, ',', (size_t) (opts.end - p));
                const char *e = comma ? comma : opts.end;
                if (scan_eq((Scan) { .p = p, .end = e }, opt))
                        return true;
                p = e + 1;
        }
        return false;
}

int mountinfo_cgroup_layout(const char *text, size_t len, CgroupLayout *ret) {
        Scan s = scan_init(text, len);
        MountEntry e;
        bool v2 = false, v1 = false, any = false;
        int r;
        *ret = (CgroupLayout) {};
        while ((r = mountinfo_next(&s, &e)) != -ENOENT) {
                if (r < 0) {
                        ret->malformed++;
                        continue;
                }
                any = true;
                if (scan_eq(e.fstype, "cgroup2")) {
                        if (!v2 && mountinfo_unescape(e.mount_point, ret->cgroup2, sizeof(ret->cgroup2)) < 0) {
                                ret->malformed++;
                                continue;
                        }
                        v2 = true;
                } else if (scan_eq(e.fstype, "cgroup")) {
                        v1 = true;
                        if (has_option(e.super_options, "cpu"))
                                ret->v1_cpu = true;
                }
        }
        if (!any)
                return -EBADMSG;
        ret->mode = v2 && v1 ? CGROUP_HYBRID : v2 ? CGROUP_UNIFIED : v1 ? CGROUP_LEGACY : CGROUP_NONE;
        return 0;
}

const char *cgroup_mode_to_string(CgroupMode m) {
        static const char *const names[] = {
                [CGROUP_NONE] = "none",
                [CGROUP_UNIFIED] = "unified",
                [CGROUP_HYBRID] = "hybrid",
                [CGROUP_LEGACY] = "legacy",
        };
        return (unsigned) m < ELEMENTSOF(names) ? names[m] : "unknown";
}

int cgroup_layout_read(const Sysroot *root, CgroupLayout *ret) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = sysroot_read_file(root, "proc/self/mountinfo", &text, &len);
        if (r < 0)
                return r;
        return mountinfo_cgroup_layout(text, len, ret);
}

/* SPDX-License-Identifier: MIT */
#include "host-facts.h"

#include <errno.h>
#include <string.h>

#include "macro.h"
#include "textscan.h"

int cpulist_count(const char *text, size_t len, unsigned *ret) {
        Scan s = scan_trim(scan_init(text, len));
        unsigned n = 0;
        const char *p = s.p;
        while (p < s.end) {
                const char *comma = memchr(p, ',', (size_t) (s.end - p));
                const char *e = comma ? comma : s.end;
                const char *dash = memchr(p, '-', (size_t) (e - p));
                Scan a = { .p = p, .end = dash ? dash : e };
                uint64_t lo, hi;
                if (scan_u64(&a, &lo) < 0 || !scan_eof(&a))
                        return -EBADMSG;
                hi = lo;
                if (dash) {
                        Scan b = { .p = dash + 1, .end = e };
                        if (scan_u64(&b, &hi) < 0 || !scan_eof(&b) || hi < lo)
                                return -EBADMSG;
                }
                if (hi - lo >= UINT32_MAX - n)
                        return -ERANGE;
                n += (unsigned) (hi - lo + 1);
                if (!comma)
                        break;
                p = comma + 1;
                if (p >= s.end)
                        return -EBADMSG;        /* trailing comma */
        }
        *ret = n;
        return 0;
}

/* The value of a "key<blanks>: value" line whose key is exactly `key`. */
static bool colon_value(Scan s, const char *key, Scan *ret) {
        Scan line;
        size_t n = strlen(key);
        while (scan_line(&s, &line)) {
                const char *colon = memchr(line.p, ':', scan_len(line));
                if (!colon)
                        continue;
                Scan k = scan_trim((Scan) { .p = line.p, .end = colon });
                if (scan_len(k) != n || memcmp(k.p, key, n) != 0)
                        continue;
                *ret = scan_trim((Scan) { .p = colon + 1, .end = line.end });
                return true;
        }
        return false;
}

int cpuinfo_model(const char *text, size_t len, char *buf, size_t size) {
        static const char *const keys[] = { "model name", "Processor", "cpu model", "cpu", "uarch", "CPU part" };
        Scan s = scan_init(text, len), v;
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (colon_value(s, keys[i], &v) && scan_len(v) > 0)
                        return scan_copy(v, buf, size);
        return -ENOENT;
}

int cpuinfo_has_flag(const char *text, size_t len, const char *flag) {
        Scan v, w;
        if (!colon_value(scan_init(text, len), "flags", &v))
                return -ENOENT;
        while (scan_word(&v, &w))
                if (scan_eq(w, flag))
                        return 1;
        return 0;
}

int os_release_pretty_name(const char *text, size_t len, char *buf, size_t size) {
        Scan s = scan_init(text, len), line;
        while (scan_line(&s, &line)) {
                line = scan_trim(line);
                if (!scan_starts_with(line, "PRETTY_NAME="))
                        continue;
                const char *p = line.p + STRLEN("PRETTY_NAME="), *e = line.end;
                char quote = p < e && (*p == '"' || *p == '\'') ? *p : 0;
                if (quote) {
                        p++;
                        if (e > p && e[-1] == quote)
                                e--;
                }
                size_t o = 0;
                for (; p < e; p++) {
                        if (*p == '\\' && quote != '\'' && p + 1 < e)
                                p++;
                        if (o + 1 >= size)
                                return -ENAMETOOLONG;
                        buf[o++] = *p;
                }
                if (size == 0)
                        return -ENAMETOOLONG;
                buf[o] = '\0';
                return 0;
        }
        return -ENOENT;
}

int meminfo_bytes(const char *text, size_t len, const char *key, uint64_t *ret) {
        Scan v;
        if (!colon_value(scan_init(text, len), key, &v))
                return -ENOENT;
        uint64_t kb;
        if (scan_u64(&v, &kb) < 0)
                return -EBADMSG;
        Scan unit;
        bool kib = scan_word(&v, &unit);
        if (kib && !scan_eq(unit, "kB"))
                return -EBADMSG;
        if (kib && kb > UINT64_MAX / 1024)
                return -ERANGE;
        *ret = kib ? kb * 1024 : kb;
        return 0;
}

static bool contains(const char *s, const char *what) {
        return s && strcasestr(s, what);
}

const char *virt_detect(const VirtEvidence *e) {
        static const struct {
                const char *needle;
                const char *name;
        } dmi[] = {
                { "KVM", "kvm" },              /* "KVM" product, or vendor on some clouds */
                { "Amazon EC2", "kvm" },       /* Nitro instances are KVM based */
                { "Google", "kvm" },           /* GCE */
                { "QEMU", "qemu" },
                { "Xen", "xen" },
                { "VMware", "vmware" },
                { "Microsoft Corporation", "microsoft" },
                { "innotek", "oracle" },
                { "VirtualBox", "oracle" },
        };
        if (e->container)
                return "container";
        if (contains(e->hypervisor_type, "xen"))
                return "xen";
        for (size_t i = 0; i < ELEMENTSOF(dmi); i++)
                if (contains(e->product_name, dmi[i].needle) || contains(e->sys_vendor, dmi[i].needle)) {
                        /* Microsoft also makes physical machines: only its "Virtual Machine" is Hyper-V. */
                        if (strcmp(dmi[i].name, "microsoft") == 0 && !contains(e->product_name, "Virtual Machine"))
                                continue;
                        return dmi[i].name;
                }
        if (e->cpu_hypervisor_flag == 1) {
                if (contains(e->clocksources, "kvm-clock"))
                        return "kvm";
                if (contains(e->clocksources, "hyperv_clocksource"))
                        return "microsoft";
                if (contains(e->clocksources, "xen"))
                        return "xen";
                return "unknown";
        }
        /* x86 without the hypervisor CPUID bit and no vendor string above: bare metal. Elsewhere there
         * is no such bit, so say so only when DMI names a machine. */
        if (e->cpu_hypervisor_flag == 0)
                return "none";
        return e->sys_vendor ? "none" : "unknown";
}

/* SPDX-License-Identifier: MIT */
#include "cgroup-memory-stat.h"

#include <errno.h>

#include "macro.h"
#include "textscan.h"

typedef struct KeyField {
        const char *key;
        size_t offset;
        bool required;
} KeyField;

/* One pass over a "key value" table: each known key's value into the struct at base. A key that
 * appears twice keeps its last value; unknown keys are skipped, so new kernel fields do no harm. */
static int parse_table(const char *text, size_t len, const KeyField *f, size_t n, void *base) {
        Scan s = scan_init(text, len), line, key;
        uint64_t seen = 0;
        while (scan_line(&s, &line)) {
                if (!scan_word(&line, &key))
                        continue;
                for (size_t i = 0; i < n; i++) {
                        if (!scan_eq(key, f[i].key))
                                continue;
                        if (scan_u64(&line, (uint64_t *) ((char *) base + f[i].offset)) < 0)
                                return -EBADMSG;
                        seen |= UINT64_C(1) << i;
                        break;
                }
        }
        for (size_t i = 0; i < n; i++)
                if (f[i].required && !(seen & (UINT64_C(1) << i)))
                        return -EBADMSG;
        return 0;
}

#define STAT(k, field, req) { k, offsetof(CgroupMemStat, field), req }
static const KeyField stat_keys[] = {
        STAT("pgscan", pgscan, true),
        STAT("pgsteal", pgsteal, true),
        STAT("pgscan_kswapd", pgscan_kswapd, false),
        STAT("pgscan_direct", pgscan_direct, false),
        STAT("pgsteal_kswapd", pgsteal_kswapd, false),
        STAT("pgsteal_direct", pgsteal_direct, false),
        STAT("workingset_refault_anon", refault_anon, false),
        STAT("workingset_refault_file", refault_file, false),
        STAT("workingset_refault", refault_file, false),
};

int cgroup_mem_stat_parse(const char *text, size_t len, CgroupMemStat *ret) {
        *ret = (CgroupMemStat) {};
        return parse_table(text, len, stat_keys, ELEMENTSOF(stat_keys), ret);
}

/* v1 keeps two sets: the bare keys count this cgroup's own pages, the total_ ones include its
 * descendants. memory.usage_in_bytes is hierarchical, so the reclaim figures must be too: a parent
 * whose work runs in child cgroups would otherwise read 0 beside its full usage. */
static const KeyField stat_v1_keys[] = {
        STAT("total_pgpgout", pgpgout, true),
        STAT("total_workingset_refault_anon", refault_anon, false),
        STAT("total_workingset_refault_file", refault_file, false),
        STAT("total_workingset_refault", refault_file, false),
};

int cgroup_mem_stat_v1_parse(const char *text, size_t len, CgroupMemStat *ret) {
        *ret = (CgroupMemStat) {};
        return parse_table(text, len, stat_v1_keys, ELEMENTSOF(stat_v1_keys), ret);
}

#define EVENT(k, field, req) { k, offsetof(CgroupMemEvents, field), req }
static const KeyField event_keys[] = {
        EVENT("low", low, false), EVENT("high", high, true), EVENT("max", max, true),
        EVENT("oom", oom, true),  EVENT("oom_kill", oom_kill, false),
};

int cgroup_mem_events_parse(const char *text, size_t len, CgroupMemEvents *ret) {
        *ret = (CgroupMemEvents) {};
        return parse_table(text, len, event_keys, ELEMENTSOF(event_keys), ret);
}

static const KeyField oom_control_keys[] = {
        { "under_oom", offsetof(CgroupMemEvents, oom), true },  /* a state, read and dropped below */
        EVENT("oom_kill", oom_kill, false),
};

int cgroup_mem_oom_control_parse(const char *text, size_t len, CgroupMemEvents *ret) {
        *ret = (CgroupMemEvents) {};
        int r = parse_table(text, len, oom_control_keys, ELEMENTSOF(oom_control_keys), ret);
        ret->oom = 0;
        return r;
}

int cgroup_mem_value_parse(const char *text, size_t len, uint64_t *ret) {
        Scan s = scan_trim(scan_init(text, len)), w = s;
        if (scan_eq(s, "max")) {
                *ret = CGROUP_MEM_UNLIMITED;
                return 0;
        }
        uint64_t v;
        if (scan_u64(&w, &v) < 0 || !scan_eof(&w))
                return -EBADMSG;
        /* cgroup v1 writes "no limit" as its largest page count in bytes (9223372036854771712). */
        *ret = v >= UINT64_C(1) << 62 ? CGROUP_MEM_UNLIMITED : v;
        return 0;
}

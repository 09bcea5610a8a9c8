/* SPDX-License-Identifier: MIT */
/* sysctl: the allowlist of names skytune may touch, each with its value grammar and range. */
#include <ctype.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "tunable-internal.h"

typedef enum SysctlGrammar {
        SG_INT,          /* one integer in [min, max] */
        SG_INTS,         /* `count` integers, each in [min, max] */
        SG_ORDERED,      /* `count` integers in [min, max] that do not decrease: tcp_rmem's min <= default
                          * <= max (the kernel takes any order and then misbehaves), the port range's lo <= hi */
        SG_WORD,         /* one lower-case identifier ([a-z0-9_]) */
} SysctlGrammar;

typedef struct SysctlRule {
        const char *pattern;     /* canonical dotted name; '*' matches one component */
        SysctlGrammar grammar;
        long long min, max;
        unsigned count;
} SysctlRule;

#define I(name, lo, hi) { name, SG_INT, lo, hi, 1 }
static const SysctlRule sysctl_rules[] = {
        I("vm.swappiness", 0, 200),
        I("vm.dirty_ratio", 0, 100),
        I("vm.dirty_background_ratio", 0, 100),
        I("vm.dirty_bytes", 0, INT64_MAX),
        I("vm.dirty_background_bytes", 0, INT64_MAX),
        I("vm.dirty_expire_centisecs", 0, 360000),
        I("vm.dirty_writeback_centisecs", 0, 360000),
        I("vm.vfs_cache_pressure", 1, 1000),
        I("vm.min_free_kbytes", 1024, 16777216),
        I("vm.max_map_count", 65530, 2147483647),
        I("vm.overcommit_memory", 0, 2),
        I("vm.zone_reclaim_mode", 0, 7),
        I("vm.stat_interval", 1, 3600),
        I("net.core.somaxconn", 128, 65535),
        I("net.core.netdev_max_backlog", 1000, 1048576),
        I("net.core.netdev_budget", 300, 100000),
        I("net.core.netdev_budget_usecs", 2000, 1000000),
        I("net.core.rmem_max", 212992, 2147483647),
        I("net.core.wmem_max", 212992, 2147483647),
        I("net.core.rmem_default", 212992, 2147483647),
        I("net.core.wmem_default", 212992, 2147483647),
        I("net.core.optmem_max", 20480, 16777216),
        I("net.core.busy_read", 0, 1000),
        I("net.core.busy_poll", 0, 1000),
        { "net.core.default_qdisc", SG_WORD, 0, 0, 1 },
        I("net.ipv4.tcp_max_syn_backlog", 128, 1048576),
        I("net.ipv4.tcp_syncookies", 0, 2),
        I("net.ipv4.tcp_tw_reuse", 0, 2),
        I("net.ipv4.tcp_fin_timeout", 1, 600),
        I("net.ipv4.tcp_max_tw_buckets", 1024, 16777216),
        I("net.ipv4.tcp_fastopen", 0, 0x7ff),
        I("net.ipv4.tcp_slow_start_after_idle", 0, 1),
        I("net.ipv4.tcp_notsent_lowat", 16384, 4294967295LL),
        I("net.ipv4.tcp_keepalive_time", 1, 32767),
        I("net.ipv4.tcp_keepalive_intvl", 1, 32767),
        I("net.ipv4.tcp_keepalive_probes", 1, 127),
        I("net.ipv4.tcp_mtu_probing", 0, 2),
        I("net.ipv4.tcp_timestamps", 0, 2),
        I("net.ipv4.tcp_sack", 0, 1),
        I("net.ipv4.tcp_window_scaling", 0, 1),
        I("net.ipv4.tcp_no_metrics_save", 0, 1),
        I("net.ipv4.tcp_autocorking", 0, 1),
        { "net.ipv4.tcp_congestion_control", SG_WORD, 0, 0, 1 },
        { "net.ipv4.tcp_rmem", SG_ORDERED, 4096, 2147483647, 3 },
        { "net.ipv4.tcp_wmem", SG_ORDERED, 4096, 2147483647, 3 },
        { "net.ipv4.tcp_mem", SG_ORDERED, 1, INT64_MAX, 3 },
        { "net.ipv4.udp_mem", SG_ORDERED, 1, INT64_MAX, 3 },
        { "net.ipv4.ip_local_port_range", SG_ORDERED, 1024, 65535, 2 },
        I("net.ipv4.conf.*.rp_filter", 0, 2),
        I("fs.file-max", 8192, INT64_MAX),
        I("fs.nr_open", 1024, 2147483584),
        I("fs.aio-max-nr", 65536, 16777216),
        I("fs.inotify.max_user_watches", 8192, 16777216),
        I("fs.inotify.max_user_instances", 128, 65536),
        I("kernel.sched_autogroup_enabled", 0, 1),
        I("kernel.numa_balancing", 0, 1),
        I("kernel.pid_max", 32768, 4194304),
        I("kernel.threads-max", 20, 4194304),
        I("kernel.nmi_watchdog", 0, 1),
        I("kernel.timer_migration", 0, 1),
};
#undef I

const char *tunable_sysctl_allowlist_entry(size_t i) {
        return i < ELEMENTSOF(sysctl_rules) ? sysctl_rules[i].pattern : NULL;
}

char *tunable_sysctl_allowlist_values(size_t i) {
        if (i >= ELEMENTSOF(sysctl_rules))
                return NULL;
        const SysctlRule *r = &sysctl_rules[i];
        char *s = NULL;
        int k = -1;
        switch (r->grammar) {
        case SG_INT:
                k = asprintf(&s, "an integer from %lld to %lld", r->min, r->max);
                break;
        case SG_INTS:
                k = asprintf(&s, "%u integers, each from %lld to %lld", r->count, r->min, r->max);
                break;
        case SG_ORDERED:
                k = asprintf(&s, "%u integers in order (none below the one before it), each from %lld to %lld",
                             r->count, r->min, r->max);
                break;
        case SG_WORD:
                k = asprintf(&s, "a word of a-z, 0-9 and _ that the kernel offers");
                break;
        }
        return k < 0 ? NULL : s;
}

static const SysctlRule *sysctl_rule_find(const char *canonical) {
        for (size_t i = 0; i < ELEMENTSOF(sysctl_rules); i++)
                if (strcmp(sysctl_rules[i].pattern, canonical) == 0)
                        return &sysctl_rules[i];
        for (size_t i = 0; i < ELEMENTSOF(sysctl_rules); i++) {
                const char *p = sysctl_rules[i].pattern, *k = canonical;
                if (!strchr(p, '*'))
                        continue;
                /* Component-wise match: '*' matches exactly one non-empty component. */
                for (;;) {
                        const char *pe = strchrnul(p, '.'), *ke = strchrnul(k, '.');
                        bool star = pe - p == 1 && *p == '*';
                        if (!(star ? ke > k : (pe - p == ke - k && memcmp(p, k, (size_t) (pe - p)) == 0)))
                                break;
                        if (!*pe && !*ke)
                                return &sysctl_rules[i];
                        if (!*pe || !*ke)
                                break;
                        p = pe + 1;
                        k = ke + 1;
                }
        }
        return NULL;
}

static const char *const sysctl_coupled[][2] = {
        { "vm.dirty_bytes", "vm.dirty_ratio" },
        { "vm.dirty_background_bytes", "vm.dirty_background_ratio" },
};

const char *sysctl_coupled_partner(const char *key) {
        for (size_t i = 0; key && i < ELEMENTSOF(sysctl_coupled); i++)
                for (int j = 0; j < 2; j++)
                        if (strcmp(key, sysctl_coupled[i][j]) == 0)
                                return sysctl_coupled[i][1 - j];
        return NULL;
}

int sysctl_key_canonical(const char *key, char **ret) {
        while (*key == '/')
                key++;
        size_t n = strlen(key);
        if (n == 0 || n > TUNABLE_KEY_MAX)
                return -EINVAL;
        char *s = strdup(key);
        if (!s)
                return -ENOMEM;
        /* sysctl(8): a name whose first separator is '/' is in path form; swap '.' and '/'. */
        const char *sep = strpbrk(s, "./");
        if (sep && *sep == '/')
                for (char *p = s; *p; p++)
                        *p = *p == '/' ? '.' : *p == '.' ? '/' : *p;
        /* Every component: non-empty, a safe character set, and not "." or ".." in path form. */
        for (char *c = s;;) {
                char *e = strchrnul(c, '.');
                if (e == c)
                        goto bad;
                bool all_slash = true;
                for (char *p = c; p < e; p++) {
                        if (!isalnum((unsigned char) *p) && !strchr("_-/:@+", *p))
                                goto bad;
                        if (*p != '/')
                                all_slash = false;
                }
                if (all_slash)
                        goto bad;
                if (!*e)
                        break;
                c = e + 1;
        }
        *ret = s;
        return 0;
bad:
        free(s);
        return -EINVAL;
}

int sysctl_key_to_path(const char *canonical, char **ret) {
        size_t n = strlen(canonical);
        char *p = malloc(STRLEN("proc/sys/") + n + 1);
        if (!p)
                return -ENOMEM;
        memcpy(p, "proc/sys/", STRLEN("proc/sys/"));
        char *o = p + STRLEN("proc/sys/");
        for (const char *c = canonical; *c; c++)
                *o++ = *c == '.' ? '/' : *c == '/' ? '.' : *c;
        *o = '\0';
        *ret = p;
        return 0;
}

static int sysctl_canonical_key(const char *key, char **ret, Error *e) {
        _cleanup_free_ char *c = NULL;
        int r = sysctl_key_canonical(key, &c);
        if (r < 0)
                return r;
        if (!sysctl_rule_find(c))
                return -EPERM;
        *ret = TAKE_PTR(c);
        return 0;
}

static int sysctl_validate_value(const char *key, const char *value, Error *e) {
        const SysctlRule *rule = sysctl_rule_find(key);
        if (!rule)
                return -EPERM;
        _cleanup_free_ char *norm = NULL;
        int r = tunable_normalize_space(value, &norm);
        if (r < 0)
                return r;
        if (rule->grammar == SG_WORD) {
                if (!*norm || strlen(norm) > 32)
                        return -EINVAL;
                for (const char *p = norm; *p; p++)
                        if (!islower((unsigned char) *p) && !isdigit((unsigned char) *p) && *p != '_')
                                return -EINVAL;
                return 0;
        }
        unsigned n = 0;
        long long prev = LLONG_MIN;
        for (char *save = NULL, *w = strtok_r(norm, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                long long v;
                if (++n > rule->count)
                        return -EINVAL;
                r = tunable_parse_i64(w, &v);
                if (r < 0)
                        return r;
                if (v < rule->min || v > rule->max)
                        return -ERANGE;
                if (rule->grammar == SG_ORDERED && v < prev) {
                        return error_set(e, -ERANGE, "%s",
                                         rule->count == 2 ? "the two values must be ordered: low <= high"
                                                          : "the three values must be ordered: min <= default <= max");
                }
                prev = v;
        }
        return n == rule->count ? 0 : -EINVAL;
}

static int sysctl_live_path(const char *key, char **ret) {
        return sysctl_key_to_path(key, ret);
}

/* The congestion controls the kernel has loaded (it loads another one on demand). */
static int sysctl_offered(const char *key, char **ret) {
        *ret = NULL;
        if (strcmp(key, "net.ipv4.tcp_congestion_control") != 0)
                return 0;
        *ret = strdup("proc/sys/net/ipv4/tcp_available_congestion_control");
        return *ret ? 0 : -ENOMEM;
}

static int sysctl_describe(json_t *entry) {
        json_t *a = json_array();
        const char *name;
        for (size_t i = 0; a && (name = tunable_sysctl_allowlist_entry(i)); i++) {
                char *values = tunable_sysctl_allowlist_values(i);
                json_array_append_new(a, json_pack("{s:s, s:s?}", "name", name, "values", values));
                free(values);
        }
        return json_object_set_new(entry, "names", a) < 0 ? -ENOMEM : 0;
}

static int sysctl_normalize(const char *key, const char *value, char **ret) {
        return tunable_normalize_space(value, ret);
}

const TunableBackend tunable_sysctl_backend = {
        .kind = TUNABLE_SYSCTL,
        .name = "sysctl",
        .canonical_key = sysctl_canonical_key,
        .validate_value = sysctl_validate_value,
        .live_path = sysctl_live_path,
        .normalize = sysctl_normalize,
        .key_help = "a name of the sysctl allowlist, dotted as sysctl(8) prints it ('*' is one component, such as an "
                    "interface)",
        .value_help = "per name, below",
        .sample_element = "eth0",
        .describe = sysctl_describe,
        .numeric = true,
        .offered_path = sysctl_offered,
        .place = { TUNABLE_MECH_ATTR, OWNED_SYSCTL },
        .coupled_partner = sysctl_coupled_partner,
        .restore_raw = true,
};

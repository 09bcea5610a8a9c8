/* SPDX-License-Identifier: MIT */
/* The /proc and /sys text parsers of the profiler (profiler/proc-*.c, netstat.c, diskstats.c,
 * netdev.c, mountinfo.c, cgroup-cpu-stat.c, host-facts.c) and the scanner under them
 * (common/textscan.c). SKYTUNE_FUZZ_PARSER=NAME feeds the whole input to one parser (the test command
 * runs each with seeds of its own file); unset, the first byte picks the parser and the rest is the
 * text. */
#include <errno.h>

#include "cgroup-cpu-stat.h"
#include "cgroup-procs.h"
#include "diskstats.h"
#include "fuzz.h"
#include "host-facts.h"
#include "mountinfo.h"
#include "netdev.h"
#include "netstat.h"
#include "proc-loadavg.h"
#include "proc-mem.h"
#include "proc-pidstat.h"
#include "proc-pressure.h"
#include "proc-softnet.h"
#include "proc-stat.h"
#include "textscan.h"

/* A line iterator must move on: at most one call per byte, plus the end. */
#define EACH_LINE(next, type)                           \
        do {                                            \
                Scan s = scan_init(text, len);          \
                type line;                              \
                size_t calls = 0;                       \
                while ((next) (&s, &line) != 0)         \
                        fuzz_check(++calls <= len + 1); \
        } while (0)

static void one_loadavg(const char *text, size_t len) {
        LoadAvg a;
        (void) loadavg_parse(text, len, &a);
}

static void one_meminfo(const char *text, size_t len) {
        uint64_t v[_MEMINFO_MAX];
        (void) meminfo_parse(text, len, v);
}

static void one_vmstat(const char *text, size_t len) {
        uint64_t v[_VMSTAT_MAX];
        (void) vmstat_parse(text, len, v);
}

static void one_psi(const char *text, size_t len) {
        PsiTotals t;
        (void) psi_parse(text, len, &t);
}

static void one_softnet(const char *text, size_t len) {
        static Softnet s; /* a row per CPU: too big for the stack */
        (void) softnet_parse(text, len, &s);
}

static void one_softirqs(const char *text, size_t len) {
        static Softirqs s;
        (void) softirqs_parse(text, len, &s);
}

static void one_stat(const char *text, size_t len) {
        static ProcStat s;
        (void) proc_stat_parse(text, len, &s);
}

/* Whether a section or a wanted name appears more than once (a header and its value line count once). */
static bool ambiguous(const char *text, size_t len, const NetstatField *fields, size_t n) {
        unsigned sections[NETSTAT_FIELDS_MAX] = { 0 }, names[NETSTAT_FIELDS_MAX] = { 0 };
        Scan s = scan_init(text, len), line, word;
        while (scan_line(&s, &line))
                for (bool first = true; scan_word(&line, &word); first = false)
                        for (size_t i = 0; i < n; i++) {
                                size_t k = strlen(fields[i].section);
                                if (first && scan_len(word) == k + 1 && memcmp(word.p, fields[i].section, k) == 0)
                                        sections[i]++;
                                else if (!first && scan_eq(word, fields[i].name))
                                        names[i]++;
                        }
        for (size_t i = 0; i < n; i++)
                if (sections[i] > 2 || names[i] > 1)
                        return true;
        return false;
}

/* The cached column layout must give what a parse without it gives, when each section and each name
 * is there once (with one twice, which one counts is a matter of taste; no kernel writes that). */
static void one_netstat(const char *text, size_t len) {
        static const NetstatField fields[] = {
                { "TcpExt", "ListenOverflows" }, { "TcpExt", "TCPTimeouts" },
                { "Tcp", "RetransSegs" },        { "Tcp", "InSegs" },
                { "Udp", "InErrors" },           { "IpExt", "InOctets" },
        };
        enum { N = sizeof(fields) / sizeof(fields[0]) };
        NetstatLayout layout = { 0 };
        uint64_t plain[N] = { 0 }, cached[N] = { 0 }, found_plain = 0, found_cached = 0;
        int r = netstat_parse(text, len, fields, N, NULL, plain, &found_plain);
        (void) netstat_parse(text, len, fields, N, &layout, cached, &found_cached);
        int r2 = netstat_parse(text, len, fields, N, &layout, cached, &found_cached);
        if (ambiguous(text, len, fields, N))
                return;
        fuzz_check(r == r2 && (r < 0 || found_plain == found_cached));
        for (size_t i = 0; r >= 0 && i < N; i++)
                fuzz_check(!(found_plain & (UINT64_C(1) << i)) || plain[i] == cached[i]);
}

static void one_sockstat(const char *text, size_t len) {
        SockstatTcp t;
        (void) sockstat_parse_tcp(text, len, &t);
}

static void one_diskstats(const char *text, size_t len) {
        EACH_LINE(diskstats_next, DiskStatLine);
}

/* sys/block/NAME/stat: the counters alone. */
static void one_disk_stat(const char *text, size_t len) {
        Scan s = scan_init(text, len);
        uint64_t v[_DISK_MAX];
        (void) diskstats_counters(&s, v);
}

static void one_netdev(const char *text, size_t len) {
        EACH_LINE(netdev_next, NetDevLine);
}

static int mount_next(Scan *s, MountEntry *e) {
        int r = mountinfo_next(s, e);
        if (r == 0) {
                char buf[64];
                (void) mountinfo_unescape(e->mount_point, buf, sizeof(buf));
        }
        return r == -ENOENT ? 0 : 1;
}

static void one_mountinfo(const char *text, size_t len) {
        EACH_LINE(mount_next, MountEntry);
        CgroupLayout l;
        (void) mountinfo_cgroup_layout(text, len, &l);
}

static void one_cpu_stat(const char *text, size_t len) {
        CgroupCpuStat s;
        (void) cgroup_cpu_stat_parse(text, len, &s);
}

/* A cgroup's cgroup.procs: every PID kept is one of the text's, in 1..INT32_MAX. */
static void one_cgroup_procs(const char *text, size_t len) {
        PidList l = {};
        (void) cgroup_procs_parse(text, len, &l);
        fuzz_check(l.n <= len / 2 + 1);
        for (size_t i = 0; i < l.n; i++)
                fuzz_check(l.v[i] >= 1);
        pid_list_done(&l);
}

static void one_pidstat(const char *text, size_t len) {
        PidStat s;
        (void) pidstat_parse(text, len, &s);
}

/* /proc/cpuinfo, a CPU list (/sys/devices/system/cpu/online), os-release: the host facts. */
static void one_host(const char *text, size_t len) {
        char buf[64];
        unsigned n;
        uint64_t v;
        (void) cpuinfo_model(text, len, buf, sizeof(buf));
        (void) cpuinfo_has_flag(text, len, "hypervisor");
        (void) cpulist_count(text, len, &n);
        (void) os_release_pretty_name(text, len, buf, sizeof(buf));
        (void) meminfo_bytes(text, len, "MemTotal", &v);
}

/* Words and numbers of every line, as the collectors scan files without a parser of their own. */
static void one_textscan(const char *text, size_t len) {
        Scan s = scan_init(text, len), line, word;
        while (scan_line(&s, &line)) {
                Scan key;
                (void) scan_find_key(line, "MemTotal:", &key);
                Scan w = scan_trim(line);
                while (scan_word(&w, &word)) {
                        Scan n = word;
                        uint64_t u;
                        int64_t i;
                        double d;
                        char buf[16];
                        (void) scan_u64(&n, &u);
                        n = word;
                        (void) scan_i64(&n, &i);
                        n = word;
                        (void) scan_double(&n, &d);
                        n = word;
                        (void) scan_u64_base(&n, 16, &u);
                        (void) scan_copy(word, buf, sizeof(buf));
                }
        }
}

static const struct {
        const char *name;
        void (*parse)(const char *text, size_t len);
} parsers[] = {
        { "loadavg", one_loadavg },   { "meminfo", one_meminfo },
        { "vmstat", one_vmstat },     { "pressure", one_psi },
        { "softnet", one_softnet },   { "softirqs", one_softirqs },
        { "stat", one_stat },         { "netstat", one_netstat },
        { "sockstat", one_sockstat }, { "diskstats", one_diskstats },
        { "netdev", one_netdev },     { "mountinfo", one_mountinfo },
        { "cpu.stat", one_cpu_stat }, { "host", one_host },
        { "textscan", one_textscan }, { "cgroup.procs", one_cgroup_procs },
        { "pidstat", one_pidstat },   { "disk-stat", one_disk_stat },
};
enum { N_PARSERS = sizeof(parsers) / sizeof(parsers[0]) };

static int chosen = -1; /* index into parsers[], or -1: the first byte picks */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
        const char *name = getenv("SKYTUNE_FUZZ_PARSER");
        for (int i = 0; name && i < N_PARSERS; i++)
                if (strcmp(parsers[i].name, name) == 0)
                        chosen = i;
        fuzz_check(!name || chosen >= 0);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (chosen >= 0) {
                parsers[chosen].parse((const char *) data, size);
                return 0;
        }
        if (size > 0)
                parsers[data[0] % N_PARSERS].parse((const char *) data + 1, size - 1);
        return 0;
}

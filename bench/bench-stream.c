/* SPDX-License-Identifier: MIT */
/* Memory of the profiler over a long run: samples on a synthetic 10 ms clock, and prints the process's
 * RSS, the allocator's bytes in use and the bytes the stream's summaries hold after 1k, 10k and 100k
 * samples. With streaming collectors these stay flat: memory follows the number of series, not the
 * window's length.
 *
 *   bench-stream [--samples N] [--sysroot DIR] [--cpus N] [--disks N] [--ifaces N]
 *
 * Without --sysroot it builds a synthetic tree (default 64 CPUs, 16 disks, 8 interfaces) whose
 * /proc/stat, /proc/diskstats and /proc/net/dev counters, /proc/loadavg and /proc/sys/fs/file-nr
 * change at every sample, so every interval has values; --sysroot tests/fixtures/captured-vm runs
 * every collector on a captured host (static counters: each interval still emits), --sysroot / on
 * this host. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "profiler.h"

static long rss_kib(void) {
        FILE *f = fopen("/proc/self/statm", "re");
        long pages = 0, resident = 0;
        if (f) {
                if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
                        resident = 0;
                fclose(f);
        }
        return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

typedef struct Synth {
        char dir[64];
        unsigned cpus, disks, ifaces;
        FILE *stat, *disk, *net, *load, *files;  /* kept open, rewritten in place like a kernel file */
        char *buf;
        size_t size;
} Synth;

static int write_at(FILE *f, const char *text, size_t len) {
        if (fseek(f, 0, SEEK_SET) < 0 || fwrite(text, 1, len, f) != len || fflush(f) != 0)
                return -EIO;
        return ftruncate(fileno(f), (off_t) len) < 0 ? -errno : 0;
}

/* Interfaces, load and file handles at sample i. */
static int synth_step_net(Synth *s, unsigned long long i) {
        size_t n = 0, cap = s->size;
        n += (size_t) snprintf(s->buf, cap, "Inter-|   Receive |  Transmit\n face |bytes packets errs drop fifo frame "
                               "compressed multicast|bytes packets errs drop fifo colls carrier compressed\n");
        for (unsigned k = 0; k < s->ifaces && n < cap; k++)
                n += (size_t) snprintf(s->buf + n, cap - n, " eth%u: %llu %llu 0 %llu 0 0 0 0 %llu %llu 0 0 0 0 0 0\n", k,
                                       i * 15000 * (k + 1), i * 10, i / 100, i * 9000, i * 7);
        int r = n < cap ? write_at(s->net, s->buf, n) : -ENOBUFS;
        n = (size_t) snprintf(s->buf, cap, "%.2f 0.50 0.25 %llu/300 4242\n", (double) (i % 400) / 100.0, 1 + i % 7);
        r = r ?: write_at(s->load, s->buf, n);
        n = (size_t) snprintf(s->buf, cap, "%llu\t0\t1000000\n", 1000 + i % 500);
        return r ?: write_at(s->files, s->buf, n);
}

/* Counters at sample i: every CPU 37 % busy (varying), every disk a few I/Os. */
static int synth_step(Synth *s, unsigned long long i) {
        size_t n = 0, cap = s->size;
        n += (size_t) snprintf(s->buf + n, cap - n, "cpu  %llu 0 %llu %llu 0 0 0 0 0 0\n", i * 37 * s->cpus,
                               i * 3 * s->cpus, i * 60 * s->cpus);
        for (unsigned c = 0; c < s->cpus && n < cap; c++)
                n += (size_t) snprintf(s->buf + n, cap - n, "cpu%u %llu 0 %llu %llu 0 0 0 0 0 0\n", c,
                                       i * (30 + c % 14), i * 3, i * (67 - c % 14));
        if (n < cap)
                n += (size_t) snprintf(s->buf + n, cap - n, "ctxt %llu\nbtime 1700000000\nprocesses %llu\n"
                                       "procs_running 2\nprocs_blocked 0\n", 1000 + 500 * i, 10 + i);
        int r = n < cap ? write_at(s->stat, s->buf, n) : -ENOBUFS;
        n = 0;
        for (unsigned d = 0; r >= 0 && d < s->disks && n < cap; d++)
                n += (size_t) snprintf(s->buf + n, cap - n, " 8 %u sd%c%c %llu 0 %llu %llu %llu 0 %llu %llu 0 %llu %llu 0 0 0 0 0 0\n",
                                       d * 16, 'a' + d / 26, 'a' + d % 26, i * 10, i * 80, i * 5, i * 4, i * 64,
                                       i * 6, i * 9, i * 11);
        r = r < 0 ? r : n < cap ? write_at(s->disk, s->buf, n) : -ENOBUFS;
        return r ?: synth_step_net(s, i);
}

static int synth_mkdir(const char *dir, const char *rel) {
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", dir, rel);
        return mkdir(path, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

static int synth_open(Synth *s) {
        snprintf(s->dir, sizeof(s->dir), "/tmp/bench-stream.XXXXXX");
        if (!mkdtemp(s->dir))
                return -errno;
        int r = synth_mkdir(s->dir, "proc");
        r = r ?: synth_mkdir(s->dir, "proc/net");
        r = r ?: synth_mkdir(s->dir, "proc/sys");
        r = r ?: synth_mkdir(s->dir, "proc/sys/fs");
        r = r ?: synth_mkdir(s->dir, "sys");
        r = r ?: synth_mkdir(s->dir, "sys/block");
        for (unsigned d = 0; r >= 0 && d < s->disks; d++) {
                char rel[64];
                snprintf(rel, sizeof(rel), "sys/block/sd%c%c", 'a' + d / 26, 'a' + d % 26);
                r = synth_mkdir(s->dir, rel);
        }
        if (r < 0)
                return r;
        char path[128];
        snprintf(path, sizeof(path), "%s/proc/stat", s->dir);
        s->stat = fopen(path, "w+e");
        snprintf(path, sizeof(path), "%s/proc/diskstats", s->dir);
        s->disk = fopen(path, "w+e");
        snprintf(path, sizeof(path), "%s/proc/net/dev", s->dir);
        s->net = fopen(path, "w+e");
        snprintf(path, sizeof(path), "%s/proc/loadavg", s->dir);
        s->load = fopen(path, "w+e");
        snprintf(path, sizeof(path), "%s/proc/sys/fs/file-nr", s->dir);
        s->files = fopen(path, "w+e");
        s->size = 256 * (size_t) (s->cpus + s->disks + s->ifaces) + 512;
        s->buf = malloc(s->size);
        if (!s->stat || !s->disk || !s->net || !s->load || !s->files || !s->buf)
                return -ENOMEM;
        return synth_step(s, 0);
}

static void synth_close(Synth *s) {
        if (s->stat)
                fclose(s->stat);
        FILE *all[] = { s->disk, s->net, s->load, s->files };
        for (size_t i = 0; i < ELEMENTSOF(all); i++)
                if (all[i])
                        fclose(all[i]);
        free(s->buf);
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
        (void) !system(cmd);
}

static void print_row(Profiler *p, unsigned long long n) {
        struct mallinfo2 mi = mallinfo2();
        printf("%9llu %10ld %14zu %14zu\n", n, rss_kib(), mi.uordblks + mi.hblkhd, profiler_series_memory(p));
        fflush(stdout);
}

static int run(const char *sysroot, unsigned long long samples, Synth *synth) {
        Sysroot *root = NULL;
        Profiler *p = NULL;
        int r = sysroot_open(sysroot, &root);
        if (r < 0 || (r = profiler_new(root, &p)) < 0) {
                fprintf(stderr, "bench-stream: cannot start the profiler on %s: %s\n", sysroot, strerror(-r));
                sysroot_free(root);
                return r;
        }
        printf("%9s %10s %14s %14s\n", "samples", "RSS KiB", "malloc bytes", "summary bytes");
        for (unsigned long long i = 0; r >= 0 && i < samples; i++) {
                if (synth && i > 0)
                        r = synth_step(synth, i);
                r = r ?: profiler_sample(p, 1000000 + i * 10000, i + 1 == samples);
                unsigned long long done = i + 1;
                if (done == 1000 || done == 10000 || done == 100000 || done == samples)
                        print_row(p, done);
        }
        json_t *doc = NULL;
        if (r >= 0 && (r = profiler_report(p, (double) samples / 100.0, 0.01, &doc)) >= 0)
                printf("metrics in the profile: %zu\n", profile_count_metrics(doc));
        json_decref(doc);
        profiler_free(p);
        sysroot_free(root);
        return r;
}

int main(int argc, char **argv) {
        unsigned long long samples = 100000;
        const char *sysroot = NULL;
        Synth synth = { .cpus = 64, .disks = 16, .ifaces = 8 };
        static const struct option opts[] = {
                { "samples", required_argument, NULL, 'n' },
                { "sysroot", required_argument, NULL, 'r' },
                { "cpus", required_argument, NULL, 'c' },
                { "disks", required_argument, NULL, 'd' },
                { "ifaces", required_argument, NULL, 'i' },
                {},
        };
        int c;
        while ((c = getopt_long(argc, argv, "n:r:c:d:i:", opts, NULL)) != -1)
                switch (c) {
                case 'n':
                        samples = strtoull(optarg, NULL, 10);
                        break;
                case 'r':
                        sysroot = optarg;
                        break;
                case 'c':
                        synth.cpus = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'd':
                        synth.disks = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'i':
                        synth.ifaces = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                default:
                        fprintf(stderr, "usage: %s [--samples N] [--sysroot DIR] [--cpus N] [--disks N] [--ifaces N]\n", argv[0]);
                        return 2;
                }
        if (samples == 0 || synth.cpus == 0 || synth.cpus > 512 || synth.disks > 26 * 26 || synth.ifaces > 1000)
                return 2;
        int r;
        if (sysroot) {
                printf("sysroot %s, %llu samples on a 10 ms clock:\n", sysroot, samples);
                r = run(sysroot, samples, NULL);
        } else {
                r = synth_open(&synth);
                printf("synthetic sysroot, %u CPUs, %u disks, %u interfaces, %llu samples on a 10 ms clock:\n",
                       synth.cpus, synth.disks, synth.ifaces, samples);
                r = r ?: run(synth.dir, samples, &synth);
                synth_close(&synth);
        }
        if (r < 0)
                fprintf(stderr, "bench-stream: %s\n", strerror(-r));
        return r < 0 ? 1 : 0;
}

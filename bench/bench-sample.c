/* SPDX-License-Identifier: MIT */
/* Cost of one full profiler sample (all collectors), against reading the 11 core /proc files with
 * open/read/close and with kept descriptors and pread in the same run, and the wall time of
 * `skytune profile --duration 0`.
 *
 *   bench-sample [--blocks N] [--samples N] [--skytune PATH] [--sysroot DIR] [--breakdown]
 *                [--pace US] [--profile-only]
 *
 * Prints the median over blocks of the mean CPU time per sample (CLOCK_PROCESS_CPUTIME_ID), so a
 * noisy neighbour inflates one block, not the figure. The samples follow each other at once, on a
 * clock that advances 1 s a sample: on an idle host nothing moves between two of them, as in an idle
 * second. --pace sleeps US microseconds before each sample (CPU time excludes it), so that traffic
 * running beside the benchmark moves counters between samples, as in a busy second; --profile-only
 * measures the profile alone (A B A B runs of two builds). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "macro.h"
#include "profiler.h"

extern char **environ;

static double cpu_now_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

static double wall_now_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

static double median(double *v, size_t n) {
        qsort(v, n, sizeof(double), cmp_double);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The baseline from the research notes: 11 core files, open/read/close each, no parsing. */
static const char *const core_files[] = {
        "/proc/stat", "/proc/meminfo", "/proc/diskstats", "/proc/net/dev", "/proc/vmstat",
        "/proc/pressure/cpu", "/proc/pressure/memory", "/proc/pressure/io", "/proc/loadavg",
        "/proc/net/snmp", "/proc/sys/fs/file-nr",
};

static void baseline_sample(void) {
        static char buf[65536];
        for (size_t i = 0; i < sizeof(core_files) / sizeof(core_files[0]); i++) {
                int fd = open(core_files[i], O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                while (read(fd, buf, sizeof(buf)) > 0)
                        ;
                close(fd);
        }
}

static int discard(void *userdata, const MetricPoint *p) {
        (void) p;
        ++*(unsigned long *) userdata;
        return 0;
}

/* CPU per sample of one collector alone over samples, driven through the table as profiler_sample
 * does (sample, then the streaming collectors' interval into a sink that counts the points): every
 * source at every sample, or as a profile runs it (a full sample every PROFILER_FULL_PERIOD_USEC). */
static int collector_cost(const Collector *c, const Sysroot *root, unsigned samples, bool every, double *us,
                          double *points) {
        void *st = calloc(1, c->state_size ? c->state_size : 1);
        if (!st || (c->open && c->open(st, root) < 0)) {
                free(st);
                return -ENOMEM;
        }
        uint64_t per_full = PROFILER_FULL_PERIOD_USEC / 1000000u;
        unsigned long n_points = 0;
        MetricSink sink = { discard, &n_points };
        double t0 = cpu_now_us();
        int r = 0;
        for (unsigned n = 0; r >= 0 && c->sample && n < samples; n++) {
                SampleKind kind = every ? SAMPLE_WHOLE : n % per_full == 0 ? SAMPLE_FULL : SAMPLE_QUICK;
                if (c->sample(st, (n + 1) * 1000000ull, kind) == -ENOMEM ||
                    (c->interval && c->interval(st, &sink) == -ENOMEM))
                        r = -ENOMEM;
        }
        *us = (cpu_now_us() - t0) / samples;
        *points = (double) n_points / samples;
        if (c->close)
                c->close(st);
        free(st);
        return r;
}

static int breakdown(const Sysroot *root, unsigned samples) {
        printf("per collector, mean of %u samples: as a profile runs it | every source read\n", samples);
        for (size_t i = 0; i < collector_table_size; i++) {
                double steady, every, points;
                if (collector_cost(collector_table[i], root, samples, false, &steady, &points) < 0 ||
                    collector_cost(collector_table[i], root, samples, true, &every, &points) < 0)
                        return -ENOMEM;
                printf("  %-13s %7.1f us | %7.1f us  %6.1f points\n", collector_table[i]->name, steady, every, points);
        }
        return 0;
}

static void baseline_pread(const int *fds) {
        static char buf[65536];
        for (size_t i = 0; i < ELEMENTSOF(core_files); i++)
                if (fds[i] >= 0)
                        (void) !pread(fds[i], buf, sizeof(buf), 0);
}

int main(int argc, char **argv) {
        unsigned blocks = 8, samples = 1000;
        const char *skytune = NULL, *sysroot = NULL;
        bool per_collector = false, profile_only = false;
        unsigned long pace_us = 0;
        static const struct option opts[] = {
                { "blocks", required_argument, NULL, 'b' },
                { "samples", required_argument, NULL, 'n' },
                { "skytune", required_argument, NULL, 's' },
                { "sysroot", required_argument, NULL, 'r' },
                { "breakdown", no_argument, NULL, 'B' },
                { "pace", required_argument, NULL, 'p' },
                { "profile-only", no_argument, NULL, 'P' },
                {},
        };
        int c;
        while ((c = getopt_long(argc, argv, "b:n:s:r:Bp:P", opts, NULL)) != -1)
                switch (c) {
                case 'b':
                        blocks = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'n':
                        samples = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 's':
                        skytune = optarg;
                        break;
                case 'r':
                        sysroot = optarg;
                        break;
                case 'B':
                        per_collector = true;
                        break;
                case 'p':
                        pace_us = strtoul(optarg, NULL, 10);
                        break;
                case 'P':
                        profile_only = true;
                        break;
                default:
                        fprintf(stderr,
                                "usage: %s [--blocks N] [--samples N] [--skytune PATH] [--sysroot DIR] [--breakdown]\n"
                                "       [--pace US] [--profile-only]\n",
                                argv[0]);
                        return 2;
                }
        if (blocks == 0 || samples == 0 || pace_us >= 1000000) {
                fprintf(stderr, "bench-sample: --blocks and --samples take 1 or more, --pace under 1000000 (us)\n");
                return 2;
        }

        Sysroot *root = NULL;
        Profiler *p = NULL;
        int r = sysroot_open(sysroot, &root);
        if (r < 0 || (r = profiler_new(root, &p)) < 0) {
                fprintf(stderr, "bench-sample: cannot start the profiler: %s\n", strerror(-r));
                return 1;
        }
        /* Four sides, interleaved in every block so that drift hits them alike: the profiler as a profile
         * runs it (1 s interval, costly counters every 5 s), the profiler reading every source at every
         * sample, and the two baselines over the 11 core files (reference figures for a 2-core VM:
         * open/read/close 130 us, kept descriptors with pread 75 us, target 100 us). */
        enum { STEADY, EVERY, OPENREAD, PREAD, _SIDES };
        double *t[_SIDES];
        for (size_t k = 0; k < _SIDES; k++)
                if (!(t[k] = calloc(blocks, sizeof(double))))
                        return 1;
        int kept[ELEMENTSOF(core_files)];
        for (size_t i = 0; i < ELEMENTSOF(core_files); i++)
                kept[i] = open(core_files[i], O_RDONLY | O_CLOEXEC);
        uint64_t clock = 1;
        for (unsigned b = 0; b < blocks; b++)
                for (size_t k = 0; k < _SIDES; k++) {
                        if (profile_only && k != STEADY)
                                continue;
                        double t0 = cpu_now_us();
                        for (unsigned i = 0; i < samples; i++) {
                                if (pace_us)
                                        (void) nanosleep(&(struct timespec) { .tv_nsec = (long) pace_us * 1000 }, NULL);
                                if (k == OPENREAD)
                                        baseline_sample();
                                else if (k == PREAD)
                                        baseline_pread(kept);
                                else if (profiler_sample(p, clock++ * 1000000ull, k == EVERY) < 0)
                                        return 1;
                        }
                        t[k][b] = (cpu_now_us() - t0) / samples;
                }
        json_t *doc = NULL;
        if (profiler_report(p, 0, 1, &doc) < 0)
                return 1;
        size_t metrics = profile_count_metrics(doc);
        json_decref(doc);
        profiler_free(p);

        double m[_SIDES];
        for (size_t k = 0; k < _SIDES; k++)
                m[k] = median(t[k], blocks);
        printf("full sample, all collectors, as `skytune profile` runs them (1 s interval):\n");
        printf("                                     %8.1f us CPU per sample (median of %u blocks x %u samples)\n",
               m[STEADY], blocks, samples);
        if (!profile_only) {
                printf("every source read at every sample:   %8.1f us CPU per sample\n", m[EVERY]);
                printf("11 core /proc files, open/read/close: %7.1f us (reference VM: 130)\n", m[OPENREAD]);
                printf("11 core /proc files, kept, pread:    %8.1f us (reference VM: 75)\n", m[PREAD]);
                printf("target on this machine:              %8.1f us (100 us scaled by the pread baseline)\n",
                       100.0 * m[PREAD] / 75.0);
                printf("ratio skytune / pread baseline:      %8.2f (target 100/75 = 1.33)\n", m[STEADY] / m[PREAD]);
        }
        printf("metrics in the profile:              %8zu\n", metrics);
        for (size_t k = 0; k < _SIDES; k++)
                free(t[k]);
        for (size_t i = 0; i < ELEMENTSOF(core_files); i++)
                if (kept[i] >= 0)
                        close(kept[i]);
        if (per_collector && breakdown(root, samples) < 0)
                return 1;
        sysroot_free(root);

        if (skytune) {
                unsigned runs = 30;
                double *wall = calloc(runs, sizeof(double));
                char *args[] = { (char *) skytune, "profile", "--duration", "0", "--json", NULL };
                for (unsigned i = 0; i < runs; i++) {
                        posix_spawn_file_actions_t fa;
                        posix_spawn_file_actions_init(&fa);
                        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
                        pid_t pid;
                        double t0 = wall_now_us();
                        if (posix_spawn(&pid, skytune, &fa, NULL, args, environ) != 0) {
                                fprintf(stderr, "bench-sample: cannot run %s\n", skytune);
                                return 1;
                        }
                        int status;
                        waitpid(pid, &status, 0);
                        wall[i] = (wall_now_us() - t0) / 1000;
                        posix_spawn_file_actions_destroy(&fa);
                        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                                fprintf(stderr, "bench-sample: %s profile --duration 0 failed\n", skytune);
                                return 1;
                        }
                }
                printf("skytune profile --duration 0:        %8.2f ms wall (median of %u runs, target <= 10)\n",
                       median(wall, runs), runs);
                free(wall);
        }
        return 0;
}

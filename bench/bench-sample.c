/* SPDX-License-Identifier: MIT */
/* Cost of one full profiler sample (all collectors), against reading the 11 core /proc files with
 * open/read/close in the same run, and the wall time of `skytune profile --duration 0`.
 *
 *   bench-sample [--blocks N] [--samples N] [--skytune PATH] [--sysroot DIR]
 *
 * Prints the median over blocks of the mean CPU time per sample (CLOCK_PROCESS_CPUTIME_ID), so a
 * noisy neighbour inflates one block, not the figure. */
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

int main(int argc, char **argv) {
        unsigned blocks = 8, samples = 1000;
        const char *skytune = NULL, *sysroot = NULL;
        static const struct option opts[] = {
                { "blocks", required_argument, NULL, 'b' },
                { "samples", required_argument, NULL, 'n' },
                { "skytune", required_argument, NULL, 's' },
                { "sysroot", required_argument, NULL, 'r' },
                {},
        };
        int c;
        while ((c = getopt_long(argc, argv, "b:n:s:r:", opts, NULL)) != -1)
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
                default:
                        fprintf(stderr, "usage: %s [--blocks N] [--samples N] [--skytune PATH] [--sysroot DIR]\n", argv[0]);
                        return 2;
                }
        if (blocks == 0 || samples == 0)
                return 2;

        Sysroot *root = NULL;
        Profiler *p = NULL;
        int r = sysroot_open(sysroot, &root);
        if (r < 0 || (r = profiler_new(root, &p)) < 0) {
                fprintf(stderr, "bench-sample: cannot start the profiler: %s\n", strerror(-r));
                return 1;
        }
        double *prof = calloc(blocks, sizeof(double)), *base = calloc(blocks, sizeof(double));
        if (!prof || !base)
                return 1;
        uint64_t clock = 1;
        /* Alternate the two in every block so that drift hits both sides alike. */
        for (unsigned b = 0; b < blocks; b++) {
                double t0 = cpu_now_us();
                for (unsigned i = 0; i < samples; i++)
                        if (profiler_sample(p, clock++ * 1000000ull) < 0)
                                return 1;
                prof[b] = (cpu_now_us() - t0) / samples;
                t0 = cpu_now_us();
                for (unsigned i = 0; i < samples; i++)
                        baseline_sample();
                base[b] = (cpu_now_us() - t0) / samples;
        }
        json_t *doc = NULL;
        if (profiler_report(p, 0, 1, &doc) < 0)
                return 1;
        size_t metrics = profile_count_metrics(doc);
        json_decref(doc);
        profiler_free(p);
        sysroot_free(root);

        double mp = median(prof, blocks), mb = median(base, blocks);
        printf("full sample, all collectors:       %8.1f us CPU per sample (median of %u blocks x %u samples)\n", mp,
               blocks, samples);
        printf("11 core /proc files, open/read/close: %6.1f us CPU per sample (same run, interleaved)\n", mb);
        printf("ratio skytune / baseline:            %8.2f\n", mp / mb);
        printf("metrics in the profile:              %8zu\n", metrics);

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
        free(prof);
        free(base);
        return 0;
}

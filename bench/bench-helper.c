/* SPDX-License-Identifier: MIT */
/* bench-helper: Apply then Rollback of a 10-change plan through D-Bus, each round starting with no
 * helper running, so the figure includes bus activation, the helper's start (capability drop, journal
 * recovery scan), two polkit checks, the journal's fsyncs and the writes. Prints the median over N
 * rounds, the same for a helper that is already running, and the helper's peak RSS (VmHWM: the
 * largest and the median over the helper processes of the run).
 *
 *   bench-helper [--smaps] [ROUNDS]   re-runs itself inside tests/integration/helper-bus-run.sh (root:
 *                                     it starts a private dbus-daemon and polkitd), on the helper-host
 *                                     fixture. --smaps: where the last helper's resident pages are, per
 *                                     mapped file (from /proc/PID/smaps, right after its last rollback).
 * Targets (issue 4): <= 60 ms for apply + rollback with activation and polkit, VmHWM <= 3 MB. */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "helper-bus.h"
#include "log.h"

static const char plan[] =
        "{\"schema\":\"skytune.plan/1\",\"changes\":["
        "{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"proposed\":\"10\"},"
        "{\"kind\":\"sysctl\",\"key\":\"vm.dirty_ratio\",\"proposed\":\"30\"},"
        "{\"kind\":\"sysctl\",\"key\":\"vm.dirty_background_ratio\",\"proposed\":\"5\"},"
        "{\"kind\":\"sysctl\",\"key\":\"vm.vfs_cache_pressure\",\"proposed\":\"50\"},"
        "{\"kind\":\"sysctl\",\"key\":\"net.core.somaxconn\",\"proposed\":\"8192\"},"
        "{\"kind\":\"sysctl\",\"key\":\"net.core.netdev_max_backlog\",\"proposed\":\"4096\"},"
        "{\"kind\":\"sysctl\",\"key\":\"net.ipv4.tcp_fin_timeout\",\"proposed\":\"15\"},"
        "{\"kind\":\"sysctl\",\"key\":\"net.ipv4.tcp_rmem\",\"proposed\":\"4096 262144 16777216\"},"
        "{\"kind\":\"read_ahead_kb\",\"key\":\"vda\",\"proposed\":\"4096\"},"
        "{\"kind\":\"nr_requests\",\"key\":\"sdb\",\"proposed\":\"128\"}]}";

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

static int helper_pid(sd_bus *bus) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        uint32_t pid = 0;
        if (sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "GetConnectionUnixProcessID", &e, &reply, "s", HELPER_BUS_NAME) < 0) {
                sd_bus_error_free(&e);
                return 0;
        }
        (void) sd_bus_message_read(reply, "u", &pid);
        sd_bus_message_unref(reply);
        return (int) pid;
}

static long status_kb(int pid, const char *field) {
        char path[64], line[256];
        long kb = -1;
        size_t n = strlen(field);
        snprintf(path, sizeof(path), "/proc/%d/status", pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, field, n) == 0 && line[n] == ':') {
                        kb = strtol(line + n + 1, NULL, 10);
                        break;
                }
        fclose(f);
        return kb;
}

/* Stop the running helper (SIGTERM) and wait until its name is gone and the process has ended. */
static void stop_helper(sd_bus *bus) {
        int pid = helper_pid(bus);
        if (pid <= 0)
                return;
        kill(pid, SIGTERM);
        for (int i = 0; i < 400 && helper_pid(bus) > 0; i++)
                usleep(5000);
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/status", pid);
        for (int i = 0; i < 400 && access(path, F_OK) == 0; i++) {
                char buf[4096];
                FILE *f = fopen(path, "re");
                size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
                if (f)
                        fclose(f);
                buf[n] = '\0';
                if (strstr(buf, "State:\tZ"))
                        break;
                usleep(5000);
        }
}

static long anon_max;
static int last_pid;
static long last_pss = -1, last_uss = -1;        /* kB, of the last helper after its last rollback */

/* Pss and the private (unshared) part of the resident set, from /proc/PID/smaps_rollup: what the
 * helper costs the machine beyond the library pages every other process maps too. */
static void rollup_kb(int pid, long *ret_pss, long *ret_uss) {
        char path[64], line[256];
        long pss = -1, clean = 0, dirty = 0, kb;
        snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "Pss: %ld kB", &kb) == 1)
                        pss = kb;
                else if (sscanf(line, "Private_Clean: %ld kB", &kb) == 1)
                        clean = kb;
                else if (sscanf(line, "Private_Dirty: %ld kB", &kb) == 1)
                        dirty = kb;
        fclose(f);
        *ret_pss = pss;
        *ret_uss = pss < 0 ? -1 : clean + dirty;
}

/* Apply then Rollback through the client library, as skytune apply and skytune rollback call them
 * (each call on a connection of its own). */
static int one_round(sd_bus *bus, double *ret_ms, long *ret_hwm) {
        json_t *tx = NULL, *rb = NULL;
        double t0 = now_ms();
        int r = helper_client_apply(plan, 0, &tx);
        if (r < 0)
                return r;
        const char *id = json_string_value(json_object_get(tx, "id"));
        if (!id) {
                fprintf(stderr, "bench-helper: no transaction id in the reply to Apply\n");
                json_decref(tx);
                return -EBADMSG;
        }
        r = helper_client_rollback(id, 0, &rb);
        *ret_ms = now_ms() - t0;
        json_decref(tx);
        json_decref(rb);
        if (r < 0)
                return r;
        int pid = helper_pid(bus);
        last_pid = pid;
        *ret_hwm = pid > 0 ? status_kb(pid, "VmHWM") : -1;
        long anon = pid > 0 ? status_kb(pid, "RssAnon") : -1;
        anon_max = anon > anon_max ? anon : anon_max;
        if (pid > 0)
                rollup_kb(pid, &last_pss, &last_uss);
        return 0;
}

/* Resident kB per mapped object of the helper (summed over its mappings), split by permission: where
 * the peak comes from. */
typedef struct Mapped {
        char name[96];
        long rss, text, ro, rw, dirty;
} Mapped;

static int cmp_mapped(const void *a, const void *b) {
        const Mapped *x = a, *y = b;
        return (y->rss > x->rss) - (y->rss < x->rss);
}

static void print_smaps(int pid) {
        char path[64], line[512];
        snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
        FILE *f = fopen(path, "re");
        if (!f) {
                fprintf(stderr, "bench-helper: %s: %s\n", path, strerror(errno));
                return;
        }
        Mapped m[64] = {}, total = { .name = "total" };
        size_t n = 0;
        Mapped *cur = NULL;
        char perms[8] = "";
        while (fgets(line, sizeof(line), f)) {
                unsigned long a, b;
                char name[PATH_MAX] = "";
                if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %4095[^\n]", &a, &b, perms, name) >= 3) {
                        const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name[0] ? name : "[anon]";
                        cur = NULL;
                        for (size_t i = 0; i < n && !cur; i++)
                                if (strcmp(m[i].name, base) == 0)
                                        cur = &m[i];
                        if (!cur && n < sizeof(m) / sizeof(m[0])) {
                                cur = &m[n++];
                                snprintf(cur->name, sizeof(cur->name), "%.*s", (int) sizeof(cur->name) - 1, base);
                        }
                        continue;
                }
                long kb;
                if (cur && sscanf(line, "Rss: %ld kB", &kb) == 1) {
                        cur->rss += kb;
                        *(perms[2] == 'x' ? &cur->text : perms[1] == 'w' ? &cur->rw : &cur->ro) += kb;
                } else if (cur && sscanf(line, "Private_Dirty: %ld kB", &kb) == 1)
                        cur->dirty += kb;
        }
        fclose(f);
        qsort(m, n, sizeof(Mapped), cmp_mapped);
        printf("  resident kB of helper %d after its last rollback (VmHWM %ld kB), per mapped object:\n", pid, status_kb(pid, "VmHWM"));
        printf("    %6s %6s %6s %6s %6s  %s\n", "rss", "text", "ro", "rw", "dirty", "object");
        for (size_t i = 0; i <= n; i++) {
                Mapped *x = i < n ? &m[i] : &total;
                if (i < n) {
                        total.rss += x->rss, total.text += x->text, total.ro += x->ro, total.rw += x->rw, total.dirty += x->dirty;
                        if (x->rss == 0)
                                continue;
                }
                printf("    %6ld %6ld %6ld %6ld %6ld  %s\n", x->rss, x->text, x->ro, x->rw, x->dirty, x->name);
        }
}

static int run(int rounds, bool smaps) {
        sd_bus *bus = NULL;
        int r = sd_bus_open_system(&bus);
        if (r < 0) {
                fprintf(stderr, "bench-helper: cannot connect to the bus: %s\n", strerror(-r));
                return 1;
        }
        double *cold = calloc((size_t) rounds, sizeof(double)), *warm = calloc((size_t) rounds, sizeof(double));
        double *hwm = calloc((size_t) rounds, sizeof(double));        /* per helper process, kB */
        for (int i = 0; i < rounds && r >= 0; i++) {
                long h1 = -1, h2 = -1;
                stop_helper(bus);
                r = one_round(bus, &cold[i], &h1);
                if (r >= 0)
                        r = one_round(bus, &warm[i], &h2);
                hwm[i] = (double) (h1 > h2 ? h1 : h2);
        }
        if (r >= 0 && smaps && last_pid > 0)
                print_smaps(last_pid);
        stop_helper(bus);
        sd_bus_flush_close_unref(bus);
        if (r < 0)
                return 1;
        qsort(cold, (size_t) rounds, sizeof(double), cmp_double);
        qsort(warm, (size_t) rounds, sizeof(double), cmp_double);
        qsort(hwm, (size_t) rounds, sizeof(double), cmp_double);
        printf("bench-helper: apply + rollback of a 10-change plan over D-Bus, polkit on, %d rounds\n", rounds);
        printf("  with activation (no helper running): median %.1f ms (min %.1f, max %.1f)  target <= 60 ms\n", cold[rounds / 2],
               cold[0], cold[rounds - 1]);
        printf("  helper already running:              median %.1f ms (min %.1f, max %.1f)\n", warm[rounds / 2], warm[0],
               warm[rounds - 1]);
        printf("  helper peak RSS (VmHWM):             %.2f MB (%.0f kB; median of %d helpers %.0f kB)  target <= 3 MB\n",
               hwm[rounds - 1] / 1024.0, hwm[rounds - 1], rounds, hwm[rounds / 2]);
        printf("    of which anonymous (largest RssAnon): %ld kB; the rest is pages of mapped files (libraries)\n", anon_max);
        printf("    last helper: Pss %ld kB, private (USS) %ld kB\n", last_pss, last_uss);
        free(cold);
        free(warm);
        free(hwm);
        return 0;
}

int main(int argc, char **argv) {
        log_set_program("bench-helper");
        bool smaps = argc > 1 && strcmp(argv[1], "--smaps") == 0;
        int rounds = argc > 1 + smaps ? atoi(argv[1 + smaps]) : 20;
        if (rounds < 1 || rounds > 10000 || argc > 2 + smaps) {
                fprintf(stderr, "Usage: bench-helper [--smaps] [ROUNDS]   (1..10000, default 20; needs root)\n");
                return 2;
        }
        if (getenv("SKYTUNE_BUS_STATE"))
                return run(rounds, smaps);
        /* Not yet inside the private bus: re-run through the test harness. */
        char exe[PATH_MAX], build[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n <= 0)
                return 1;
        exe[n] = '\0';
        snprintf(build, sizeof(build), "%s", exe);
        for (int up = 0; up < 2; up++)
                *strrchr(build, '/') = '\0';        /* BUILD/bench/bench-helper -> BUILD */
        const char *src = SKYTUNE_SOURCE_POLICY_DIR "/..";
        char runner[PATH_MAX];
        snprintf(runner, sizeof(runner), "%s/tests/integration/helper-bus-run.sh", src);
        char rounds_s[16];
        snprintf(rounds_s, sizeof(rounds_s), "%d", rounds);
        setenv("BUS_IDLE", "30", 1);
        if (smaps)
                execlp("bash", "bash", runner, build, src, exe, "--smaps", rounds_s, (char *) NULL);
        else
                execlp("bash", "bash", runner, build, src, exe, rounds_s, (char *) NULL);
        perror("bench-helper: bash");
        return 1;
}

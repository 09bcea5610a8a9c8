/* SPDX-License-Identifier: MIT */
/* Time to plan from a saved profile: load the policy (with its includes), parse the profile, build the
 * plan against the live values of a tree and format the JSON; and the wall time of the whole command
 * `skytune plan --profile FILE --json` when --skytune is given. Target: <= 10 ms.
 *
 *   bench-plan [--runs N] [--policy NAME] [--profile FILE] [--sysroot DIR] [--skytune PATH]
 *
 * Prints the median, p90 and min over the runs (wall clock, CLOCK_MONOTONIC). */
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "plan.h"
#include "policy.h"

extern char **environ;

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

static void report(const char *what, double *t, int n) {
        qsort(t, (size_t) n, sizeof(double), cmp_double);
        printf("%-44s median %7.3f ms  p90 %7.3f ms  min %7.3f ms  (%d runs)\n", what, t[n / 2], t[(n * 9) / 10], t[0], n);
}

static int plan_once(const char *policy, const char *profile_path, const Sysroot *root, size_t *ret_changes) {
        char *dirs[] = { (char *) SKYTUNE_SOURCE_POLICY_DIR };
        PolicySearch s = { .dirs = dirs, .n_dirs = 1 };
        Policy *p = NULL;
        OptError e = OPT_ERROR_INIT;
        int r = policy_load(&s, policy, &p, &e);
        if (r < 0) {
                fprintf(stderr, "policy: %s\n", e.message);
                opt_error_clear(&e);
                return r;
        }
        json_error_t je;
        json_t *profile = json_load_file(profile_path, 0, &je);
        if (!profile) {
                fprintf(stderr, "%s: %s\n", profile_path, je.text);
                policy_free(p);
                return -1;
        }
        PlanOptions o = { .policy = p, .profile = profile, .root = root, .allow_risk = _RISK_INVALID,
                          .profile_source = profile_path };
        json_t *plan = NULL;
        r = plan_build(&o, &plan, &e);
        if (r >= 0) {
                char *text = json_dumps(plan, JSON_INDENT(2) | JSON_SORT_KEYS);
                *ret_changes = json_array_size(json_object_get(plan, "changes"));
                free(text);
        } else
                fprintf(stderr, "plan: %s\n", e.message);
        opt_error_clear(&e);
        json_decref(plan);
        json_decref(profile);
        policy_free(p);
        return r;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "runs", required_argument, NULL, 'n' },     { "policy", required_argument, NULL, 'p' },
                { "profile", required_argument, NULL, 'f' },  { "sysroot", required_argument, NULL, 'r' },
                { "skytune", required_argument, NULL, 's' },  {},
        };
        int runs = 200, c;
        const char *policy = "balanced", *profile = SKYTUNE_SOURCE_POLICY_DIR "/../tests/fixtures/profiles/busy-web.json";
        const char *sysroot = SKYTUNE_SOURCE_POLICY_DIR "/../tests/fixtures/opt-host", *skytune = NULL;
        while ((c = getopt_long(argc, argv, "", options, NULL)) != -1)
                switch (c) {
                case 'n': runs = atoi(optarg); break;
                case 'p': policy = optarg; break;
                case 'f': profile = optarg; break;
                case 'r': sysroot = optarg; break;
                case 's': skytune = optarg; break;
                default:
                        fprintf(stderr, "usage: bench-plan [--runs N] [--policy NAME] [--profile FILE] [--sysroot DIR] [--skytune PATH]\n");
                        return 2;
                }
        if (runs < 1 || runs > 100000)
                runs = 200;
        Sysroot *root = NULL;
        if (sysroot_open(sysroot, &root) < 0) {
                fprintf(stderr, "cannot open sysroot %s\n", sysroot);
                return 1;
        }
        double *t = calloc((size_t) runs, sizeof(double));
        size_t changes = 0;
        if (!t)
                return 1;
        printf("policy %s, profile %s, sysroot %s\n", policy, profile, sysroot);
        for (int i = 0; i < runs; i++) {
                double t0 = now_ms();
                if (plan_once(policy, profile, root, &changes) < 0)
                        return 1;
                t[i] = now_ms() - t0;
        }
        char what[96];
        snprintf(what, sizeof(what), "in process: policy+profile+plan+JSON (%zu changes)", changes);
        report(what, t, runs);
        if (skytune) {
                int n = runs > 50 ? 50 : runs;
                char *args[] = { (char *) skytune, (char *) "plan", (char *) "--policy", (char *) policy, (char *) "--profile",
                                 (char *) profile, (char *) "--sysroot", (char *) sysroot, (char *) "--json", NULL };
                posix_spawn_file_actions_t fa;
                posix_spawn_file_actions_init(&fa);
                posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1 /* O_WRONLY */, 0);
                for (int i = 0; i < n; i++) {
                        double t0 = now_ms();
                        pid_t pid;
                        int status;
                        if (posix_spawn(&pid, skytune, &fa, NULL, args, environ) != 0 || waitpid(pid, &status, 0) < 0 ||
                            !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                                fprintf(stderr, "%s plan failed\n", skytune);
                                return 1;
                        }
                        t[i] = now_ms() - t0;
                }
                posix_spawn_file_actions_destroy(&fa);
                report("skytune plan --profile FILE --json (wall)", t, n);
        }
        free(t);
        sysroot_free(root);
        return 0;
}

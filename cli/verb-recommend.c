/* SPDX-License-Identifier: MIT */
/* skytune recommend: which shipped policy fits this host and why (the role the profile shows), with
 * the evidence lines. Read-only: it profiles (or reads a saved profile) and prints. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "macro.h"
#include "plan-common.h"
#include "profile-source.h"
#include "recommend.h"
#include "verbs.h"

static const char recommend_usage[] =
        "Usage: skytune recommend [--profile FILE | --duration S] [--json]\n"
        "                         [--sysroot DIR]\n"
        "\n"
        "Say which shipped policy ('skytune policy list') fits this host, from the role\n"
        "its profile shows: a database (postgres, mysqld... running, port 5432/3306\n"
        "listening), a web server (nginx, httpd..., ports 80/443, many connections), a\n"
        "network throughput or latency-sensitive host, a batch (throughput) host, a\n"
        "virtual machine. Each reason is printed as an evidence line. Profiling now\n"
        "also reads the host's process names and TCP sockets, which a saved profile\n"
        "does not keep. Nothing is changed: 'skytune apply --dry-run --policy NAME'\n"
        "shows what the policy would do.\n"
        "\n"
        "  --profile FILE  use a saved profile ('skytune profile --out FILE')\n"
        "  --duration S    length of the profile taken now (default 10 s)\n"
        "  --json          print a skytune.recommend/1 document (see\n"
        "                  " CLI_DOC("verbs") ")\n"
        "  --sysroot DIR   read /proc, /sys and /etc below DIR (also SKYTUNE_SYSROOT)\n"
        "\n"
        "Exit codes: 0 success, 1 failure, 2 usage error, 130 interrupted.\n";

static int recommend_parse(int argc, char **argv, PlanArgs *a) {
        static const struct option options[] = {
                { "profile", required_argument, NULL, PLAN_OPT_PROFILE },
                PROFILE_SOURCE_OPTIONS,
                {},
        };
        optind = 1;
        opterr = 0;
        for (int c; (c = getopt_long(argc, argv, "h", options, NULL)) != -1;) {
                int r = c == 'h' || c == '?' || c == ':' ? 0 : plan_args_option(a, c, optarg);
                if (r < 0)
                        return EXIT_USAGE;
                if (r > 0)
                        continue;
                if (c == 'h') {
                        fputs(recommend_usage, stdout);
                        return EXIT_OK;
                }
                log_error("unknown or incomplete option '%s' (see 'skytune recommend --help')", argv[optind - 1]);
                return EXIT_USAGE;
        }
        if (optind < argc) {
                log_error("unexpected argument '%s' (see 'skytune recommend --help')", argv[optind]);
                return EXIT_USAGE;
        }
        return plan_args_check(a) == EXIT_OK ? -1 : EXIT_USAGE;
}

static void print_evidence(const json_t *c) {
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(c, "evidence"), i, e)
                printf("  - %s\n", json_string_value(e));
}

static void render(const json_t *cands, const char *best, const char *source) {
        const json_t *first = json_array_get(cands, 0);
        if (!first)
                printf("Recommended policy: balanced (no evidence)\n"
                       "  No role shows in the profile (no database or web server, no bulk or\n"
                       "  latency-bound load, not a VM): balanced changes only what the profile\n"
                       "  shows to be a problem.\n");
        else {
                printf("Recommended policy: %s (%s)\n", best, json_string_value(json_object_get(first, "role")));
                print_evidence(first);
        }
        if (json_array_size(cands) > 1)
                printf("\nAlso fits (weaker evidence):\n");
        for (size_t i = 1; i < json_array_size(cands); i++) {
                const json_t *c = json_array_get(cands, i);
                printf("  %s (%s, score %lld)\n", json_string_value(json_object_get(c, "policy")),
                       json_string_value(json_object_get(c, "role")), (long long) json_integer_value(json_object_get(c, "score")));
                json_t *e;
                size_t k;
                json_array_foreach(json_object_get(c, "evidence"), k, e)
                        printf("    - %s\n", json_string_value(e));
        }
        printf("\nFrom: %s\n", source);
        printf("Next: skytune apply --dry-run --policy %s\n", best);
}

static int recommend_run(const PlanArgs *a, const Sysroot *root) {
        json_t *profile = NULL, *cands = NULL;
        HostExtras x = {};
        int r = cli_profile_get(a->profile, root, a->duration, &profile);
        if (r == -EINTR || cli_interrupted()) {
                json_decref(profile);
                (void) cli_stop_if_interrupted("during the profile: nothing was recommended");
                return EXIT_INTERRUPTED;
        }
        if (r >= 0 && !a->profile)
                r = host_extras_read(root, &x);
        const char *best = NULL;
        if (r >= 0)
                r = recommend_evaluate(profile, &x, &cands, &best);
        host_extras_done(&x);
        json_decref(profile);
        if (r < 0) {
                if (r == -ENOMEM)
                        log_error_errno(r, "cannot evaluate the profile: %m");
                return EXIT_FAIL;
        }
        /* The file's name, not the path: the same profile reads the same wherever it is kept. */
        const char *base = a->profile ? strrchr(a->profile, '/') : NULL;
        char source[512];
        snprintf(source, sizeof(source), "%s%s", a->profile ? "the saved profile " : "a profile taken now",
                 a->profile ? (base ? base + 1 : a->profile) : sysroot_is_host(root) ? " of this host" : " (--sysroot)");
        int code = EXIT_OK;
        if (a->json) {
                json_t *doc = json_pack("{s:s, s:s, s:s?, s:b, s:O}", "schema", RECOMMEND_SCHEMA, "recommended", best,
                                        "profile", a->profile, "live", !a->profile, "candidates", cands);
                if (!doc || cli_write_json(doc, NULL) < 0)
                        code = EXIT_FAIL;
                json_decref(doc);
        } else
                render(cands, best, source);
        json_decref(cands);
        return code;
}

int verb_recommend(int argc, char **argv) {
        PlanArgs a = PLAN_ARGS_INIT;
        int code = recommend_parse(argc, argv, &a);
        if (code >= 0)
                return code;
        Sysroot *root = NULL;
        if (cli_open_sysroot(a.sysroot, &root) < 0)
                return EXIT_FAIL;
        cli_install_interrupt();
        code = recommend_run(&a, root);
        sysroot_free(root);
        plan_args_done(&a);
        return code;
}

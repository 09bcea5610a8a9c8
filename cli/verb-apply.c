/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dryrun.h"
#include "helper-client.h"
#include "log.h"
#include "macro.h"
#include "plan-common.h"
#include "probe-verify.h"
#include "verbs.h"

static void apply_usage(FILE *f) {
        fprintf(f,
                "Usage: skytune apply [--dry-run] [--plan FILE | --policy NAME|FILE [--profile FILE]] [--persist]\n"
                "                     [--allow-risk LEVEL] [--target NAME]... [--json] [--detailed-exitcode]\n"
                "                     [--yes] [--sysroot DIR]\n"
                "\n"
                "--dry-run shows the plan and the exact effect of applying it: every live value from -> to, read\n"
                "again now, and with --persist the unified diff of each file skytune owns (sysctl.d/90-skytune.conf,\n"
                "the udev rule, tmpfiles.d, limits.d, systemd drop-ins). A dry run writes nothing, creates no file\n"
                "or directory and needs no privilege. The plan is checked by skytune-helper's own validation\n"
                "(host checks included): a plan the helper would refuse fails with its reason (exit 1).\n"
                "\n"
                "  --dry-run            show what would change, and stop there\n"
                "  --yes                without --dry-run: apply without asking (it never asks when stdin or\n"
                "                       stdout is not a terminal); skytune-helper does the writing, over D-Bus\n"
                "  --plan FILE          use a saved plan ('skytune plan --out FILE') instead of planning now\n"
                "  --policy NAME|FILE   policy to plan with (default balanced)\n"
                "  --profile FILE       plan from a saved profile instead of profiling now (10 s)\n"
                "  --duration S         length of the profile taken now\n"
                "  --persist            include the persistent forms (files that survive a reboot)\n"
                "  --allow-risk LEVEL   also propose changes up to this risk: low, medium, high\n"
                "  --target NAME        also check the limits of this process or unit; repeatable\n"
                APPLY_VERIFY_USAGE
                "  --json               print the plan with its effect as JSON (\"dry_run\" member, docs/plan.md)\n"
                "  --detailed-exitcode  exit 0 when nothing would change, 3 when changes are pending\n"
                "  --sysroot DIR        read /proc, /sys and /etc below DIR (also SKYTUNE_SYSROOT)\n"
                "\n"
                "Exit codes: 0 success (with --detailed-exitcode: nothing would change), 3 changes pending\n"
                "(--detailed-exitcode only), 1 failure, 2 usage error.\n");
}

int verb_apply(int argc, char **argv) {
        enum { OPT_DRY_RUN = 0x100, OPT_PLAN, OPT_DETAILED, OPT_YES };
        static const struct option options[] = {
                PLAN_COMMON_OPTIONS,
                APPLY_VERIFY_OPTIONS,
                { "dry-run", no_argument, NULL, OPT_DRY_RUN },
                { "plan", required_argument, NULL, OPT_PLAN },
                { "detailed-exitcode", no_argument, NULL, OPT_DETAILED },
                { "yes", no_argument, NULL, OPT_YES },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        PlanArgs a = PLAN_ARGS_INIT;
        ApplyVerifyArgs v = APPLY_VERIFY_ARGS_INIT;
        const char *plan_file = NULL;
        bool dry_run = false, detailed = false, yes = false;
        int c, code = EXIT_USAGE;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                int r = plan_args_option(&a, c, optarg);
                if (r < 0)
                        goto done;
                if (r > 0)
                        continue;
                r = apply_verify_option(&v, c, optarg);
                if (r < 0)
                        goto done;
                if (r > 0)
                        continue;
                switch (c) {
                case OPT_DRY_RUN:
                        dry_run = true;
                        break;
                case OPT_PLAN:
                        plan_file = optarg;
                        break;
                case OPT_DETAILED:
                        detailed = true;
                        break;
                case OPT_YES:
                        yes = true;
                        break;
                case 'h':
                        apply_usage(stdout);
                        code = EXIT_OK;
                        goto done;
                default:
                        log_error("unknown or incomplete option '%s' (see 'skytune apply --help')", argv[optind - 1]);
                        goto done;
                }
        }
        if (optind < argc) {
                log_error("unexpected argument '%s' (see 'skytune apply --help')", argv[optind]);
                goto done;
        }
        if (plan_file && (a.policy || a.profile || a.n_targets || a.allow_risk >= 0)) {
                log_error("--plan FILE already holds the changes: drop --policy, --profile, --target and --allow-risk, "
                          "or drop --plan to plan now");
                goto done;
        }

        code = EXIT_FAIL;
        Sysroot *root = NULL;
        if (cli_open_sysroot(a.sysroot, &root) < 0)
                goto done;
        json_t *plan = NULL, *effects = NULL;
        int r = plan_file ? cli_load_plan(root, plan_file, &plan) : cli_build_plan(&a, root, &plan);
        if (r >= 0) {
                bool persist = a.persist || json_is_true(json_object_get(plan, "persist"));
                OptError e = OPT_ERROR_INIT;
                r = dryrun_effects(root, plan, persist, &effects, &e);
                if (r < 0) {
                        _cleanup_free_ char *m = opt_error_format(&e);
                        log_error("%s%s%s", plan_file ? plan_file : "", plan_file ? ": " : "", strempty(m));
                }
                opt_error_clear(&e);
                if (r >= 0)
                        json_object_set_new(plan, "persist", json_boolean(persist));
        }
        sysroot_free(root);
        if (r >= 0) {
                long long pending = json_integer_value(json_object_get(effects, "pending"));
                if (!dry_run) {
                        /* A real apply: show the dry run, ask, send the plan to skytune-helper. */
                        if (!a.json) {
                                render_plan(stdout, plan, cli_stdout_color());
                                render_effects(stdout, effects, json_is_true(json_object_get(plan, "persist")), false,
                                               cli_stdout_color());
                        } else
                                json_object_set(plan, "dry_run", effects);
                        code = v.verify ? cli_apply_plan_verified(plan, pending, yes, a.json, &v)
                                        : helper_client_apply_plan(plan, pending, yes, a.json);
                        r = 0;
                } else if (a.json) {
                        json_object_set(plan, "dry_run", effects);
                        r = cli_write_json(plan, NULL);
                } else {
                        bool color = cli_stdout_color();
                        render_plan(stdout, plan, color);
                        render_effects(stdout, effects, json_is_true(json_object_get(plan, "persist")), true, color);
                        if (fflush(stdout) != 0)
                                r = log_error_errno(negative_errno(), "cannot write to standard output: %m");
                }
                if (dry_run)
                        code = r < 0 ? EXIT_FAIL : detailed && pending > 0 ? EXIT_PENDING : EXIT_OK;
        }
        json_decref(plan);
        json_decref(effects);
done:
        apply_verify_args_done(&v);
        plan_args_done(&a);
        return code;
}

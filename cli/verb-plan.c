/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fit-width.h"
#include "log.h"
#include "macro.h"
#include "plan-common.h"
#include "verbs.h"

static void plan_usage_text(FILE *f, void *userdata) {
        fprintf(f,
                "Usage: skytune plan [--policy NAME|FILE] [--profile FILE] [--allow-risk LEVEL] [--target NAME]...\n"
                "                    [--persist] [--json] [--out FILE] [--sysroot DIR] [--duration S]\n"
                "\n"
                "Turns a profile and a policy into a plan: each change says what it changes, from what to what,\n"
                "which rule asked for it, the measured evidence, the expected effect and the risk. Nothing is\n"
                "written to the system; see 'skytune apply --dry-run' for the exact effect of applying it.\n"
                "\n"
                "  --policy NAME|FILE  policy to follow (default balanced: changes only what the profile shows a\n"
                "                      problem with); 'skytune policy list' shows the names\n"
                "  --profile FILE      use a saved profile ('skytune profile --out FILE') instead of profiling now\n"
                "  --duration S        length of the profile taken now (default 10)\n"
                "  --allow-risk LEVEL  also propose changes up to this risk: low, medium, high (default: the policy's)\n"
                "  --target NAME       also check the limits of this process or unit (nginx, postgresql.service),\n"
                "                      and watch its cgroup's memory reclaim; repeatable\n"
                "  --persist           mark the plan to be applied with its persistent forms (sysctl.d, udev, ...)\n"
                "  --json              print the plan as JSON (schema skytune.plan/1, see docs/plan.md)\n"
                "  --out FILE          also write the JSON plan to FILE, for 'skytune apply --plan FILE'\n"
                "  --sysroot DIR       read /proc, /sys and /etc below DIR (also SKYTUNE_SYSROOT)\n"
                "\n"
                "Ctrl-C (or SIGTERM) stops it: no plan is made from a profile cut short.\n"
                "\n"
                "Exit codes: 0 plan made (with or without changes), 1 failure (bad policy, unreadable profile),\n"
                "2 usage error, 130 interrupted.\n");
}

/* Fitted to the terminal's width. */
static void plan_usage(FILE *f) {
        cli_fit(f, plan_usage_text, NULL);
}

int verb_plan(int argc, char **argv) {
        enum { OPT_OUT = 0x100 };
        static const struct option options[] = {
                PLAN_COMMON_OPTIONS,
                { "out", required_argument, NULL, OPT_OUT },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        PlanArgs a = PLAN_ARGS_INIT;
        const char *out = NULL;
        int c, code = EXIT_USAGE;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                int r = plan_args_option(&a, c, optarg);
                if (r < 0)
                        goto done;
                if (r > 0)
                        continue;
                if (c == OPT_OUT)
                        out = optarg;
                else if (c == 'h') {
                        plan_usage(stdout);
                        code = EXIT_OK;
                        goto done;
                } else {
                        log_error("unknown or incomplete option '%s' (see 'skytune plan --help')", argv[optind - 1]);
                        goto done;
                }
        }
        if (optind < argc) {
                log_error("unexpected argument '%s' (see 'skytune plan --help')", argv[optind]);
                goto done;
        }
        if (plan_args_check(&a) != EXIT_OK)
                goto done;
        cli_install_interrupt();
        code = EXIT_FAIL;
        Sysroot *root = NULL;
        if (cli_open_sysroot(a.sysroot, &root) < 0)
                goto done;
        json_t *plan = NULL;
        int r = cli_build_plan(&a, root, &plan);
        sysroot_free(root);
        if (r == -EINTR || (r >= 0 && cli_interrupted())) {
                (void) cli_stop_if_interrupted(a.profile ? "while planning: no plan was made"
                                                         : "during the profile: no plan was made from the truncated window");
                json_decref(plan);
                code = EXIT_INTERRUPTED;
                goto done;
        }
        if (r < 0)
                goto done;
        if (out)
                r = cli_write_json(plan, out);
        if (r >= 0 && a.json)
                r = cli_write_json(plan, NULL);
        else if (r >= 0) {
                RenderView view = cli_render_view(0);
                render_plan(stdout, plan, &view);
                if (fflush(stdout) != 0)
                        r = log_error_errno(negative_errno(), "cannot write to standard output: %m");
        }
        json_decref(plan);
        code = r < 0 ? EXIT_FAIL : EXIT_OK;
done:
        plan_args_done(&a);
        return code;
}

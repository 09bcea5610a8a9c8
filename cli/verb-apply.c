/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dryrun.h"
#include "fit-width.h"
#include "helper-client.h"
#include "log.h"
#include "macro.h"
#include "plan-common.h"
#include "probe-verify.h"
#include "safe-text.h"
#include "verbs.h"

static void apply_usage_text(FILE *f, void *userdata) {
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
                "  --yes                apply without asking. Without it skytune asks whenever stdin is a\n"
                "                       terminal (stdout may be piped), and refuses (exit 2) when stdin is\n"
                "                       not one; skytune-helper does the writing, over D-Bus\n"
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
                "Ctrl-C (or SIGTERM) at any stage changes nothing that skytune-helper has not already been sent:\n"
                "while profiling, planning or at the question nothing is applied; a plan already sent is\n"
                "waited for and its transaction reported (undo it with 'skytune rollback ID'). Either way the\n"
                "exit code is 130. --dry-run with --yes or --verify, and the --verify options without\n"
                "--verify, are refused as contradictions.\n"
                "\n"
                "Exit codes: 0 success (with --detailed-exitcode: nothing would change), 3 changes pending\n"
                "(--detailed-exitcode only), 1 failure, 2 usage error (also: no terminal and no --yes),\n"
                "130 interrupted.\n");
}

/* Fitted to the terminal's width. */
static void apply_usage(FILE *f) {
        cli_fit(f, apply_usage_text, NULL);
}

/* The long name of option val in a getopt table, for messages. */
static const char *option_name(const struct option *options, int val) {
        for (const struct option *o = options; o->name; o++)
                if (o->val == val)
                        return o->name;
        return "?";
}

typedef struct ApplyArgs {
        PlanArgs plan;
        ApplyVerifyArgs verify;
        const char *plan_file;
        json_t *given_plan;             /* a plan made by another verb (skytune set) */
        const char *verify_option;      /* the first --verify option given, as "--name" */
        char verify_option_buf[48];
        bool dry_run, detailed, yes;
} ApplyArgs;

/* Options that contradict each other; EXIT_OK or EXIT_USAGE (logged). */
static int apply_args_check(const ApplyArgs *x) {
        const PlanArgs *a = &x->plan;
        if (x->plan_file && (a->policy || a->profile || a->n_targets || a->allow_risk >= 0 || a->duration_set)) {
                log_error("--plan FILE already holds the changes: drop --policy, --profile, --target, --allow-risk and "
                          "--duration, or drop --plan to plan now");
                return EXIT_USAGE;
        }
        if (plan_args_check(a) != EXIT_OK)
                return EXIT_USAGE;
        if (x->dry_run && x->yes)
                return cli_flags_conflict("--dry-run", "--yes", "a dry run applies nothing, so there is nothing to confirm");
        if (x->dry_run && x->verify.verify)
                return cli_flags_conflict("--dry-run", "--verify",
                                          "a dry run applies nothing, so there is nothing to measure; drop one of them");
        if (x->verify_option && !x->verify.verify)
                return cli_flag_needs(x->verify_option, "--verify", "it only tunes the verification; add --verify or drop it");
        if (x->detailed && !x->dry_run)
                return cli_flag_needs("--detailed-exitcode", "--dry-run",
                                      "exit 3 (changes pending) is what a dry run reports; add --dry-run or drop it");
        if (!x->dry_run && !x->yes && !cli_stdin_is_tty())
                return cli_refuse_unconfirmed();
        return EXIT_OK;
}

static int apply_parse(int argc, char **argv, ApplyArgs *x) {
        enum { OPT_DRY_RUN = 0x100, OPT_PLAN, OPT_DETAILED, OPT_YES };
        static const struct option own[] = {
                PLAN_COMMON_OPTIONS,
                APPLY_VERIFY_OPTIONS,
                { "dry-run", no_argument, NULL, OPT_DRY_RUN },
                { "plan", required_argument, NULL, OPT_PLAN },
                { "detailed-exitcode", no_argument, NULL, OPT_DETAILED },
                { "yes", no_argument, NULL, OPT_YES },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        /* Then the probes' own options (--dsn, --users ...), for --verify. */
        struct option options[ELEMENTSOF(own) + PROBE_OPTION_NAMES_MAX];
        memcpy(options, own, sizeof(own));
        size_t n = apply_verify_backend_longopts(own, options + ELEMENTSOF(own) - 1);
        options[ELEMENTSOF(own) - 1 + n] = (struct option) {};
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                int r = plan_args_option(&x->plan, c, optarg);
                if (r > 0)
                        continue;
                if (r == 0)
                        r = apply_verify_option(&x->verify, c, optarg);
                if (r < 0)
                        return EXIT_USAGE;
                if (r > 0 && c != OPT_VERIFY && !x->verify_option) {
                        snprintf(x->verify_option_buf, sizeof(x->verify_option_buf), "--%s", option_name(options, c));
                        x->verify_option = x->verify_option_buf;
                }
                if (r > 0)
                        continue;
                switch (c) {
                case OPT_DRY_RUN:
                        x->dry_run = true;
                        break;
                case OPT_PLAN:
                        x->plan_file = optarg;
                        break;
                case OPT_DETAILED:
                        x->detailed = true;
                        break;
                case OPT_YES:
                        x->yes = true;
                        break;
                case 'h':
                        apply_usage(stdout);
                        return EXIT_OK;
                default:
                        log_error("unknown or incomplete option '%s' (see 'skytune apply --help')", argv[optind - 1]);
                        return EXIT_USAGE;
                }
        }
        if (optind < argc) {
                log_error("unexpected argument '%s' (see 'skytune apply --help')", argv[optind]);
                return EXIT_USAGE;
        }
        return apply_args_check(x) == EXIT_OK ? -1 : EXIT_USAGE;
}

/* The plan (saved or made now) with its exact effect. EXIT_OK, or the exit code (logged). */
static int apply_prepare(const ApplyArgs *x, json_t **ret_plan, json_t **ret_effects) {
        Sysroot *root = NULL;
        if (cli_open_sysroot(x->plan.sysroot, &root) < 0)
                return EXIT_FAIL;
        json_t *plan = NULL, *effects = NULL;
        int r = x->given_plan  ? (plan = json_deep_copy(x->given_plan)) ? 0 : log_error_errno(-ENOMEM, "cannot copy the plan: %m")
                : x->plan_file ? cli_load_plan(root, x->plan_file, &plan)
                               : cli_build_plan(&x->plan, root, &plan);
        if (r >= 0) {
                bool persist = x->plan.persist || json_is_true(json_object_get(plan, "persist"));
                OptError e = OPT_ERROR_INIT;
                r = dryrun_effects(root, plan, persist, &effects, &e);
                if (r < 0) {
                        _cleanup_free_ char *m = opt_error_format(&e);
                        log_error("%s%s%s", x->plan_file ? x->plan_file : "", x->plan_file ? ": " : "", strempty(m));
                }
                opt_error_clear(&e);
                /* The values read from the host reach the terminal (the files' diffs keep their newlines). */
                if (r >= 0 && (json_escape_tree(json_object_get(effects, "live")) < 0 ||
                               json_escape_tree(json_object_get(effects, "warnings")) < 0))
                        r = log_error_errno(-ENOMEM, "cannot escape the dry run for display: %m");
                if (r >= 0)
                        json_object_set_new(plan, "persist", json_boolean(persist));
        }
        sysroot_free(root);
        if (r == -EINTR || (r >= 0 && cli_interrupted())) {
                (void) cli_stop_if_interrupted(r == -EINTR ? "during the profile: nothing was planned or applied"
                                                           : "while planning: nothing was applied");
                json_decref(plan);
                json_decref(effects);
                return EXIT_INTERRUPTED;
        }
        if (r < 0) {
                json_decref(plan);
                json_decref(effects);
                return EXIT_FAIL;
        }
        *ret_plan = plan;
        *ret_effects = effects;
        return EXIT_OK;
}

static int apply_dry_run(const ApplyArgs *x, json_t *plan, const json_t *effects, long long pending) {
        int r;
        if (x->plan.json) {
                json_object_set(plan, "dry_run", (json_t *) effects);
                r = cli_write_json(plan, NULL);
        } else {
                unsigned persist = json_is_true(json_object_get(plan, "persist")) ? RENDER_PERSIST : 0;
                RenderView view = cli_render_view(RENDER_DRY_RUN | persist);
                render_plan(stdout, plan, &view);
                render_effects(stdout, effects, &view);
                r = fflush(stdout) != 0 ? log_error_errno(negative_errno(), "cannot write to standard output: %m") : 0;
        }
        return r < 0 ? EXIT_FAIL : x->detailed && pending > 0 ? EXIT_PENDING : EXIT_OK;
}

/* Everything after the options: plan, dry run, question, the helper. Returns the exit code. */
static int apply_run(ApplyArgs *x) {
        json_t *plan = NULL, *effects = NULL;
        /* From here on Ctrl-C stops at the next stage boundary with a word on what was (not) done. */
        cli_install_interrupt();
        int code = apply_prepare(x, &plan, &effects);
        if (code != EXIT_OK)
                goto done;
        long long pending = json_integer_value(json_object_get(effects, "pending"));
        if (x->dry_run) {
                code = apply_dry_run(x, plan, effects, pending);
                goto done;
        }
        /* A real apply: show the dry run, ask, send the plan to skytune-helper. */
        if (!x->plan.json) {
                RenderView view = cli_render_view(json_is_true(json_object_get(plan, "persist")) ? RENDER_PERSIST : 0);
                render_plan(stdout, plan, &view);
                render_effects(stdout, effects, &view);
                fflush(stdout);
        } else
                json_object_set(plan, "dry_run", effects);
        if (cli_stop_if_interrupted("before anything was sent to skytune-helper: nothing was applied")) {
                code = EXIT_INTERRUPTED;
                goto done;
        }
        code = x->verify.verify ? cli_apply_plan_verified(plan, pending, x->yes, x->plan.json, &x->verify)
                               : helper_client_apply_plan(plan, pending, x->yes, x->plan.json);
done:
        json_decref(plan);
        json_decref(effects);
        return code;
}

int verb_apply(int argc, char **argv) {
        ApplyArgs x = { .plan = PLAN_ARGS_INIT, .verify = APPLY_VERIFY_ARGS_INIT };
        int code = apply_parse(argc, argv, &x);
        if (code < 0)
                code = apply_run(&x);
        apply_verify_args_done(&x.verify);
        plan_args_done(&x.plan);
        return code;
}

int apply_given_plan(json_t *plan, const char *sysroot, bool dry_run, bool yes, bool json, bool detailed) {
        ApplyArgs x = { .plan = PLAN_ARGS_INIT, .verify = APPLY_VERIFY_ARGS_INIT };
        x.plan.sysroot = sysroot;
        x.plan.json = json;
        x.given_plan = plan;
        x.dry_run = dry_run;
        x.yes = yes;
        x.detailed = detailed;
        int code = apply_args_check(&x);
        return code == EXIT_OK ? apply_run(&x) : code;
}

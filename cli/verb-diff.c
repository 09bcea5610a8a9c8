/* SPDX-License-Identifier: MIT */
/* skytune diff: what changed between two states of a host, from two profiles, two plans or two
 * probe runs (or a saved profile and one taken now). Read-only. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "diff.h"
#include "fit-width.h"
#include "log.h"
#include "macro.h"
#include "plan-common.h"
#include "profile-source.h"
#include "verbs.h"

static const char diff_usage[] =
        "Usage: skytune diff A.json [B.json] [--all] [--json] [--detailed-exitcode]\n"
        "                    [--duration S] [--sysroot DIR]\n"
        "\n"
        "Compare two profiles, two plans or two probe runs (known by their \"schema\");\n"
        "without B, A (a profile) is compared with a profile taken now. Shows each\n"
        "metric that changed, with units, and for sampled ones whether the change is\n"
        "beyond their spread (the min..max ranges of the samples do not overlap); the\n"
        "tunables that differ; the findings that appeared or went away; the host facts\n"
        "that differ.\n"
        "\n"
        "  --all                also list the metrics that did not change\n"
        "  --json               print a skytune.diff/1 document (see\n"
        "                       " CLI_DOC("verbs") ")\n"
        "  --detailed-exitcode  exit 3 when the documents differ (0 when they do not)\n"
        "  --duration S         length of the profile taken now, without B (default 10)\n"
        "  --sysroot DIR        read /proc and /sys below DIR for it (SKYTUNE_SYSROOT)\n"
        "\n"
        "Exit codes: 0 compared (also when they differ, unless --detailed-exitcode),\n"
        "3 they differ (--detailed-exitcode), 1 failure (a file that cannot be read,\n"
        "documents of two kinds), 2 usage error, 130 interrupted.\n";

typedef struct DiffArgs {
        PlanArgs live;          /* --duration, --sysroot, --json of the profile taken now */
        const char *a, *b;
        bool all, detailed;
} DiffArgs;

static int diff_parse(int argc, char **argv, DiffArgs *x) {
        enum { OPT_ALL = 0x100, OPT_DETAILED };
        static const struct option options[] = {
                { "all", no_argument, NULL, OPT_ALL },
                { "detailed-exitcode", no_argument, NULL, OPT_DETAILED },
                PROFILE_SOURCE_OPTIONS,
                {},
        };
        optind = 1;
        opterr = 0;
        for (int c; (c = getopt_long(argc, argv, "h", options, NULL)) != -1;) {
                int r = c >= PLAN_OPT_POLICY ? plan_args_option(&x->live, c, optarg) : 0;
                if (r < 0)
                        return EXIT_USAGE;
                if (r > 0)
                        continue;
                if (c == OPT_ALL || c == OPT_DETAILED)
                        *(c == OPT_ALL ? &x->all : &x->detailed) = true;
                else if (c == 'h') {
                        fputs(diff_usage, stdout);
                        return EXIT_OK;
                } else {
                        log_error("unknown or incomplete option '%s' (see 'skytune diff --help')", argv[optind - 1]);
                        return EXIT_USAGE;
                }
        }
        if (optind >= argc || argc - optind > 2) {
                log_error("%s: give A.json, or A.json and B.json (see 'skytune diff --help')",
                          optind >= argc ? "nothing to compare" : "too many files");
                return EXIT_USAGE;
        }
        x->a = argv[optind];
        x->b = argc - optind == 2 ? argv[optind + 1] : NULL;
        if (x->b && (x->live.duration_set || x->live.sysroot))
                return cli_flags_conflict("B.json", x->live.duration_set ? "--duration" : "--sysroot",
                                          "they are for the profile taken now when B is left out");
        return -1;
}

/* A document and its kind; errors logged, naming the file. */
static int load(const char *path, json_t **ret, DiffKind *ret_kind) {
        json_t *doc = NULL;
        int r = cli_load_json(path, "document to compare (a profile, plan or probe run)", &doc);
        if (r < 0)
                return r;
        DiffKind k = diff_kind_of(doc);
        if (k < 0) {
                const char *s = json_string_value(json_object_get(doc, "schema"));
                log_error("%s: \"schema\" is %s%s%s: skytune diff compares profiles (skytune.profile/1), plans "
                          "(skytune.plan/1) or probe runs (skytune.probe/1)", path, s ? "\"" : "", s ? s : "missing",
                          s ? "\"" : "");
                json_decref(doc);
                return -EINVAL;
        }
        *ret = doc;
        *ret_kind = k;
        return 0;
}

static int side(json_t *diff, const char *which, const char *path, const json_t *doc) {
        const char *base = path ? strrchr(path, '/') : NULL;
        json_t *g = json_object_get(doc, "generated");
        json_t *o = json_pack("{s:s, s:s?, s:O?}", "name", path ? (base ? base + 1 : path) : "(taken now)", "path", path,
                              "generated", json_is_string(g) ? g : NULL);
        return o && json_object_set_new(diff, which, o) == 0 ? 0 : -ENOMEM;
}

/* Both documents, the second one taken now when B is left out. EXIT_OK or the exit code (logged). */
static int load_both(const DiffArgs *x, json_t **a, json_t **b, DiffKind *kind) {
        DiffKind kb = DIFF_PROFILE;
        if (load(x->a, a, kind) < 0)
                return EXIT_FAIL;
        int r = 0;
        if (x->b)
                r = load(x->b, b, &kb);
        else if (*kind != DIFF_PROFILE) {
                log_error("%s is a %s: only a profile can be compared with the host now; give B.json", x->a,
                          diff_kind_name(*kind));
                return EXIT_FAIL;
        } else {
                Sysroot *root = NULL;
                r = cli_open_sysroot(x->live.sysroot, &root);
                if (r >= 0)
                        r = cli_profile_get(NULL, root, x->live.duration, b);
                sysroot_free(root);
                if (r == -EINTR || cli_interrupted()) {
                        (void) cli_stop_if_interrupted("during the profile: nothing was compared");
                        return EXIT_INTERRUPTED;
                }
        }
        if (r < 0)
                return EXIT_FAIL;
        if (kb != *kind) {
                log_error("%s is a %s and %s a %s: compare two documents of one kind", x->a, diff_kind_name(*kind), x->b,
                          diff_kind_name(kb));
                return EXIT_FAIL;
        }
        return EXIT_OK;
}

static int diff_run(const DiffArgs *x) {
        json_t *a = NULL, *b = NULL, *fa = NULL, *fb = NULL, *d = NULL;
        DiffKind kind;
        int code = load_both(x, &a, &b, &kind);
        if (code == EXIT_OK) {
                int r = diff_flatten(kind, a, &fa);
                r = r ?: diff_flatten(kind, b, &fb);
                r = r ?: diff_compare(fa, fb, x->all, &d);
                r = r ?: json_object_set_new(d, "kind", json_string(diff_kind_name(kind)));
                r = r ?: side(d, "a", x->a, a);
                r = r ?: side(d, "b", x->b, b);
                if (r < 0) {
                        log_error_errno(r, "cannot compare the documents: %m");
                        code = EXIT_FAIL;
                }
        }
        if (code == EXIT_OK) {
                if (x->live.json)
                        code = cli_write_json(d, NULL) < 0 ? EXIT_FAIL : EXIT_OK;
                else
                        render_diff(stdout, d, &(RenderView) { .width = 80 });
                if (code == EXIT_OK && x->detailed && json_is_true(json_object_get(d, "differ")))
                        code = EXIT_PENDING;
        }
        json_decref(a);
        json_decref(b);
        json_decref(fa);
        json_decref(fb);
        json_decref(d);
        return code;
}

int verb_diff(int argc, char **argv) {
        DiffArgs x = { .live = PLAN_ARGS_INIT };
        int code = diff_parse(argc, argv, &x);
        if (code >= 0)
                return code;
        cli_install_interrupt();
        code = diff_run(&x);
        plan_args_done(&x.live);
        return code;
}

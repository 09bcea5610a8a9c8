/* SPDX-License-Identifier: MIT */
/* skytune set: a one-off change, sysctl -w style, made as a skytune.plan/1 document and handed to
 * skytune apply's own path (dry run, question, Ctrl-C, skytune-helper), so that it is journaled like
 * any plan: it shows in 'skytune history' and 'skytune rollback' takes it back. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "macro.h"
#include "owned-file.h"
#include "plan-validate.h"
#include "safe-text.h"
#include "tunable-arg.h"
#include "verbs.h"

static bool same(const json_t *o, const char *field, const char *want) {
        const char *v = json_string_value(json_object_get(o, field));
        return v && strcmp(v, want) == 0;
}

static const char set_usage[] =
        "Usage: skytune set KEY=VALUE... [--persist]\n"
        "                   [--yes | --dry-run [--detailed-exitcode]] [--json]\n"
        "                   [--sysroot DIR]\n"
        "\n"
        "Change tunables as one transaction of skytune-helper, exactly as 'skytune\n"
        "apply' applies a plan: the dry run first (every value from -> to), then a\n"
        "question when stdin is a terminal, then the journaled change. 'skytune\n"
        "history' lists it, 'skytune rollback' takes it back. KEY is named as for\n"
        "'skytune get' (vm.swappiness, io_scheduler:vda, ulimit:unit:x.service:nofile);\n"
        "each VALUE is checked against the allowlist before anything is sent ('skytune\n"
        "policy keys' lists the names and values).\n"
        "\n"
        "  --persist            also write the persistent form (sysctl.d, udev rule...)\n"
        "  --yes                apply without asking (needed when stdin is no terminal)\n"
        "  --dry-run            show what would change, and stop there\n"
        "  --detailed-exitcode  with --dry-run: exit 3 when a change is pending\n"
        "  --json               print the plan with its effect (as 'apply --json')\n"
        "  --sysroot DIR        read /proc, /sys and /etc below DIR (SKYTUNE_SYSROOT)\n"
        "\n"
        "Exit codes: 0 success, 1 failure (an unknown KEY, a VALUE out of range, the\n"
        "helper's refusal), 2 usage error (also: no terminal and no --yes), 3 changes\n"
        "pending (--detailed-exitcode), 130 interrupted.\n";

typedef struct SetArgs {
        const char *sysroot;
        bool persist, yes, dry_run, detailed, json;
        char **assign;
        int n_assign;
} SetArgs;

static int set_parse(int argc, char **argv, SetArgs *a) {
        enum { OPT_PERSIST = 0x100, OPT_YES, OPT_DRY_RUN, OPT_DETAILED, OPT_JSON, OPT_SYSROOT };
        static const struct option options[] = {
                { "persist", no_argument, NULL, OPT_PERSIST },
                { "yes", no_argument, NULL, OPT_YES },
                { "dry-run", no_argument, NULL, OPT_DRY_RUN },
                { "detailed-exitcode", no_argument, NULL, OPT_DETAILED },
                { "json", no_argument, NULL, OPT_JSON },
                { "sysroot", required_argument, NULL, OPT_SYSROOT },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        optind = 1;
        opterr = 0;
        for (int c; (c = getopt_long(argc, argv, "h", options, NULL)) != -1;) {
                bool *flag = c == OPT_PERSIST ? &a->persist
                           : c == OPT_YES     ? &a->yes
                           : c == OPT_DRY_RUN ? &a->dry_run
                           : c == OPT_DETAILED ? &a->detailed
                           : c == OPT_JSON    ? &a->json
                                              : NULL;
                if (flag)
                        *flag = true;
                else if (c == OPT_SYSROOT)
                        a->sysroot = optarg;
                else if (c == 'h') {
                        fputs(set_usage, stdout);
                        return EXIT_OK;
                } else {
                        log_error("unknown or incomplete option '%s' (see 'skytune set --help')", argv[optind - 1]);
                        return EXIT_USAGE;
                }
        }
        a->assign = argv + optind;
        a->n_assign = argc - optind;
        if (a->n_assign == 0) {
                log_error("missing KEY=VALUE: say what to change, e.g. 'skytune set vm.swappiness=10'");
                return EXIT_USAGE;
        }
        for (int i = 0; i < a->n_assign; i++)
                if (!strchr(a->assign[i], '=')) {
                        log_error("'%s' is not KEY=VALUE (to read a value: 'skytune get %s')", a->assign[i], a->assign[i]);
                        return EXIT_USAGE;
                }
        return -1;
}

/* One change as the optimizer writes it, with the argument as typed as its evidence. */
static int make_change(const Sysroot *root, TunableKind kind, const char *key, const char *value, const char *arg, int argn,
                       json_t **ret) {
        _cleanup_free_ char *current = NULL, *pfile = NULL, *effect = NULL;
        if (tunable_arg_read(root, kind, key, &current) == -ENOMEM || owned_file_for(kind, key, &pfile) == -ENOMEM)
                return -ENOMEM;
        _cleanup_free_ char *name = tunable_arg_format(kind, key);
        if (!name || asprintf(&effect, "%s becomes %s", name, value) < 0)
                return -ENOMEM;
        json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}, s:s, s:s, s:s, s:s, s:s, s:i}", "kind",
                              tunable_kind_to_string(kind), "key", key, "proposed", value, "rule", "set", "reason",
                              "asked for on the command line (skytune set)", "evidence", "asked", arg,
                              "expected_effect", effect, "risk", "chosen by you", "confidence", "n/a", "mechanism",
                              owned_mechanism(kind, key), "policy_file", "argument", "policy_line", argn);
        if (!c)
                return -ENOMEM;
        json_object_set_new(c, "current", json_text(current));
        json_object_set_new(c, "persist_file", pfile ? json_string(pfile) : json_null());
        *ret = c;
        return 0;
}

/* KEY=VALUE: a known key, a value the allowlist takes, normalized as the helper will store it. */
static int parse_assignment(const Sysroot *root, const char *arg, int argn, json_t *changes) {
        _cleanup_free_ char *name = strndup(arg, strchr(arg, '=') - arg), *key = NULL, *value = NULL;
        const char *raw = strchr(arg, '=') + 1;
        _cleanup_(error_done) Error why = ERROR_NULL;
        TunableKind kind;
        if (!name)
                return -ENOMEM;
        int r = tunable_arg_parse(name, &kind, &key);
        if (r < 0)
                return r;
        r = tunable_check(kind, key, raw, NULL, &why);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                _cleanup_free_ char *takes = tunable_arg_values(kind, key);
                log_error("%s=%s is refused: %s", name, raw, why.message ?: strerror(-r));
                if (takes)      /* its own line: the texts are long, and it is what to do */
                        fprintf(stderr, "  %s takes %s\n", name, takes);
                else
                        fprintf(stderr, "  'skytune policy keys' lists the values %s takes\n", name);
                return r;
        }
        const char *refused = plan_key_refused(kind, key);
        if (refused) {
                log_error("%s: skytune-helper will not change it: %s", name, refused);
                return -EPERM;
        }
        size_t i;
        json_t *c;
        json_array_foreach(changes, i, c)
                if (same(c, "kind", tunable_kind_to_string(kind)) && same(c, "key", key)) {
                        log_error("%s is given twice (arguments %zu and %d): give each key once", name, i + 1, argn);
                        return -EINVAL;
                }
        r = tunable_normalize(kind, key, raw, &value);
        if (r >= 0)
                r = make_change(root, kind, key, value, arg, argn, &c);
        if (r >= 0 && json_array_append_new(changes, c) < 0)
                r = -ENOMEM;
        return r == -ENOMEM ? log_error_errno(r, "cannot build the plan: %m") : r;
}

static int build_plan(const SetArgs *a, json_t **ret) {
        Sysroot *root = NULL;
        if (cli_open_sysroot(a->sysroot, &root) < 0)
                return -EINVAL;
        json_t *changes = json_array();
        int r = changes ? 0 : -ENOMEM;
        for (int i = 0; r >= 0 && i < a->n_assign; i++)
                r = parse_assignment(root, a->assign[i], i + 1, changes);
        sysroot_free(root);
        json_t *plan = r < 0 ? NULL
                             : json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:b, s:o, s:[], s:[], s:[]}", "schema",
                                         PLAN_SCHEMA, "policy", "name", "skytune set", "allow_risk", "any", "profile",
                                         "source", "none", "digest", "-", "persist", a->persist, "changes", changes,
                                         "held_back", "unsupported", "warnings");
        if (r < 0)
                json_decref(changes);
        else if (!plan || json_escape_tree(plan) < 0) { /* values read from the host reach the terminal */
                json_decref(plan);
                return log_error_errno(-ENOMEM, "cannot build the plan: %m");
        }
        *ret = plan;
        return r;
}

int verb_set(int argc, char **argv) {
        SetArgs a = {};
        int code = set_parse(argc, argv, &a);
        if (code >= 0)
                return code;
        json_t *plan = NULL;
        if (build_plan(&a, &plan) < 0)
                return EXIT_FAIL;
        code = apply_given_plan(plan, a.sysroot, a.dry_run, a.yes, a.json, a.detailed);
        json_decref(plan);
        return code;
}

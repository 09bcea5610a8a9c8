/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fit-width.h"
#include "log.h"
#include "macro.h"
#include "nearest.h"
#include "plan-common.h"
#include "policy-findings.h"
#include "policy-metrics.h"
#include "profiler.h"
#include "verbs.h"

static void policy_usage_text(FILE *f, void *userdata) {
        fprintf(f,
                "Usage: skytune policy list [--json]\n"
                "       skytune policy show NAME|FILE [--json]\n"
                "       skytune policy check NAME|FILE|findings... [--json]\n"
                "       skytune policy check --findings FILE... [--json]\n"
                "       skytune policy keys [--json]\n"
                "\n"
                "Policies say what skytune may change and on what evidence (libconfig files,\n"
                CLI_DOC("policy") ").\n"
                "They are found in $SKYTUNE_POLICY_PATH when set, else in /etc/skytune/policies (local ones win),\n"
                "then in the installed directory " SKYTUNE_POLICY_DIR ".\n"
                "\n"
                "  list   every policy found, with its description (and why a broken one does not load)\n"
                "  show   the merged result of a policy and its includes, as policy text that loads again\n"
                "  check  load each policy and report the first error as file:line: message, also a\n"
                "         metric path that no profile has (with the nearest one that exists);\n"
                "         'findings' checks the profile's built-in finding table the same way\n"
                "  keys   what skytune may change: every tunable kind, its key names and values (the\n"
                "         allowlist the helper enforces)\n"
                "\n"
                "  --json         machine output (schemas skytune.policy-list/1, skytune.policy/1,\n"
                "                 skytune.policy-check/1, skytune.policy-keys/1; see\n"
                "                 " CLI_DOC("policy") ")\n"
                "  --sysroot DIR  look for /etc/skytune/policies below DIR\n"
                "  --findings     check: the FILEs are finding tables (a copy of the built-in one)\n"
                "\n"
                "Exit codes: 0 success, 1 a policy does not load, 2 usage error.\n");
}

/* Fitted to the terminal's width. */
static void policy_usage(FILE *f) {
        cli_fit(f, policy_usage_text, NULL);
}

typedef struct ListArgs {
        const PolicySearch *s;
        const PolicyListEntry *l;
        size_t n;
} ListArgs;

/* The list for people, fitted to the terminal's width by the caller. */
static void list_text(FILE *f, void *userdata) {
        const ListArgs *a = userdata;
        fprintf(f, "Search path (first wins):\n");
        for (size_t i = 0; i < a->s->n_dirs; i++)
                fprintf(f, "  %s\n", a->s->dirs[i]);
        fprintf(f, "\n");
        for (size_t i = 0; i < a->n; i++) {
                const PolicyListEntry *e = &a->l[i];
                if (e->shadowed)
                        fprintf(f, "  %-24s (hidden by an earlier directory) %s\n", e->name, e->path);
                else if (e->error)
                        fprintf(f, "  %-24s BROKEN: %s\n", e->name, e->error);
                else
                        fprintf(f, "  %-24s %s\n", e->name, e->description);
        }
        if (a->n == 0)
                fprintf(f, "  (no policies found: install skytune's policies or set SKYTUNE_POLICY_PATH)\n");
}

static int policy_list_cmd(const char *sysroot, bool json) {
        PolicySearch s;
        PolicyListEntry *l = NULL;
        size_t n = 0;
        int r = policy_search_init(&s, sysroot);
        if (r >= 0)
                r = policy_list(&s, &l, &n);
        if (r < 0) {
                policy_search_done(&s);
                log_error_errno(r, "cannot list policies: %m");
                return EXIT_FAIL;
        }
        json_t *dirs = json_array(), *arr = json_array();
        for (size_t i = 0; i < s.n_dirs; i++)
                json_array_append_new(dirs, json_string(s.dirs[i]));
        for (size_t i = 0; i < n; i++)
                json_array_append_new(arr, json_pack("{s:s, s:s, s:s?, s:s?, s:b}", "name", l[i].name, "path", l[i].path,
                                                     "description", l[i].description, "error", l[i].error, "shadowed",
                                                     l[i].shadowed));
        if (json) {
                json_t *doc = json_pack("{s:s, s:o, s:o}", "schema", POLICY_LIST_SCHEMA, "search_path", dirs, "policies",
                                        arr);
                r = cli_write_json(doc, NULL);
                json_decref(doc);
        } else {
                cli_fit(stdout, list_text, &(ListArgs) { &s, l, n });
                json_decref(dirs);
                json_decref(arr);
        }
        policy_list_free(l, n);
        policy_search_done(&s);
        return r < 0 ? EXIT_FAIL : EXIT_OK;
}

static int policy_show_cmd(const char *sysroot, const char *name, bool json) {
        _cleanup_(policy_freep) Policy *p = NULL;
        if (cli_load_policy(sysroot, name, &p) < 0)
                return EXIT_FAIL;
        int r;
        if (json) {
                json_t *doc = policy_to_json(p);
                r = doc ? cli_write_json(doc, NULL) : -ENOMEM;
                json_decref(doc);
        } else {
                _cleanup_free_ char *text = NULL;
                r = policy_format(p, &text);
                if (r >= 0)
                        r = cli_write_text(text, strlen(text), NULL);
        }
        if (r < 0)
                log_error_errno(r, "cannot show policy '%s': %m", name);
        return r < 0 ? EXIT_FAIL : EXIT_OK;
}

static void catalogue_done(MetricCatalog *c) {
        metric_catalog_done(c);
}

/* Every path rules may read: what the profiler's collectors and the optimizer declare. */
static int load_catalogue(MetricCatalog *c) {
        int r = profiler_metric_catalog(c);
        if (r >= 0)
                r = policy_metric_catalog(c);
        if (r < 0)
                log_error_errno(r, "cannot build the metric catalogue: %m");
        return r;
}

/* Loads one policy and checks the metric paths of its rules; the first error as file:line: message. */
static int check_one(const PolicySearch *s, const char *name, const MetricCatalog *cat, Policy **ret, char **ret_error) {
        OptError e = OPT_ERROR_INIT;
        int r = policy_load(s, name, ret, &e);
        if (r >= 0 && (r = policy_check_metrics(*ret, cat, &e)) < 0)
                *ret = policy_free(*ret);
        if (r < 0) {
                *ret_error = e.message ? opt_error_format(&e) : NULL;
                if (!*ret_error && asprintf(ret_error, "%s: cannot load the policy: %s", name, strerror(-r)) < 0)
                        *ret_error = NULL;
        }
        opt_error_clear(&e);
        return r;
}

static int policy_check_cmd(const char *sysroot, char **names, int n, bool findings, bool json) {
        _cleanup_(catalogue_done) MetricCatalog cat = {};
        if (load_catalogue(&cat) < 0)
                return EXIT_FAIL;
        PolicySearch s;
        int r = policy_search_init(&s, sysroot);
        if (r < 0)
                return log_error_errno(r, "cannot set up the policy search path: %m"), EXIT_FAIL;
        int code = EXIT_OK;
        json_t *results = json_array();
        for (int i = 0; results && i < n; i++) {
                _cleanup_(policy_freep) Policy *p = NULL;
                _cleanup_free_ char *error = NULL;
                if (findings || strcmp(names[i], "findings") == 0) {
                        if (policy_check_findings(names[i], findings ? names[i] : NULL, &cat, json, results) < 0)
                                code = EXIT_FAIL;
                        continue;
                }
                if (check_one(&s, names[i], &cat, &p, &error) < 0) {
                        code = EXIT_FAIL;
                        log_error("%s", error ? error : "out of memory");
                        json_array_append_new(results, json_pack("{s:s, s:b, s:s?}", "policy", names[i], "ok", false,
                                                                 "error", error));
                        continue;
                }
                size_t settings = 0;
                for (size_t j = 0; j < p->n_rules; j++)
                        settings += p->rules[j].setting;
                if (json)
                        json_array_append_new(results, json_pack("{s:s, s:b, s:s, s:s, s:I, s:I, s:I}", "policy", names[i],
                                                                 "ok", true, "name", p->name, "file", p->file, "settings",
                                                                 (json_int_t) settings, "rules",
                                                                 (json_int_t) (p->n_rules - settings), "files",
                                                                 (json_int_t) p->n_files));
                else
                        printf("%s: OK, policy '%s': %zu setting%s, %zu rule%s, %zu file%s merged\n", names[i], p->name,
                               settings, settings == 1 ? "" : "s", p->n_rules - settings,
                               p->n_rules - settings == 1 ? "" : "s", p->n_files, p->n_files == 1 ? "" : "s");
        }
        policy_search_done(&s);
        if (!results)
                return log_error_errno(-ENOMEM, "out of memory"), EXIT_FAIL;
        if (json) {
                json_t *doc = json_pack("{s:s, s:b, s:o}", "schema", POLICY_CHECK_SCHEMA, "ok", code == EXIT_OK,
                                        "policies", results);
                if (!doc || cli_write_json(doc, NULL) < 0)
                        code = EXIT_FAIL;
                json_decref(doc);
        } else
                json_decref(results);
        return code;
}

static int policy_keys_cmd(bool json) {
        json_t *kinds = tunable_allowlist_json();
        if (!kinds)
                return log_error_errno(-ENOMEM, "cannot list the allowlist: %m"), EXIT_FAIL;
        int r = 0;
        if (json) {
                json_t *doc = json_pack("{s:s, s:o}", "schema", POLICY_KEYS_SCHEMA, "kinds", kinds);
                r = doc ? cli_write_json(doc, NULL) : -ENOMEM;
                json_decref(doc);
                return r < 0 ? EXIT_FAIL : EXIT_OK;
        }
        size_t i, j;
        json_t *k, *e;
        json_array_foreach(kinds, i, k) {
                printf("%s%s\n  keys:   %s\n  values: %s\n", i ? "\n" : "", json_string_value(json_object_get(k, "kind")),
                       strempty(json_string_value(json_object_get(k, "keys"))),
                       strempty(json_string_value(json_object_get(k, "values"))));
                json_array_foreach(json_object_get(k, "names"), j, e)
                        printf("    %-36s %s\n", json_string_value(json_object_get(e, "name")),
                               strempty(json_string_value(json_object_get(e, "values"))));
                json_array_foreach(json_object_get(k, "resources"), j, e) {
                        bool bytes = strcmp(strempty(json_string_value(json_object_get(e, "unit"))), "bytes") == 0;
                        printf("    %-8s at most %lld%s%s\n", json_string_value(json_object_get(e, "name")),
                               (long long) json_integer_value(json_object_get(e, "max")), bytes ? " bytes" : "",
                               json_is_true(json_object_get(e, "infinity")) ? ", or infinity" : ", never infinity");
                }
        }
        json_decref(kinds);
        return EXIT_OK;
}

int verb_policy(int argc, char **argv) {
        enum { OPT_SYSROOT = 0x100, OPT_JSON, OPT_FINDINGS };
        static const struct option options[] = {
                { "json", no_argument, NULL, OPT_JSON },
                { "findings", no_argument, NULL, OPT_FINDINGS },
                { "sysroot", required_argument, NULL, OPT_SYSROOT },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        bool json = false, findings = false;
        const char *sysroot = NULL;
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1)
                switch (c) {
                case OPT_JSON:
                        json = true;
                        break;
                case OPT_FINDINGS:
                        findings = true;
                        break;
                case OPT_SYSROOT:
                        sysroot = optarg;
                        break;
                case 'h':
                        policy_usage(stdout);
                        return EXIT_OK;
                default:
                        log_error("unknown or incomplete option '%s' (see 'skytune policy --help')", argv[optind - 1]);
                        return EXIT_USAGE;
                }
        if (!sysroot)
                sysroot = secure_getenv("SKYTUNE_SYSROOT");
        if (optind >= argc) {
                log_error("missing subcommand: give list, show NAME, check FILE or keys (see 'skytune policy --help')");
                return EXIT_USAGE;
        }
        const char *sub = argv[optind++];
        int rest = argc - optind;
        if (strcmp(sub, "list") == 0 && rest == 0)
                return policy_list_cmd(sysroot, json);
        if (strcmp(sub, "show") == 0 && rest == 1)
                return policy_show_cmd(sysroot, argv[optind], json);
        if (strcmp(sub, "keys") == 0 && rest == 0)
                return policy_keys_cmd(json);
        if (strcmp(sub, "check") == 0 && rest >= 1)
                return policy_check_cmd(sysroot, argv + optind, rest, findings, json);
        static const char *const subs[] = { "list", "show", "check", "keys" };
        const char *near = nearest_name(sub, subs, ELEMENTSOF(subs));
        if (strcmp(sub, "list") == 0 || strcmp(sub, "show") == 0 || strcmp(sub, "check") == 0 || strcmp(sub, "keys") == 0)
                log_error("wrong number of arguments for 'policy %s': list and keys take none, show one NAME, check one "
                          "or more FILEs", sub);
        else if (near)
                log_error("unknown subcommand '%s': did you mean '%s'? (list, show NAME, check FILE or keys)", sub, near);
        else
                log_error("unknown subcommand '%s': give list, show NAME, check FILE or keys", sub);
        return EXIT_USAGE;
}

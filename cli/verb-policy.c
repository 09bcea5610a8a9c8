/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "macro.h"
#include "plan-common.h"
#include "verbs.h"

static void policy_usage(FILE *f) {
        fprintf(f,
                "Usage: skytune policy list [--json]\n"
                "       skytune policy show NAME|FILE [--json]\n"
                "       skytune policy check NAME|FILE...\n"
                "\n"
                "Policies say what skytune may change and on what evidence (libconfig files, docs/policy.md).\n"
                "They are found in $SKYTUNE_POLICY_PATH when set, else in /etc/skytune/policies (local ones win),\n"
                "then in the installed directory " SKYTUNE_POLICY_DIR ".\n"
                "\n"
                "  list   every policy found, with its description (and why a broken one does not load)\n"
                "  show   the merged result of a policy and its includes, as policy text that loads again\n"
                "  check  load each policy and report the first error as file:line: message\n"
                "\n"
                "  --json         machine output\n"
                "  --sysroot DIR  look for /etc/skytune/policies below DIR\n"
                "\n"
                "Exit codes: 0 success, 1 a policy does not load, 2 usage error.\n");
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
                json_t *doc = json_pack("{s:o, s:o}", "search_path", dirs, "policies", arr);
                r = cli_write_json(doc, NULL);
                json_decref(doc);
        } else {
                printf("Search path (first wins):\n");
                for (size_t i = 0; i < s.n_dirs; i++)
                        printf("  %s\n", s.dirs[i]);
                printf("\n");
                for (size_t i = 0; i < n; i++) {
                        if (l[i].shadowed)
                                printf("  %-24s (hidden by an earlier directory) %s\n", l[i].name, l[i].path);
                        else if (l[i].error)
                                printf("  %-24s BROKEN: %s\n", l[i].name, l[i].error);
                        else
                                printf("  %-24s %s\n", l[i].name, l[i].description);
                }
                if (n == 0)
                        printf("  (no policies found: install skytune's policies or set SKYTUNE_POLICY_PATH)\n");
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

static int policy_check_cmd(const char *sysroot, char **names, int n) {
        int code = EXIT_OK;
        for (int i = 0; i < n; i++) {
                _cleanup_(policy_freep) Policy *p = NULL;
                if (cli_load_policy(sysroot, names[i], &p) < 0) {
                        code = EXIT_FAIL;
                        continue;
                }
                size_t settings = 0;
                for (size_t j = 0; j < p->n_rules; j++)
                        settings += p->rules[j].setting;
                printf("%s: OK, policy '%s': %zu setting%s, %zu rule%s, %zu file%s merged\n", names[i], p->name, settings,
                       settings == 1 ? "" : "s", p->n_rules - settings, p->n_rules - settings == 1 ? "" : "s", p->n_files,
                       p->n_files == 1 ? "" : "s");
        }
        return code;
}

int verb_policy(int argc, char **argv) {
        enum { OPT_SYSROOT = 0x100, OPT_JSON };
        static const struct option options[] = {
                { "json", no_argument, NULL, OPT_JSON },
                { "sysroot", required_argument, NULL, OPT_SYSROOT },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        bool json = false;
        const char *sysroot = NULL;
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1)
                switch (c) {
                case OPT_JSON:
                        json = true;
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
                log_error("missing subcommand: give list, show NAME or check FILE (see 'skytune policy --help')");
                return EXIT_USAGE;
        }
        const char *sub = argv[optind++];
        int rest = argc - optind;
        if (strcmp(sub, "list") == 0 && rest == 0)
                return policy_list_cmd(sysroot, json);
        if (strcmp(sub, "show") == 0 && rest == 1)
                return policy_show_cmd(sysroot, argv[optind], json);
        if (strcmp(sub, "check") == 0 && rest >= 1)
                return policy_check_cmd(sysroot, argv + optind, rest);
        if (strcmp(sub, "list") == 0 || strcmp(sub, "show") == 0 || strcmp(sub, "check") == 0)
                log_error("wrong number of arguments for 'policy %s': list takes none, show one NAME, check one or more "
                          "FILEs", sub);
        else
                log_error("unknown subcommand '%s': give list, show NAME or check FILE", sub);
        return EXIT_USAGE;
}

/* SPDX-License-Identifier: MIT */
/* skytune get: read tunables the way sysctl(8) reads sysctls, through the same backends that
 * skytune-helper writes with (common/tunable.h), so a name 'get' accepts is one 'set' can change. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dirlist.h"
#include "log.h"
#include "macro.h"
#include "safe-text.h"
#include "schema.h"
#include "tunable-arg.h"
#include "verbs.h"

static const char get_usage[] =
        "Usage: skytune get KEY... [--json] [--sysroot DIR]\n"
        "       skytune get --all [--json] [--sysroot DIR]\n"
        "\n"
        "Print the current value of each tunable, as 'KEY = VALUE'. KEY is a sysctl\n"
        "name (vm.swappiness, vm/swappiness or /proc/sys/vm/swappiness) or KIND:KEY for\n"
        "the other kinds: cpu_governor:policy0, cpu_epp:policy0, io_scheduler:vda,\n"
        "read_ahead_kb:vda, nr_requests:vda, ulimit:process:nginx:nofile (a running\n"
        "process), ulimit:unit:NAME:RESOURCE (what skytune's drop-in sets).\n"
        "'skytune policy keys' lists them all.\n"
        "\n"
        "  --all           every tunable of the allowlist this host has, with its value\n"
        "  --json          print a skytune.get/1 document (see\n"
        "                  " CLI_DOC("verbs") ")\n"
        "  --sysroot DIR   read /proc, /sys and /etc below DIR (also SKYTUNE_SYSROOT)\n"
        "\n"
        "Exit codes: 0 every value read, 1 an unknown KEY (with the nearest known one),\n"
        "a value this host does not have, or --all finding none, 2 usage error.\n";

typedef struct GetArgs {
        const char *sysroot;
        bool all, json;
        char **keys;
        int n_keys;
} GetArgs;

static int get_parse(int argc, char **argv, GetArgs *a) {
        enum { OPT_ALL = 0x100, OPT_JSON, OPT_SYSROOT };
        static const struct option options[] = {
                { "all", no_argument, NULL, OPT_ALL },         { "json", no_argument, NULL, OPT_JSON },
                { "sysroot", required_argument, NULL, OPT_SYSROOT }, { "help", no_argument, NULL, 'h' },
                {},
        };
        optind = 1;
        opterr = 0;
        for (int c; (c = getopt_long(argc, argv, "ha", options, NULL)) != -1;)
                switch (c) {
                case 'a':
                case OPT_ALL:
                        a->all = true;
                        break;
                case OPT_JSON:
                        a->json = true;
                        break;
                case OPT_SYSROOT:
                        a->sysroot = optarg;
                        break;
                case 'h':
                        fputs(get_usage, stdout);
                        return EXIT_OK;
                default:
                        log_error("unknown or incomplete option '%s' (see 'skytune get --help')", argv[optind - 1]);
                        return EXIT_USAGE;
                }
        a->keys = argv + optind;
        a->n_keys = argc - optind;
        if (a->all && a->n_keys > 0) {
                log_error("--all reads every tunable: drop it or the KEY arguments (see 'skytune get --help')");
                return EXIT_USAGE;
        }
        if (!a->all && a->n_keys == 0) {
                log_error("missing KEY: name a tunable (vm.swappiness) or pass --all (see 'skytune get --help')");
                return EXIT_USAGE;
        }
        return -1;
}

/* One line or one JSON entry (1); a failure is logged (unless quiet, then 0) and returned. The value
 * is bytes from the host: escaped, so no control sequence reaches the terminal. */
static int emit(const Sysroot *root, TunableKind kind, const char *key, json_t *list, bool quiet) {
        _cleanup_free_ char *value = NULL, *name = tunable_arg_format(kind, key);
        if (!name)
                return log_error_errno(-ENOMEM, "cannot format a name: %m");
        int r = tunable_arg_read(root, kind, key, &value);
        if (r == -ENOMEM)
                return log_error_errno(r, "cannot read %s: %m", name);
        if (r < 0 && quiet)
                return 0;
        if (r < 0) {
                _cleanup_free_ char *why = tunable_arg_read_error(kind, key, r);
                log_error("%s: %s", name, why ? why : strerror(-r));
                return r;
        }
        _cleanup_free_ char *shown = text_escape(value);
        if (!shown)
                return log_error_errno(-ENOMEM, "cannot escape the value of %s: %m", name);
        if (!list) {
                printf("%s = %s\n", name, shown);
                return 1;
        }
        json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", name, "kind", tunable_kind_to_string(kind), "key", key,
                              "value", shown);
        if (!o || json_array_append_new(list, o) < 0)
                return log_error_errno(-ENOMEM, "cannot build the JSON: %m");
        return 1;
}

/* "net.ipv4.conf.*.rp_filter": one key per entry of proc/sys/net/ipv4/conf. Returns how many were read. */
static int emit_pattern(const Sysroot *root, const char *pattern, json_t *list) {
        const char *star = strchr(pattern, '*');
        _cleanup_free_ char *prefix = strndup(pattern, star - pattern), *dir = NULL;
        if (!prefix)
                return -ENOMEM;
        if (prefix[0])
                prefix[strlen(prefix) - 1] = 0;        /* the '.' before '*' */
        int r = sysctl_key_to_path(prefix, &dir);
        if (r < 0)
                return r;
        NameList names = {};
        r = dir_list(root, dir, NULL, &names);
        if (r < 0)
                return r == -ENOMEM ? r : 0;            /* no such directory: nothing of this pattern */
        int n = 0;
        for (size_t i = 0; r >= 0 && i < names.n; i++) {
                for (char *c = names.v[i]; *c; c++)
                        if (*c == '.')
                                *c = '/';
                _cleanup_free_ char *key = NULL;
                if (asprintf(&key, "%s.%s%s", prefix, names.v[i], star + 1) < 0)
                        r = -ENOMEM;
                else
                        n += r = emit(root, TUNABLE_SYSCTL, key, list, true);
        }
        name_list_free(&names);
        return r < 0 ? r : n;
}

static bool is_device(const char *name) {
        return tunable_component_ok(name, 32);
}

static int emit_objects(const Sysroot *root, json_t *list) {
        static const TunableKind dev_kinds[] = { TUNABLE_IO_SCHEDULER, TUNABLE_READ_AHEAD_KB, TUNABLE_NR_REQUESTS };
        static const TunableKind pol_kinds[] = { TUNABLE_CPU_GOVERNOR, TUNABLE_CPU_EPP };
        NameList devs = {}, pols = {};
        int r = dir_list(root, "sys/block", is_device, &devs), n = 0;
        if (r == -ENOMEM)
                return r;
        r = cpufreq_policies(root, &pols);
        for (size_t k = 0; r >= 0 && k < ELEMENTSOF(pol_kinds); k++)
                for (size_t i = 0; r >= 0 && i < pols.n; i++)
                        n += r = emit(root, pol_kinds[k], pols.v[i], list, true);
        for (size_t k = 0; r >= 0 && k < ELEMENTSOF(dev_kinds); k++)
                for (size_t i = 0; r >= 0 && i < devs.n; i++)
                        n += r = emit(root, dev_kinds[k], devs.v[i], list, true);
        name_list_free(&devs);
        name_list_free(&pols);
        return r < 0 ? r : n;
}

/* Every tunable of the allowlist this host has (ulimits have no host-wide value and are left out). */
static int emit_all(const Sysroot *root, json_t *list) {
        const char *name;
        int r = 0, n = 0;
        for (size_t i = 0; r >= 0 && (name = tunable_sysctl_allowlist_entry(i)); i++)
                n += r = strchr(name, '*') ? emit_pattern(root, name, list) : emit(root, TUNABLE_SYSCTL, name, list, true);
        if (r >= 0)
                n += r = emit_objects(root, list);
        if (r < 0)
                return log_error_errno(r, "cannot list the tunables: %m");
        if (n == 0) {   /* an empty answer would look like a host with nothing to tune */
                log_error("no tunable could be read below %s: check --sysroot (it needs proc/sys or sys/block)",
                          sysroot_path(root));
                return -ENOENT;
        }
        return 0;
}

static int emit_keys(const Sysroot *root, const GetArgs *a, json_t *list) {
        int code = EXIT_OK;
        for (int i = 0; i < a->n_keys; i++) {
                TunableKind kind;
                _cleanup_free_ char *key = NULL;
                int r = tunable_arg_parse(a->keys[i], &kind, &key);
                if (r >= 0)
                        r = emit(root, kind, key, list, false);
                if (r == -ENOMEM)
                        return EXIT_FAIL;
                if (r < 0)
                        code = EXIT_FAIL;       /* like sysctl(8): report it and go on with the others */
        }
        return code;
}

int verb_get(int argc, char **argv) {
        GetArgs a = {};
        int code = get_parse(argc, argv, &a);
        if (code >= 0)
                return code;
        Sysroot *root = NULL;
        if (cli_open_sysroot(a.sysroot, &root) < 0)
                return EXIT_FAIL;
        json_t *list = a.json ? json_array() : NULL;
        if (a.json && !list)
                code = EXIT_FAIL;
        else if (a.all)
                code = emit_all(root, list) < 0 ? EXIT_FAIL : EXIT_OK;
        else
                code = emit_keys(root, &a, list);
        if (list) {
                json_t *doc = json_pack("{s:s, s:O}", "schema", GET_SCHEMA, "tunables", list);
                if (!doc || cli_write_json(doc, NULL) < 0)
                        code = EXIT_FAIL;
                json_decref(doc);
                json_decref(list);
        }
        sysroot_free(root);
        return code;
}

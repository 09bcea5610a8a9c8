/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "dryrun.h"
#include "log.h"
#include "macro.h"
#include "plan-common.h"
#include "site.h"

#include "fit-width.h"
#include "plan.h"
#include "policy-metrics.h"
#include "profiler.h"
#include "safe-text.h"

int plan_args_option(PlanArgs *a, int opt, const char *arg) {
        switch (opt) {
        case PLAN_OPT_POLICY: a->policy = arg; return 1;
        case PLAN_OPT_PROFILE: a->profile = arg; return 1;
        case PLAN_OPT_ALLOW_RISK:
                a->allow_risk = risk_from_string(arg);
                if (a->allow_risk < 0) {
                        log_error("--allow-risk '%s' is not a risk level: give low, medium or high", arg);
                        return -EINVAL;
                }
                return 1;
        case PLAN_OPT_TARGET: {
                if (!tunable_component_ok(arg, 128) || strchr(arg, ':')) {
                        log_error(
                                "--target '%s' is not a process name or a unit name (e.g. nginx or postgresql.service)",
                                arg);
                        return -EINVAL;
                }
                char **n = realloc(a->targets, (a->n_targets + 1) * sizeof(char *));
                if (!n)
                        return -ENOMEM;
                a->targets = n;
                a->targets[a->n_targets++] = (char *) arg;
                return 1;
        }
        case PLAN_OPT_SYSROOT: a->sysroot = arg; return 1;
        case PLAN_OPT_DURATION:
                if (cli_parse_seconds(arg, &a->duration) < 0) {
                        log_error("--duration '%s' is not a duration: give seconds such as 10, 0.5 or 2s", arg);
                        return -EINVAL;
                }
                a->duration_set = true;
                return 1;
        case PLAN_OPT_PERSIST: a->persist = true; return 1;
        case PLAN_OPT_JSON: a->json = true; return 1;
        }
        return 0;
}

int plan_args_check(const PlanArgs *a) {
        if (a->profile && a->duration_set)
                return cli_flags_conflict(
                        "--profile FILE", "--duration",
                        "--duration is the length of a profile taken now, and --profile uses a saved one");
        return EXIT_OK;
}

void plan_args_done(PlanArgs *a) {
        free(a->targets);
        a->targets = NULL;
}

static void log_opt_error(const OptError *e, int r) {
        _cleanup_free_ char *m = opt_error_format(e);
        if (e->message && m)
                log_error("%s", m);
        else
                log_error_errno(r, "%m");
}

int cli_load_policy(const char *sysroot_path, const char *name_or_file, Policy **ret) {
        PolicySearch s;
        int r = policy_search_init(&s, sysroot_path);
        if (r < 0)
                return log_error_errno(r, "cannot set up the policy search path: %m");
        OptError e = OPT_ERROR_INIT;
        r = policy_load(&s, name_or_file, ret, &e);
        if (r < 0)
                log_opt_error(&e, r);
        opt_error_clear(&e);
        policy_search_done(&s);
        return r;
}

/* A profile or plan file is a few MiB at most; a pipe that never ends must not fill memory. */
#define CLI_JSON_MAX_BYTES ((size_t) 64 << 20)

/* All of f into *ret (malloc'ed), -EFBIG once it holds more than CLI_JSON_MAX_BYTES. */
static int read_capped(FILE *f, char **ret, size_t *ret_len) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, size = 0;
        for (;;) {
                if (len == size) {
                        if (size > CLI_JSON_MAX_BYTES)
                                return -EFBIG;
                        size_t n = size ? 2 * size : 64 * 1024;
                        if (n > CLI_JSON_MAX_BYTES + 1) /* one byte more tells "too big" */
                                n = CLI_JSON_MAX_BYTES + 1;
                        char *b = realloc(buf, n);
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                        size = n;
                }
                size_t got = fread(buf + len, 1, size - len, f);
                len += got;
                if (got == 0)
                        break;
        }
        if (ferror(f))
                return -EIO;
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

/* The document in path ("-": standard input), its size checked before it is parsed. */
static int load_capped(const char *path, const char *what, json_t **ret, json_error_t *jerr) {
        bool in = strcmp(path, "-") == 0;
        FILE *f = in ? stdin : fopen(path, "re");
        struct stat st;
        if (!f || fstat(fileno(f), &st) < 0) {
                int r = negative_errno();
                if (f && !in)
                        fclose(f);
                log_error("%s: cannot read the %s: %s", path, what, strerror(-r));
                return r;
        }
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r = S_ISDIR(st.st_mode)                                                  ? -EISDIR
                : S_ISREG(st.st_mode) && (uintmax_t) st.st_size > CLI_JSON_MAX_BYTES ? -EFBIG
                                                                                     : read_capped(f, &buf, &len);
        if (!in)
                fclose(f);
        if (r == -EISDIR)
                log_error("%s is a directory, not the %s", path, what);
        else if (r == -EFBIG)
                log_error("%s: the %s is larger than %zu MiB, more than any profile or plan: "
                          "give the file skytune wrote",
                          in ? "standard input" : path, what, CLI_JSON_MAX_BYTES >> 20);
        else if (r < 0)
                log_error("%s: cannot read the %s: %s", path, what, strerror(-r));
        if (r < 0)
                return r;
        *ret = json_loadb(buf, len, JSON_REJECT_DUPLICATES, jerr);
        return 0;
}

int cli_load_json(const char *path, const char *what, json_t **ret) {
        json_error_t jerr;
        json_t *doc = NULL;
        int r = load_capped(path, what, &doc, &jerr);
        if (r < 0)
                return r;
        if (!doc) {
                if (jerr.line > 0)
                        log_error("%s:%d: cannot read the %s: %s", path, jerr.line, what, jerr.text);
                else
                        log_error("%s: cannot read the %s: %s", path, what, jerr.text);
                return -EINVAL;
        }
        if (!json_is_object(doc)) {
                json_decref(doc);
                log_error("%s: the %s is not a JSON object", path, what);
                return -EINVAL;
        }
        if (json_escape_tree(doc) < 0) { /* its strings are shown on a terminal */
                json_decref(doc);
                return log_error_errno(-ENOMEM, "cannot escape the %s for display: %m", what);
        }
        *ret = doc;
        return 0;
}

int cli_load_plan(const Sysroot *root, const char *path, json_t **ret) {
        OptError e = OPT_ERROR_INIT;
        int r = dryrun_load_plan(root, path, ret, &e);
        if (r < 0)
                log_opt_error(&e, r);
        opt_error_clear(&e);
        if (r >= 0 && json_escape_tree(*ret) < 0) { /* its rule texts are shown on a terminal */
                json_decref(TAKE_PTR(*ret));
                return log_error_errno(-ENOMEM, "cannot escape the plan for display: %m");
        }
        return r;
}

/* A document of another kind (a plan given as the profile): say which one it is. */
static int check_schema(const char *path, const json_t *doc, const char *want) {
        json_t *schema = json_object_get(doc, "schema");
        if (json_is_string(schema) && strcmp(json_string_value(schema), want) == 0)
                return 0;
        _cleanup_free_ char *got = schema ? json_dumps(schema, JSON_ENCODE_ANY) : NULL;
        log_error("%s: \"schema\" is %s, not \"%s\" (write a profile with 'skytune profile --out FILE')", path,
                  got ? got : "missing", want);
        return -EINVAL;
}

int cli_build_plan(const PlanArgs *a, const Sysroot *root, json_t **ret) {
        _cleanup_(policy_freep) Policy *policy = NULL;
        const SiteConfig *site;
        int r = a->policy ? 0 : cli_site_config(&site);
        if (r < 0)
                return r;
        const char *name = a->policy ? a->policy : site->policy ? site->policy : PLAN_DEFAULT_POLICY;
        r = cli_load_policy(sysroot_path(root), name, &policy);
        if (r < 0)
                return r;
        json_t *profile = NULL;
        if (a->profile)
                r = cli_load_json(a->profile, "profile (write one with 'skytune profile --out FILE')", &profile);
        else
                r = cli_collect_profile_for(root, a->targets, a->n_targets, a->duration,
                                            a->duration > 0 && a->duration < a->interval ? a->duration : a->interval,
                                            false, &profile);
        if (r < 0)
                return r;
        if (a->profile && check_schema(a->profile, profile, PROFILE_SCHEMA) < 0) {
                json_decref(profile);
                return -EINVAL;
        }
        PlanOptions o = {
                .policy = policy,
                .profile = profile,
                .root = root,
                .allow_risk = a->allow_risk,
                .targets = a->targets,
                .n_targets = a->n_targets,
                .persist = a->persist,
                .profile_source = a->profile,
        };
        OptError e = OPT_ERROR_INIT;
        r = plan_build(&o, ret, &e);
        if (r < 0)
                log_opt_error(&e, r);
        else if ((r = policy_missing_metrics(policy, profile, json_object_get(*ret, "warnings"))) < 0) {
                log_error_errno(r, "cannot check the policy's metrics against the profile: %m");
                json_decref(*ret);
                *ret = NULL;
        }
        opt_error_clear(&e);
        json_decref(profile);
        return r;
}

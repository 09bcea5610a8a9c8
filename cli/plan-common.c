/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "log.h"
#include "macro.h"
#include "dryrun.h"
#include "plan-common.h"

#include "fit-width.h"
#include "plan.h"
#include "policy-metrics.h"
#include "profiler.h"
#include "safe-text.h"

int plan_args_option(PlanArgs *a, int opt, const char *arg) {
        switch (opt) {
        case PLAN_OPT_POLICY:
                a->policy = arg;
                return 1;
        case PLAN_OPT_PROFILE:
                a->profile = arg;
                return 1;
        case PLAN_OPT_ALLOW_RISK:
                a->allow_risk = risk_from_string(arg);
                if (a->allow_risk < 0) {
                        log_error("--allow-risk '%s' is not a risk level: give low, medium or high", arg);
                        return -EINVAL;
                }
                return 1;
        case PLAN_OPT_TARGET: {
                if (!tunable_component_ok(arg, 128) || strchr(arg, ':')) {
                        log_error("--target '%s' is not a process name or a unit name (e.g. nginx or postgresql.service)", arg);
                        return -EINVAL;
                }
                char **n = realloc(a->targets, (a->n_targets + 1) * sizeof(char *));
                if (!n)
                        return -ENOMEM;
                a->targets = n;
                a->targets[a->n_targets++] = (char *) arg;
                return 1;
        }
        case PLAN_OPT_SYSROOT:
                a->sysroot = arg;
                return 1;
        case PLAN_OPT_DURATION:
                if (cli_parse_seconds(arg, &a->duration) < 0) {
                        log_error("--duration '%s' is not a duration: give seconds such as 10, 0.5 or 2s", arg);
                        return -EINVAL;
                }
                a->duration_set = true;
                return 1;
        case PLAN_OPT_PERSIST:
                a->persist = true;
                return 1;
        case PLAN_OPT_JSON:
                a->json = true;
                return 1;
        }
        return 0;
}

int plan_args_check(const PlanArgs *a) {
        if (a->profile && a->duration_set)
                return cli_flags_conflict("--profile FILE", "--duration",
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
                        if (n > CLI_JSON_MAX_BYTES + 1)         /* one byte more tells "too big" */
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
        int r = S_ISDIR(st.st_mode) ? -EISDIR
                : S_ISREG(st.st_mode) && (uintmax_t) st.st_size > CLI_JSON_MAX_BYTES ? -EFBIG
                : read_capped(f, &buf, &len);
        if (!in)
                fclose(f);
        if (r == -EISDIR)
                log_error("%s is a directory, not the %s", path, what);
        else if (r == -EFBIG)
                log_error("%s: the %s is larger than %zu MiB, more than any profile or plan: "
                          "give the file skytune wrote", in ? "standard input" : path, what, CLI_JSON_MAX_BYTES >> 20);
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
        if (json_escape_tree(doc) < 0) {       /* its strings are shown on a terminal */
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
        if (r >= 0 && json_escape_tree(*ret) < 0) {     /* its rule texts are shown on a terminal */
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
        int r = cli_load_policy(sysroot_path(root), a->policy ? a->policy : PLAN_DEFAULT_POLICY, &policy);
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
                .policy = policy, .profile = profile, .root = root, .allow_risk = a->allow_risk,
                .targets = a->targets, .n_targets = a->n_targets, .persist = a->persist, .profile_source = a->profile,
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

/* ---- rendering for people ---- */

typedef struct Style {
        const char *bold, *dim, *green, *yellow, *red, *reset;
} Style;

static Style style(bool color) {
        if (!color)
                return (Style) { "", "", "", "", "", "" };
        return (Style) { "\033[1m", "\033[2m", "\033[32m", "\033[33m", "\033[31m", "\033[0m" };
}

static const char *str(const json_t *o, const char *k) {
        const char *s = json_string_value(json_object_get(o, k));
        return s ? s : "";
}

static void print_scalar(FILE *f, const json_t *v) {
        if (json_is_string(v))
                fputs(json_string_value(v), f);
        else if (json_is_integer(v))
                fprintf(f, "%lld", (long long) json_integer_value(v));
        else if (json_is_real(v) && fabs(json_real_value(v)) < 1e15 && json_real_value(v) == floor(json_real_value(v)))
                fprintf(f, "%.0f", json_real_value(v));
        else if (json_is_real(v))
                fprintf(f, "%.6g", json_real_value(v));
        else if (json_is_boolean(v))
                fputs(json_is_true(v) ? "true" : "false", f);
        else
                fputs("null", f);
}

static void render_change(FILE *f, size_t n, const json_t *c, bool persist, Style s) {
        const json_t *cur = json_object_get(c, "current");
        fprintf(f, "\n%s%zu. %s %s%s: ", s.bold, n, str(c, "kind"), str(c, "key"), s.reset);
        fprintf(f, "%s%s%s -> %s%s%s\n", s.red, json_is_string(cur) ? json_string_value(cur) : "(unknown)", s.reset,
                s.green, str(c, "proposed"), s.reset);
        fprintf(f, "   rule       %s (%s:%lld)\n", str(c, "rule"), str(c, "policy_file"),
                (long long) json_integer_value(json_object_get(c, "policy_line")));
        fprintf(f, "   why        %s\n", str(c, "reason"));
        const json_t *ev = json_object_get(c, "evidence");
        if (json_object_size(ev) == 0)
                fprintf(f, "   evidence   none needed: a static setting of the policy\n");
        else {
                const char *k;
                json_t *v;
                bool first = true;
                json_object_foreach((json_t *) ev, k, v) {
                        fprintf(f, "   %-10s %s = ", first ? "evidence" : "", k);
                        print_scalar(f, v);
                        fputc('\n', f);
                        first = false;
                }
        }
        fprintf(f, "   effect     %s\n", str(c, "expected_effect"));
        fprintf(f, "   risk       %s (confidence %s)\n", str(c, "risk"), str(c, "confidence"));
        const char *pf = json_string_value(json_object_get(c, "persist_file"));
        const char *mech = str(c, "mechanism");
        bool file_only = strcmp(mech, "systemd-dropin") == 0 || strcmp(mech, "limits.d") == 0 ||
                         strcmp(mech, "system.conf.d") == 0;
        fprintf(f, "   mechanism  %s", mech);
        if (pf && file_only)
                fprintf(f, ", written to %s", pf);
        else if (pf)    /* past 80 columns the condition goes on a line of its own */
                fprintf(f, "; persistent form in %s%s%s", pf,
                        persist ? "" : strlen(mech) + strlen(pf) + 50 > 80 ? "\n              " : " ",
                        persist ? "" : "(with --persist)");
        fputc('\n', f);
        if (*str(c, "note"))
                fprintf(f, "   note       %s\n", str(c, "note"));
        const json_t *pair = json_object_get(c, "pair");
        if (pair)
                fprintf(f, "   pair       writing %s zeroes %s (now %s); rollback restores the form that was set\n",
                        str(c, "key"), str(pair, "key"),
                        json_is_string(json_object_get(pair, "current")) ? str(pair, "current") : "unknown");
        if (*str(c, "source"))
                fprintf(f, "   source     %s\n", str(c, "source"));
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(c, "conflicts"), i, x)
                fprintf(f, "   %sconflict%s   %s:%lld sets %s = %s and wins at boot\n", s.yellow, s.reset, str(x, "file"),
                        (long long) json_integer_value(json_object_get(x, "line")), str(x, "key"), str(x, "value"));
}

static void render_limit(FILE *f, const char *name, const json_t *l) {
        if (!json_object_get(l, "soft"))
                return;
        fprintf(f, " %s ", name);
        if (json_object_get(l, "used")) {
                print_scalar(f, json_object_get(l, "used"));
                fputc('/', f);
        }
        print_scalar(f, json_object_get(l, "soft"));
        if (json_object_get(l, "pct"))
                fprintf(f, " (%.0f%%)", json_real_value(json_object_get(l, "pct")));
        /* RLIMIT_NPROC counts the threads of the real uid, and is not enforced for root. */
        if (strcmp(name, "nproc") == 0 && json_object_get(l, "uid"))
                fprintf(f, " threads of uid %lld%s", (long long) json_integer_value(json_object_get(l, "uid")),
                        json_is_true(json_object_get(l, "exempt")) ? ", not enforced" : "");
        fputc(';', f);
}

static void plan_text(FILE *f, const json_t *plan, bool color) {
        Style s = style(color);
        const json_t *pol = json_object_get(plan, "policy"), *prof = json_object_get(plan, "profile");
        const json_t *changes = json_object_get(plan, "changes");
        bool persist = json_is_true(json_object_get(plan, "persist"));
        fprintf(f, "%sPlan%s for policy %s%s%s (risk allowed: %s), profile %s (%s)\n", s.bold, s.reset, s.bold,
                str(pol, "name"), s.reset, str(pol, "allow_risk"), str(prof, "source"), str(prof, "digest"));
        size_t n = json_array_size(changes), i;
        json_t *x;
        if (n == 0)
                fprintf(f, "\n%sNo changes%s: nothing in this profile calls for a change under policy '%s', or the host "
                        "already matches it.\n", s.green, s.reset, str(pol, "name"));
        else
                fprintf(f, "\n%zu change%s, each with the rule that asks for it and the evidence:\n", n, n == 1 ? "" : "s");
        json_array_foreach(changes, i, x)
                render_change(f, i + 1, x, persist, s);

        const json_t *held = json_object_get(plan, "held_back");
        if (json_array_size(held) > 0) {
                fprintf(f, "\n%sHeld back%s (risk above '%s'; pass --allow-risk LEVEL to include):\n", s.yellow, s.reset,
                        str(pol, "allow_risk"));
                json_array_foreach(held, i, x)
                        fprintf(f, "  %s %s: %s -> %s  (rule %s, risk %s)\n", str(x, "kind"), str(x, "key"),
                                json_is_string(json_object_get(x, "current")) ? str(x, "current") : "(unknown)",
                                str(x, "proposed"), str(x, "rule"), str(x, "risk"));
        }
        const json_t *uns = json_object_get(plan, "unsupported");
        if (json_array_size(uns) > 0) {
                fprintf(f, "\n%sNot on this host%s (skipped, not an error):\n", s.yellow, s.reset);
                json_array_foreach(uns, i, x)
                        fprintf(f, "  %s %s (rule %s): %s\n", str(x, "kind"), str(x, "key"), str(x, "rule"), str(x, "reason"));
        }
        const json_t *targets = json_object_get(plan, "targets");
        if (json_object_size(targets) > 0) {
                fprintf(f, "\n%sLimits of the targets%s (used/soft limit):\n", s.bold, s.reset);
                const char *k;
                json_object_foreach((json_t *) targets, k, x) {
                        fprintf(f, "  %s:", k);
                        if (json_object_get(x, "pid")) {
                                fprintf(f, " pid %lld (%s, %lld processes);", (long long) json_integer_value(json_object_get(x, "pid")),
                                        str(x, "comm"), (long long) json_integer_value(json_object_get(x, "processes")));
                                render_limit(f, "nofile", json_object_get(x, "nofile"));
                                render_limit(f, "nproc", json_object_get(x, "nproc"));
                                render_limit(f, "memlock", json_object_get(x, "memlock"));
                        } else
                                fputs(" not running;", f);
                        if (json_object_get(x, "unit"))
                                fprintf(f, " unit %s%s", str(x, "unit"),
                                        json_is_true(json_object_get(x, "transient"))   ? " (transient)"
                                        : json_is_true(json_object_get(x, "unit_file")) ? ""
                                                                                         : " (no unit file)");
                        else if (json_is_true(json_object_get(x, "session")))
                                fprintf(f, " login session of %s", json_object_get(x, "user") ? str(x, "user") : "an unnamed uid");
                        fputc('\n', f);
                }
        }
        const json_t *warns = json_object_get(plan, "warnings");
        if (json_array_size(warns) > 0) {
                fprintf(f, "\n%sWarnings%s:\n", s.yellow, s.reset);
                json_array_foreach(warns, i, x)
                        fprintf(f, "  %s\n", str(x, "message"));
        }
}

static void effects_text(FILE *f, const json_t *effects, bool persist, bool dry_run, bool color) {
        Style s = style(color);
        size_t i;
        json_t *x;
        const json_t *live = json_object_get(effects, "live"), *files = json_object_get(effects, "files");
        if (dry_run)
                fprintf(f, "\n%sDry run%s: nothing was written. Applying this plan would do exactly this:\n", s.bold, s.reset);
        else
                fprintf(f, "\n%sApplying this plan will do exactly this%s (nothing is written before you confirm):\n", s.bold,
                        s.reset);
        if (json_array_size(live) == 0)
                fputs("  (no live values)\n", f);
        json_array_foreach(live, i, x) {
                const char *st = str(x, "status");
                const json_t *from = json_object_get(x, "from");
                const char *file = json_string_value(json_object_get(x, "file"));
                bool via_file = file && (persist || strcmp(st, "file") == 0);
                fprintf(f, "  %-13s %-34s %s -> %s  [%s%s%s]%s\n", str(x, "kind"), str(x, "key"),
                        json_is_string(from) ? json_string_value(from) : "(unset)", str(x, "to"), str(x, "mechanism"),
                        via_file ? ": " : "", via_file ? file : "",
                        strcmp(st, "change") == 0      ? ""
                        : strcmp(st, "unchanged") == 0 ? "  already set"
                        : strcmp(st, "file") == 0      ? "  written to its file below"
                                                       : "  not on this host: skipped");
        }
        if (json_array_size(files) > 0)
                fprintf(f, "\n%sFiles%s%s:\n", s.bold, s.reset, persist ? "" : " (the only mechanism of some changes)");
        else if (!persist)
                fputs("\nNo files would be written (add --persist to see the persistent forms).\n", f);
        json_array_foreach(files, i, x) {
                if (!json_is_true(json_object_get(x, "changed"))) {
                        fprintf(f, "  %s: already up to date\n", str(x, "path"));
                        continue;
                }
                const char *d = str(x, "diff");
                for (const char *p = d; *p;) {
                        const char *nl = strchrnul(p, '\n');
                        const char *c = *p == '+' && p[1] != '+' ? s.green : *p == '-' && p[1] != '-' ? s.red : *p == '@' ? s.dim : "";
                        fprintf(f, "%s%.*s%s\n", c, (int) (nl - p), p, *c ? s.reset : "");
                        p = *nl ? nl + 1 : nl;
                }
        }
        const json_t *warns = json_object_get(effects, "warnings");
        if (json_array_size(warns) > 0)
                fprintf(f, "\n%sWarnings%s (read again now):\n", s.yellow, s.reset);
        json_array_foreach(warns, i, x)
                fprintf(f, "  %s\n", str(x, "message"));
        long long pending = json_integer_value(json_object_get(effects, "pending"));
        if (pending == 0)
                fprintf(f, "\n%sNothing would change.%s\n", s.green, s.reset);
        else
                fprintf(f, "\n%lld pending change%s. 'skytune apply' (through skytune-helper) would make them.\n", pending,
                        pending == 1 ? "" : "s");
}

/* Both fitted to the terminal's width (fit-width.h). */
typedef struct RenderArgs {
        const json_t *doc;
        bool persist, dry_run, color;
} RenderArgs;

static void plan_fit(FILE *f, void *userdata) {
        const RenderArgs *a = userdata;
        plan_text(f, a->doc, a->color);
}

static void effects_fit(FILE *f, void *userdata) {
        const RenderArgs *a = userdata;
        effects_text(f, a->doc, a->persist, a->dry_run, a->color);
}

void render_plan(FILE *f, const json_t *plan, bool color) {
        cli_fit(f, plan_fit, &(RenderArgs) { .doc = plan, .color = color });
}

void render_effects(FILE *f, const json_t *effects, bool persist, bool dry_run, bool color) {
        cli_fit(f, effects_fit, &(RenderArgs) { effects, persist, dry_run, color });
}

/* SPDX-License-Identifier: MIT */
/* skytune.plan/1 for people (plan, apply --dry-run): each change with the rule that asks for it, the
 * evidence, the risk and the mechanism; what was held back or is not on this host; the limits of the
 * targets. And the effects of applying a plan: live values, file diffs, what is pending. */
#include <math.h>
#include <string.h>

#include "json-util.h"
#include "render-profile.h"

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

static void print_change(FILE *f, size_t n, const json_t *c, bool persist, Style s) {
        const json_t *cur = json_object_get(c, "current");
        fprintf(f, "\n%s%zu. %s %s%s: ", s.bold, n, jstr_or(c, "kind", ""), jstr_or(c, "key", ""), s.reset);
        fprintf(f, "%s%s%s -> %s%s%s\n", s.red, json_is_string(cur) ? json_string_value(cur) : "(unknown)", s.reset,
                s.green, jstr_or(c, "proposed", ""), s.reset);
        fprintf(f, "   rule       %s (%s:%lld)\n", jstr_or(c, "rule", ""), jstr_or(c, "policy_file", ""),
                (long long) json_integer_value(json_object_get(c, "policy_line")));
        fprintf(f, "   why        %s\n", jstr_or(c, "reason", ""));
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
        fprintf(f, "   effect     %s\n", jstr_or(c, "expected_effect", ""));
        fprintf(f, "   risk       %s (confidence %s)\n", jstr_or(c, "risk", ""), jstr_or(c, "confidence", ""));
        const char *pf = json_string_value(json_object_get(c, "persist_file"));
        const char *mech = jstr_or(c, "mechanism", "");
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
        if (*jstr_or(c, "note", ""))
                fprintf(f, "   note       %s\n", jstr_or(c, "note", ""));
        const json_t *pair = json_object_get(c, "pair");
        if (pair)
                fprintf(f, "   pair       writing %s zeroes %s (now %s); rollback restores the form that was set\n",
                        jstr_or(c, "key", ""), jstr_or(pair, "key", ""),
                        json_is_string(json_object_get(pair, "current")) ? jstr_or(pair, "current", "") : "unknown");
        if (*jstr_or(c, "source", ""))
                fprintf(f, "   source     %s\n", jstr_or(c, "source", ""));
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(c, "conflicts"), i, x)
                fprintf(f, "   %sconflict%s   %s:%lld sets %s = %s and wins at boot\n", s.yellow, s.reset, jstr_or(x, "file", ""),
                        (long long) json_integer_value(json_object_get(x, "line")), jstr_or(x, "key", ""), jstr_or(x, "value", ""));
}

static void print_limit(FILE *f, const char *name, const json_t *l) {
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
        Style s = render_style(color);
        const json_t *pol = json_object_get(plan, "policy"), *prof = json_object_get(plan, "profile");
        const json_t *changes = json_object_get(plan, "changes");
        bool persist = json_is_true(json_object_get(plan, "persist"));
        fprintf(f, "%sPlan%s for policy %s%s%s (risk allowed: %s), profile %s (%s)\n", s.bold, s.reset, s.bold,
                jstr_or(pol, "name", ""), s.reset, jstr_or(pol, "allow_risk", ""), jstr_or(prof, "source", ""),
                jstr_or(prof, "digest", ""));
        size_t n = json_array_size(changes), i;
        json_t *x;
        if (n == 0)
                fprintf(f, "\n%sNo changes%s: nothing in this profile calls for a change under policy '%s', or the host "
                        "already matches it.\n", s.green, s.reset, jstr_or(pol, "name", ""));
        else
                fprintf(f, "\n%zu change%s, each with the rule that asks for it and the evidence:\n", n, n == 1 ? "" : "s");
        json_array_foreach(changes, i, x)
                print_change(f, i + 1, x, persist, s);

        const json_t *held = json_object_get(plan, "held_back");
        if (json_array_size(held) > 0) {
                fprintf(f, "\n%sHeld back%s (risk above '%s'; pass --allow-risk LEVEL to include):\n", s.yellow, s.reset,
                        jstr_or(pol, "allow_risk", ""));
                json_array_foreach(held, i, x)
                        fprintf(f, "  %s %s: %s -> %s  (rule %s, risk %s)\n", jstr_or(x, "kind", ""), jstr_or(x, "key", ""),
                                json_is_string(json_object_get(x, "current")) ? jstr_or(x, "current", "") : "(unknown)",
                                jstr_or(x, "proposed", ""), jstr_or(x, "rule", ""), jstr_or(x, "risk", ""));
        }
        const json_t *uns = json_object_get(plan, "unsupported");
        if (json_array_size(uns) > 0) {
                fprintf(f, "\n%sNot on this host%s (skipped, not an error):\n", s.yellow, s.reset);
                json_array_foreach(uns, i, x)
                        fprintf(f, "  %s %s (rule %s): %s\n", jstr_or(x, "kind", ""), jstr_or(x, "key", ""),
                                jstr_or(x, "rule", ""), jstr_or(x, "reason", ""));
        }
        const json_t *targets = json_object_get(plan, "targets");
        if (json_object_size(targets) > 0) {
                fprintf(f, "\n%sLimits of the targets%s (used/soft limit):\n", s.bold, s.reset);
                const char *k;
                json_object_foreach((json_t *) targets, k, x) {
                        fprintf(f, "  %s:", k);
                        if (json_object_get(x, "pid")) {
                                fprintf(f, " pid %lld (%s, %lld processes);",
                                        (long long) json_integer_value(json_object_get(x, "pid")), jstr_or(x, "comm", ""),
                                        (long long) json_integer_value(json_object_get(x, "processes")));
                                print_limit(f, "nofile", json_object_get(x, "nofile"));
                                print_limit(f, "nproc", json_object_get(x, "nproc"));
                                print_limit(f, "memlock", json_object_get(x, "memlock"));
                        } else
                                fputs(" not running;", f);
                        if (json_object_get(x, "unit"))
                                fprintf(f, " unit %s%s", jstr_or(x, "unit", ""),
                                        json_is_true(json_object_get(x, "transient"))   ? " (transient)"
                                        : json_is_true(json_object_get(x, "unit_file")) ? ""
                                                                                         : " (no unit file)");
                        else if (json_is_true(json_object_get(x, "session")))
                                fprintf(f, " login session of %s",
                                        json_object_get(x, "user") ? jstr_or(x, "user", "") : "an unnamed uid");
                        fputc('\n', f);
                }
        }
        const json_t *warns = json_object_get(plan, "warnings");
        if (json_array_size(warns) > 0) {
                fprintf(f, "\n%sWarnings%s:\n", s.yellow, s.reset);
                json_array_foreach(warns, i, x)
                        fprintf(f, "  %s\n", jstr_or(x, "message", ""));
        }
}

static void effects_text(FILE *f, const json_t *effects, bool persist, bool dry_run, bool color) {
        Style s = render_style(color);
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
                const char *st = jstr_or(x, "status", "");
                const json_t *from = json_object_get(x, "from");
                const char *file = json_string_value(json_object_get(x, "file"));
                bool via_file = file && (persist || strcmp(st, "file") == 0);
                fprintf(f, "  %-13s %-34s %s -> %s  [%s%s%s]%s\n", jstr_or(x, "kind", ""), jstr_or(x, "key", ""),
                        json_is_string(from) ? json_string_value(from) : "(unset)", jstr_or(x, "to", ""),
                        jstr_or(x, "mechanism", ""), via_file ? ": " : "", via_file ? file : "",
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
                        fprintf(f, "  %s: already up to date\n", jstr_or(x, "path", ""));
                        continue;
                }
                const char *d = jstr_or(x, "diff", "");
                for (const char *p = d; *p;) {
                        const char *nl = strchrnul(p, '\n');
                        const char *c = *p == '+' && p[1] != '+'   ? s.green
                                        : *p == '-' && p[1] != '-' ? s.red
                                        : *p == '@'                ? s.dim
                                                                   : "";
                        fprintf(f, "%s%.*s%s\n", c, (int) (nl - p), p, *c ? s.reset : "");
                        p = *nl ? nl + 1 : nl;
                }
        }
        const json_t *warns = json_object_get(effects, "warnings");
        if (json_array_size(warns) > 0)
                fprintf(f, "\n%sWarnings%s (read again now):\n", s.yellow, s.reset);
        json_array_foreach(warns, i, x)
                fprintf(f, "  %s\n", jstr_or(x, "message", ""));
        long long pending = json_integer_value(json_object_get(effects, "pending"));
        if (pending == 0)
                fprintf(f, "\n%sNothing would change.%s\n", s.green, s.reset);
        else
                fprintf(f, "\n%lld pending change%s. 'skytune apply' (through skytune-helper) would make them.\n", pending,
                        pending == 1 ? "" : "s");
}

/* Both fitted to the view's width. */
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

int render_plan(FILE *f, const json_t *plan, const RenderView *v) {
        return render_fit(f, render_width(v), plan_fit, &(RenderArgs) { .doc = plan, .color = v->color });
}

int render_effects(FILE *f, const json_t *effects, const RenderView *v) {
        return render_fit(f, render_width(v), effects_fit,
                          &(RenderArgs) { effects, v->flags & RENDER_PERSIST, v->flags & RENDER_DRY_RUN, v->color });
}

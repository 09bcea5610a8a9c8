/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conflict.h"
#include "digest.h"
#include "jpath.h"
#include "owned-file.h"
#include "plan-context.h"
#include "plan.h"
#include "schema.h"
#include "time-util.h"
#include "targets.h"
#include "ulimit.h"

typedef struct Builder {
        const PlanOptions *o;
        Risk allow;
        json_t *ctx;
        Target *targets;
        size_t n_targets;
        json_t *changes, *held_back, *warnings, *unsupported;
        long long nr_open;              /* fs.nr_open, -1 unknown */
        long long nproc_max;            /* min(kernel.threads-max, kernel.pid_max), -1 unknown */
} Builder;

static void warn(Builder *b, const char *rule, const char *fmt, ...) _printf_(3, 4);
static void warn(Builder *b, const char *rule, const char *fmt, ...) {
        char *m = format_varargs(fmt);
        if (!m)
                return;
        json_t *w = json_pack("{s:s}", "message", m);
        if (w && rule)
                json_object_set_new(w, "rule", json_string(rule));
        json_array_append_new(b->warnings, w);
        free(m);
}

static json_t *lookup(const char *path, void *userdata) {
        Builder *b = userdata;
        return jpath_profile(b->o->profile, b->ctx, path);
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Values this host offers for a key (the scheduler list, the governors); NULL (any value) when it
 * lists none. */
static char **offered(const Sysroot *root, TunableKind kind, const char *key, size_t *ret_n) {
        char **v = NULL;
        size_t n = 0;
        if (tunable_offered(root, kind, key, &v) < 0)
                return NULL;
        while (v[n])
                n++;
        *ret_n = n;
        return n ? v : tunable_offered_free(v);
}

static json_t *find_change(json_t *changes, const char *kind, const char *key, size_t *ret_index) {
        size_t i;
        json_t *c;
        json_array_foreach(changes, i, c) {
                if (strcmp(json_string_value(json_object_get(c, "kind")), kind) == 0 &&
                    strcmp(json_string_value(json_object_get(c, "key")), key) == 0) {
                        if (ret_index)
                                *ret_index = i;
                        return c;
                }
        }
        return NULL;
}

static double current_number(TunableKind kind, const char *key, const char *current, bool *ok) {
        *ok = false;
        if (!current)
                return 0;
        if (kind == TUNABLE_ULIMIT) {
                UlimitKey k;
                long long s, h;
                if (ulimit_key_parse(key, &k) < 0 || ulimit_value_parse(current, k.resource, &s, &h) < 0 || s < 0)
                        return 0;
                *ok = true;
                return (double) s;
        }
        char *end;
        double d = strtod(current, &end);
        *ok = end != current;
        return d;
}

typedef struct KeyCand {
        char *key;              /* canonical */
        const Target *target;
        const char *note;
} KeyCand;

static const Target *find_target(const Builder *b, const char *name) {
        for (size_t i = 0; name && i < b->n_targets; i++)
                if (strcmp(b->targets[i].name, name) == 0)
                        return &b->targets[i];
        return NULL;
}

/* The keys a rule changes for one element: one, or for "$:RESOURCE" one per mechanism that reaches the
 * target: prlimit(2) for its running processes, and where they come from: a drop-in for its unit, and
 * limits.d for its user when it runs in a login session (pam_limits sets limits at login). A
 * transient unit (systemd-run) has no stable name for a drop-in: a rule with the key
 * "default:*:RESOURCE" (DefaultLimit*=, every service) reaches it. */
static size_t rule_keys(Builder *b, const PolicyRule *r, const char *elem, KeyCand out[3]) {
        size_t n = 0;
        if (r->kind == TUNABLE_ULIMIT && strncmp(r->key, "$:", 2) == 0) {
                const Target *t = find_target(b, elem);
                if (!t)
                        return 0;
                /* The unit, session and user of the process this resource was measured on. */
                const char *res = r->key + 2;
                const TargetLimit *l = strcmp(res, "nproc") == 0     ? &t->nproc
                                       : strcmp(res, "memlock") == 0 ? &t->memlock
                                                                     : &t->nofile;
                _cleanup_(target_place_done) TargetPlace where = {};
                if (target_place(b->o->root, t, l, &where) < 0)
                        return 0;
                if (t->comm && asprintf(&out[n].key, "process:%s:%s", t->comm, res) >= 0) {
                        out[n].target = t;
                        out[n++].note = "prlimit(2) on the running processes; lost when they restart";
                }
                if (where.unit && !where.transient && asprintf(&out[n].key, "unit:%s:%s", where.unit, res) >= 0) {
                        out[n].target = t;
                        out[n++].note = where.unit_file ? "takes effect when the unit restarts"
                                                        : "no unit file found for this unit; the drop-in waits for it";
                }
                if (where.session && where.user && asprintf(&out[n].key, "login:%s:%s", where.user, res) >= 0) {
                        out[n].target = t;
                        out[n++].note = "pam_limits sets it at the user's next login; processes already running keep theirs";
                }
                if (where.session && !where.user)
                        warn(b, r->id, "target '%s' runs in a login session of uid %ld, which has no name in /etc/passwd: "
                             "no limits.d line can name it", elem, l->pid > 0 ? l->uid : t->uid);
                for (size_t i = 0; i < n; i++) {
                        char *canon = NULL;
                        if (tunable_check(TUNABLE_ULIMIT, out[i].key, NULL, &canon, NULL) < 0) {
                                warn(b, r->id, "target '%s': '%s' is not a valid ulimit key", elem, out[i].key);
                                free(out[i].key);
                                out[i--] = out[--n];
                                continue;
                        }
                        free(out[i].key);
                        out[i].key = canon;
                }
                return n;
        }
        _cleanup_free_ char *k = jpath_subst(r->key, elem);
        _cleanup_(error_done) Error why = ERROR_NULL;
        if (!k || tunable_check(r->kind, k, NULL, &out[0].key, &why) < 0) {
                warn(b, r->id, "%s key '%s' from the profile is refused: %s", tunable_kind_to_string(r->kind), strempty(k),
                     strempty(why.message));
                return 0;
        }
        /* A fixed ulimit key under foreach targets ("default:*:nproc") starts from that target's limit. */
        out[0].target = r->kind == TUNABLE_ULIMIT ? find_target(b, elem) : NULL;
        out[0].note = NULL;
        return 1;
}

static int read_current(Builder *b, const PolicyRule *r, const KeyCand *kc, char **ret) {
        int q = tunable_read(b->o->root, r->kind, kc->key, ret);
        if (q != -EOPNOTSUPP)
                return q;
        /* File-only ulimit scopes: what skytune's file says, else what the running process has. */
        q = owned_file_value(b->o->root, r->kind, kc->key, ret);
        if (q != -ENOENT)
                return q;
        UlimitKey uk;
        if (kc->target && kc->target->pid > 0 && ulimit_key_parse(kc->key, &uk) >= 0) {
                const TargetLimit *l = strcmp(uk.resource->name, "nofile") == 0   ? &kc->target->nofile
                                       : strcmp(uk.resource->name, "nproc") == 0  ? &kc->target->nproc
                                       : strcmp(uk.resource->name, "memlock") == 0 ? &kc->target->memlock
                                                                                  : NULL;
                if (l && l->known)
                        return ulimit_value_format(l->soft, l->hard, ret);
        }
        *ret = NULL;
        return 0;
}

/* prev's proposal becomes the larger soft and the larger hard of prev's and c's (infinity wins), with
 * c's evidence beside prev's. */
static int merge_raise(json_t *prev, const json_t *c, const char *key) {
        UlimitKey uk;
        long long ps, ph, cs, ch;
        if (ulimit_key_parse(key, &uk) < 0 ||
            ulimit_value_parse(json_string_value(json_object_get(prev, "proposed")), uk.resource, &ps, &ph) < 0 ||
            ulimit_value_parse(json_string_value(json_object_get(c, "proposed")), uk.resource, &cs, &ch) < 0)
                return -EINVAL;
        long long soft = ps < 0 || cs < 0 ? -1 : MAX(ps, cs), hard = ph < 0 || ch < 0 ? -1 : MAX(ph, ch);
        _cleanup_free_ char *v = NULL;
        if (ulimit_value_format(soft, hard, &v) < 0 || json_object_set_new(prev, "proposed", json_string(v)) < 0)
                return -ENOMEM;
        json_t *ev = json_object_get(prev, "evidence");
        if (json_is_object(ev) && json_is_object(json_object_get(c, "evidence")))
                json_object_update_missing(ev, json_object_get(c, "evidence"));
        return 0;
}

/* The kernel's own ceiling for a limit: the kernel refuses nofile above fs.nr_open; more nproc than
 * threads-max or pid_max allow can never be used. */
static void kernel_cap(const Builder *b, const PolicyRule *r, const char *key, ValInput *in, json_t *evidence) {
        UlimitKey uk;
        if (r->kind != TUNABLE_ULIMIT || ulimit_key_parse(key, &uk) < 0)
                return;
        bool nofile = strcmp(uk.resource->name, "nofile") == 0, nproc = strcmp(uk.resource->name, "nproc") == 0;
        long long kcap = nofile ? b->nr_open : nproc ? b->nproc_max : -1;
        if (kcap > 0 && (!in->has_cap || in->cap > kcap)) {
                in->has_cap = true;
                in->cap = kcap;
                json_object_set_new(evidence, nofile ? "limits.nr_open" : "limits.nproc_max", json_integer(kcap));
        }
}

/* The value a rule's "ref" names: the current value, or a profile or context path (kept as evidence). */
static void resolve_ref(Builder *b, const PolicyRule *r, const char *elem, const char *key, const char *current,
                        ValInput *in, json_t *evidence) {
        if (!r->value.ref)
                return;
        if (strcmp(r->value.ref, "current") == 0) {
                in->ref = current_number(r->kind, key, current, &in->has_ref);
                return;
        }
        _cleanup_free_ char *path = jpath_subst(r->value.ref, elem);
        json_t *v = path ? jpath_scalar(lookup(path, b)) : NULL;
        in->has_ref = v && jpath_number(v, &in->ref);
        if (in->has_ref)
                json_object_set(evidence, path, v);
}

/* The plan's record of one change. */
static json_t *change_json(const PolicyRule *r, const KeyCand *kc, const char *current, const char *proposed,
                           const char *pfile, json_t *evidence) {
        json_t *c = json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:O, s:s, s:s, s:s, s:s, s:s?, s:s, s:i}", "kind",
                              tunable_kind_to_string(r->kind), "key", kc->key, "current", current, "proposed", proposed, "rule", r->id, "reason", r->reason,
                              "evidence", evidence, "expected_effect", r->effect, "risk", risk_to_string(r->risk),
                              "confidence", r->confidence ? r->confidence : "high", "mechanism",
                              owned_mechanism(r->kind, kc->key), "persist_file", pfile, "policy_file", r->file,
                              "policy_line", (int) r->line);
        if (!c)
                return NULL;
        if (!current)
                json_object_set_new(c, "current", json_null());
        if (!pfile)
                json_object_set_new(c, "persist_file", json_null());
        if (r->source)
                json_object_set_new(c, "source", json_string(r->source));
        if (r->has_effect_metrics) {
                json_t *em = json_array();
                for (size_t i = 0; em && i < r->n_effect_metrics; i++)
                        json_array_append_new(em, json_string(r->effect_metrics[i]));
                json_object_set_new(c, "effect_metrics", em);
        }
        if (kc->note)
                json_object_set_new(c, "note", json_string(kc->note));
        return c;
}

static int propose(Builder *b, const PolicyRule *r, const char *elem, const KeyCand *kc, json_t *evidence) {
        const char *kind = tunable_kind_to_string(r->kind);
        _cleanup_free_ char *current = NULL, *proposed = NULL;
        int q = read_current(b, r, kc, &current);
        if (q == -ENOENT) {
                json_array_append_new(b->unsupported, json_pack("{s:s, s:s, s:s, s:s}", "kind", kind, "key", kc->key, "rule",
                                                                r->id, "reason", "this host or kernel does not have it"));
                warn(b, r->id, "%s %s is not on this host or kernel: rule %s skipped it (not an error)", kind, kc->key, r->id);
                return 0;
        }
        if (q < 0) {
                warn(b, r->id, "cannot read the current value of %s %s: %s (run as a user who can read it)", kind,
                     kc->key, strerror(-q));
                return 0;
        }
        size_t n_sup = 0;
        char **sup = offered(b->o->root, r->kind, kc->key, &n_sup);
        ValInput in = {
                .kind = r->kind, .key = kc->key, .current = current, .supported = sup, .n_supported = n_sup,
                .has_floor = r->has_floor, .floor = r->floor, .has_cap = r->has_cap, .cap = r->cap,
        };
        kernel_cap(b, r, kc->key, &in, evidence);
        resolve_ref(b, r, elem, kc->key, current, &in, evidence);
        _cleanup_(error_done) Error why = ERROR_NULL;
        q = valop_compute(&r->value, &in, &proposed, &why);
        tunable_offered_free(sup);
        if (q == -ENODATA) {
                warn(b, r->id, "rule %s fired for %s %s but proposes nothing: %s", r->id, kind, kc->key,
                     strempty(why.message));
                return 0;
        }
        if (q < 0)
                return q;
        if (current && tunable_values_equal(r->kind, kc->key, current, proposed))
                return 0;       /* already there: idempotent */

        /* A key skytune-helper refuses whatever the value would make the whole plan fail: held back. */
        const char *refused = plan_key_refused(r->kind, kc->key);
        if (r->risk > b->allow || refused) {
                json_array_append_new(b->held_back, json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:s}", "kind", kind, "key",
                                                              kc->key, "current", current, "proposed", proposed, "rule",
                                                              r->id, "risk", risk_to_string(r->risk), "reason",
                                                              refused ? refused : r->reason));
                return 0;
        }
        _cleanup_free_ char *lowered = NULL;
        if (r->kind == TUNABLE_ULIMIT && ulimit_lowered_hard_warning(kc->key, current, proposed, &lowered) > 0)
                warn(b, r->id, "%s", lowered);
        _cleanup_free_ char *pfile = NULL;
        q = owned_file_for(r->kind, kc->key, &pfile);
        if (q < 0)
                return q;
        json_t *c = change_json(r, kc, current, proposed, pfile, evidence);
        if (!c)
                return -ENOMEM;
        size_t idx;
        json_t *prev = find_change(b->changes, kind, kc->key, &idx);
        if (prev && r->kind == TUNABLE_ULIMIT &&
            strcmp(json_string_value(json_object_get(prev, "rule")), r->id) == 0) {
                /* One rule over several targets that share a key (their user, their unit,
                 * default:*): the largest proposal, so no target's raise is undone by another's. */
                q = merge_raise(prev, c, kc->key);
                json_decref(c);
                return q;
        }
        if (prev)
                json_array_remove(b->changes, idx);     /* a later rule for the same key wins */
        return json_array_append_new(b->changes, c) < 0 ? -ENOMEM : 0;
}

static int run_rule(Builder *b, const PolicyRule *r) {
        const char **elems = NULL;
        size_t n = 1;
        static const char *const none[] = { NULL };
        if (r->foreach) {
                json_t *obj = lookup(r->foreach, b);
                if (!json_is_object(obj) || json_object_size(obj) == 0) {
                        /* A rule is silent; a setting says what this host lacks (no cpufreq in a VM). */
                        if (r->setting) {
                                _cleanup_free_ char *why = NULL;
                                if (asprintf(&why, "the profile has no %s on this host", r->foreach) < 0)
                                        return -ENOMEM;
                                json_array_append_new(b->unsupported,
                                                      json_pack("{s:s, s:s, s:s, s:s}", "kind", tunable_kind_to_string(r->kind),
                                                                "key", "*", "rule", r->id, "reason", why));
                                warn(b, r->id, "%s: %s, so setting %s was skipped (not an error)",
                                     tunable_kind_to_string(r->kind), why, r->id);
                        }
                        return 0;
                }
                n = json_object_size(obj);
                elems = calloc(n, sizeof(char *));
                if (!elems)
                        return -ENOMEM;
                size_t i = 0;
                const char *k;
                json_t *v;
                json_object_foreach(obj, k, v)
                        elems[i++] = k;
                qsort(elems, n, sizeof(char *), cmp_str);
        }
        int q = 0;
        for (size_t i = 0; i < n && q >= 0; i++) {
                const char *elem = elems ? elems[i] : none[0];
                json_t *evidence = json_object();
                if (!evidence) {
                        q = -ENOMEM;
                        break;
                }
                if (r->when && !cond_eval(r->when, elem, lookup, b, evidence)) {
                        json_decref(evidence);
                        continue;
                }
                KeyCand kc[3] = {};
                size_t nk = rule_keys(b, r, elem, kc);
                for (size_t k = 0; k < nk; k++) {
                        if (q >= 0)
                                q = propose(b, r, elem, &kc[k], evidence);
                        free(kc[k].key);
                }
                json_decref(evidence);
        }
        free(elems);
        return q;
}

/* A plan may set one form of a coupled pair only; it records the other's current value for rollback. */
static void handle_pairs(Builder *b) {
        for (size_t ia = 0; ia < json_array_size(b->changes); ia++) {
                json_t *a = json_array_get(b->changes, ia);
                const char *key = json_string_value(json_object_get(a, "key"));
                const char *partner = strcmp(json_string_value(json_object_get(a, "kind")) ?: "", "sysctl") == 0
                                              ? sysctl_coupled_partner(key) : NULL;
                size_t ib;
                if (!partner || !find_change(b->changes, "sysctl", partner, &ib) || ib < ia)
                        continue;
                /* The later rule wins: drop the earlier change, ia. */
                warn(b, json_string_value(json_object_get(a, "rule")),
                     "%s and %s are exclusive (writing one zeroes the other): keeping the later rule's %s, dropping %s",
                     key, partner, partner, key);
                json_array_remove(b->changes, ia--);
        }
        size_t i;
        json_t *c;
        json_array_foreach(b->changes, i, c) {
                const char *key = json_string_value(json_object_get(c, "key"));
                const char *other = strcmp(json_string_value(json_object_get(c, "kind")), "sysctl") == 0
                                            ? sysctl_coupled_partner(key) : NULL;
                if (!other)
                        continue;
                _cleanup_free_ char *cur = NULL;
                json_t *pair = json_pack("{s:s}", "key", other);
                if (tunable_read(b->o->root, TUNABLE_SYSCTL, other, &cur) >= 0)
                        json_object_set_new(pair, "current", json_string(cur));
                else
                        json_object_set_new(pair, "current", json_null());
                json_object_set_new(c, "pair", pair);
        }
}

static int check_conflicts(Builder *b) {
        SysctlFiles f;
        int q = sysctl_files_scan(b->o->root, &f);
        if (q < 0)
                return q;
        size_t i;
        json_t *c;
        json_array_foreach(b->changes, i, c) {
                if (strcmp(json_string_value(json_object_get(c, "kind")), "sysctl") != 0)
                        continue;
                const char *key = json_string_value(json_object_get(c, "key")),
                           *proposed = json_string_value(json_object_get(c, "proposed"));
                const char *partner = sysctl_coupled_partner(key);
                for (size_t j = 0; j < f.n; j++) {
                        const SysctlSetting *s = &f.v[j];
                        bool same = strcmp(s->key, key) == 0, pair = partner && strcmp(s->key, partner) == 0;
                        if (!s->wins || (!same && !pair) || (same && strcmp(s->value, proposed) == 0))
                                continue;
                        json_t *conf = json_object_get(c, "conflicts");
                        if (!conf) {
                                conf = json_array();
                                json_object_set_new(c, "conflicts", conf);
                        }
                        json_array_append_new(conf, json_pack("{s:s, s:i, s:s, s:s}", "file", s->file, "line", (int) s->line,
                                                              "key", s->key, "value", s->value));
                        json_t *w = json_pack("{s:s, s:s, s:i}", "message", "", "file", s->file, "line", (int) s->line);
                        char *m = NULL;
                        if (asprintf(&m, "%s:%u sets %s = %s and is read after skytune's 90-skytune.conf, so it wins at "
                                     "boot over the proposed %s = %s: remove or change the line there", s->file, s->line,
                                     s->key, s->value, key, proposed) >= 0 && w) {
                                json_object_set_new(w, "message", json_string(m));
                                json_object_set_new(w, "rule", json_string(json_string_value(json_object_get(c, "rule"))));
                                json_array_append(b->warnings, w);
                        }
                        free(m);
                        json_decref(w);
                }
        }
        sysctl_files_done(&f);
        return 0;
}

/* A target the rules cannot judge is worth a warning, not an error. */
static void warn_targets(Builder *b) {
        for (size_t i = 0; i < b->n_targets; i++) {
                const Target *t = &b->targets[i];
                if (t->pid == 0 && !t->unit)
                        warn(b, NULL, "target '%s': no running process has this name and no %s.service unit exists, so "
                             "its limits cannot be checked", t->name, t->name);
                else if (t->pid > 0 && !t->nofile.used_known)
                        warn(b, NULL, "target '%s': cannot count the open files of pid %d (another user's process: run "
                             "as root to measure its use against the limit)", t->name, t->pid);
        }
}

int plan_build(const PlanOptions *o, json_t **ret, OptError *err) {
        Builder b = {
                .o = o,
                .allow = o->allow_risk >= 0 ? o->allow_risk : o->policy->allow_risk,
                .changes = json_array(), .held_back = json_array(), .warnings = json_array(),
                .unsupported = json_array(), .nr_open = -1, .nproc_max = -1,
        };
        _cleanup_free_ char *digest = NULL, *gen = NULL;
        int q = 0;
        if (!json_is_object(o->profile))
                q = opt_error_set(err, -EINVAL, o->profile_source, 0, "the profile is not a JSON object");
        else if (!json_is_string(json_object_get(o->profile, "schema")) ||
                 strcmp(json_string_value(json_object_get(o->profile, "schema")), PROFILE_SCHEMA) != 0)
                q = opt_error_set(err, -EINVAL, o->profile_source, 0,
                                  "not a skytune profile: \"schema\" must be \"" PROFILE_SCHEMA "\" (write one with "
                                  "'skytune profile --out FILE')");
        if (q < 0)
                goto out;
        if (!b.changes || !b.held_back || !b.warnings || !b.unsupported) {
                q = -ENOMEM;
                goto out;
        }
        plan_kernel_limits(o->root, &b.nr_open, &b.nproc_max);
        q = plan_scan_targets(o, &b.targets, &b.n_targets);
        if (q < 0)
                goto out;
        b.ctx = plan_context_json(o->root, b.targets, b.n_targets, b.nr_open, b.nproc_max);
        warn_targets(&b);

        for (size_t i = 0; i < o->policy->n_rules && q >= 0; i++)
                q = run_rule(&b, &o->policy->rules[i]);
        if (q < 0) {
                opt_error_set(err, q, NULL, 0, "cannot build the plan: %s", strerror(-q));
                goto out;
        }
        handle_pairs(&b);
        q = check_conflicts(&b);
        if (q < 0) {
                opt_error_set(err, q, NULL, 0, "cannot read the sysctl.d files: %s", strerror(-q));
                goto out;
        }

        digest = profile_digest(o->profile);
        gen = time_now_iso8601();
        json_t *files = json_array();
        for (size_t i = 0; i < o->policy->n_files; i++)
                json_array_append_new(files, json_string(o->policy->files[i]));
        json_t *prof = json_pack("{s:s?, s:s?, s:s?, s:s?}", "digest", digest, "generated",
                                 json_string_value(json_object_get(o->profile, "generated")), "source",
                                 o->profile_source ? o->profile_source : "live", "hostname",
                                 json_string_value(json_object_get(json_object_get(o->profile, "host"), "hostname")));
        json_t *plan = json_pack("{s:s, s:s?, s:{s:s, s:s?, s:s, s:o}, s:o, s:s, s:b, s:b, s:O, s:O, s:O, s:O, s:O}",
                                 "schema", PLAN_SCHEMA, "generated", gen, "policy", "name", o->policy->name,
                                 "description", o->policy->description, "allow_risk", risk_to_string(b.allow), "files",
                                 files, "profile", prof, "sysroot", sysroot_path(o->root), "persist", o->persist,
                                 "changed", json_array_size(b.changes) > 0, "changes", b.changes, "held_back",
                                 b.held_back, "warnings", b.warnings, "unsupported", b.unsupported, "targets",
                                 json_object_get(b.ctx, "targets"));
        if (!plan) {
                q = -ENOMEM;
                goto out;
        }
        *ret = plan;
out:
        json_decref(b.ctx);
        json_decref(b.changes);
        json_decref(b.held_back);
        json_decref(b.warnings);
        json_decref(b.unsupported);
        targets_free(b.targets, b.n_targets);
        return q;
}

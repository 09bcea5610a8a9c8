/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan-validate.h"
#include "ulimit.h"

/* The comm of skytune-helper's own process: a limit set on it could end the transaction that set it. */
#define HELPER_COMM "skytune-helper"

Plan *plan_free(Plan *p) {
        if (!p)
                return NULL;
        for (size_t i = 0; i < p->n_changes; i++) {
                free(p->changes[i].key);
                free(p->changes[i].proposed);
                free(p->changes[i].mechanism);
        }
        free(p->changes);
        free(p);
        return NULL;
}

static bool word_ok(const char *s, size_t max) {
        size_t n = strlen(s);
        if (n == 0 || n > max)
                return false;
        for (; *s; s++)
                if (!isalnum((unsigned char) *s) && !strchr("._-", *s))
                        return false;
        return true;
}

/* A short, printable rendering of untrusted text for error messages. */
static void safe_copy(char *out, size_t size, const char *s) {
        size_t o = 0;
        for (; s && *s && o + 5 < size; s++)
                out[o++] = isprint((unsigned char) *s) ? *s : '?';
        if (s && *s)
                out[o++] = '.', out[o++] = '.', out[o++] = '.';
        out[o] = '\0';
}

const char *plan_key_refused(TunableKind kind, const char *key) {
        static const char *const need_sys_admin[] = { "kernel.numa_balancing", "kernel.sched_schedstats" };
        for (size_t i = 0; kind == TUNABLE_SYSCTL && key && i < ELEMENTSOF(need_sys_admin); i++)
                if (strcmp(key, need_sys_admin[i]) == 0)
                        return "the kernel requires CAP_SYS_ADMIN for this key, which skytune-helper does not keep";
        return NULL;
}

static int parse_change(json_t *c, size_t i, PlanChange *out, Error *ret_error) {
        if (!json_is_object(c))
                return error_set(ret_error, -EINVAL, "changes[%zu] is not an object", i);
        json_t *kind = json_object_get(c, "kind"), *key = json_object_get(c, "key"),
               *proposed = json_object_get(c, "proposed"), *mech = json_object_get(c, "mechanism"),
               *pfile = json_object_get(c, "persist_file"), *critical = json_object_get(c, "allow_critical_process");
        if (!json_is_string(kind) || !json_is_string(key) || !json_is_string(proposed))
                return error_set(ret_error, -EINVAL, "changes[%zu]: kind, key and proposed must be strings", i);
        if ((mech && !json_is_null(mech) && !json_is_string(mech)) || (pfile && !json_is_null(pfile) && !json_is_string(pfile)))
                return error_set(ret_error, -EINVAL, "changes[%zu]: mechanism and persist_file must be strings", i);
        if (critical && !json_is_boolean(critical))
                return error_set(ret_error, -EINVAL, "changes[%zu]: allow_critical_process must be true or false", i);
        char kbuf[80], vbuf[80], kindbuf[40];
        safe_copy(kindbuf, sizeof(kindbuf), json_string_value(kind));
        safe_copy(kbuf, sizeof(kbuf), json_string_value(key));
        safe_copy(vbuf, sizeof(vbuf), json_string_value(proposed));
        /* jansson refuses \u0000 in strings, but be explicit: a length that differs from strlen
         * means an embedded NUL. */
        if (strlen(json_string_value(key)) != json_string_length(key) ||
            strlen(json_string_value(proposed)) != json_string_length(proposed))
                return error_set(ret_error, -EINVAL, "changes[%zu] (%s %s): NUL byte in key or value", i, kindbuf, kbuf);

        TunableKind k = tunable_kind_from_string(json_string_value(kind));
        if (k < 0)
                return error_set(ret_error, -EINVAL, "changes[%zu]: unknown kind '%s'", i, kindbuf);
        _cleanup_(error_done) Error why = ERROR_NULL;
        _cleanup_free_ char *canon = NULL, *norm = NULL;
        int r = tunable_check(k, json_string_value(key), json_string_value(proposed), &canon, &why);
        if (r < 0)
                return error_set(ret_error, -EINVAL, "changes[%zu] (%s %s = %s): %s", i, kindbuf, kbuf, vbuf,
                                 why.message ?: "rejected");
        const char *reason = plan_key_refused(k, canon);
        if (reason)
                return error_set(ret_error, -EINVAL, "changes[%zu] (%s %s = %s): %s", i, kindbuf, kbuf, vbuf, reason);
        r = tunable_normalize(k, canon, json_string_value(proposed), &norm);
        if (r < 0)
                return error_set(ret_error, -EINVAL, "changes[%zu] (%s %s = %s): value cannot be normalized", i, kindbuf,
                                 kbuf, vbuf);
        if (json_is_string(mech) && !word_ok(json_string_value(mech), 64))
                return error_set(ret_error, -EINVAL, "changes[%zu] (%s %s): mechanism must be a short word", i, kindbuf, kbuf);
        if (json_is_string(pfile) && json_string_length(pfile) > 4096)
                return error_set(ret_error, -EINVAL, "changes[%zu] (%s %s): persist_file is too long", i, kindbuf, kbuf);
        out->kind = k;
        out->key = TAKE_PTR(canon);
        out->proposed = TAKE_PTR(norm);
        out->allow_critical_process = json_is_true(critical);
        if (json_is_string(mech)) {
                out->mechanism = strdup(json_string_value(mech));
                if (!out->mechanism)
                        return -ENOMEM;
        }
        return 0;
}

/* The same key twice (in any spelling: keys are canonical by now), or both keys of a coupled pair. */
static int check_against_earlier(const Plan *p, size_t i, Error *ret_error) {
        const PlanChange *ci = &p->changes[i];
        const char *partner = ci->kind == TUNABLE_SYSCTL ? sysctl_coupled_partner(ci->key) : NULL;
        for (size_t j = 0; j < i; j++) {
                const PlanChange *cj = &p->changes[j];
                if (cj->kind == ci->kind && strcmp(cj->key, ci->key) == 0)
                        return error_set(ret_error, -EINVAL, "changes[%zu] (%s %s): the same key as changes[%zu]", i,
                                      tunable_kind_to_string(ci->kind), ci->key, j);
                if (partner && cj->kind == TUNABLE_SYSCTL && strcmp(cj->key, partner) == 0)
                        return error_set(ret_error, -EINVAL, "changes[%zu] (%s) and changes[%zu] (%s) exclude each other "
                                      "(writing one zeroes the other): set only one", j, cj->key, i, ci->key);
        }
        return 0;
}

static int parse_plan(json_t *doc, Plan **ret, Error *ret_error) {
        if (!json_is_object(doc))
                return error_set(ret_error, -EINVAL, "plan is not a JSON object");
        json_t *schema = json_object_get(doc, "schema");
        if (!json_is_string(schema) || strcmp(json_string_value(schema), PLAN_SCHEMA) != 0)
                return error_set(ret_error, -EINVAL, "plan schema must be \"%s\"", PLAN_SCHEMA);
        json_t *persist = json_object_get(doc, "persist");
        if (persist && !json_is_boolean(persist))
                return error_set(ret_error, -EINVAL, "plan field persist must be true or false");
        json_t *changes = json_object_get(doc, "changes");
        if (!json_is_array(changes))
                return error_set(ret_error, -EINVAL, "plan field changes must be an array");
        if (json_array_size(changes) > PLAN_MAX_CHANGES)
                return error_set(ret_error, -EINVAL, "plan has more than %d changes", PLAN_MAX_CHANGES);

        _cleanup_(plan_freep) Plan *p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->persist = json_is_true(persist);
        p->changes = calloc(json_array_size(changes) + 1, sizeof(PlanChange));
        if (!p->changes)
                return -ENOMEM;
        size_t i;
        json_t *c;
        json_array_foreach(changes, i, c) {
                int r = parse_change(c, i, &p->changes[i], ret_error);
                p->n_changes = i + 1;
                if (r >= 0)
                        r = check_against_earlier(p, i, ret_error);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(p);
        return 0;
}

int plan_validate(const char *text, size_t len, const Sysroot *root, Plan **ret, Error *ret_error) {
        if (len > PLAN_MAX_BYTES)
                return error_set(ret_error, -EINVAL, "plan is larger than %d bytes", PLAN_MAX_BYTES);
        json_error_t jerr;
        json_auto_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!doc)
                return error_set(ret_error, -EINVAL, "plan is not valid JSON (line %d column %d): %s", jerr.line,
                                 jerr.column, jerr.text);
        _cleanup_(plan_freep) Plan *p = NULL;
        int r = parse_plan(doc, &p, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; root && i < p->n_changes; i++) {
                r = plan_check_change_host(root, p, i, ret_error);
                if (r < 0)
                        return r;
        }
        if (ret)
                *ret = TAKE_PTR(p);
        return 0;
}

/* ---- the host's part ---- */

/* A governor, preference or scheduler the host offers, when the host has the attribute at all. */
/* A refusal of change i of the plan because of what the host holds. */
#define refuse_host(e, i, c, why) \
        error_set((e), -EINVAL, "changes[%zu] (%s %s = %s): %s", (i), tunable_kind_to_string((c)->kind), (c)->key, \
                  (c)->proposed, (why))

static int check_offered(const Sysroot *root, const PlanChange *c, size_t i, Error *e) {
        const TunableBackend *b = tunable_backend(c->kind);
        _cleanup_free_ char *live = NULL;
        if (!b->offered_enforced)
                return 0;
        int r = b->live_path(c->key, &live);
        if (r < 0)
                return r;
        if (!sysroot_exists(root, live))
                return 0;               /* the host lacks it: skipped as unavailable */
        r = tunable_offers(root, c->kind, c->key, c->proposed);
        if (r == -ENOMEM)
                return r;
        return r <= 0 ? refuse_host(e, i, c, b->offered_refusal) : 0;
}

static int check_critical_process(const Sysroot *root, const PlanChange *c, size_t i, Error *e) {
        UlimitKey k;
        if (ulimit_key_parse(c->key, &k) < 0 || k.scope_id != ULIMIT_SCOPE_PROCESS || c->allow_critical_process)
                return 0;
        _cleanup_free_ char *init = NULL;
        int r = sysroot_read_line(root, "proc/1/comm", &init);
        if (r == -ENOMEM)
                return r;
        if (r >= 0 && strcmp(init, k.target) == 0)
                return refuse_host(e, i, c,
                                   "the limit would apply to PID 1, whose failure takes the whole system down; add "
                                   "\"allow_critical_process\": true to the change to allow it (high risk)");
        if (strcmp(k.target, HELPER_COMM) == 0)
                return refuse_host(e, i, c,
                                   "the limit would apply to skytune-helper itself, which then might not finish or roll "
                                   "back the transaction; add \"allow_critical_process\": true to the change to allow "
                                   "it (high risk)");
        return 0;
}

int plan_check_change_host(const Sysroot *root, const Plan *plan, size_t i, Error *ret_error) {
        const PlanChange *c = &plan->changes[i];
        TunablePlace place;
        int r = tunable_place(c->kind, c->key, &place);
        if (r < 0)
                return r;
        return place.mechanism == TUNABLE_MECH_PRLIMIT ? check_critical_process(root, c, i, ret_error)
                                                       : check_offered(root, c, i, ret_error);
}

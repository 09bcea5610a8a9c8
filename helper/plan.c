/* SPDX-License-Identifier: MIT */
/* The plan as the helper sees it: only schema, persist and changes[] {kind, key, proposed, mechanism,
 * persist_file} matter; everything else is ignored. Nothing in it is trusted: every change is checked
 * against the allowlist in common/tunable.h, and one bad change rejects the whole plan. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper.h"

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

bool tx_id_valid(const char *id) {
        size_t n = id ? strlen(id) : 0;
        if (n == 0 || n > 64)
                return false;
        for (const char *p = id; *p; p++)
                if (!isalnum((unsigned char) *p) && *p != '-')
                        return false;
        return true;
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

static int errorf(char **ret_error, const char *fmt, ...) _printf_(2, 3);
static int errorf(char **ret_error, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        if (ret_error && vasprintf(ret_error, fmt, ap) < 0)
                *ret_error = NULL;
        va_end(ap);
        return -EINVAL;
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

static int parse_change(json_t *c, size_t i, PlanChange *out, char **ret_error) {
        if (!json_is_object(c))
                return errorf(ret_error, "changes[%zu] is not an object", i);
        json_t *kind = json_object_get(c, "kind"), *key = json_object_get(c, "key"),
               *proposed = json_object_get(c, "proposed"), *mech = json_object_get(c, "mechanism"),
               *pfile = json_object_get(c, "persist_file");
        if (!json_is_string(kind) || !json_is_string(key) || !json_is_string(proposed))
                return errorf(ret_error, "changes[%zu]: kind, key and proposed must be strings", i);
        if ((mech && !json_is_null(mech) && !json_is_string(mech)) || (pfile && !json_is_null(pfile) && !json_is_string(pfile)))
                return errorf(ret_error, "changes[%zu]: mechanism and persist_file must be strings", i);
        char kbuf[80], vbuf[80], kindbuf[40];
        safe_copy(kindbuf, sizeof(kindbuf), json_string_value(kind));
        safe_copy(kbuf, sizeof(kbuf), json_string_value(key));
        safe_copy(vbuf, sizeof(vbuf), json_string_value(proposed));
        /* jansson refuses \u0000 in strings, but be explicit: a length that differs from strlen
         * means an embedded NUL. */
        if (strlen(json_string_value(key)) != json_string_length(key) ||
            strlen(json_string_value(proposed)) != json_string_length(proposed))
                return errorf(ret_error, "changes[%zu] (%s %s): NUL byte in key or value", i, kindbuf, kbuf);

        TunableKind k = tunable_kind_from_string(json_string_value(kind));
        if (k < 0)
                return errorf(ret_error, "changes[%zu]: unknown kind '%s'", i, kindbuf);
        const char *reason = NULL;
        _cleanup_free_ char *canon = NULL, *norm = NULL;
        int r = tunable_check(k, json_string_value(key), json_string_value(proposed), &canon, &reason);
        if (r < 0)
                return errorf(ret_error, "changes[%zu] (%s %s = %s): %s", i, kindbuf, kbuf, vbuf, reason ?: "rejected");
        r = tunable_normalize(k, canon, json_string_value(proposed), &norm);
        if (r < 0)
                return errorf(ret_error, "changes[%zu] (%s %s = %s): value cannot be normalized", i, kindbuf, kbuf, vbuf);
        if (json_is_string(mech) && !word_ok(json_string_value(mech), 64))
                return errorf(ret_error, "changes[%zu] (%s %s): mechanism must be a short word", i, kindbuf, kbuf);
        if (json_is_string(pfile) && json_string_length(pfile) > 4096)
                return errorf(ret_error, "changes[%zu] (%s %s): persist_file is too long", i, kindbuf, kbuf);
        out->kind = k;
        out->key = TAKE_PTR(canon);
        out->proposed = TAKE_PTR(norm);
        if (json_is_string(mech)) {
                out->mechanism = strdup(json_string_value(mech));
                if (!out->mechanism)
                        return -ENOMEM;
        }
        return 0;
}

int plan_parse(const char *text, size_t len, Plan **ret, char **ret_error) {
        if (ret_error)
                *ret_error = NULL;
        if (len > HELPER_PLAN_MAX)
                return errorf(ret_error, "plan is larger than %d bytes", HELPER_PLAN_MAX);
        json_error_t jerr;
        json_auto_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!doc)
                return errorf(ret_error, "plan is not valid JSON (line %d column %d): %s", jerr.line, jerr.column, jerr.text);
        if (!json_is_object(doc))
                return errorf(ret_error, "plan is not a JSON object");
        json_t *schema = json_object_get(doc, "schema");
        if (!json_is_string(schema) || strcmp(json_string_value(schema), HELPER_PLAN_SCHEMA) != 0)
                return errorf(ret_error, "plan schema must be \"%s\"", HELPER_PLAN_SCHEMA);
        json_t *persist = json_object_get(doc, "persist");
        if (persist && !json_is_boolean(persist))
                return errorf(ret_error, "plan field persist must be true or false");
        json_t *changes = json_object_get(doc, "changes");
        if (!json_is_array(changes))
                return errorf(ret_error, "plan field changes must be an array");
        if (json_array_size(changes) > HELPER_CHANGES_MAX)
                return errorf(ret_error, "plan has more than %d changes", HELPER_CHANGES_MAX);

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
                if (r < 0)
                        return r;
                const PlanChange *ci = &p->changes[i];
                const char *partner = ci->kind == TUNABLE_SYSCTL ? sysctl_coupled_partner(ci->key) : NULL;
                for (size_t j = 0; j < i; j++) {
                        const PlanChange *cj = &p->changes[j];
                        if (cj->kind == ci->kind && strcmp(cj->key, ci->key) == 0)
                                return errorf(ret_error, "changes[%zu] (%s %s): the same key as changes[%zu]", i,
                                              tunable_kind_to_string(ci->kind), ci->key, j);
                        if (partner && cj->kind == TUNABLE_SYSCTL && strcmp(cj->key, partner) == 0)
                                return errorf(ret_error, "changes[%zu] (%s) and changes[%zu] (%s) exclude each other "
                                              "(writing one zeroes the other): set only one", j, cj->key, i, ci->key);
                }
        }
        *ret = TAKE_PTR(p);
        return 0;
}

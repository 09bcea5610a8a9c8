/* SPDX-License-Identifier: MIT */
/* Verification records (AnnotateTransaction): the caller's JSON, checked member by member before the
 * journal stores it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper-core.h"

/* Verification records. The caller's JSON is stored inside a root-owned journal and printed later by
 * `skytune history`, so every member is known, typed and bounded: names from a small alphabet (no
 * terminal escapes), free text printable ASCII, numbers finite (jansson has no NaN), counts bounded. */
typedef enum FieldType {
        F_NAME,         /* [A-Za-z0-9_.-], 1..64 bytes */
        F_TEXT,         /* printable ASCII, at most 1024 bytes */
        F_BOOL,
        F_NUMBER,       /* a number or null (not measured) */
        F_PROB,         /* a number in [0, 1] or null */
        F_COUNT,        /* an integer in [0, 1000000] */
        F_NUMBER_PAIR,  /* [F_NUMBER, F_NUMBER] */
        F_COUNT_PAIR,   /* [F_COUNT, F_COUNT] */
        F_VERDICT,
        F_DECISION,
        F_ORDER,
        F_SCHEMA,
        F_ROUNDS,       /* {"baseline": F_COUNT, "candidate": F_COUNT} */
        F_METRICS,      /* at most VERIFICATION_METRICS_MAX metric objects */
        F_IDS,          /* at most VERIFICATION_IDS_MAX transaction ids */
} FieldType;

typedef struct Field {
        const char *name;
        FieldType type;
        bool required;
} Field;

#define VERIFICATION_METRICS_MAX 512
#define VERIFICATION_IDS_MAX 1024

static const Field record_fields[] = {
        { "schema", F_SCHEMA, true },
        { "rounds", F_ROUNDS, true },
        { "metrics", F_METRICS, true },
        { "primary_regressed", F_BOOL, true },
        { "decision", F_DECISION, true },
        { "transactions", F_IDS, false },
        { "order", F_ORDER, false },
        { "noise", F_PROB, false },
        { "round_duration_s", F_NUMBER, false },
        { "error", F_TEXT, false },
};

static const Field metric_fields[] = {
        { "probe", F_NAME, true },
        { "metric", F_NAME, true },
        { "verdict", F_VERDICT, true },
        { "unit", F_TEXT, false },
        { "higher_is_better", F_BOOL, false },
        { "primary", F_BOOL, false },
        { "baseline_median", F_NUMBER, false },
        { "candidate_median", F_NUMBER, false },
        { "ratio", F_NUMBER, false },
        { "ci", F_NUMBER_PAIR, false },
        { "p", F_PROB, false },
        { "p_adjusted", F_PROB, false },
        { "threshold", F_NUMBER, false },
        { "more_rounds", F_COUNT, false },
        { "contaminated", F_COUNT_PAIR, false },
        { "unreliable", F_BOOL, false },
        { "margin", F_NUMBER, false },
        { "foreign_share", F_NUMBER_PAIR, false },
        { "failed_rounds", F_COUNT_PAIR, false },
};

static const Field rounds_fields[] = {
        { "baseline", F_COUNT, true },
        { "candidate", F_COUNT, true },
};

static bool one_of(const char *s, const char *const *words) {
        for (; s && *words; words++)
                if (strcmp(s, *words) == 0)
                        return true;
        return false;
}

static bool name_ok(const char *s) {
        size_t n = s ? strlen(s) : 0;
        if (n == 0 || n > 64)
                return false;
        return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

static bool text_ok(const char *s) {
        if (!s || strlen(s) > 1024)
                return false;
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || (unsigned char) *s > 0x7e)
                        return false;
        return true;
}

static bool count_ok(const json_t *v) {
        return json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 1000000;
}

static bool pair_ok(const json_t *v, bool (*item_ok)(const json_t *)) {
        return json_is_array(v) && json_array_size(v) == 2 && item_ok(json_array_get(v, 0)) && item_ok(json_array_get(v, 1));
}

static bool number_ok(const json_t *v) {
        return json_is_null(v) || json_is_number(v);
}

static int check_object(const json_t *o, const Field *fields, size_t n, const char *where, Error *ret_error);

/* -EINVAL with the reason in e; -ENOMEM when there is no memory to say it. */
#define invalid(e, ...) (error_set((e), -EINVAL, __VA_ARGS__), (e) && !(e)->message ? -ENOMEM : -EINVAL)

/* NULL when v is a valid `type`, else what is wrong with it. */
static const char *check_value(const json_t *v, FieldType type, const char *where, Error *ret_error, int *ret) {
        static const char *const verdicts[] = { "improved", "regressed", "unchanged", "inconclusive", NULL };
        static const char *const decisions[] = { "kept", "rolled-back", NULL };
        static const char *const orders[] = { "alternating", "sequential", NULL };
        const char *s = json_string_value(v);
        size_t i;
        json_t *item;
        *ret = 0;
        switch (type) {
        case F_NAME:
                return name_ok(s) ? NULL : "not a name (letters, digits, '_', '.', '-', at most 64)";
        case F_TEXT:
                return text_ok(s) ? NULL : "not printable text of at most 1024 bytes";
        case F_BOOL:
                return json_is_boolean(v) ? NULL : "not true or false";
        case F_NUMBER:
                return number_ok(v) ? NULL : "not a number or null";
        case F_PROB:
                return json_is_null(v) || (json_is_number(v) && json_number_value(v) >= 0 && json_number_value(v) <= 1)
                               ? NULL : "not a number from 0 to 1, or null";
        case F_COUNT:
                return count_ok(v) ? NULL : "not a whole number from 0 to 1000000";
        case F_NUMBER_PAIR:
                return pair_ok(v, number_ok) ? NULL : "not a pair of numbers";
        case F_COUNT_PAIR:
                return pair_ok(v, count_ok) ? NULL : "not a pair of whole numbers";
        case F_VERDICT:
                return one_of(s, verdicts) ? NULL : "not improved, regressed, unchanged or inconclusive";
        case F_DECISION:
                return one_of(s, decisions) ? NULL : "not kept or rolled-back";
        case F_ORDER:
                return one_of(s, orders) ? NULL : "not alternating or sequential";
        case F_SCHEMA:
                return s && strcmp(s, HELPER_VERIFY_SCHEMA) == 0 ? NULL : "not \"" HELPER_VERIFY_SCHEMA "\"";
        case F_ROUNDS:
                *ret = check_object(v, rounds_fields, ELEMENTSOF(rounds_fields), where, ret_error);
                return NULL;
        case F_METRICS:
                if (!json_is_array(v) || json_array_size(v) > VERIFICATION_METRICS_MAX)
                        return "not a list of at most 512 metrics";
                json_array_foreach(v, i, item) {
                        _cleanup_free_ char *at = NULL;
                        if (asprintf(&at, "%s[%zu]", where, i) < 0) {
                                *ret = -ENOMEM;
                                return NULL;
                        }
                        *ret = check_object(item, metric_fields, ELEMENTSOF(metric_fields), at, ret_error);
                        if (*ret < 0)
                                return NULL;
                }
                return NULL;
        case F_IDS:
                if (!json_is_array(v) || json_array_size(v) > VERIFICATION_IDS_MAX)
                        return "not a list of at most 1024 transaction ids";
                json_array_foreach(v, i, item)
                        if (!tx_id_valid(json_string_value(item)))
                                return "holds something that is not a transaction id";
                return NULL;
        }
        return "of an unknown type";
}

static int check_object(const json_t *o, const Field *fields, size_t n, const char *where, Error *ret_error) {
        if (!json_is_object(o))
                return invalid(ret_error, "%s: not a JSON object", where);
        const char *key;
        json_t *v;
        json_object_foreach((json_t *) o, key, v) {
                size_t i = 0;
                while (i < n && strcmp(fields[i].name, key) != 0)
                        i++;
                if (i == n)
                        /* %.64s: the name is the caller's; its escapes land in a log line at most. */
                        return invalid(ret_error, "%s: unknown member \"%.64s\"", where, text_ok(key) ? key : "?");
        }
        for (size_t i = 0; i < n; i++) {
                v = json_object_get(o, fields[i].name);
                if (!v) {
                        if (fields[i].required)
                                return invalid(ret_error, "%s: \"%s\" is missing", where, fields[i].name);
                        continue;
                }
                _cleanup_free_ char *at = NULL;
                if (asprintf(&at, "%s.%s", where, fields[i].name) < 0)
                        return -ENOMEM;
                int r;
                const char *why = check_value(v, fields[i].type, at, ret_error, &r);
                if (r < 0)
                        return r;
                if (why)
                        return invalid(ret_error, "%s: %s", at, why);
        }
        return 0;
}

int verification_parse(const char *text, size_t len, json_t **ret, Error *ret_error) {
        if (len > HELPER_VERIFICATION_MAX)
                return invalid(ret_error, "the verification record is %zu bytes, more than %d", len, HELPER_VERIFICATION_MAX);
        json_error_t jerr;
        json_auto_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
        if (!doc)
                return invalid(ret_error, "the verification record is not JSON: %s (at byte %d)", jerr.text, jerr.position);
        int r = check_object(doc, record_fields, ELEMENTSOF(record_fields), "verification", ret_error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(doc);
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* One silence: matchers, the document, the match (silence.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-util.h"
#include "macro.h"
#include "schema.h"
#include "silence.h"
#include "time-util.h"

static const struct {
        const char *text;
        SilenceOp op;
} ops[] = {
        /* Two-character operators first: "!=" before "=". */
        { "!~", SILENCE_NRE },
        { "=~", SILENCE_RE },
        { "!=", SILENCE_NE },
        { "=", SILENCE_EQ },
};

static const char *op_text(SilenceOp op) {
        for (size_t k = 0; k < ELEMENTSOF(ops); k++)
                if (ops[k].op == op)
                        return ops[k].text;
        return "=";
}

static bool label_ok(const char *s, size_t n) {
        if (n == 0 || n > 128 || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
                      s[i] == '_'))
                        return false;
        return true;
}

/* What glibc's regcomp cannot be trusted with: a repetition of a repetition (a++, a*{9}), and
 * more than REGEX_COUNT_MAX copies of its parts, bounded counts multiplied where nested
 * ((.{0,100}){0,100} is 10000 copies: seconds and hundreds of MB to compile, seconds to match). RE2, Alertmanager's
 * engine, refuses the same. Escapes and bracket expressions are skipped. */
#define REGEX_COUNT_MAX 1000
#define REGEX_DEPTH_MAX 32

/* The count of a {m}, {m,} or {m,n} at p (p after the '{'): its largest number, and *end after '}'. */
static long brace_count(const char *p, const char **end) {
        long max = 0, v = 0;
        for (; *p && *p != '}'; p++)
                if (*p >= '0' && *p <= '9')
                        v = v < 100000 ? v * 10 + (*p - '0') : v;
                else if (*p == ',') {
                        max = v > max ? v : max;
                        v = 0;
                }
        *end = *p ? p + 1 : p;
        return v > max ? v : max;
}

static bool regex_refused(const char *re, const char **why) {
        long cost[REGEX_DEPTH_MAX + 1] = { 0 };
        size_t depth = 0;
        bool after_rep = false;
        for (const char *p = re; *p;) {
                long atom = 1;
                if (*p == '(') {
                        if (++depth > REGEX_DEPTH_MAX) {
                                *why = "a regular expression nests groups at most 32 deep";
                                return true;
                        }
                        cost[depth] = 0;
                        p++;
                        after_rep = false;
                        continue;
                }
                if (*p == ')' && depth > 0)
                        atom = cost[depth] > 0 ? cost[depth] : 1, depth--, p++;
                else if (*p == '[') {
                        p++;
                        p += *p == '^';
                        p += *p == ']';
                        p += strcspn(p, "]");
                        p += *p == ']';
                } else if (strchr("*+?{", *p)) {
                        if (after_rep) {
                                *why = "a repetition of a repetition (a++, a*{2}) is refused: the regex compiler "
                                       "would need memory exponential in its length";
                                return true;
                        }
                        after_rep = true;
                        p += *p == '{' ? 0 : 1;
                        if (*p == '{')
                                (void) brace_count(p + 1, &p);
                        continue;
                } else
                        p += *p == '\\' && p[1] ? 2 : 1;
                after_rep = false;
                /* The atom's repetition, if one follows: its copies count toward the group's. */
                long copies = 1;
                if (*p == '{')
                        copies = brace_count(p + 1, &p), after_rep = true;
                else if (*p && strchr("*+?", *p))
                        copies = 2, after_rep = true, p++;
                /* Summed along a group (an alternative's copies count too), multiplied by nesting. */
                cost[depth] += atom * (copies > 0 ? copies : 1);
                if (cost[depth] > REGEX_COUNT_MAX) {
                        *why = "a regular expression may have at most 1000 copies of its parts, counts "
                               "multiplied where nested ((a{0,100}){0,100} is 10000)";
                        return true;
                }
        }
        return false;
}

static int matcher_compile(SilenceMatcher *m, const char **why) {
        if (m->op != SILENCE_RE && m->op != SILENCE_NRE)
                return 0;
        size_t n = strlen(m->value);
        if (n > 256) {
                *why = "a regular expression is at most 256 bytes";
                return -EINVAL;
        }
        if (regex_refused(m->value, why))
                return -EINVAL;
        /* Alone first: "a)|(b" compiles only once wrapped, and would escape the anchors. */
        regex_t bare;
        if (regcomp(&bare, m->value, REG_EXTENDED | REG_NOSUB) != 0) {
                *why = "the regular expression does not compile (POSIX extended syntax)";
                return -EINVAL;
        }
        regfree(&bare);
        char *anchored = malloc(n + 5);
        if (!anchored)
                return -ENOMEM;
        snprintf(anchored, n + 5, "^(%s)$", m->value);
        int r = regcomp(&m->re, anchored, REG_EXTENDED | REG_NOSUB);
        free(anchored);
        if (r != 0) {
                *why = "the regular expression does not compile (POSIX extended syntax)";
                return -EINVAL;
        }
        m->compiled = true;
        return 0;
}

static void matcher_done(SilenceMatcher *m) {
        free(m->label);
        free(m->value);
        if (m->compiled)
                regfree(&m->re);
        *m = (SilenceMatcher) {};
}

static int matcher_make(const char *label, size_t n_label, SilenceOp op, const char *value, SilenceMatcher *ret,
                        const char **why) {
        if (!label_ok(label, n_label)) {
                *why = "a label is letters, digits and '_', not starting with a digit (alertname, severity, ...)";
                return -EINVAL;
        }
        if (strlen(value) > SILENCE_TEXT_MAX) {
                *why = "the value is longer than 512 bytes";
                return -EINVAL;
        }
        SilenceMatcher m = { .label = strndup(label, n_label), .value = strdup(value), .op = op };
        int r = m.label && m.value ? matcher_compile(&m, why) : -ENOMEM;
        if (r < 0) {
                matcher_done(&m);
                return r;
        }
        *ret = m;
        return 0;
}

int silence_matcher_parse(const char *text, SilenceMatcher *ret, const char **why) {
        size_t at = strcspn(text, "=!~");
        for (size_t i = 0; i < ELEMENTSOF(ops); i++) {
                size_t k = strlen(ops[i].text);
                if (strncmp(text + at, ops[i].text, k) != 0)
                        continue;
                const char *value = text + at + k;
                /* "v" and 'v' as Alertmanager prints them, or bare. */
                size_t n = strlen(value);
                if (n >= 2 && (value[0] == '"' || value[0] == '\'') && value[n - 1] == value[0]) {
                        char *inner = strndup(value + 1, n - 2);
                        if (!inner)
                                return -ENOMEM;
                        int r = matcher_make(text, at, ops[i].op, inner, ret, why);
                        free(inner);
                        return r;
                }
                return matcher_make(text, at, ops[i].op, value, ret, why);
        }
        *why = "a matcher is LABEL=VALUE, LABEL!=VALUE, LABEL=~REGEX or LABEL!~REGEX";
        return -EINVAL;
}

static bool matcher_matches(const SilenceMatcher *m, const char *v) {
        switch (m->op) {
        case SILENCE_EQ: return strcmp(v, m->value) == 0;
        case SILENCE_NE: return strcmp(v, m->value) != 0;
        case SILENCE_RE: return regexec(&m->re, v, 0, NULL, 0) == 0;
        case SILENCE_NRE: return regexec(&m->re, v, 0, NULL, 0) != 0;
        }
        return false;
}

bool silence_matchers_narrow(const Silence *s, const char **why) {
        for (size_t i = 0; i < s->n; i++)
                if (!matcher_matches(&s->m[i], ""))
                        return true;
        *why = s->n == 0 ? "a silence needs at least one matcher (alertname=NAME)"
                         : "every matcher matches an empty label: the silence would silence every alert; name one "
                           "(alertname=NAME)";
        return false;
}

void silence_matchers_format(const Silence *s, char *buf, size_t size) {
        size_t at = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < s->n && at < size; i++) {
                int w = snprintf(buf + at, size - at, "%s%s%s\"%s\"", i ? ", " : "", s->m[i].label, op_text(s->m[i].op),
                                 s->m[i].value);
                at += w > 0 ? (size_t) w : 0;
        }
}

bool silence_active(const Silence *s, int64_t now_ms) {
        return now_ms >= s->starts_ms && now_ms < s->ends_ms;
}

bool silence_matches(const Silence *s, const json_t *labels) {
        for (size_t i = 0; i < s->n; i++) {
                const char *v = json_string_value(json_object_get(labels, s->m[i].label));
                if (!matcher_matches(&s->m[i], v ? v : ""))
                        return false;
        }
        return s->n > 0;
}

static json_t *iso(int64_t ms) {
        char buf[ISO8601_USEC_SIZE];
        return json_string(time_format_iso8601((uint64_t) ms * 1000u, buf));
}

json_t *silence_to_json(const Silence *s) {
        json_t *matchers = json_array();
        for (size_t i = 0; matchers && i < s->n; i++)
                json_array_append_new(matchers,
                                      json_pack("{ssssss}", "label", s->m[i].label, "op", op_text(s->m[i].op), "value",
                                                s->m[i].value));
        return json_pack("{sssssosososs?ss?}", "schema", SILENCE_SCHEMA, "id", s->id, "matchers", matchers, "starts",
                         iso(s->starts_ms), "ends", iso(s->ends_ms), "comment", s->comment, "created_by",
                         s->created_by);
}

static int time_of(const json_t *doc, const char *key, int64_t *ret) {
        uint64_t usec;
        const char *t = json_string_value(json_object_get(doc, key));
        if (!t || time_parse_iso8601(t, &usec) < 0 || usec / 1000u > (uint64_t) INT64_MAX / 2)
                return -EINVAL;
        *ret = (int64_t) (usec / 1000u);
        return 0;
}

static int text_of(const json_t *doc, const char *key, char **ret) {
        const json_t *v = json_object_get(doc, key);
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_string(v) || json_string_length(v) > SILENCE_TEXT_MAX ||
            strlen(json_string_value(v)) != json_string_length(v))
                return -EINVAL;
        return (*ret = strdup(json_string_value(v))) ? 0 : -ENOMEM;
}

static int matchers_of(const json_t *list, Silence *s, const char **why) {
        if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > SILENCE_MATCHERS_MAX) {
                *why = "'matchers' must be a list of 1 to 16 matchers";
                return -EINVAL;
        }
        size_t i;
        const json_t *m;
        json_array_foreach(list, i, m) {
                const char *label = json_string_value(json_object_get(m, "label"));
                const char *op = json_string_value(json_object_get(m, "op"));
                const char *value = json_string_value(json_object_get(m, "value"));
                size_t k = 0;
                while (k < ELEMENTSOF(ops) && (!op || strcmp(op, ops[k].text) != 0))
                        k++;
                if (!label || !value || k == ELEMENTSOF(ops)) {
                        *why = "a matcher must have 'label', 'op' (=, !=, =~, !~) and 'value'";
                        return -EINVAL;
                }
                int r = matcher_make(label, strlen(label), ops[k].op, value, &s->m[s->n], why);
                if (r < 0)
                        return r;
                s->n++;
        }
        return 0;
}

int silence_from_json(const json_t *doc, Silence *ret, const char **why) {
        Silence s = {};
        const char *schema = json_string_value(json_object_get(doc, "schema"));
        const char *id = json_string_value(json_object_get(doc, "id"));
        int r = 0;
        if (!schema || strcmp(schema, SILENCE_SCHEMA) != 0)
                *why = "not a " SILENCE_SCHEMA " document", r = -EINVAL;
        else if (!id || strlen(id) != SILENCE_ID_LEN || strspn(id, "0123456789abcdef") != SILENCE_ID_LEN)
                *why = "'id' must be 16 lower-case hex digits", r = -EINVAL;
        else if (time_of(doc, "starts", &s.starts_ms) < 0 || time_of(doc, "ends", &s.ends_ms) < 0 ||
                 s.ends_ms <= s.starts_ms)
                *why = "'starts' and 'ends' must be ISO 8601 times in UTC, 'ends' after 'starts'", r = -EINVAL;
        else if ((r = text_of(doc, "comment", &s.comment)) < 0 || (r = text_of(doc, "created_by", &s.created_by)) < 0)
                *why = "'comment' and 'created_by' must be text of at most 512 bytes";
        else
                r = matchers_of(json_object_get(doc, "matchers"), &s, why);
        if (r >= 0 && !silence_matchers_narrow(&s, why))
                r = -EINVAL;
        if (r < 0) {
                silence_done(&s);
                return r;
        }
        memcpy(s.id, id, SILENCE_ID_LEN + 1);
        *ret = s;
        return 0;
}

void silence_done(Silence *s) {
        for (size_t i = 0; i < s->n; i++)
                matcher_done(&s->m[i]);
        free(s->comment);
        free(s->created_by);
        *s = (Silence) {};
}

int silence_dir_of_store(const char *store, char *buf, size_t size) {
        const char *slash = strrchr(store, '/');
        int n = slash ? snprintf(buf, size, "%.*s/silences", (int) (slash - store), store)
                      : snprintf(buf, size, "silences");
        return n < 0 || (size_t) n >= size ? -ENAMETOOLONG : 0;
}

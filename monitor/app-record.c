/* SPDX-License-Identifier: MIT */
/* Application records (app-record.h). */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "app-record.h"
#include "macro.h"

/* Larger is surely a unit mistake (seconds given as microseconds): a day. */
#define RESPONSE_MS_MAX 86400000.0
#define SIZE_MAX_BYTES  1e15

const char *app_drop_name(AppDrop d) {
        static const char *const names[APP_DROP_MAX] = {
                [APP_DROP_BAD_JSON] = "bad_json",
                [APP_DROP_BAD_FIELD] = "bad_field",
                [APP_DROP_OVER_CAP] = "over_cap",
                [APP_DROP_TRUNCATED] = "truncated",
        };
        return d < APP_DROP_MAX ? names[d] : "unknown";
}

typedef struct Parse {
        const char *field, *why;
} Parse;

static int bad(Parse *p, const char *field, const char *why) {
        p->field = field;
        p->why = why;
        return -EINVAL;
}

static bool name_char(char c) {
        return isalnum((unsigned char) c) || c == '_';
}

/* An endpoint as one component of a series name: the slashes at its ends go, every other character
 * outside [A-Za-z0-9_] becomes '_' ("/api/v1/users" -> "api_v1_users"); "/" alone is "root". */
static int endpoint_name(Parse *p, const char *s, char *out) {
        size_t len = strlen(s);
        if (len == 0 || len > APP_NAME_MAX)
                return bad(p, "endpoint", "a string of 1 to 96 bytes");
        while (*s == '/')
                s++, len--;
        while (len > 0 && s[len - 1] == '/')
                len--;
        if (len == 0) {
                strcpy(out, "root");
                return 0;
        }
        for (size_t i = 0; i < len; i++)
                out[i] = name_char(s[i]) ? s[i] : '_';
        out[len] = '\0';
        return 0;
}

/* A custom metric's name: components of [A-Za-z0-9_] (others become '_') between single dots. */
static int metric_name(Parse *p, const char *field, const char *s, char *out) {
        size_t len = strlen(s);
        if (len == 0 || len > APP_NAME_MAX)
                return bad(p, field, "a string of 1 to 96 bytes");
        for (size_t i = 0; i < len; i++) {
                bool dot = s[i] == '.';
                if (dot && (i == 0 || i + 1 == len || s[i + 1] == '.'))
                        return bad(p, field, "dot-separated names without empty parts (\"queue.depth\")");
                out[i] = dot || name_char(s[i]) ? s[i] : '_';
        }
        out[len] = '\0';
        return 0;
}

static int get_string(Parse *p, json_t *o, const char *key, size_t max, const char **ret) {
        json_t *v = json_object_get(o, key);
        if (!v)
                return 0;
        if (!json_is_string(v) || json_string_length(v) > max || strlen(json_string_value(v)) != json_string_length(v))
                return bad(p, key, "a string, not too long");
        *ret = json_string_value(v);
        return 1;
}

static int get_number(Parse *p, json_t *o, const char *key, double min, double max, double *ret) {
        json_t *v = json_object_get(o, key);
        if (!v)
                return 0;
        double d = json_number_value(v);
        if (!json_is_number(v) || !isfinite(d) || d < min || d > max)
                return bad(p, key, min >= 0 ? "a number, at least 0" : "a finite number");
        *ret = d;
        return 1;
}

static int parse_method(Parse *p, json_t *o, char *out) {
        const char *m = "GET";
        int k = get_string(p, o, "method", APP_METHOD_MAX, &m);
        if (k < 0)
                return bad(p, "method", "letters, at most 16 (\"GET\", \"POST\")");
        if (m[0] == '\0')
                return bad(p, "method", "letters, at most 16 (\"GET\", \"POST\")");
        size_t i = 0;
        for (; m[i]; i++) {
                if (!isalpha((unsigned char) m[i]))
                        return bad(p, "method", "letters, at most 16 (\"GET\", \"POST\")");
                out[i] = (char) toupper((unsigned char) m[i]);
        }
        out[i] = '\0';
        return 0;
}

static int parse_status(Parse *p, json_t *o, AppRecord *r) {
        json_t *v = json_object_get(o, "status_code");
        if (v && (!json_is_integer(v) || json_integer_value(v) < 100 || json_integer_value(v) > 599))
                return bad(p, "status_code", "an integer from 100 to 599");
        r->status = v ? (int) json_integer_value(v) : 0;
        json_t *ok = json_object_get(o, "success");
        if (ok && !json_is_boolean(ok))
                return bad(p, "success", "true or false");
        r->success = ok ? json_is_true(ok) : r->status < 400;
        return 0;
}

/* Accepted and not used: they must still be what the seed sends. */
static int parse_unused(Parse *p, json_t *o) {
        /* Any clock's number (s, ms, µs, ns since the epoch) or an ISO 8601 string. */
        json_t *t = json_object_get(o, "timestamp");
        if (t && !json_is_number(t) && !json_is_string(t))
                return bad(p, "timestamp", "a number or a string (it is not used: the arrival counts)");
        static const char *const ids[] = { "user_id", "tenant_id" };
        for (size_t i = 0; i < ELEMENTSOF(ids); i++) {
                json_t *v = json_object_get(o, ids[i]);
                if (v && !json_is_string(v) && !json_is_integer(v))
                        return bad(p, ids[i], "a string or an integer");
        }
        json_t *tags = json_object_get(o, "tags");
        if (tags && !json_is_array(tags) && !json_is_object(tags))
                return bad(p, "tags", "an array or an object");
        return 0;
}

static int parse_request(Parse *p, json_t *o, const char *endpoint, AppRecord *r) {
        r->kind = APP_RECORD_REQUEST;
        int k = endpoint_name(p, endpoint, r->name);
        if (k >= 0)
                k = parse_method(p, o, r->method);
        if (k >= 0 && (k = get_number(p, o, "response_time", 0, RESPONSE_MS_MAX, &r->response_ms)) == 0)
                return bad(p, "response_time", "required: milliseconds, a number at least 0");
        if (k >= 0)
                k = parse_status(p, o, r);
        if (k >= 0)
                k = get_number(p, o, "request_size", 0, SIZE_MAX_BYTES, &r->request_bytes);
        if (k >= 0)
                k = get_number(p, o, "response_size", 0, SIZE_MAX_BYTES, &r->response_bytes);
        return k < 0 ? k : 0;
}

static int parse_custom(Parse *p, json_t *o, const char *field, const char *name, AppRecord *r) {
        r->kind = APP_RECORD_CUSTOM;
        int k = metric_name(p, field, name, r->name);
        if (k >= 0 && (k = get_number(p, o, "value", -1e300, 1e300, &r->value)) == 0)
                return bad(p, "value", "required: a number");
        const char *unit = "";
        if (k >= 0 && get_string(p, o, "unit", APP_UNIT_MAX, &unit) < 0)
                return bad(p, "unit", "at most 16 letters, digits or '_' (\"ms\", \"bytes\", \"count\")");
        for (size_t i = 0; k >= 0 && unit[i]; i++)
                if (!name_char(unit[i]))
                        return bad(p, "unit", "at most 16 letters, digits or '_' (\"ms\", \"bytes\", \"count\")");
        if (k >= 0)
                strcpy(r->unit, unit);
        return k < 0 ? k : 0;
}

static int parse_object(Parse *p, json_t *o, AppRecord *r) {
        *r = (AppRecord) {};
        if (parse_unused(p, o) < 0)
                return -EINVAL;
        const char *endpoint = NULL, *name = NULL, *field = "metric";
        if (get_string(p, o, "endpoint", APP_NAME_MAX, &endpoint) < 0)
                return bad(p, "endpoint", "a string of 1 to 96 bytes");
        if (endpoint)
                return parse_request(p, o, endpoint, r);
        int k = get_string(p, o, "metric", APP_NAME_MAX, &name);
        if (k == 0)
                k = get_string(p, o, field = "name", APP_NAME_MAX, &name);
        if (k < 0)
                return bad(p, field, "a string of 1 to 96 bytes");
        if (k == 0)
                return bad(p, "endpoint", "required (a request), or 'metric' (a custom metric)");
        return parse_custom(p, o, field, name, r);
}

int app_record_parse(const char *line, size_t len, AppRecord *ret, const char **ret_field, const char **ret_why) {
        Parse p = {};
        json_error_t err;
        json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
        int r;
        if (!json_is_object(o))
                r = -EBADMSG;
        else
                r = parse_object(&p, o, ret);
        json_decref(o);
        if (r == -EINVAL) {
                *ret_field = p.field;
                *ret_why = p.why;
        }
        return r;
}

/* SPDX-License-Identifier: MIT */
/* One application record as a process sends it to skytune-monitor's app socket (docs/monitor.md,
 * Application metrics): a JSON object on one line, either a request (endpoint, method,
 * response_time in ms, status_code, success, request_size, response_size; timestamp, user_id and
 * tenant_id accepted and not used) or a custom metric (metric or name, value, unit, tags). Names are
 * bounded and mapped to the series name charset, so that a record can never make a series name the
 * store or the alert rules' language refuses. Prints nothing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define APP_NAME_MAX   96 /* an endpoint or metric name, as sent and as kept */
#define APP_METHOD_MAX 16
#define APP_UNIT_MAX   16

typedef enum AppRecordKind {
        APP_RECORD_REQUEST,
        APP_RECORD_CUSTOM,
} AppRecordKind;

/* Why a record was dropped: the suffix of its counter monitor.app_dropped.REASON. */
typedef enum AppDrop {
        APP_DROP_BAD_JSON,  /* not a JSON object */
        APP_DROP_BAD_FIELD, /* a field missing, of the wrong type, out of range or too long */
        APP_DROP_OVER_CAP,  /* a new series past app_max_series */
        APP_DROP_TRUNCATED, /* a datagram longer than the daemon reads: its records are lost */
        APP_DROP_MAX,
} AppDrop;

typedef struct AppRecord {
        AppRecordKind kind;
        char name[APP_NAME_MAX + 1];          /* the endpoint or metric, in the series charset */
        char method[APP_METHOD_MAX + 1];      /* a request's, upper case: "GET" by default */
        char unit[APP_UNIT_MAX + 1];          /* a custom metric's, in the charset; "" when not given */
        double response_ms;                   /* >= 0 */
        int status;                           /* 100 .. 599; 0: not given */
        bool success;                         /* given, else status < 400 */
        double request_bytes, response_bytes; /* >= 0; 0 when not given */
        double value;                         /* a custom metric's, finite */
} AppRecord;

const char *app_drop_name(AppDrop d);

/* Parses one line (len bytes, no NUL needed) into *ret: 0; -EBADMSG when it is not a JSON object;
 * -EINVAL for a bad field, with *ret_field naming it and *ret_why saying what it must be (static
 * text). */
int app_record_parse(const char *line, size_t len, AppRecord *ret, const char **ret_field, const char **ret_why);

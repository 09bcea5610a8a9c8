/* SPDX-License-Identifier: MIT */
/* Block queue attributes: scheduler, read_ahead_kb, nr_requests of /sys/block/DEV/queue. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "tunable-internal.h"

#define DEVICE_KEY_HELP "a block device name as in /sys/block (vda, nvme0n1), at most 32 characters"

static int device_key(const char *key, char **ret, Error *e) {
        if (!tunable_component_ok(key, 32))
                return -EINVAL;
        char *s = strdup(key);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static int queue_path(const char *key, const char *attr, char **ret) {
        return asprintf(ret, "sys/block/%s/queue/%s", key, attr) < 0 ? -ENOMEM : 0;
}

/* "none [mq-deadline] kyber" -> "mq-deadline"; a value without brackets is returned as is. */
static int scheduler_normalize(const char *key, const char *value, char **ret) {
        const char *open = strchr(value, '['), *close = open ? strchr(open, ']') : NULL;
        if (open && close) {
                char *s = strndup(open + 1, (size_t) (close - open - 1));
                if (!s)
                        return -ENOMEM;
                *ret = s;
                return 0;
        }
        return tunable_normalize_space(value, ret);
}

static int scheduler_value(const char *key, const char *value, Error *e) {
        size_t n = strlen(value);
        if (n == 0 || n > 32)
                return -EINVAL;
        for (const char *p = value; *p; p++)
                if (!islower((unsigned char) *p) && !isdigit((unsigned char) *p) && *p != '-' && *p != '_')
                        return -EINVAL;
        return 0;
}

static int scheduler_path(const char *key, char **ret) {
        return queue_path(key, "scheduler", ret);
}

/* The scheduler file is its own list: "none [mq-deadline] kyber". */
static int scheduler_offered(const char *key, char **ret) {
        return scheduler_path(key, ret);
}

static int number_normalize(const char *key, const char *value, char **ret) {
        return tunable_normalize_space(value, ret);
}

static int range_value(const char *value, long long lo, long long hi) {
        long long v;
        int r = tunable_parse_i64(value, &v);
        if (r < 0)
                return r;
        return v < lo || v > hi ? -ERANGE : 0;
}

#define READ_AHEAD_KB_MAX 65536
#define NR_REQUESTS_MIN 4
#define NR_REQUESTS_MAX 131072

static int read_ahead_value(const char *key, const char *value, Error *e) {
        return range_value(value, 0, READ_AHEAD_KB_MAX);
}

static int nr_requests_value(const char *key, const char *value, Error *e) {
        return range_value(value, NR_REQUESTS_MIN, NR_REQUESTS_MAX);
}

static int read_ahead_path(const char *key, char **ret) {
        return queue_path(key, "read_ahead_kb", ret);
}

static int nr_requests_path(const char *key, char **ret) {
        return queue_path(key, "nr_requests", ret);
}

const TunableBackend tunable_io_scheduler_backend = {
        .kind = TUNABLE_IO_SCHEDULER,
        .name = "io_scheduler",
        .canonical_key = device_key,
        .validate_value = scheduler_value,
        .live_path = scheduler_path,
        .normalize = scheduler_normalize,
        .key_help = DEVICE_KEY_HELP,
        .sample_element = "sda",
        .value_help = "a scheduler the device lists in queue/scheduler (a word of a-z, 0-9, - and _)",
        .offered_path = scheduler_offered,
        .offered_enforced = true,
        .offered_refusal = "scheduler is not offered by the device (queue/scheduler)",
        .place = { TUNABLE_MECH_ATTR, OWNED_UDEV },
};

const TunableBackend tunable_read_ahead_backend = {
        .kind = TUNABLE_READ_AHEAD_KB,
        .name = "read_ahead_kb",
        .canonical_key = device_key,
        .validate_value = read_ahead_value,
        .live_path = read_ahead_path,
        .normalize = number_normalize,
        .key_help = DEVICE_KEY_HELP,
        .sample_element = "sda",
        .value_help = "an integer of KiB from 0 to " STRINGIFY(READ_AHEAD_KB_MAX),
        .numeric = true,
        .place = { TUNABLE_MECH_ATTR, OWNED_UDEV },
};

const TunableBackend tunable_nr_requests_backend = {
        .kind = TUNABLE_NR_REQUESTS,
        .name = "nr_requests",
        .canonical_key = device_key,
        .validate_value = nr_requests_value,
        .live_path = nr_requests_path,
        .normalize = number_normalize,
        .key_help = DEVICE_KEY_HELP,
        .sample_element = "sda",
        .value_help = "an integer from " STRINGIFY(NR_REQUESTS_MIN) " to " STRINGIFY(NR_REQUESTS_MAX),
        .numeric = true,
        .place = { TUNABLE_MECH_ATTR, OWNED_UDEV },
};

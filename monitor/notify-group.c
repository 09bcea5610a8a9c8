/* SPDX-License-Identifier: MIT */
/* The alerts of a notification (notify-group.h). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fnv1a.h"
#include "json-util.h"
#include "macro.h"
#include "notify-group.h"

void notify_time(int64_t ms, char ret[32]) {
        time_t s = (time_t) (ms / 1000);
        struct tm tm;
        if (ms < 0 || !gmtime_r(&s, &tm) || strftime(ret, 21, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
                snprintf(ret, 32, "0001-01-01T00:00:00Z"); /* Alertmanager's "none" */
                return;
        }
        snprintf(ret + strlen(ret), 32 - strlen(ret), ".%03dZ", (int) (ms % 1000));
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

void notify_fingerprint(const json_t *labels, char ret[17]) {
        size_t n = json_object_size(labels), i = 0;
        const char *keys[64];
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) labels, k, v)
                if (i < ELEMENTSOF(keys))
                        keys[i++] = k;
        n = i;
        qsort(keys, n, sizeof(keys[0]), cmp_str);
        /* Each key and value ends with 0xff, a byte UTF-8 text never holds: {a:bc} is not {ab:c}. */
        uint64_t h = FNV1A_INIT;
        for (i = 0; i < n; i++) {
                const char *value = jstr(labels, keys[i]);
                h = fnv1a_byte(fnv1a_add(h, keys[i]), 0xff);
                h = fnv1a_byte(fnv1a_add(h, value ? value : ""), 0xff);
        }
        snprintf(ret, 17, "%016" PRIx64, h);
}

json_t *notify_alert_json(const NotifyAlert *a) {
        const AlertRule *r = a->rule;
        json_t *labels = json_object(), *ann = json_object(), *o = json_object();
        if (!labels || !ann || !o)
                goto fail;
        /* A rule may set its own instance; alertname and severity are the monitor's (alert-rule.c
         * refuses them in a rule). */
        if (a->instance)
                set_str(labels, "instance", a->instance);
        for (size_t i = 0; i < r->n_labels; i++)
                set_str(labels, r->labels[i].name, r->labels[i].value);
        set_str(labels, "alertname", r->name);
        set_str(labels, "severity", a->level == ALERT_LEVEL_CRIT ? "critical" : "warning");
        char value[32];
        snprintf(value, sizeof(value), isnan(a->value) ? "no data" : "%.6g", a->value);
        for (size_t i = 0; i < r->n_annotations; i++) {
                char *text = alert_expand(r->annotations[i].value, a->value);
                if (!text)
                        goto fail;
                set_str(ann, r->annotations[i].name, text);
                free(text);
        }
        set_str(ann, "value", value);
        set_str(ann, "expr", r->expr_text);
        if (a->flapping)
                set_str(ann, "flapping", "true: further changes are not told until it settles");
        char fp[17], starts[32], ends[32];
        notify_fingerprint(labels, fp);
        notify_time(a->starts_ms, starts);
        notify_time(a->firing ? -1 : a->ends_ms, ends);
        set_str(o, "status", a->firing ? "firing" : "resolved");
        json_object_set_new(o, "labels", labels);
        json_object_set_new(o, "annotations", ann);
        set_str(o, "startsAt", starts);
        set_str(o, "endsAt", ends);
        set_str(o, "fingerprint", fp);
        return o;
fail:
        json_decref(labels);
        json_decref(ann);
        json_decref(o);
        return NULL;
}

/* SPDX-License-Identifier: MIT */
/* What skytune-monitor's notifiers read from outside (monitor/notify-retry.c, notify-kind.c): byte 0
 * even, a receiver's Retry-After header (a wait from 0 to an hour, or refused); odd, a queued
 * notification as the daemon reads it back from its store (any JSON), written into the body of
 * every kind of notifier. */
#include <jansson.h>

#include "../../monitor/notify-kind.h"
#include "../../monitor/notify-retry.h"
#include "fuzz.h"

static void retry_after(const uint8_t *data, size_t size) {
        char *s = fuzz_cstr(data, size);
        int64_t w = -1;
        if (notify_retry_after(s, INT64_C(1796596300000), &w) == 0)
                fuzz_check(w >= 0 && w <= 3600 * 1000);
        free(s);
}

static void bodies(const uint8_t *data, size_t size) {
        json_t *group = json_loadb((const char *) data, size, JSON_REJECT_DUPLICATES, NULL);
        char *to[] = { "ops@example.org" };
        for (size_t i = 0; group && i < notify_kinds_n; i++) {
                NotifierConf c = { .name = "fuzz",
                                   .kind = (int) i,
                                   .from = "m@example.org",
                                   .to = to,
                                   .n_to = 1,
                                   .repeat_ms = 60000 };
                char *body = notify_kinds[i].body(&c, group, INT64_C(1796596300000));
                free(body);
        }
        json_decref(group);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size == 0)
                return 0;
        (data[0] % 2 ? bodies : retry_after)(data + 1, size - 1);
        return 0;
}

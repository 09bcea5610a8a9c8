/* SPDX-License-Identifier: MIT */
/* The typed change record (helper-core.h ChangeRecord): the only code that knows the member names of a
 * change in the journal (skytune.tx/1 "changes"[i]) that the writers use. */
#include <string.h>

#include "helper-core.h"
#include "json-util.h"

void change_record_view(json_t *json, ChangeRecord *ret) {
        json_t *pair = json_object_get(json, "pair");
        *ret = (ChangeRecord) {
                .json = json,
                .kind = tunable_kind_from_string(jstr(json, "kind")),
                .key = jstr(json, "key"),
                .proposed = jstr(json, "proposed"),
                .old = jstr(json, "old"),
                .new = jstr(json, "new"),
                .old_raw = jstr(json, "old_raw"),
                .has_pair = pair != NULL,
                .pair_key = jstr(pair, "key"),
                .pair_old = jstr(pair, "old"),
                .processes = json_array_size(json_object_get(json, "processes")),
        };
}

int change_set_old_raw(ChangeRecord *c, const char *raw) {
        if (json_object_set_new(c->json, "old_raw", json_string(raw)) < 0)
                return -ENOMEM;
        change_record_view(c->json, c);
        return 0;
}

int change_set_pair(ChangeRecord *c, const char *key, const char *old) {
        if (json_object_set_new(c->json, "pair", json_pack("{s:s, s:s}", "key", key, "old", old)) < 0)
                return -ENOMEM;
        change_record_view(c->json, c);
        return 0;
}

int change_start_processes(ChangeRecord *c) {
        if (json_object_set_new(c->json, "processes", json_array()) < 0)
                return -ENOMEM;
        c->processes = 0;
        return 0;
}

int change_add_process(ChangeRecord *c, int pid, unsigned long long start, const char *old) {
        json_t *p = json_pack("{s:I, s:I, s:s}", "pid", (json_int_t) pid, "start", (json_int_t) start, "old", old);
        if (!p || json_array_append_new(json_object_get(c->json, "processes"), p) < 0)
                return -ENOMEM;
        c->processes++;
        return 0;
}

ProcessRecord change_process(const ChangeRecord *c, size_t i) {
        json_t *p = json_array_get(json_object_get(c->json, "processes"), i);
        return (ProcessRecord) {
                .pid = (int) json_integer_value(json_object_get(p, "pid")),
                .start = (unsigned long long) json_integer_value(json_object_get(p, "start")),
                .old = jstr(p, "old"),
        };
}

void change_set_process_status(ChangeRecord *c, size_t i, const char *status) {
        set_str(json_array_get(json_object_get(c->json, "processes"), i), "status", status);
}

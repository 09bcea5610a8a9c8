/* SPDX-License-Identifier: MIT */
/* A finding table as `skytune policy check --findings FILE` reads it (rules/finding-table.c): refused
 * with a message or whole; an accepted one is checked against the profiler's metric catalogue and
 * evaluated over the idle profile, its messages (quotes, choices, texts) filled in. */
#include <errno.h>

#include "finding-table.h"
#include "fuzz.h"
#include "profiler.h"

static json_t *idle_profile(void) {
        static json_t *idle;
        if (!idle && !(idle = json_load_file(SKYTUNE_FIXTURES "/profiles/idle.json", 0, NULL)))
                abort();
        return idle;
}

static int hit(const FindingHit *h, void *userdata) {
        fuzz_check(h->rule && h->metric && h->message && h->severity);
        (*(unsigned *) userdata)++;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static MetricCatalog cat;
        if (!cat.n && profiler_metric_catalog(&cat) < 0)
                abort();
        char *text = fuzz_cstr(data, size);
        FindingTable *t = NULL;
        Error e = ERROR_NULL;
        int r = finding_table_parse(text, "fuzz.conf", &t, &e);
        fuzz_check(r < 0 ? !t && (r == -ENOMEM || e.message) : t != NULL);
        error_done(&e);
        if (t) {
                (void) finding_table_check(t, &cat, &e);
                error_done(&e);
                unsigned hits = 0;
                (void) finding_table_eval(t, idle_profile(), hit, &hits);
                finding_table_free(t);
        }
        free(text);
        return 0;
}

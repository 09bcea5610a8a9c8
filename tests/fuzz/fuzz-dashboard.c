/* SPDX-License-Identifier: MIT */
/* The dashboard page (render/dashboard*.c) from any JSON object given the skytune.dashboard/1
 * schema (byte 0 even), or from a fixed document with the rest as the helper's transaction list
 * (byte 0 odd: monitor/dashboard-tx.c reads it): members of any type and shape render as missing,
 * never a crash, and rendering fails only by -EINVAL (a range that is not one), -EIO or -ENOMEM. */
#include <errno.h>

#include "dashboard-doc.h"
#include "fuzz.h"
#include "render-dashboard.h"
#include "schema.h"

static json_t *fixed_doc(void) {
        return json_pack(
                "{s:s, s:s, s:I, s:I, s:I, s:I, s:[{s:s, s:s, s:s, s:s, s:[s]}], s:[{s:s, s:[[I, f, f, f, I]]}]}",
                "schema", DASHBOARD_SCHEMA, "host", "h", "now_ms", (json_int_t) 1796346000000, "from_ms",
                (json_int_t) 1796342400000, "to_ms", (json_int_t) 1796346000000, "step_ms", (json_int_t) 60000,
                "panels", "id", "cpu", "title", "CPU", "unit", "%", "missing", "none", "series", "cpu.x", "series",
                "name", "cpu.x", "points", (json_int_t) 1796342400000, 1.0, 2.0, 3.0, (json_int_t) 60);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static FILE *sink;
        if (!sink && !(sink = fopen("/dev/null", "we")))
                abort();
        if (size == 0)
                return 0;
        json_t *in = json_loadb((const char *) data + 1, size - 1, JSON_REJECT_DUPLICATES, NULL), *doc = NULL;
        if (!json_is_object(in)) {
                json_decref(in);
                return 0;
        }
        if (data[0] % 2 == 0) {
                doc = json_incref(in);
                json_object_set_new(doc, "schema", json_string(DASHBOARD_SCHEMA));
        } else {
                doc = fixed_doc();
                fuzz_check(doc != NULL);
                int r = dashboard_doc_transactions(doc, in, NULL);
                fuzz_check(r == 0 || r == -ENOMEM);
        }
        Error e = ERROR_NULL;
        int r = render_dashboard_html(sink, doc, &e);
        fuzz_check(r == 0 || r == -EINVAL || r == -EIO || r == -ENOMEM);
        error_done(&e);
        json_decref(doc);
        json_decref(in);
        return 0;
}

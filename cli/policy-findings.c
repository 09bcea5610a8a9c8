/* SPDX-License-Identifier: MIT */
/* `skytune policy check findings` and `--findings FILE`: the profile's finding table (the built-in
 * rules/findings.conf, or an edited copy) checked like a policy, its metric paths against the
 * catalogue. */
#include "policy-findings.h"

#include <errno.h>
#include <stdio.h>

#include "finding-table.h"
#include "log.h"

int policy_check_findings(const char *name, const char *file, const MetricCatalog *cat, bool json, json_t *results) {
        FindingTable *t = NULL;
        Error e = ERROR_NULL;
        int r = file ? finding_table_load(file, &t, &e) : finding_table_builtin(&t, &e);
        if (r >= 0)
                r = finding_table_check(t, cat, &e);
        if (r < 0) {
                log_error("%s", e.message ? e.message : "cannot check the finding table: out of memory");
                json_array_append_new(results, json_pack("{s:s, s:b, s:s?}", "policy", name, "ok", false, "error",
                                                         e.message));
        } else if (json)
                json_array_append_new(results, json_pack("{s:s, s:b, s:s, s:I}", "policy", name, "ok", true, "file",
                                                         t->file, "findings", (json_int_t) t->n));
        else
                printf("%s: OK, finding table %s: %zu finding%s\n", name, t->file, t->n, t->n == 1 ? "" : "s");
        error_done(&e);
        finding_table_free(t);
        return r;
}

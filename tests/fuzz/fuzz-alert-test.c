/* SPDX-License-Identifier: MIT */
/* A rule test file (monitor/alert-test.c) as `skytune alerts test RULES TEST` reads it, against two
 * fixed rules. An accepted file runs (when it is short enough for a fuzzer) and reports at most one
 * failure per expectation and evaluation; a refused one gives an error at a line. */
#include "../../monitor/alert-test.h"
#include "fuzz.h"

static void count(const char *file, unsigned line, const char *msg, void *userdata) {
        fuzz_check(line > 0 && msg && msg[0]);
        (*(size_t *) userdata)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static AlertRules rules;
        static bool have;
        if (!have) {
                static const char text[] = "rules = ({ name = \"HostCPUBusy\"; expr = \"cpu.utilization_pct\"; "
                                           "warn = 80; crit = 95; clear = 5; for = 2; keep_firing_for = 3; }, "
                                           "{ name = \"Mem\"; expr = \"memory.used_pct * 2\"; crit = 50; "
                                           "no_data = \"alert\"; hits = 2; });";
                const char *r = fuzz_write_file("rules.conf", (const uint8_t *) text, sizeof(text) - 1);
                Error e = ERROR_NULL;
                fuzz_check(alert_rules_load_file(r, NULL, &rules, &e) == 0 && rules.n == 2);
                have = true;
        }
        const char *path = fuzz_write_file("test.conf", data, size);
        AlertTest *t = NULL;
        Error e = ERROR_NULL;
        if (alert_test_load(path, &rules, &t, &e) >= 0) {
                size_t failures = 0;
                if (alert_test_steps(t) <= 20000) {
                        int n = alert_test_run(t, &rules, count, &failures);
                        fuzz_check(n >= 0 && (size_t) n == failures && failures <= alert_test_expectations(t));
                }
        } else
                fuzz_check(!t && error_is_set(&e));
        alert_test_free(t);
        error_done(&e);
        return 0;
}

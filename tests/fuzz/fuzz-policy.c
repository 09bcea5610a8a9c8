/* SPDX-License-Identifier: MIT */
/* A policy file (optimizer/policy.c, libconfig syntax, with conditions and value operators inside):
 * the bytes are a .conf file loaded as `skytune plan --policy FILE` loads it; an accepted policy is
 * formatted, turned into JSON and run over the idle profile. */
#include <stdio.h>

#include "fuzz-opt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *path = fuzz_write_file("fuzz.conf", data, size);
        Policy *p = fuzz_policy(path);
        if (p) {
                char *text = NULL;
                fuzz_check(policy_format(p, &text) >= 0);
                free(text);
                /* NULL for text that is not UTF-8, which the loader accepts today (`skytune policy
                 * show --json` then says "Cannot allocate memory"); the fuzzer found it. */
                json_decref(policy_to_json(p));
                fuzz_plan_build(p, fuzz_idle_profile());
        }
        policy_free(p);
        return 0;
}

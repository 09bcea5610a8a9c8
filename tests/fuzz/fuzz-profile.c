/* SPDX-License-Identifier: MIT */
/* A profile JSON document as `skytune plan --profile FILE` reads it: parsed, then every shipped rule
 * of the balanced policy evaluated over it (optimizer/plan.c, jpath.c), its digest and the check for
 * metrics the policy names but the profile lacks. */
#include "digest.h"
#include "fuzz-opt.h"
#include "policy-metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static Policy *balanced;
        if (!balanced && !(balanced = fuzz_policy("balanced")))
                abort();
        json_t *profile = json_loadb((const char *) data, size, JSON_REJECT_DUPLICATES, NULL);
        if (!profile)
                return 0;
        fuzz_plan_build(balanced, profile);
        free(profile_digest(profile));
        json_t *warnings = json_array();
        (void) policy_missing_metrics(balanced, profile, warnings);
        json_decref(warnings);
        json_decref(profile);
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* What the optimizer's targets share: the shipped policies, a fixture profile and the opt-host
 * sysroot, loaded once per process, and one plan_build() over them. */
#pragma once

#include <jansson.h>

#include "fuzz.h"
#include "plan.h"
#include "policy.h"

static inline Policy *fuzz_policy(const char *name_or_file) {
        char *dirs[] = { (char *) SKYTUNE_SOURCE_POLICY_DIR };
        PolicySearch s = { .dirs = dirs, .n_dirs = 1 };
        Policy *p = NULL;
        OptError e = OPT_ERROR_INIT;
        int r = policy_load(&s, name_or_file, &p, &e);
        fuzz_check(r < 0 ? !p : p != NULL);
        opt_error_clear(&e);
        return p;
}

static inline json_t *fuzz_idle_profile(void) {
        static json_t *idle;
        if (!idle && !(idle = json_load_file(SKYTUNE_FIXTURES "/profiles/idle.json", 0, NULL)))
                abort();
        return idle;
}

/* A plan of policy p for profile: built or refused, never half of either. (Refusals should all carry
 * a message; text that is not UTF-8 in a policy gives a bare -ENOMEM today, found by fuzz-policy.) */
static inline void fuzz_plan_build(const Policy *p, const json_t *profile) {
        static Sysroot *root;
        if (!root && sysroot_open(SKYTUNE_FIXTURES "/opt-host", &root) < 0)
                abort();
        PlanOptions o = { .policy = p, .profile = profile, .root = root, .allow_risk = _RISK_INVALID };
        json_t *plan = NULL;
        OptError e = OPT_ERROR_INIT;
        int r = plan_build(&o, &plan, &e);
        fuzz_check(r < 0 ? !plan : json_is_object(plan));
        json_decref(plan);
        opt_error_clear(&e);
}

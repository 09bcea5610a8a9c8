/* SPDX-License-Identifier: MIT */
/* Plan JSON as the helper and the dry run receive it (common/plan-validate.c): validation, then the
 * host checks of each accepted change against the opt-host fixture. */
#include "error.h"
#include "fuzz.h"
#include "plan-validate.h"
#include "sysroot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static Sysroot *root;
        if (!root && sysroot_open(SKYTUNE_FIXTURES "/opt-host", &root) < 0)
                abort();
        Plan *plan = NULL;
        Error error = {};
        int r = plan_validate((const char *) data, size, root, &plan, &error);
        fuzz_check(r < 0 ? !plan : plan && plan->n_changes <= PLAN_MAX_CHANGES);
        for (size_t i = 0; plan && i < plan->n_changes; i++) {
                Error why = {};
                (void) plan_check_change_host(root, plan, i, &why);
                error_done(&why);
        }
        plan_free(plan);
        error_done(&error);
        return 0;
}

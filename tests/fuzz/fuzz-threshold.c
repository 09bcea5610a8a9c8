/* SPDX-License-Identifier: MIT */
/* A threshold (common/threshold.c, `p99 < 500ms for 10s abort`): accepted ones keep their text and a
 * finite, non-negative value; refused ones say why. */
#include <math.h>

#include "../../common/threshold.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_cstr(data, size);
        Threshold t;
        Error e = ERROR_NULL;
        if (threshold_parse(text, "fuzz", 1, &t, &e) >= 0) {
                fuzz_check(t.text && strcmp(t.text, text) == 0 && isfinite(t.value) && t.value >= 0 && t.for_s >= 0);
                fuzz_check(t.metric < _THRESHOLD_METRIC_MAX && t.op < _THRESHOLD_OP_MAX);
                threshold_done(&t);
        } else
                fuzz_check(error_is_set(&e));
        error_done(&e);
        free(text);
        return 0;
}

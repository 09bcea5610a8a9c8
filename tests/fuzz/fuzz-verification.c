/* SPDX-License-Identifier: MIT */
/* A verification record as a caller sends it to AnnotateTransaction (helper/verification.c). An
 * accepted record is stored and printed later, so it must serialise again. */
#include <jansson.h>

#include "error.h"
#include "fuzz.h"
#include "helper-core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json_t *record = NULL;
        Error error = {};
        int r = verification_parse((const char *) data, size, &record, &error);
        fuzz_check(r < 0 ? !record : record != NULL);
        if (record) {
                char *text = json_dumps(record, JSON_COMPACT);
                fuzz_check(text);
                free(text);
                json_decref(record);
        }
        error_done(&error);
        return 0;
}

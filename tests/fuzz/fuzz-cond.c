/* SPDX-License-Identifier: MIT */
/* A rule's condition and value operator as policy files spell them (optimizer/cond.c, valop.c): the
 * text is parsed as both; an accepted condition is evaluated over the idle profile. */
#include "cond.h"
#include "fuzz-opt.h"
#include "jpath.h"
#include "valop.h"

static json_t *lookup(const char *path, void *userdata) {
        return jpath_get(userdata, path);
}

static int count_path(const char *path, void *userdata) {
        fuzz_check(path);
        (*(unsigned *) userdata)++;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_cstr(data, size);
        Cond *c = NULL;
        Error error = ERROR_NULL;
        int r = cond_parse(text, &c, &error);
        fuzz_check(r < 0 ? !c && (r == -ENOMEM || error.message) : c != NULL && !error_is_set(&error));
        if (c) {
                unsigned paths = 0;
                fuzz_check(cond_foreach_path(c, count_path, &paths) >= 0);
                json_t *evidence = json_object();
                r = cond_eval(c, "eth0", lookup, (void *) fuzz_idle_profile(), evidence);
                fuzz_check(r <= 1);
                json_decref(evidence);
                cond_free(c);
        }
        error_done(&error);
        ValOp op = { 0 };
        if (valop_parse(text, &op, &error) >= 0)
                valop_done(&op);
        error_done(&error);
        free(text);
        return 0;
}

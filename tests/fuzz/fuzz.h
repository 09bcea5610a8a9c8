/* SPDX-License-Identifier: MIT */
/* Shared by the libFuzzer targets (tests/fuzz/fuzz-*.c; README.md says how to run them): each target
 * defines LLVMFuzzerTestOneInput and feeds the bytes to one parser of outside input. A target calls
 * abort() when a parser breaks its own contract (success without a result, a result that does not
 * round-trip), so that libFuzzer records the input as a crash. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (for parsers that take one); the caller frees it. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);
        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = '\0';
        return s;
}

/* A private directory for targets whose parser reads a file, made once per process. */
static inline const char *fuzz_tmpdir(void) {
        static char dir[] = "/tmp/skytune-fuzz-XXXXXX";
        static const char *made;
        if (!made && !(made = mkdtemp(dir)))
                abort();
        return made;
}

#define fuzz_check(cond)         \
        do {                     \
                if (!(cond))     \
                        abort(); \
        } while (0)

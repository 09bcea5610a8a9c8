/* SPDX-License-Identifier: MIT */
/* Shared by the libFuzzer targets (tests/fuzz/fuzz-*.c; README.md says how to run them): each target
 * defines LLVMFuzzerTestOneInput and feeds the bytes to one parser of outside input. A target calls
 * abort() when a parser breaks its own contract (success without a result, a result that does not
 * round-trip), so that libFuzzer records the input as a crash. */
#pragma once

#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

static inline int fuzz_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static char fuzz_dir[] = "/tmp/skytune-fuzz-XXXXXX";

static inline void fuzz_remove_tmpdir(void) {
        (void) nftw(fuzz_dir, fuzz_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A private directory for targets whose parser reads a file, made once per process and removed at
 * its exit. */
static inline const char *fuzz_tmpdir(void) {
        static const char *made;
        if (!made) {
                if (!(made = mkdtemp(fuzz_dir)))
                        abort();
                atexit(fuzz_remove_tmpdir);
        }
        return made;
}

#define fuzz_check(cond)         \
        do {                     \
                if (!(cond))     \
                        abort(); \
        } while (0)

/* The input written to fuzz_tmpdir()/NAME, for parsers that read a file; its path (kept). */
static inline const char *fuzz_write_file(const char *name, const uint8_t *data, size_t size) {
        static char path[4096];
        fuzz_check(snprintf(path, sizeof(path), "%s/%s", fuzz_tmpdir(), name) < (int) sizeof(path));
        FILE *f = fopen(path, "we");
        fuzz_check(f && fwrite(data, 1, size, f) == size && fclose(f) == 0);
        return path;
}

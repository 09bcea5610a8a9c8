/* SPDX-License-Identifier: MIT */
/* Libraries loaded at their first use (dl-forward.h). */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "dl-forward.h"

typedef void (*AnyFunction)(void);

bool dl_forward_load(const char *soname, const char *const *names, void *table, size_t n, char *why, size_t len) {
        void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                const char *err = dlerror();
                snprintf(why, len, "%s", err ? err : soname);
                return false;
        }
        for (size_t i = 0; i < n; i++) {
                void *sym = dlsym(h, names[i]);
                if (!sym) {
                        /* Closed, so that a later try loads the file anew (an upgrade); the table's
                         * functions so far are never called while the load stands failed. */
                        snprintf(why, len, "%s has no %s (too old a version?)", soname, names[i]);
                        dlclose(h);
                        return false;
                }
                /* A data pointer to a function pointer, the way POSIX's dlsym() asks for. */
                memcpy((char *) table + i * sizeof(AnyFunction), &sym, sizeof(sym));
        }
        return true;
}

/* SPDX-License-Identifier: MIT */
/* The benchmark kinds: one table entry each (kind-*.c). */
#include <errno.h>
#include <string.h>

#include "macro.h"
#include "suite.h"

extern const SuiteKind suite_kind_command;
extern const SuiteKind suite_kind_probe;
extern const SuiteKind suite_kind_load;
extern const SuiteKind suite_kind_db;
extern const SuiteKind suite_kind_stress;

const SuiteKind *const suite_kinds[] = {
        &suite_kind_command,
        &suite_kind_probe,
        &suite_kind_load,
        &suite_kind_db,
        &suite_kind_stress,
};
const size_t suite_kinds_size = ELEMENTSOF(suite_kinds);

const SuiteKind *suite_kind_find(const char *name) {
        for (size_t i = 0; i < suite_kinds_size; i++)
                if (strcmp(suite_kinds[i]->name, name) == 0)
                        return suite_kinds[i];
        return NULL;
}

int suite_kind_metric(const SuiteKind *k, const void *spec, const char *name) {
        const SuiteMetricDef *defs;
        size_t n;
        k->metrics(spec, &defs, &n);
        for (size_t i = 0; i < n; i++)
                if (strcmp(defs[i].name, name) == 0)
                        return (int) i;
        return -ENOENT;
}

/* SPDX-License-Identifier: MIT */
/* The paths of the profile's tunables ("tunables.sysctl.net.core.somaxconn") against the tunable
 * kinds and their allowlists: shared by the policy check and the finding table's check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "metric-catalog.h"
#include "nearest.h"
#include "tunable.h"

/* "tunables.KIND.KEY": a kind, and a key of its allowlist ('$' standing for an element). */
/* key with each '$' (a rule's foreach element) written as the kind's sample element (malloc'ed). */
static char *sample_key(const char *key, const char *sample) {
        char *out = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&out, &size);
        if (!f)
                return NULL;
        for (const char *p = key; *p; p++)
                if (*p == '$')
                        fputs(strempty(sample), f);
                else
                        fputc(*p, f);
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

bool metric_catalog_tunable_path(const char *path, char **ret_nearest) {
        if (!startswith(path, "tunables."))
                return false;
        const char *rest = path + STRLEN("tunables.");
        size_t kn = strcspn(rest, ".");
        _cleanup_free_ char *kind_name = strndup(rest, kn);
        if (!kind_name)
                return false;
        if (strcmp(kind_name, "unavailable") == 0)
                return true;
        TunableKind kind = tunable_kind_from_string(kind_name);
        if (kind < 0) {
                const char *names[_TUNABLE_KIND_MAX];
                for (int i = 0; i < _TUNABLE_KIND_MAX; i++)
                        names[i] = tunable_kind_to_string((TunableKind) i);
                const char *n = nearest_name(kind_name, names, _TUNABLE_KIND_MAX);
                if (n && asprintf(ret_nearest, "tunables.%s%s", n, rest + kn) < 0)
                        *ret_nearest = NULL;
                return false;
        }
        if (!rest[kn])
                return true;
        _cleanup_free_ char *key = sample_key(rest + kn + 1, tunable_backend(kind)->sample_element), *canon = NULL;
        if (key && tunable_check(kind, key, NULL, &canon, NULL) >= 0)
                return true;
        if (kind != TUNABLE_SYSCTL)
                return false;
        const char *names[512];
        size_t n = 0;
        for (const char *e; n < ELEMENTSOF(names) && (e = tunable_sysctl_allowlist_entry(n)); n++)
                names[n] = e;
        const char *best = nearest_name(rest + kn + 1, names, n);
        if (best && asprintf(ret_nearest, "tunables.sysctl.%s", best) < 0)
                *ret_nearest = NULL;
        return false;
}

/* SPDX-License-Identifier: MIT */
/* What apply --verify judges as primary: the probe metrics the plan's changes name (effect_metrics,
 * from their rules), and the probes that measure them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "probe-verify.h"
#include "probe.h"

int verify_effects_collect(const json_t *plan, const char ***ret, size_t *ret_n) {
        const json_t *changes = json_object_get(plan, "changes");
        const char **v = calloc(json_array_size(changes) * 8 + 1, sizeof(char *));
        size_t n = 0, cap = json_array_size(changes) * 8, i, j;
        if (!v)
                return -ENOMEM;
        json_t *c, *e;
        json_array_foreach(changes, i, c) {
                json_array_foreach(json_object_get(c, "effect_metrics"), j, e) {
                        const char *name = json_string_value(e);
                        bool dup = false;
                        for (size_t k = 0; name && k < n; k++)
                                dup = dup || strcmp(v[k], name) == 0;
                        if (name && !dup && n < cap)
                                v[n++] = name;
                }
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

int verify_effects_probes(const char *const *names, size_t n, bool (*has_target)(const ProbeBackend *b, const void *u),
                          const void *userdata, char **ret) {
        _cleanup_free_ char *list = calloc(1, n * 16 + 1);
        if (!list)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                size_t len = strcspn(names[i], ".");
                if (len == 0 || len > 15)
                        continue;
                char probe[16];
                memcpy(probe, names[i], len);
                probe[len] = '\0';
                const ProbeBackend *b = probe_find(probe);
                if (b && b->target_option && !has_target(b, userdata))
                        continue;       /* it needs its target (--url, --dsn): the target adds it */
                bool dup = false;
                for (const char *p = list; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
                        size_t l = strcspn(p, ",");
                        dup = dup || (l == len && strncmp(p, probe, len) == 0);
                }
                if (!dup) {
                        if (*list)
                                strcat(list, ",");
                        strcat(list, probe);
                }
        }
        *ret = *list ? TAKE_PTR(list) : NULL;
        return 0;
}

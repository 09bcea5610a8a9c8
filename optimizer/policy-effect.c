/* SPDX-License-Identifier: MIT */
#include "policy-effect.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "effect-metrics.h"

int policy_parse_effect_metrics(const config_setting_t *s, const char *file, OptError *err, char ***ret, size_t *ret_n) {
        unsigned line = config_setting_source_line(s);
        int t = config_setting_type(s);
        if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
                return opt_error_set(err, -EINVAL, file, line,
                                     "'effect_metrics' must be a list of probe metrics: [ \"net.connects_per_s\" ], or [ ] "
                                     "when no probe measures the change (see docs/policy.md)");
        int n = config_setting_length(s);
        char **v = calloc((size_t) n + 1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        *ret = v;
        for (int i = 0; i < n; i++) {
                const config_setting_t *e = config_setting_get_elem(s, (unsigned) i);
                const char *name = config_setting_type(e) == CONFIG_TYPE_STRING ? config_setting_get_string(e) : NULL;
                if (!name)
                        return opt_error_set(err, -EINVAL, file, config_setting_source_line(e),
                                             "'effect_metrics' must hold only strings such as \"net.connects_per_s\"");
                if (!effect_metric_known(name))
                        return opt_error_set(err, -EINVAL, file, config_setting_source_line(e),
                                             "unknown probe metric '%s' in effect_metrics: did you mean '%s'? (the names "
                                             "are PROBE.METRIC as 'skytune probe --json' reports them, see docs/probes.md)",
                                             name, effect_metric_nearest(name));
                v[i] = strdup(name);
                if (!v[i])
                        return -ENOMEM;
                (*ret_n)++;
        }
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* cpufreq policies: scaling_governor and energy_performance_preference. Whether a governor is
 * offered by this host is checked against scaling_available_governors (offered_path) by the plan
 * check on the host; the grammar here. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "tunable-internal.h"

#define POLICY_KEY_HELP "a cpufreq policy as in /sys/devices/system/cpu/cpufreq: policyN"

static int policy_key(const char *key, char **ret, Error *e) {
        if (strncmp(key, "policy", 6) != 0 || !key[6] || strlen(key) > 16)
                return -EINVAL;
        for (const char *p = key + 6; *p; p++)
                if (!isdigit((unsigned char) *p))
                        return -EINVAL;
        char *s = strdup(key);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static int word_value(const char *key, const char *value, Error *e) {
        size_t n = strlen(value);
        if (n == 0 || n > 32)
                return -EINVAL;
        for (const char *p = value; *p; p++)
                if (!islower((unsigned char) *p) && !isdigit((unsigned char) *p) && *p != '_')
                        return -EINVAL;
        return 0;
}

static int epp_value(const char *key, const char *value, Error *e) {
        long long v;
        int r = tunable_parse_i64(value, &v);
        if (r == 0)
                return v >= 0 && v <= 255 ? 0 : -ERANGE;
        if (r == -EILSEQ || r == -ERANGE)
                return r;
        return word_value(key, value, e);
}

static int attr_path(const char *key, const char *attr, char **ret) {
        return asprintf(ret, "sys/devices/system/cpu/cpufreq/%s/%s", key, attr) < 0 ? -ENOMEM : 0;
}

static int governor_path(const char *key, char **ret) {
        return attr_path(key, "scaling_governor", ret);
}

static int epp_path(const char *key, char **ret) {
        return attr_path(key, "energy_performance_preference", ret);
}

static int governor_offered(const char *key, char **ret) {
        return attr_path(key, "scaling_available_governors", ret);
}

static int epp_offered(const char *key, char **ret) {
        return attr_path(key, "energy_performance_available_preferences", ret);
}

static int word_normalize(const char *key, const char *value, char **ret) {
        return tunable_normalize_space(value, ret);
}

const TunableBackend tunable_cpu_governor_backend = {
        .kind = TUNABLE_CPU_GOVERNOR,
        .name = "cpu_governor",
        .canonical_key = policy_key,
        .validate_value = word_value,
        .live_path = governor_path,
        .normalize = word_normalize,
        .key_help = POLICY_KEY_HELP,
        .sample_element = "policy0",
        .value_help = "a governor the policy lists in scaling_available_governors (a word of a-z, 0-9 and _)",
        .offered_path = governor_offered,
        .offered_enforced = true,
        .offered_refusal = "governor is not in scaling_available_governors",
        .place = { TUNABLE_MECH_ATTR, OWNED_TMPFILES },
};

const TunableBackend tunable_cpu_epp_backend = {
        .kind = TUNABLE_CPU_EPP,
        .name = "cpu_epp",
        .canonical_key = policy_key,
        .validate_value = epp_value,
        .live_path = epp_path,
        .normalize = word_normalize,
        .key_help = POLICY_KEY_HELP,
        .sample_element = "policy0",
        .value_help = "an integer from 0 to 255, or a preference word (a-z, 0-9 and _) as in "
                      "energy_performance_available_preferences",
        .offered_path = epp_offered,
        .offered_words_only = true,
        .offered_enforced = true,
        .offered_refusal = "preference is not in energy_performance_available_preferences",
        .place = { TUNABLE_MECH_ATTR, OWNED_TMPFILES },
};

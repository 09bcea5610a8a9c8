/* SPDX-License-Identifier: MIT */
/* Prometheus names, units and values (prom-name.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "prom-name.h"

void prom_name_sanitize(char *s) {
        for (char *p = s; *p; p++) {
                bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
                        (p != s && *p >= '0' && *p <= '9');
                if (!ok)
                        *p = '_';
        }
}

bool prom_name_reserved(const char *name) {
        static const char *const reserved[] = { "_total", "_count", "_sum", "_bucket", "_created" };
        for (size_t i = 0; i < ELEMENTSOF(reserved); i++)
                if (endswith(name, reserved[i]))
                        return true;
        return false;
}

void prom_number(double v, char buf[PROM_NUMBER_MAX]) {
        if (isnan(v))
                snprintf(buf, PROM_NUMBER_MAX, "NaN");
        else if (isinf(v))
                snprintf(buf, PROM_NUMBER_MAX, "%s", v > 0 ? "+Inf" : "-Inf");
        else if (v == floor(v) && fabs(v) < 9007199254740992.0)
                snprintf(buf, PROM_NUMBER_MAX, "%.0f", v);
        else /* DBL_DIG: a histogram's _sum grows past 10 digits, and a unit's conversion (35 % * 0.01)
              * leaves noise in the 17th that 15 do not show */
                snprintf(buf, PROM_NUMBER_MAX, "%.15g", v);
}

const char *prom_escape(char c, bool quote) {
        if (c == '\\')
                return "\\\\";
        if (c == '\n')
                return "\\n";
        if (c == '"' && quote)
                return "\\\"";
        return NULL;
}

static const PromUnit unit_rules[] = {
        { "_ms_per_s", "ms/s", "_seconds_per_second", 1e-3, "seconds per second" },
        { "_bytes_per_s", "bytes/s", "_bytes_per_second", 1, NULL },
        { "_per_s", "1/s", "_per_second", 1, NULL }, /* also the rule for a fact named *_per_s */
        { "_per_s", "pages/s", "_pages_per_second", 1, NULL },
        { "_pct", "percent", "_ratio", 1e-2, "a ratio from 0 to 1" },
        { "_ms", "ms", "_seconds", 1e-3, "seconds" },
        { "_us", "us", "_seconds", 1e-6, "seconds" },
        { "_s", "s", "_seconds", 1, NULL },
        { "_bytes", "bytes", "_bytes", 1, NULL },
        { "_kb", NULL, "_bytes", 1024, "bytes" },
        { "_mbps", NULL, "_bytes_per_second", 1e6 / 8, "bytes per second" },
        /* The application metrics' units (monitor/app-metrics.c). */
        { "_bytes_per_s", "bytes_per_s", "_bytes_per_second", 1, NULL },
        { "_per_s", "per_s", "_per_second", 1, NULL },
        { "_pct", "pct", "_ratio", 1e-2, "a ratio from 0 to 1" },
};

/* Split key into a stem and a base-unit suffix. The rule is picked by the unit when the profile
 * gives one, else by the key's last word; the unit word is then dropped from the stem so that
 * read_bytes_per_s becomes read_bytes_per_second, not read_bytes_bytes_per_second. */
const PromUnit *prom_unit_convert(const char *key, const char *unit, char *stem, size_t n) {
        const PromUnit *rule = NULL;
        for (size_t i = 0; i < ELEMENTSOF(unit_rules) && !rule; i++)
                if (unit ? streq_ptr(unit_rules[i].unit, unit) : endswith(key, unit_rules[i].key_suffix))
                        rule = &unit_rules[i];
        for (size_t i = 0; i < ELEMENTSOF(unit_rules) && !rule && unit && endswith(unit, "/s"); i++)
                if (streq_ptr(unit_rules[i].unit, "1/s"))
                        rule = &unit_rules[i]; /* any other "x/s": _per_second */
        snprintf(stem, n, "%s", key);
        if (!rule)
                return NULL;
        if (endswith(stem, rule->key_suffix))
                stem[strlen(stem) - strlen(rule->key_suffix)] = '\0';
        /* "dirty_pct_of_threshold": the unit word sits inside the key. */
        char *infix = strstr(stem, "_pct_");
        if (strcmp(rule->base, "_ratio") == 0 && infix)
                memmove(infix, infix + 4, strlen(infix + 4) + 1);
        /* read_bytes + _bytes_per_second, run_iops + _per_second ("ops per second"). */
        size_t w = strcspn(rule->base + 1, "_") + 1;
        char word[32];
        snprintf(word, sizeof(word), "%.*s", (int) w, rule->base);
        if (endswith(stem, word) && strlen(stem) > w)
                stem[strlen(stem) - w] = '\0';
        if (strcmp(rule->base, "_per_second") == 0 && endswith(stem, "iops"))
                memcpy(stem + strlen(stem) - 4, "ops", 4);
        return rule;
}

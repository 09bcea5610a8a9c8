/* SPDX-License-Identifier: MIT */
/* skytune.verify/1 for people: the verdict table of apply --verify, probe --baseline and
 * history ID, and the one-line summary of history's list. From the document only. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "macro.h"
#include "render-probe.h"

const char *render_probe_value(double v, char *buf, size_t len) {
        if (!isfinite(v))
                return "-";
        double a = fabs(v);
        if (a >= 1e9)
                snprintf(buf, len, "%.3gG", v / 1e9);
        else if (a >= 1e6)
                snprintf(buf, len, "%.3gM", v / 1e6);
        else if (a >= 1e4)
                snprintf(buf, len, "%.3gk", v / 1e3);
        else
                snprintf(buf, len, "%.4g", v);
        return buf;
}

static double jnum(const json_t *v) {
        return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *jstr(const json_t *o, const char *key) {
        const char *s = json_string_value(json_object_get(o, key));
        return s ? s : "-";
}

/* The verdict of one metric of a skytune.verify/1 document, with the reason of an inconclusive one. */
static const char *metric_verdict(const json_t *m, char *buf, size_t len) {
        const char *v = jstr(m, "verdict");
        json_int_t more = json_integer_value(json_object_get(m, "more_rounds"));
        double margin = jnum(json_object_get(m, "margin"));
        if (strcmp(v, "inconclusive") == 0 && json_is_true(json_object_get(m, "unreliable")) && margin > 0)
                snprintf(buf, len, "inconclusive: within the contamination margin (%.0f%%)", 100 * margin);
        else if (strcmp(v, "inconclusive") == 0 && json_is_true(json_object_get(m, "unreliable")))
                snprintf(buf, len, "inconclusive: contaminated rounds");
        else if (strcmp(v, "inconclusive") == 0 && more > 0)
                snprintf(buf, len, "inconclusive: need %lld more round%s", (long long) more, more == 1 ? "" : "s");
        else
                snprintf(buf, len, "%s", v);
        return buf;
}

int render_verify(FILE *f, const json_t *verify) {
        fprintf(f, "%-6s %-24s %10s %10s  %-26s %s\n", "probe", "metric", "baseline", "candidate",
                "change [95% interval]", "verdict");
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(verify, "metrics"), i, m) {
                const json_t *ci = json_object_get(m, "ci");
                double ratio = jnum(json_object_get(m, "ratio")), lo = jnum(json_array_get(ci, 0)), hi = jnum(json_array_get(ci, 1));
                char b1[32], b2[32], change[64], verdict[64];
                if (isfinite(ratio) && isfinite(lo))
                        snprintf(change, sizeof(change), "%+.1f%% [%+.1f%%, %+.1f%%]", 100 * (ratio - 1), 100 * (lo - 1), 100 * (hi - 1));
                else
                        snprintf(change, sizeof(change), "-");
                fprintf(f, "%-6s %-24s %10s %10s  %-26s %s%s\n", jstr(m, "probe"), jstr(m, "metric"),
                        render_probe_value(jnum(json_object_get(m, "baseline_median")), b1, sizeof(b1)),
                        render_probe_value(jnum(json_object_get(m, "candidate_median")), b2, sizeof(b2)), change,
                        metric_verdict(m, verdict, sizeof(verdict)), json_is_true(json_object_get(m, "primary")) ? " (primary)" : "");
        }
        return ferror(f) ? -EIO : 0;
}

const char *render_verify_summary(const json_t *verification, char *buf, size_t len) {
        static const char *const verdicts[] = { "improved", "regressed", "unchanged", "inconclusive" };
        const char *decision = jstr(verification, "decision");
        const json_t *metrics = json_object_get(verification, "metrics"), *only = NULL;
        unsigned counts[ELEMENTSOF(verdicts)] = {}, primaries = 0;
        size_t i;
        json_t *m;
        json_array_foreach(metrics, i, m) {
                if (!json_is_true(json_object_get(m, "primary")))
                        continue;
                only = m;
                primaries++;
                for (size_t k = 0; k < ELEMENTSOF(verdicts); k++)
                        counts[k] += strcmp(jstr(m, "verdict"), verdicts[k]) == 0;
        }
        char v[64];
        if (json_object_get(verification, "error"))
                snprintf(buf, len, "%s: measuring stopped", decision);
        else if (primaries == 1) {
                double ratio = jnum(json_object_get(only, "ratio"));
                char change[32] = "";
                if (isfinite(ratio))
                        snprintf(change, sizeof(change), " %+.1f%%", 100 * (ratio - 1));
                snprintf(buf, len, "%s: %s %s %s%s", decision, jstr(only, "probe"), jstr(only, "metric"),
                         metric_verdict(only, v, sizeof(v)), change);
        } else {
                size_t n = (size_t) snprintf(buf, len, "%s: %u primary metrics", decision, primaries);
                for (size_t k = 0; k < ELEMENTSOF(verdicts) && n < len; k++)
                        if (counts[k])
                                n += (size_t) snprintf(buf + n, len - n, ", %u %s", counts[k], verdicts[k]);
        }
        return buf;
}

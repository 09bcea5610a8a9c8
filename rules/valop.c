/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "ulimit.h"
#include "valop.h"

void valop_done(ValOp *op) {
        if (!op)
                return;
        free(op->literal);
        free(op->ref);
        for (size_t i = 0; i < op->n_alts; i++)
                free(op->alts[i]);
        free(op->alts);
        *op = (ValOp) {};
}

static char *trimdup(const char *b, const char *e) {
        while (b < e && isspace((unsigned char) *b))
                b++;
        while (e > b && isspace((unsigned char) e[-1]))
                e--;
        return strndup(b, (size_t) (e - b));
}

int valop_parse(const char *text, ValOp *ret, Error *e) {
        ValOp op = {};
        if (strchr(text, '|')) {
                op.kind = VALOP_ALTERNATIVES;
                for (const char *p = text;;) {
                        const char *end = strchrnul(p, '|');
                        char *a = trimdup(p, end);
                        char **n = a ? realloc(op.alts, (op.n_alts + 1) * sizeof(char *)) : NULL;
                        if (!n) {
                                free(a);
                                valop_done(&op);
                                return -ENOMEM;
                        }
                        op.alts = n;
                        op.alts[op.n_alts++] = a;
                        if (!*a) {
                                valop_done(&op);
                                return error_set(e, -EINVAL, "an alternative in 'a|b' is empty");
                        }
                        if (!*end)
                                break;
                        p = end + 1;
                }
                *ret = op;
                return 0;
        }
        const char *p = text;
        while (isspace((unsigned char) *p))
                p++;
        if (strncmp(p, ">=", 2) == 0 || strncmp(p, "<=", 2) == 0) {
                op.kind = p[0] == '>' ? VALOP_RAISE : VALOP_LOWER;
                p += 2;
        } else if (*p == '>' || *p == '<') {
                return error_set(e, -EINVAL, "use '>=N' (only raise) or '<=N' (only lower)");
        }
        const char *star = strchr(p, '*');
        if (star) {
                char *end;
                op.factor = strtod(p, &end);
                while (isspace((unsigned char) *end))
                        end++;
                if (end != star || !isfinite(op.factor) || op.factor <= 0)
                        return error_set(e, -EINVAL, "scaling is FACTOR*current or FACTOR*PATH with a positive factor, e.g. 2*current");
                op.ref = trimdup(star + 1, star + strlen(star));
                if (!op.ref)
                        return -ENOMEM;
                bool ok = *op.ref && (isalpha((unsigned char) op.ref[0]) || op.ref[0] == '$');
                for (const char *q = op.ref; ok && *q; q++)
                        ok = isalnum((unsigned char) *q) || strchr("_.$/-:@", *q);
                if (!ok) {
                        valop_done(&op);
                        return error_set(e, -EINVAL, "scaling is FACTOR*current or FACTOR*PATH with a metric path after '*'");
                }
        } else {
                op.literal = trimdup(p, p + strlen(p));
                if (!op.literal)
                        return -ENOMEM;
                if (!*op.literal) {
                        valop_done(&op);
                        return error_set(e, -EINVAL, "value is empty");
                }
        }
        *ret = op;
        return 0;
}

static bool numeric_kind(TunableKind kind) {
        const TunableBackend *b = tunable_backend(kind);
        return b && b->numeric;
}

int valop_check(const ValOp *op, TunableKind kind, const char *key, Error *e) {
        int r;
        if (op->kind == VALOP_ALTERNATIVES) {
                for (size_t i = 0; i < op->n_alts; i++) {
                        r = tunable_check(kind, key, op->alts[i], NULL, e);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        if ((op->kind != VALOP_SET || op->ref) && !numeric_kind(kind))
                return error_set(e, -EINVAL, "only raise, only lower and scaling need a numeric tunable");
        if (op->literal)
                return tunable_check(kind, key, op->literal, NULL, e);
        return 0;
}

/* ---- numbers ---- */

static int split_ints(const char *s, long long *v, size_t max, size_t *ret_n) {
        size_t n = 0;
        const char *p = s;
        for (;;) {
                while (isspace((unsigned char) *p))
                        p++;
                if (!*p)
                        break;
                if (n == max)
                        return -EINVAL;
                char *end;
                errno = 0;
                v[n++] = strtoll(p, &end, 10);
                if (end == p || errno)
                        return -EINVAL;
                if (*end && !isspace((unsigned char) *end))
                        return -EINVAL;
                p = end;
        }
        *ret_n = n;
        return n > 0 ? 0 : -EINVAL;
}

static long long bound(long long v, const ValInput *in) {
        if (in->has_floor && v < in->floor)
                v = in->floor;
        if (in->has_cap && v > in->cap)
                v = in->cap;
        return v;
}

static long long scaled(const ValOp *op, const ValInput *in) {
        double d = op->factor * in->ref;
        if (d > 9.2e18)
                d = 9.2e18;
        return llround(d);
}

/* -1 is infinity, the largest limit. */
static long long lim_max(long long a, long long b) {
        return a < 0 || b < 0 ? -1 : MAX(a, b);
}
static long long lim_min(long long a, long long b) {
        return a < 0 ? b : b < 0 ? a : MIN(a, b);
}

/* limits.conf(5) counts byte limits in KiB: a proposal on a KiB boundary reads back the same from
 * every mechanism, so a plan applied through limits.d is empty the next time. */
static long long kib_up(long long v) {
        return v < 0 || v % 1024 == 0 ? v : v > INT64_MAX - 1024 ? INT64_MAX / 1024 * 1024 : (v / 1024 + 1) * 1024;
}

static int compute_ulimit(const ValOp *op, const ValInput *in, char **ret, Error *e) {
        UlimitKey k;
        int r = ulimit_key_parse(in->key, &k);
        if (r < 0)
                return r;
        long long ts, th, cs = 0, ch = 0;
        if (op->ref) {
                ts = th = bound(scaled(op, in), in);
        } else {
                r = ulimit_value_parse(op->literal, k.resource, &ts, &th);
                if (r < 0) {
                        return error_set(e, -ENODATA, "the policy value is not a valid limit");
                }
                if (ts >= 0)
                        ts = bound(ts, in);
                if (th >= 0)
                        th = bound(th, in);
        }
        bool have_current = in->current && ulimit_value_parse(in->current, k.resource, &cs, &ch) >= 0;
        if (op->kind == VALOP_RAISE && have_current) {
                ts = lim_max(cs, ts);
                th = lim_max(ch, th);
        } else if (op->kind == VALOP_LOWER && have_current) {
                ts = lim_min(cs, ts);
                th = lim_min(ch, th);
        }
        /* A cap (fs.nr_open for nofile) also bounds what raising keeps from an infinite hard limit. */
        if (in->has_cap) {
                if (ts < 0 || ts > in->cap)
                        ts = have_current && cs >= 0 && cs > in->cap ? cs : in->cap;
                if (th >= 0 && th > in->cap && !(have_current && ch == th))
                        th = in->cap;
        }
        if (k.resource->bytes) {
                ts = kib_up(ts);
                th = kib_up(th);
        }
        if (th >= 0 && (ts < 0 || ts > th))
                th = ts;
        return ulimit_value_format(ts, th, ret);
}

static int compute_numbers(const ValOp *op, const ValInput *in, char **ret, Error *e) {
        long long t[8], c[8];
        size_t nt = 0, nc = 0;
        if (op->ref) {
                t[0] = bound(scaled(op, in), in);
                nt = 1;
        } else if (split_ints(op->literal, t, ELEMENTSOF(t), &nt) < 0) {
                /* A word sysctl (tcp_congestion_control): only a plain set applies. */
                if (op->kind != VALOP_SET) {
                        return error_set(e, -ENODATA, "only raise and only lower need a number");
                }
                return tunable_normalize(in->kind, in->key, op->literal, ret);
        } else if (nt == 1)
                t[0] = bound(t[0], in);
        bool have_current = in->current && split_ints(in->current, c, ELEMENTSOF(c), &nc) >= 0 && nc == nt;
        if (op->kind == VALOP_RAISE || op->kind == VALOP_LOWER) {
                if (!have_current) {
                        return error_set(e, -ENODATA, "the current value is unknown or has another shape, so 'only raise/lower' cannot compare");
                }
                for (size_t i = 0; i < nt; i++)
                        t[i] = op->kind == VALOP_RAISE ? MAX(c[i], t[i]) : MIN(c[i], t[i]);
        }
        char buf[8 * 24] = "";
        size_t o = 0;
        for (size_t i = 0; i < nt; i++)
                o += (size_t) snprintf(buf + o, sizeof(buf) - o, "%s%lld", i ? " " : "", t[i]);
        return tunable_normalize(in->kind, in->key, buf, ret);
}

static bool is_supported(const ValInput *in, const char *v) {
        if (tunable_check(in->kind, in->key, v, NULL, NULL) < 0)
                return false;
        if (!in->supported)
                return true;
        for (size_t i = 0; i < in->n_supported; i++)
                if (strcmp(in->supported[i], v) == 0)
                        return true;
        return false;
}

int valop_compute(const ValOp *op, const ValInput *in, char **ret, Error *e) {
        int r;
        if (op->kind == VALOP_ALTERNATIVES) {
                for (size_t i = 0; in->current && i < op->n_alts; i++)
                        if (tunable_values_equal(in->kind, in->key, in->current, op->alts[i]) && is_supported(in, op->alts[i]))
                                return tunable_normalize(in->kind, in->key, op->alts[i], ret);
                for (size_t i = 0; i < op->n_alts; i++)
                        if (is_supported(in, op->alts[i]))
                                return tunable_normalize(in->kind, in->key, op->alts[i], ret);
                return error_set(e, -ENODATA, "none of the alternatives is supported on this host");
        }
        if (op->ref && !in->has_ref)
                return error_set(e, -ENODATA, "the value to scale from is not in the profile");
        if (in->kind == TUNABLE_ULIMIT)
                r = compute_ulimit(op, in, ret, e);
        else if (numeric_kind(in->kind))
                r = compute_numbers(op, in, ret, e);
        else if (op->literal && op->kind == VALOP_SET)
                r = tunable_normalize(in->kind, in->key, op->literal, ret);
        else
                r = error_set(e, -ENODATA, "only a plain value applies to this kind");
        if (r < 0 && r != -ENOMEM && r != -ENODATA)
                r = error_set(e, -ENODATA, "the computed value is not valid for this key");
        Error why = ERROR_NULL;
        if (r >= 0 && tunable_check(in->kind, in->key, *ret, NULL, &why) < 0) {
                free(*ret);
                *ret = NULL;
                r = error_set(e, -ENODATA, "%s", error_message(&why));
        }
        error_done(&why);
        return r;
}

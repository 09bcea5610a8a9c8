/* SPDX-License-Identifier: MIT */
/* Profiles, plans and probe runs, each flattened into metrics, tunables, findings and facts. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "macro.h"
#include "tunable-arg.h"

#define MAX_DEPTH 12

static const char *const schemas[_DIFF_KIND_MAX] = {
        [DIFF_PROFILE] = PROFILE_SCHEMA,
        [DIFF_PLAN] = PLAN_SCHEMA,
        [DIFF_PROBE] = PROBE_SCHEMA,
};
static const char *const kind_names[_DIFF_KIND_MAX] = {
        [DIFF_PROFILE] = "profile",
        [DIFF_PLAN] = "plan",
        [DIFF_PROBE] = "probe run",
};

DiffKind diff_kind_of(const json_t *doc) {
        const char *s = json_string_value(json_object_get(doc, "schema"));
        for (int k = 0; s && k < _DIFF_KIND_MAX; k++)
                if (strcmp(s, schemas[k]) == 0)
                        return k;
        return _DIFF_KIND_INVALID;
}

const char *diff_kind_name(DiffKind k) {
        return k >= 0 && k < _DIFF_KIND_MAX ? kind_names[k] : "document";
}

static bool number(const json_t *v, double *ret) {
        if (!json_is_number(v) || !isfinite(json_number_value(v)))
                return false;
        *ret = json_number_value(v);
        return true;
}

/* A scalar as text (strings as they are, numbers and booleans formatted); NULL for anything else. */
static json_t *scalar_text(const json_t *v) {
        char buf[64];
        if (json_is_string(v))
                return json_string(json_string_value(v));
        if (json_is_integer(v))
                snprintf(buf, sizeof(buf), "%lld", (long long) json_integer_value(v));
        else if (json_is_real(v))
                snprintf(buf, sizeof(buf), "%.6g", json_real_value(v));
        else if (json_is_boolean(v))
                snprintf(buf, sizeof(buf), "%s", json_is_true(v) ? "true" : "false");
        else
                return NULL;
        return json_string(buf);
}

/* A missing member or one that is not a scalar is left out; only ENOMEM is an error. */
static int put_text(json_t *map, const char *name, const json_t *v) {
        if (!v || !(json_is_string(v) || json_is_number(v) || json_is_boolean(v)))
                return 0;
        json_t *t = scalar_text(v);
        return t && json_object_set_new(map, name, t) == 0 ? 0 : -ENOMEM;
}

/* {value, unit, min, max, n} of a metric object (a profile's {unit, value, min, p95, max, n}). */
/* Facts copied from the document: member of doc (parent NULL) or of doc.parent, under a name. */
typedef struct FactSource {
        const char *parent, *member, *name;
} FactSource;

static int put_facts(json_t *facts, const json_t *doc, const FactSource *t, size_t n) {
        int r = 0;
        for (size_t i = 0; r >= 0 && i < n; i++) {
                const json_t *from = t[i].parent ? json_object_get(doc, t[i].parent) : doc;
                r = put_text(facts, t[i].name ? t[i].name : t[i].member, json_object_get(from, t[i].member));
        }
        return r;
}

static int put_metric(json_t *map, const char *path, const json_t *m) {
        double v;
        if (!number(json_object_get(m, "value"), &v))
                return 0;
        json_t *o = json_pack("{s:f}", "value", v);
        if (!o)
                return -ENOMEM;
        static const char *const extra[] = { "min", "max", "p95", "n" };
        double x;
        for (size_t i = 0; i < ELEMENTSOF(extra); i++)
                if (number(json_object_get(m, extra[i]), &x))
                        json_object_set_new(o, extra[i], json_real(x));
        if (json_is_string(json_object_get(m, "unit")))
                json_object_set(o, "unit", json_object_get(m, "unit"));
        return json_object_set_new(map, path, o) < 0 ? -ENOMEM : 0;
}

static int walk_metrics(json_t *map, const char *prefix, const json_t *o, int depth) {
        if (depth > MAX_DEPTH || !json_is_object(o))
                return 0;
        if (json_object_get(o, "unit") && json_object_get(o, "value"))
                return put_metric(map, prefix, o);
        const char *k;
        json_t *v;
        int r = 0;
        json_object_foreach((json_t *) o, k, v) {
                if (strcmp(k, "unavailable") == 0)
                        continue;
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s%s%s", prefix, *prefix ? "." : "", k) < 0)
                        return -ENOMEM;
                if ((r = walk_metrics(map, path, v, depth + 1)) < 0)
                        return r;
        }
        return r;
}

/* tunables.KIND.KEY: "vm.swappiness", "io_scheduler:vda". */
static int profile_tunables(json_t *map, const json_t *tun) {
        const char *kind, *key;
        json_t *per, *v;
        json_object_foreach((json_t *) tun, kind, per) {
                TunableKind k = tunable_kind_from_string(kind);
                json_object_foreach(per, key, v) {
                        _cleanup_free_ char *name = NULL;
                        if (k >= 0)
                                name = tunable_arg_format(k, key);
                        else if (asprintf(&name, "%s:%s", kind, key) < 0)
                                name = NULL;
                        if (!name || put_text(map, name, v) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

static int profile_findings(json_t *map, const json_t *list) {
        size_t i;
        json_t *f;
        json_array_foreach(list, i, f) {
                const char *metric = json_string_value(json_object_get(f, "metric"));
                const char *kind = json_string_value(json_object_get(f, "kind"));
                const char *sev = json_string_value(json_object_get(f, "severity"));
                const char *msg = json_string_value(json_object_get(f, "message"));
                _cleanup_free_ char *id = NULL, *text = NULL;
                if (asprintf(&id, "%s %s", metric ? metric : "?", kind ? kind : "finding") < 0 ||
                    asprintf(&text, "%s: %s", sev ? sev : "finding", msg ? msg : "(no message)") < 0)
                        return -ENOMEM;
                if (json_object_set_new(map, id, json_string(text)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int profile_facts(json_t *facts, const json_t *doc) {
        static const FactSource t[] = {
                { "host", "hostname", NULL },       { "host", "kernel", NULL },       { "host", "os", NULL },
                { "host", "cpus", NULL },           { "host", "memory_bytes", NULL }, { "host", "swap_bytes", NULL },
                { "host", "numa_nodes", NULL },     { "host", "virtualization", NULL }, { "host", "cpu_model", NULL },
                { "window", "duration_s", "window.duration_s" }, { "window", "samples", "window.samples" },
        };
        int r = put_facts(facts, doc, t, ELEMENTSOF(t));
        if (r >= 0)
                r = put_text(facts, "cpufreq.driver", json_object_get(json_object_get(json_object_get(doc, "host"), "cpufreq"), "driver"));
        return r;
}

static int flatten_profile(const json_t *doc, json_t *flat) {
        int r = walk_metrics(json_object_get(flat, "metrics"), "", json_object_get(doc, "resources"), 0);
        if (r >= 0)
                r = profile_tunables(json_object_get(flat, "tunables"), json_object_get(doc, "tunables"));
        if (r >= 0)
                r = profile_findings(json_object_get(flat, "findings"), json_object_get(doc, "findings"));
        if (r >= 0)
                r = profile_facts(json_object_get(flat, "facts"), doc);
        return r;
}

/* The name of a plan's change ("vm.swappiness", "io_scheduler:vda") whatever the file holds. */
static char *change_name(const json_t *c) {
        const char *kind = json_string_value(json_object_get(c, "kind"));
        const char *key = json_string_value(json_object_get(c, "key"));
        TunableKind k = kind ? tunable_kind_from_string(kind) : _TUNABLE_KIND_INVALID;
        char *s = NULL;
        if (k >= 0 && key)
                return tunable_arg_format(k, key);
        return asprintf(&s, "%s:%s", kind ? kind : "?", key ? key : "?") < 0 ? NULL : s;
}

/* A plan: the proposed value of each change; held back and unsupported ones and the warnings are its
 * findings. */
static int plan_list(json_t *flat, const json_t *list, const char *section, const char *field) {
        size_t i;
        json_t *c;
        json_array_foreach(list, i, c) {
                _cleanup_free_ char *name = change_name(c), *id = NULL;
                if (!name)
                        return -ENOMEM;
                json_t *map = json_object_get(flat, section);
                if (strcmp(section, "tunables") == 0) {
                        if (put_text(map, name, json_object_get(c, field)) < 0)
                                return -ENOMEM;
                        continue;
                }
                const char *reason = json_string_value(json_object_get(c, "reason"));
                _cleanup_free_ char *text = NULL;
                if (asprintf(&id, "%s %s", field, name) < 0 ||
                    asprintf(&text, "%s: %s", id, reason ? reason : "(no reason given)") < 0 ||
                    json_object_set_new(map, id, json_string(text)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int flatten_plan(const json_t *doc, json_t *flat) {
        json_t *facts = json_object_get(flat, "facts"), *findings = json_object_get(flat, "findings");
        int r = plan_list(flat, json_object_get(doc, "changes"), "tunables", "proposed");
        r = r ?: plan_list(flat, json_object_get(doc, "held_back"), "findings", "held back");
        r = r ?: plan_list(flat, json_object_get(doc, "unsupported"), "findings", "unsupported");
        static const FactSource t[] = {
                { "policy", "name", "policy" },        { "policy", "allow_risk", NULL },
                { "profile", "source", "profile" },    { "profile", "digest", "profile digest" },
                { NULL, "persist", NULL },
        };
        r = r ?: put_facts(facts, doc, t, ELEMENTSOF(t));
        size_t i;
        json_t *w;
        json_array_foreach(json_object_get(doc, "warnings"), i, w) {
                const char *m = json_string_value(json_object_get(w, "message"));
                _cleanup_free_ char *text = NULL;
                if (r >= 0 && m && (asprintf(&text, "warning: %s", m) < 0 || json_object_set_new(findings, m, json_string(text)) < 0))
                        r = -ENOMEM;
        }
        return r;
}

/* One probe metric: the median (of the clean rounds when there are some), spread from the samples. */
static int probe_metric(json_t *map, const char *path, const json_t *m) {
        double v, x, lo = INFINITY, hi = -INFINITY;
        if (!number(json_object_get(m, "clean_median"), &v) && !number(json_object_get(m, "median"), &v))
                return 0;
        size_t i, n = 0;
        json_t *s;
        json_array_foreach(json_object_get(m, "samples"), i, s)
                if (number(s, &x)) {
                        lo = x < lo ? x : lo;
                        hi = x > hi ? x : hi;
                        n++;
                }
        json_t *o = n ? json_pack("{s:f, s:f, s:f, s:f}", "value", v, "min", lo, "max", hi, "n", (double) n)
                      : json_pack("{s:f}", "value", v);
        if (!o)
                return -ENOMEM;
        if (json_is_string(json_object_get(m, "unit")))
                json_object_set(o, "unit", json_object_get(m, "unit"));
        return json_object_set_new(map, path, o) < 0 ? -ENOMEM : 0;
}

static int flatten_probe(const json_t *doc, json_t *flat) {
        json_t *facts = json_object_get(flat, "facts"), *findings = json_object_get(flat, "findings");
        static const FactSource t[] = {
                { NULL, "version", NULL },           { "host", "kernel", NULL }, { "host", "cpus", NULL },
                { "config", "duration_s", NULL },    { "config", "rounds", NULL }, { NULL, "interrupted", NULL },
        };
        int r = put_facts(facts, doc, t, ELEMENTSOF(t));
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(doc, "probes"), i, p) {
                const char *name = json_string_value(json_object_get(p, "name")), *k;
                json_t *m;
                _cleanup_free_ char *id = NULL;
                if (!name || r < 0)
                        continue;
                json_object_foreach(json_object_get(p, "metrics"), k, m) {
                        _cleanup_free_ char *path = NULL;
                        if (r >= 0)
                                r = asprintf(&path, "%s.%s", name, k) < 0 ? -ENOMEM : probe_metric(json_object_get(flat, "metrics"), path, m);
                }
                if (r >= 0 && json_is_string(json_object_get(p, "error")))
                        r = asprintf(&id, "probe %s failed", name) < 0 ? -ENOMEM : put_text(findings, id, json_object_get(p, "error"));
        }
        json_array_foreach(json_object_get(doc, "not_run"), i, p)
                if (r >= 0 && json_is_string(p))
                        r = put_text(findings, json_string_value(p), p);
        return r;
}

int diff_flatten(DiffKind kind, const json_t *doc, json_t **ret) {
        json_t *flat = json_pack("{s:{}, s:{}, s:{}, s:{}}", "metrics", "tunables", "findings", "facts");
        if (!flat)
                return -ENOMEM;
        int r = kind == DIFF_PROFILE ? flatten_profile(doc, flat) : kind == DIFF_PLAN ? flatten_plan(doc, flat)
                                                                                      : flatten_probe(doc, flat);
        if (r < 0) {
                json_decref(flat);
                return r;
        }
        *ret = flat;
        return 0;
}

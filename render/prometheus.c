/* SPDX-License-Identifier: MIT */
/* The profile in the Prometheus text exposition format (version 0.0.4), for node_exporter's textfile
 * collector: `skytune profile --format prometheus --out /var/lib/prometheus/node-exporter/skytune.prom`.
 *
 * Everything comes from the skytune.profile/1 JSON document, walked generically, so a metric the
 * profiler adds later is exported without a change here:
 *  - names: skytune_<resource>[_<namespace>...][_<object kind>]_<metric stem>[_max|_p95]<base unit>;
 *  - units: percent becomes a 0-1 ratio (_ratio), ms and ms/s seconds, kB bytes, Mbit/s bytes per
 *    second, x/s _per_second (Prometheus base units, the unit as the last word of the name);
 *  - per-object groups (CPUs, cgroups, block devices, interfaces) become labels;
 *  - facts that are text become labels of an _info metric with the value 1;
 *  - no timestamps: the scraper stamps the samples (the textfile collector adds the file's mtime).
 * The profile describes one window, so every value is a gauge: its counts (oom_kills) are events
 * within the window, which rate() must not treat as a counter, and no gauge ends in _total. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "macro.h"
#include "prom-name.h"
#include "render.h"
#include "time-util.h"

#define MAX_LABELS 12

typedef struct Buf {
        char *data;
        size_t len, cap;
        int error;              /* first allocation failure, negative errno */
} Buf;

typedef struct Family {
        char *name;
        char *help;
        char *source;           /* the JSON path template it came from, to detect name collisions */
        Buf samples;
} Family;

typedef struct Exposition {
        Family *fams;
        size_t n, cap;
        Buf notes;              /* comment lines for what was left out */
        int error;
} Exposition;

typedef struct Label {
        const char *name;
        const char *value;
} Label;

typedef struct Labels {
        Label l[MAX_LABELS];
        size_t n;
} Labels;

/* Where the walk is: the metric name prefix, the JSON path template for HELP, the labels so far. */
typedef struct Ctx {
        char prefix[256];
        char path[512];         /* with <label> in place of each object's key: the same for a whole family */
        char where[512];        /* the concrete path below the resource, for the unavailable sources */
        const char *resource;
        Labels labels;
} Ctx;

/* Per-object groups of the profile: the label each object's key becomes, and the word the metric
 * name gets in place of the group's key. Other groups whose members are all objects get the label
 * "name" and keep their key. */
static const struct {
        const char *group;
        const char *label;
        const char *word;
} object_groups[] = {
        { "per_cpu", "cpu", "per_cpu" },
        { "softnet", "cpu", "softnet_per_cpu" },
        { "cgroups", "cgroup", "cgroup" },
        { "devices", "device", "device" },
        { "interfaces", "interface", "interface" },
        { "policies", "policy", "policy" },
};

__attribute__((format(printf, 2, 0))) static void buf_vappend(Buf *b, const char *fmt, va_list ap) {
        if (b->error)
                return;
        va_list aq;
        va_copy(aq, ap);
        int n = vsnprintf(NULL, 0, fmt, aq);
        va_end(aq);
        if (n < 0) {
                b->error = -EINVAL;
                return;
        }
        if (b->len + (size_t) n + 1 > b->cap) {
                size_t cap = MAX(b->cap * 2, b->len + (size_t) n + 256);
                char *d = realloc(b->data, cap);
                if (!d) {
                        b->error = -ENOMEM;
                        return;
                }
                b->data = d;
                b->cap = cap;
        }
        vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
        b->len += (size_t) n;
}

_printf_(2, 3) static void buf_append(Buf *b, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        buf_vappend(b, fmt, ap);
        va_end(ap);
}

/* Label values escape backslash, double quote and newline; HELP text escapes backslash and newline. */
static void buf_escaped(Buf *b, const char *s, bool quote) {
        for (; *s; s++) {
                const char *e = prom_escape(*s, quote);
                if (e)
                        buf_append(b, "%s", e);
                else
                        buf_append(b, "%c", *s);
        }
}

static void buf_number(Buf *b, double v) {
        char text[PROM_NUMBER_MAX];
        prom_number(v, text);
        buf_append(b, "%s", text);
}


static Family *family_get(Exposition *e, const char *name, const char *help, const char *source) {
        for (size_t i = 0; i < e->n; i++)
                if (strcmp(e->fams[i].name, name) == 0)
                        return &e->fams[i];
        if (e->n == e->cap) {
                size_t cap = MAX(e->cap * 2, (size_t) 64);
                Family *f = realloc(e->fams, cap * sizeof(Family));
                if (!f)
                        return NULL;
                e->fams = f;
                e->cap = cap;
        }
        Family *f = &e->fams[e->n];
        *f = (Family) { .name = strdup(name), .help = strdup(help), .source = strdup(source) };
        if (!f->name || !f->help || !f->source) {
                free(f->name);
                free(f->help);
                free(f->source);
                return NULL;
        }
        e->n++;
        return f;
}

/* One sample. A second source mapping to the same name (two JSON paths that sanitize alike) is
 * left out with a comment instead of mixing two meanings in one family. */
static void emit(Exposition *e, const char *name_in, const char *help, const char *source, const Labels *labels, double v) {
        char name[256];
        snprintf(name, sizeof(name), "%s", name_in);
        prom_name_sanitize(name);
        /* Reserved for counters, histograms and summaries; promtool rejects them on a gauge. */
        if (prom_name_reserved(name)) {
                size_t l = strlen(name);
                snprintf(name + l, sizeof(name) - l, "_value");
        }
        Family *f = family_get(e, name, help, source);
        if (!f) {
                e->error = -ENOMEM;
                return;
        }
        if (strcmp(f->source, source) != 0) {
                buf_append(&e->notes, "# skytune: %s left out: its metric name %s is already used by %s\n", source, name,
                           f->source);
                return;
        }
        buf_append(&f->samples, "%s", name);
        if (labels && labels->n > 0) {
                buf_append(&f->samples, "{");
                for (size_t i = 0; i < labels->n; i++) {
                        buf_append(&f->samples, "%s%s=\"", i ? "," : "", labels->l[i].name);
                        buf_escaped(&f->samples, labels->l[i].value, true);
                        buf_append(&f->samples, "\"");
                }
                buf_append(&f->samples, "}");
        }
        buf_append(&f->samples, " ");
        buf_number(&f->samples, v);
        buf_append(&f->samples, "\n");
}

static bool is_metric(const json_t *o) {
        return json_is_object(o) && json_is_number(json_object_get(o, "value")) && json_is_string(json_object_get(o, "unit"));
}

/* A group whose members are objects that are not metrics: one object per CPU, device, ... */
static bool is_object_group(const json_t *o) {
        if (!json_is_object(o) || json_object_size(o) == 0)
                return false;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) o, k, v)
                if (!json_is_object(v) || is_metric(v))
                        return false;
        return true;
}

static const char *label_value(const char *label, const char *key) {
        /* node_exporter's convention: cpu="0", not cpu="cpu0". */
        if (strcmp(label, "cpu") == 0 && strncmp(key, "cpu", 3) == 0 && key[3] >= '0' && key[3] <= '9')
                return key + 3;
        return key;
}

static void emit_number(Exposition *e, const Ctx *c, const char *key, const char *unit, const char *stat, double v,
                        const char *what) {
        char stem[128], name[512], help[768], source[640];
        const PromUnit *rule = prom_unit_convert(key, unit, stem, sizeof(stem));
        const char *base = rule ? rule->base : "";
        double scale = rule ? rule->scale : 1;
        snprintf(name, sizeof(name), "%s_%s%s%s%s", c->prefix, stem, stat ? "_" : "", strempty(stat), base);
        snprintf(source, sizeof(source), "%s%s%s%s", c->path, key, stat ? "." : "", strempty(stat));
        snprintf(help, sizeof(help), "%s of %s%s%s%s%s", what, c->path, key, unit ? " (" : "", strempty(unit),
                 unit ? ")" : "");
        if (rule && rule->said)
                snprintf(help + strlen(help), sizeof(help) - strlen(help), ", converted to %s", rule->said);
        emit(e, name, help, source, &c->labels, v * scale);
}

static void emit_metric(Exposition *e, const Ctx *c, const char *key, const json_t *m) {
        const char *unit = json_string_value(json_object_get(m, "unit"));
        bool sampled = json_is_number(json_object_get(m, "max"));
        emit_number(e, c, key, unit, NULL, json_number_value(json_object_get(m, "value")),
                    sampled ? "Average over the profile window" : "Value read once in the profile window");
        if (!sampled)
                return;
        emit_number(e, c, key, unit, "p95", json_number_value(json_object_get(m, "p95")),
                    "95th percentile (nearest rank) over the profile window");
        emit_number(e, c, key, unit, "max", json_number_value(json_object_get(m, "max")), "Maximum over the profile window");
}

static bool has_label(const Labels *labels, const char *name) {
        for (size_t i = 0; i < labels->n; i++)
                if (strcmp(labels->l[i].name, name) == 0)
                        return true;
        return false;
}

/* Text facts of one node become the labels of <prefix>_info; arrays of strings are joined with ','. */
static void emit_info(Exposition *e, const Ctx *c, const json_t *node) {
        Labels labels = c->labels;
        char names[MAX_LABELS][64];
        char *joined[MAX_LABELS] = {};
        size_t first = labels.n;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) node, k, v) {
                size_t i = labels.n - first;
                if (labels.n >= MAX_LABELS)
                        break;
                snprintf(names[i], sizeof(names[i]), "%s", k);
                prom_name_sanitize(names[i]);
                if (has_label(&labels, names[i]))
                        continue;
                const char *val = NULL;
                if (json_is_string(v))
                        val = json_string_value(v);
                else if (json_is_boolean(v))
                        val = json_is_true(v) ? "true" : "false";
                else if (json_is_array(v) && json_is_string(json_array_get(v, 0))) {
                        Buf b = {};
                        size_t j;
                        json_t *s;
                        json_array_foreach(v, j, s)
                                buf_append(&b, "%s%s", j ? "," : "", strempty(json_string_value(s)));
                        if (b.error)
                                e->error = b.error;
                        val = joined[i] = b.data;
                }
                if (val)
                        labels.l[labels.n++] = (Label) { names[i], val };
        }
        if (labels.n > first) {
                char name[300], help[640], source[600];
                snprintf(name, sizeof(name), "%s_info", c->prefix);
                snprintf(source, sizeof(source), "%s(text facts)", c->path);
                snprintf(help, sizeof(help), "Text facts of %s as labels; the value is always 1", c->path);
                emit(e, name, help, source, &labels, 1);
        }
        for (size_t i = 0; i < MAX_LABELS; i++)
                free(joined[i]);
}

static void walk(Exposition *e, const Ctx *c, const json_t *node, unsigned depth);

/* Descend into node.key: word extends the metric name, label (when set) names the object. */
static void walk_child(Exposition *e, const Ctx *c, const char *key, const char *path_key, const json_t *v, const char *word,
                       const char *label, unsigned depth) {
        Ctx sub = *c;
        size_t l = strlen(sub.prefix);
        snprintf(sub.prefix + l, sizeof(sub.prefix) - l, "_%s", word);
        prom_name_sanitize(sub.prefix);
        l = strlen(sub.path);
        snprintf(sub.path + l, sizeof(sub.path) - l, "%s.", path_key);
        l = strlen(sub.where);
        snprintf(sub.where + l, sizeof(sub.where) - l, "%s.", key);
        if (label) {
                if (sub.labels.n >= MAX_LABELS || has_label(&sub.labels, label))
                        return;
                sub.labels.l[sub.labels.n++] = (Label) { label, label_value(label, key) };
        }
        walk(e, &sub, v, depth + 1);
}

static bool valid_name(const char *s) {
        char buf[64];
        snprintf(buf, sizeof(buf), "%s", s);
        prom_name_sanitize(buf);
        return strcmp(buf, s) == 0 && strncmp(s, "__", 2) != 0;
}

static void walk_group(Exposition *e, const Ctx *c, const char *group_key, const json_t *group, unsigned depth) {
        /* An unknown group: its own key as the label name (unique per level), else "name". */
        const char *label = valid_name(group_key) ? group_key : "name", *word = group_key;
        for (size_t i = 0; i < ELEMENTSOF(object_groups); i++)
                if (strcmp(object_groups[i].group, group_key) == 0) {
                        label = object_groups[i].label;
                        word = object_groups[i].word;
                }
        char path_key[128];
        snprintf(path_key, sizeof(path_key), "%s.<%s>", group_key, label);
        Ctx g = *c;
        size_t l = strlen(g.where);
        snprintf(g.where + l, sizeof(g.where) - l, "%s.", group_key);
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) group, k, v)
                walk_child(e, &g, k, path_key, v, word, label, depth);
}

static void emit_unavailable(Exposition *e, const Ctx *c, const json_t *u) {
        const char *k;
        json_t *why;
        json_object_foreach((json_t *) u, k, why) {
                char source[600];
                snprintf(source, sizeof(source), "%s%s", c->where, k);
                Labels labels = { .l = { { "resource", c->resource }, { "source", source } }, .n = 2 };
                emit(e, "skytune_source_unavailable",
                     "A profile source that could not be read on this host (the reason is in skytune profile's output)",
                     "resources.*.unavailable", &labels, 1);
        }
}

static void walk(Exposition *e, const Ctx *c, const json_t *node, unsigned depth) {
        if (depth > 6 || !json_is_object(node))
                return;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) node, k, v) {
                if (strcmp(k, "unavailable") == 0 && json_is_object(v))
                        emit_unavailable(e, c, v);
                else if (is_metric(v))
                        emit_metric(e, c, k, v);
                else if (json_is_object(v) && json_object_get(v, "unit"))
                        continue;       /* a metric without a value this time (null): no sample */
                else if (json_is_number(v))
                        emit_number(e, c, k, NULL, NULL, json_number_value(v), "Fact");
                else if (is_object_group(v))
                        walk_group(e, c, k, v, depth);
                else if (json_is_object(v))
                        walk_child(e, c, k, k, v, k, NULL, depth);
        }
        emit_info(e, c, node);
}

static void emit_resources(Exposition *e, const json_t *doc) {
        const char *name;
        json_t *r;
        json_object_foreach(json_object_get(doc, "resources"), name, r) {
                Ctx c = { .resource = name };
                snprintf(c.prefix, sizeof(c.prefix), "skytune_%s", name);
                prom_name_sanitize(c.prefix);
                snprintf(c.path, sizeof(c.path), "resources.%s.", name);
                walk(e, &c, r, 0);
        }
}

static void emit_host(Exposition *e, const json_t *doc) {
        const json_t *host = json_object_get(doc, "host");
        Ctx c = { .prefix = "skytune_host", .path = "host.", .resource = "host" };
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) host, k, v)
                if (json_is_number(v))
                        emit_number(e, &c, k, NULL, NULL, json_number_value(v), "Host fact");
        emit_info(e, &c, host);
}

static void emit_profile_facts(Exposition *e, const json_t *doc) {
        Labels version = { .l = { { "version", SKYTUNE_VERSION } }, .n = 1 };
        emit(e, "skytune_build_info", "The skytune version that wrote this profile; the value is always 1", "build", &version, 1);

        const json_t *win = json_object_get(doc, "window");
        emit(e, "skytune_profile_window_seconds", "Length of the profile window asked for", "window.duration_s", NULL,
             json_number_value(json_object_get(win, "duration_s")));
        emit(e, "skytune_profile_interval_seconds", "Time between two samples of the profile", "window.interval_s", NULL,
             json_number_value(json_object_get(win, "interval_s")));
        emit(e, "skytune_profile_samples", "Samples actually taken in the profile window", "window.samples", NULL,
             json_number_value(json_object_get(win, "samples")));
        emit(e, "skytune_profile_metrics", "Number of metrics in the profile", "metric_count", NULL,
             json_number_value(json_object_get(doc, "metric_count")));

        uint64_t gen;
        if (time_parse_iso8601(json_string_value(json_object_get(doc, "generated")), &gen) >= 0)
                emit(e, "skytune_profile_generated_timestamp_seconds", "When the profile was built, in seconds since the epoch",
                     "generated", NULL, (double) gen / 1e6);
}

static void emit_findings(Exposition *e, const json_t *doc) {
        static const char *const severities[] = { "critical", "warning", "info" };
        const json_t *findings = json_object_get(doc, "findings");
        for (size_t s = 0; s < ELEMENTSOF(severities); s++) {
                size_t i, count = 0;
                json_t *x;
                json_array_foreach(findings, i, x)
                        count += streq_ptr(json_string_value(json_object_get(x, "severity")), severities[s]);
                Labels labels = { .l = { { "severity", severities[s] } }, .n = 1 };
                emit(e, "skytune_findings", "Findings of the profile (saturation, errors) by severity", "findings", &labels,
                     (double) count);
        }
        size_t i;
        json_t *x;
        json_array_foreach(findings, i, x) {
                char rank[32];
                snprintf(rank, sizeof(rank), "%lld", (long long) json_integer_value(json_object_get(x, "rank")));
                Labels labels = { .n = 5 };
                labels.l[0] = (Label) { "rank", rank };
                labels.l[1] = (Label) { "kind", strempty(json_string_value(json_object_get(x, "kind"))) };
                labels.l[2] = (Label) { "severity", strempty(json_string_value(json_object_get(x, "severity"))) };
                labels.l[3] = (Label) { "resource", strempty(json_string_value(json_object_get(x, "resource"))) };
                labels.l[4] = (Label) { "metric", strempty(json_string_value(json_object_get(x, "metric"))) };
                emit(e, "skytune_finding_value",
                     "The value of the metric behind each finding, in the profile's unit (see docs/profile.md)", "findings[]",
                     &labels, json_number_value(json_object_get(x, "value")));
        }
}

static void emit_tunables(Exposition *e, const json_t *doc) {
        const char *kind;
        json_t *keys;
        json_object_foreach(json_object_get(doc, "tunables"), kind, keys) {
                if (!json_is_object(keys))
                        continue;
                const char *key;
                json_t *v;
                json_object_foreach(keys, key, v) {
                        if (!json_is_string(v))
                                continue;
                        Labels labels = { .l = { { "kind", kind }, { "key", key }, { "value", json_string_value(v) } }, .n = 3 };
                        emit(e, "skytune_tunable_info", "Current value of a tunable a shipped policy can touch; the value is always 1",
                             "tunables", &labels, 1);
                }
        }
}

static void exposition_free(Exposition *e) {
        for (size_t i = 0; i < e->n; i++) {
                free(e->fams[i].name);
                free(e->fams[i].help);
                free(e->fams[i].source);
                free(e->fams[i].samples.data);
        }
        free(e->fams);
        free(e->notes.data);
}

int render_prometheus(const json_t *profile, char **ret) {
        if (!json_is_object(profile) || !json_is_object(json_object_get(profile, "resources")))
                return -EINVAL;
        _cleanup_(exposition_free) Exposition e = {};
        emit_profile_facts(&e, profile);
        emit_host(&e, profile);
        emit_findings(&e, profile);
        emit_resources(&e, profile);
        emit_tunables(&e, profile);

        Buf out = {};
        for (size_t i = 0; i < e.n; i++) {
                const Family *f = &e.fams[i];
                buf_append(&out, "# HELP %s ", f->name);
                buf_escaped(&out, f->help, false);
                buf_append(&out, "\n# TYPE %s gauge\n", f->name);
                if (f->samples.data)
                        buf_append(&out, "%s", f->samples.data);
                if (f->samples.error && !e.error)
                        e.error = f->samples.error;
        }
        if (e.notes.data)
                buf_append(&out, "%s", e.notes.data);
        int r = e.error ? e.error : e.notes.error ? e.notes.error : out.error;
        if (r < 0 || !out.data) {
                free(out.data);
                return r < 0 ? r : -ENOMEM;
        }
        *ret = out.data;
        return 0;
}

int render_profile_prometheus(FILE *f, const json_t *profile, const RenderView *v) {
        _cleanup_free_ char *text = NULL;
        int r = render_prometheus(profile, &text);
        if (r < 0)
                return r;
        fputs(text, f);
        return ferror(f) ? -EIO : 0;
}

/* SPDX-License-Identifier: MIT */
/* The agents' documents made into one (load-merge.h): checks, the global time axis, the intervals,
 * steps and total added, the thresholds judged again, the verdict. */
#include "load-merge.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-util.h"
#include "load-doc.h"
#include "load-merge-internal.h"
#include "macro.h"
#include "schema.h"
#include "threshold-eval.h"
#include "time-util.h"

typedef struct Merge {
        const LoadMergeInput *in;
        size_t n;
        uint64_t t0_usec, end_usec; /* the earliest start, the latest end */
        double *offset_s;           /* of each agent's start after t0 */
        double interval_s;
        const json_t *steps_cfg; /* the first document's config.steps */
        size_t n_steps;
        Threshold *t;
        LoadThresholdRun *tr;
        size_t n_thr;
        MergeAcc acc;
        Error *e;
} Merge;

static const json_t *member(const json_t *o, const char *k, json_type type) {
        const json_t *v = json_object_get(o, k);
        return v && json_typeof(v) == type ? v : NULL;
}

static int bad(Merge *m, size_t i, const char *what) {
        return error_set(m->e, -EINVAL, "%s: %s: give the documents that the agents' skytune load --out wrote",
                         m->in[i].path, what);
}

static int check_time(Merge *m, size_t i) {
        uint64_t start, end;
        const json_t *d = m->in[i].doc;
        if (time_parse_iso8601(jstr(d, "started"), &start) < 0 || time_parse_iso8601(jstr(d, "ended"), &end) < 0)
                return bad(m, i, "\"started\" or \"ended\" is not an ISO 8601 time");
        if (i == 0 || start < m->t0_usec)
                m->t0_usec = start;
        m->end_usec = MAX(m->end_usec, end);
        return 0;
}

/* The same scenario as the first document: name, interval, steps and thresholds. */
static int check_same(Merge *m, size_t i) {
        const json_t *d = m->in[i].doc, *c = member(d, "config", JSON_OBJECT),
                     *c0 = json_object_get(m->in[0].doc, "config");
        const json_t *iv = c ? json_object_get(c, "interval_s") : NULL,
                     *steps = c ? member(c, "steps", JSON_ARRAY) : NULL;
        if (!c || !json_is_number(iv) || !(json_number_value(iv) > 0) || !steps || !member(d, "total", JSON_OBJECT) ||
            !member(d, "steps", JSON_ARRAY) || !member(d, "intervals", JSON_ARRAY) ||
            !member(d, "thresholds", JSON_ARRAY))
                return bad(m, i, "config, total, steps, intervals or thresholds missing or of the wrong type");
        if (i == 0) {
                m->interval_s = json_number_value(iv);
                m->steps_cfg = steps;
                m->n_steps = json_array_size(steps);
                return 0;
        }
        const char *what = NULL;
        if (!json_equal(json_object_get(c, "scenario"), json_object_get(c0, "scenario")))
                what = "scenario";
        else if (fabs(json_number_value(iv) - m->interval_s) > 1e-9)
                what = "interval (--interval)";
        else if (!json_equal((json_t *) steps, (json_t *) m->steps_cfg))
                what = "steps (URL, model, phases, endpoints)";
        if (!what) {
                const json_t *a = json_object_get(d, "thresholds"), *b = json_object_get(m->in[0].doc, "thresholds");
                bool same = json_array_size(a) == json_array_size(b);
                for (size_t k = 0; same && k < json_array_size(a); k++)
                        same = json_equal(json_object_get(json_array_get(a, k), "text"),
                                          json_object_get(json_array_get(b, k), "text")) &&
                                json_equal(json_object_get(json_array_get(a, k), "step"),
                                           json_object_get(json_array_get(b, k), "step"));
                what = same ? NULL : "thresholds (--threshold)";
        }
        if (what)
                return error_set(m->e, -EINVAL,
                                 "%s: other %s than %s: merge the agents of one run, started with the "
                                 "same options",
                                 m->in[i].path, what, m->in[0].path);
        return 0;
}

/* Index of the step named name in config.steps; -1: none (the total). */
static int step_index(const Merge *m, const char *name) {
        for (size_t k = 0; name && k < m->n_steps; k++)
                if (jstreq(json_array_get(m->steps_cfg, k), "name", name))
                        return (int) k;
        return -1;
}

static int thresholds_parse(Merge *m) {
        const json_t *a = json_object_get(m->in[0].doc, "thresholds");
        m->n_thr = json_array_size(a);
        m->t = calloc(MAX(m->n_thr, 1u), sizeof(Threshold));
        m->tr = calloc(MAX(m->n_thr, 1u), sizeof(LoadThresholdRun));
        if (!m->t || !m->tr)
                return error_set(m->e, -ENOMEM, "out of memory");
        for (size_t i = 0; i < m->n_thr; i++) {
                const json_t *o = json_array_get(a, i);
                const char *text = jstr(o, "text"), *step = jstr(o, "step");
                if (!text || threshold_parse(text, m->in[0].path, 0, &m->t[i], m->e) < 0) {
                        m->n_thr = i;
                        return text ? -EINVAL : bad(m, 0, "a threshold without text");
                }
                m->tr[i] = (LoadThresholdRun) { .t = &m->t[i],
                                                .step = step_index(m, step),
                                                .passed = true,
                                                .observed = NAN,
                                                .failed_at_s = NAN,
                                                .broken_since_s = NAN };
                if (step && m->tr[i].step < 0) {
                        m->n_thr = i + 1;
                        return bad(m, 0, "a threshold names a step that is not in config.steps");
                }
        }
        return 0;
}

/* One interval record of one agent, on the global time axis. */
typedef struct Ref {
        long long k; /* start / interval_s, rounded */
        int step;    /* -1: the total */
        size_t agent;
        const json_t *rec;
} Ref;

static int ref_cmp(const void *x, const void *y) {
        const Ref *a = x, *b = y;
        if (a->k != b->k)
                return a->k < b->k ? -1 : 1;
        unsigned sa = (unsigned) a->step, sb = (unsigned) b->step; /* the total (-1) after the steps */
        return sa < sb ? -1 : sa > sb ? 1 : a->agent < b->agent ? -1 : a->agent > b->agent;
}

static int refs_collect(Merge *m, Ref **ret, size_t *ret_n) {
        size_t n = 0, cap = 0;
        Ref *refs = NULL;
        for (size_t i = 0; i < m->n; i++) {
                const json_t *a = json_object_get(m->in[i].doc, "intervals"), *rec;
                size_t k;
                json_array_foreach(a, k, rec) {
                        double start = merge_num(rec, "start_s", NAN);
                        const json_t *step = json_object_get(rec, "step");
                        int si = step_index(m, json_string_value(step));
                        if (!isfinite(start) || fabs(start) > 1e9 || (!json_is_null(step) && si < 0)) {
                                free(refs);
                                return bad(m, i, "an interval without start_s or of a step not in config.steps");
                        }
                        if (n == cap) {
                                Ref *r = realloc(refs, (cap = cap ? 2 * cap : 64) * sizeof(Ref));
                                if (!r) {
                                        free(refs);
                                        return error_set(m->e, -ENOMEM, "out of memory");
                                }
                                refs = r;
                        }
                        double g = (m->offset_s[i] + start) / m->interval_s;
                        refs[n++] = (Ref) { .k = llround(g), .step = si, .agent = i, .rec = rec };
                }
        }
        qsort(refs, n, sizeof(Ref), ref_cmp);
        *ret = refs;
        *ret_n = n;
        return 0;
}

/* Records refs[0..n) (one step, one time) added into one; the `for` thresholds of that step judged. */
static json_t *interval_merge(Merge *m, const Ref *refs, size_t n, unsigned index) {
        merge_acc_reset(&m->acc);
        double start = INFINITY, end = -INFINITY, planned = 0;
        for (size_t i = 0; i < n; i++) {
                char where[512];
                snprintf(where, sizeof(where), "%s: the interval at %.3f s", m->in[refs[i].agent].path,
                         merge_num(refs[i].rec, "start_s", 0));
                if (merge_acc_add(&m->acc, refs[i].rec, where, m->e) < 0)
                        return NULL;
                double off = m->offset_s[refs[i].agent];
                start = fmin(start, off + merge_num(refs[i].rec, "start_s", 0));
                end = fmax(end, off + merge_num(refs[i].rec, "end_s", 0));
                planned = fmax(planned, merge_num(refs[i].rec, "planned", 0));
        }
        end = fmax(end, start);
        const char *step = refs[0].step >= 0 ? jstr(json_array_get(m->steps_cfg, (size_t) refs[0].step), "name") : NULL;
        LoadInterval iv = {
                .step = step, .index = index, .start_s = start, .end_s = end, .planned = planned, .results = &m->acc.r
        };
        for (size_t k = 0; k < m->n_thr; k++)
                if (m->tr[k].step == refs[0].step)
                        load_threshold_interval(&m->tr[k], &m->acc.r, start, end);
        json_t *o = load_interval_json(&iv, false);
        if (o)
                merge_acc_bounds(&m->acc, o);
        else
                error_set(m->e, -ENOMEM, "out of memory");
        return o;
}

static int intervals_merge(Merge *m, json_t *out) {
        Ref *refs = NULL;
        size_t n = 0;
        int r = refs_collect(m, &refs, &n);
        unsigned *index = calloc(m->n_steps + 1, sizeof(unsigned));
        if (r >= 0 && !index)
                r = error_set(m->e, -ENOMEM, "out of memory");
        for (size_t i = 0, j; r >= 0 && i < n; i = j) {
                for (j = i + 1; j < n && refs[j].k == refs[i].k && refs[j].step == refs[i].step; j++)
                        ;
                unsigned *ix = &index[refs[i].step < 0 ? m->n_steps : (size_t) refs[i].step];
                json_t *o = interval_merge(m, refs + i, j - i, (*ix)++);
                if (!o || json_array_append_new(out, o) < 0)
                        r = -EINVAL;
        }
        free(index);
        free(refs);
        return r;
}

/* The agents' SUMMARY objects objs[0..n) added (entry: an endpoint's). */
static json_t *summary_merge(Merge *m, const json_t *const *objs, double span_s, bool entry, const char *what) {
        merge_acc_reset(&m->acc);
        for (size_t i = 0; i < m->n; i++) {
                char where[512];
                snprintf(where, sizeof(where), "%s: %s", m->in[i].path, what);
                if (merge_acc_add(&m->acc, objs[i], where, m->e) < 0)
                        return NULL;
        }
        LoadgenEntryResults er;
        merge_acc_entry(&m->acc, &er);
        json_t *o = entry ? load_entry_summary_json(&er, span_s) : load_summary_json(&m->acc.r, span_s);
        if (!o)
                error_set(m->e, -ENOMEM, "out of memory");
        else
                merge_acc_bounds(&m->acc, o);
        return o;
}

static void thresholds_final(Merge *m, int step, double span_s) {
        for (size_t k = 0; k < m->n_thr; k++)
                if (m->tr[k].step == step)
                        load_threshold_final(&m->tr[k], &m->acc.r, span_s);
}

/* objs[i]: agent i's element k of array key of o (NULL when it has none). */
static bool gather(Merge *m, const json_t **objs, size_t step, const char *key, size_t k, const char *sub) {
        for (size_t i = 0; i < m->n; i++) {
                const json_t *s = json_array_get(json_object_get(m->in[i].doc, "steps"), step);
                const json_t *o = key ? json_array_get(json_object_get(s, key), k) : s;
                objs[i] = json_object_get(o, sub);
                if (!objs[i])
                        return false;
        }
        return true;
}

static json_t *step_merge(Merge *m, size_t k, const json_t **objs) {
        const json_t *s0 = json_array_get(json_object_get(m->in[0].doc, "steps"), k);
        double start = INFINITY, end = -INFINITY;
        for (size_t i = 0; i < m->n; i++) {
                const json_t *s = json_array_get(json_object_get(m->in[i].doc, "steps"), k);
                start = fmin(start, m->offset_s[i] + merge_num(s, "start_s", 0));
                end = fmax(end, m->offset_s[i] + merge_num(s, "end_s", 0));
        }
        if (!gather(m, objs, k, NULL, 0, "summary")) {
                bad(m, 0, "a step without its summary in one of the documents");
                return NULL;
        }
        json_t *o = json_object(), *eps = json_array();
        json_object_set(o, "name", json_object_get(json_array_get(m->steps_cfg, k), "name"));
        json_object_set_new(o, "start_s", json_num(start));
        json_object_set_new(o, "end_s", json_num(end));
        json_object_set_new(o, "phases", json_deep_copy(json_object_get(s0, "phases")));
        json_t *sum = summary_merge(m, objs, end - start, false, "step summary");
        json_object_set_new(o, "summary", sum);
        thresholds_final(m, (int) k, end - start);
        const json_t *ep;
        size_t e;
        json_array_foreach(json_object_get(s0, "endpoints"), e, ep) {
                json_t *es = sum && gather(m, objs, k, "endpoints", e, "summary")
                        ? summary_merge(m, objs, end - start, true, "endpoint summary")
                        : NULL;
                json_t *j = json_object();
                json_object_set(j, "name", json_object_get(ep, "name"));
                json_object_set_new(j, "summary", es ? es : json_null());
                json_array_append_new(eps, j);
        }
        json_object_set_new(o, "endpoints", eps);
        if (!sum) {
                json_decref(o);
                return NULL;
        }
        return o;
}

static int steps_merge(Merge *m, json_t *doc) {
        json_t *steps = json_array();
        json_object_set_new(doc, "steps", steps);
        const json_t **objs = calloc(m->n, sizeof(*objs));
        if (!objs)
                return error_set(m->e, -ENOMEM, "out of memory");
        int r = 0;
        for (size_t k = 0; r >= 0 && k < m->n_steps; k++) {
                json_t *o = step_merge(m, k, objs);
                r = o ? json_array_append_new(steps, o) : -EINVAL;
        }
        for (size_t i = 0; r >= 0 && i < m->n; i++)
                objs[i] = json_object_get(m->in[i].doc, "total");
        double span = 0;
        for (size_t i = 0; i < m->n; i++)
                span = fmax(span, m->offset_s[i] + merge_num(m->in[i].doc, "duration_s", 0));
        json_t *total = r >= 0 ? summary_merge(m, objs, span, false, "total") : NULL;
        if (total) {
                thresholds_final(m, -1, span);
                json_object_set_new(doc, "total", total);
                json_object_set_new(doc, "duration_s", json_num(span));
        }
        free(objs);
        return total ? 0 : -EINVAL;
}

/* The thresholds as the first document lists them, judged on the merged data; the markers: the first
 * agent's phases (on the merged time axis) and each threshold that failed. */
static void thresholds_write(Merge *m, json_t *doc) {
        json_t *a = json_deep_copy(json_object_get(m->in[0].doc, "thresholds")), *markers = json_array();
        const json_t *mk;
        size_t i;
        json_array_foreach(json_object_get(m->in[0].doc, "markers"), i, mk)
                if (jstreq(mk, "kind", "phase")) {
                        json_t *c = json_deep_copy(mk);
                        json_object_set_new(c, "t_s", json_num(merge_num(mk, "t_s", 0) + m->offset_s[0]));
                        json_array_append_new(markers, c);
                }
        for (size_t k = 0; k < m->n_thr; k++) {
                json_t *o = json_array_get(a, k);
                const LoadThresholdRun *tr = &m->tr[k];
                json_object_set_new(o, "passed", json_boolean(tr->passed));
                json_object_set_new(o, "observed", json_num(tr->observed));
                json_object_set_new(o, "failed_at_s", json_num(tr->failed_at_s));
                if (isfinite(tr->failed_at_s))
                        load_doc_marker_add(markers, "threshold_failed", tr->failed_at_s, tr->observed, tr->t->text);
        }
        json_object_set_new(doc, "thresholds", a);
        json_object_set_new(doc, "markers", markers);
}

static int verdict_write(Merge *m, json_t *doc) {
        char why[512] = "";
        int code = merge_client(m->in, m->n, m->offset_s, m->interval_s, doc, why, sizeof(why));
        size_t passed = 0;
        for (size_t k = 0; k < m->n_thr; k++)
                passed += m->tr[k].passed;
        const json_t *total = json_object_get(doc, "total");
        if (code == 0 && merge_num(total, "completed", 0) == 0) {
                code = 1;
                snprintf(why, sizeof(why), "no request of any agent was answered");
        } else if (code == 0) {
                code = passed < m->n_thr ? 4 : 0;
                snprintf(why, sizeof(why), "%zu of %zu thresholds passed on the merged data of %zu agents", passed,
                         m->n_thr, m->n);
        }
        json_t *v = json_object();
        json_object_set_new(v, "passed", json_boolean(code == 0));
        json_object_set_new(v, "exit", json_integer(code));
        json_object_set_new(v, "reason", json_string(why));
        json_object_set_new(doc, "verdict", v);
        return 0;
}

static json_t *doc_start(Merge *m) {
        json_t *d = json_object(), *d0 = (json_t *) m->in[0].doc;
        char a[ISO8601_USEC_SIZE], b[ISO8601_USEC_SIZE];
        json_object_set_new(d, "schema", json_string(LOAD_SCHEMA));
        json_object_set_new(d, "skytune", json_string(SKYTUNE_VERSION));
        json_object_set_new(d, "started", json_string(time_format_iso8601(m->t0_usec, a)));
        json_object_set_new(d, "ended", json_string(time_format_iso8601(m->end_usec, b)));
        bool interrupted = false;
        json_t *aborted = json_null();
        for (size_t i = 0; i < m->n; i++) {
                interrupted |= json_is_true(json_object_get(m->in[i].doc, "interrupted"));
                if (json_is_null(aborted) && json_is_string(json_object_get(m->in[i].doc, "aborted_by")))
                        aborted = json_object_get(m->in[i].doc, "aborted_by");
        }
        json_object_set_new(d, "interrupted", json_boolean(interrupted));
        json_object_set(d, "aborted_by", aborted);
        json_object_set(d, "host", json_object_get(d0, "host"));
        json_object_set_new(d, "config", json_deep_copy(json_object_get(d0, "config")));
        json_object_set_new(d, "intervals", json_array());
        json_object_set_new(d, "system", json_null());
        json_object_set_new(d, "findings", json_array());
        json_object_set_new(d, "stress", json_null());
        return d;
}

static int merge_run(Merge *m, json_t **ret) {
        int r = 0;
        for (size_t i = 0; r >= 0 && i < m->n; i++)
                if (!json_is_object(m->in[i].doc) || !jstreq(m->in[i].doc, "schema", LOAD_SCHEMA))
                        r = bad(m, i, "not a " LOAD_SCHEMA " document");
        for (size_t i = 0; r >= 0 && i < m->n; i++)
                r = check_time(m, i);
        for (size_t i = 0; r >= 0 && i < m->n; i++)
                r = check_same(m, i);
        if (r < 0)
                return r;
        for (size_t i = 0; i < m->n; i++) {
                uint64_t s = 0;
                time_parse_iso8601(jstr(m->in[i].doc, "started"), &s);
                m->offset_s[i] = (double) (s - m->t0_usec) / 1e6;
        }
        if ((r = thresholds_parse(m)) < 0)
                return r;
        _cleanup_(json_decrefp) json_t *doc = doc_start(m);
        if (!doc)
                return error_set(m->e, -ENOMEM, "out of memory");
        if ((r = intervals_merge(m, json_object_get(doc, "intervals"))) < 0 || (r = steps_merge(m, doc)) < 0)
                return r;
        thresholds_write(m, doc);
        verdict_write(m, doc);
        *ret = TAKE_PTR(doc);
        return 0;
}

int load_merge(const LoadMergeInput *in, size_t n, json_t **ret, Error *e) {
        if (n == 0)
                return error_set(e, -EINVAL, "no documents to merge");
        Merge m = { .in = in, .n = n, .e = e };
        m.offset_s = calloc(n, sizeof(double));
        int r = m.offset_s ? merge_acc_init(&m.acc) : -ENOMEM;
        if (r < 0) {
                free(m.offset_s);
                return error_set(e, r, "out of memory");
        }
        r = merge_run(&m, ret);
        for (size_t i = 0; i < m.n_thr; i++)
                threshold_done(&m.t[i]);
        free(m.t);
        free(m.tr);
        free(m.offset_s);
        merge_acc_done(&m.acc);
        return r;
}

/* SPDX-License-Identifier: MIT */
/* The skytune.probe/1 document (docs/probes.md) in one place: its header, reading a saved one back,
 * finding a run in it, and comparing two runs' samples metric by metric the way apply --verify
 * decides. The entries themselves are probe_result_json() (probe.c). */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include "macro.h"
#include "probe-doc.h"
#include "stats.h"

static size_t json_samples(const json_t *metric, double *out, size_t max) {
        size_t n = 0, i;
        json_t *v;
        json_array_foreach(json_object_get(metric, "samples"), i, v)
                if (json_is_number(v) && n < max)
                        out[n++] = json_number_value(v);
        return n;
}

static unsigned contaminated_rounds(const json_t *probe, unsigned *ret_rounds) {
        unsigned n = 0, i;
        json_t *ri;
        json_array_foreach(json_object_get(probe, "round_info"), i, ri)
                n += json_is_true(json_object_get(ri, "contaminated"));
        *ret_rounds = (unsigned) json_array_size(json_object_get(probe, "round_info"));
        return n;
}

const char *probe_doc_entry_target(const json_t *entry) {
        const ProbeBackend *b = probe_find(strempty(json_string_value(json_object_get(entry, "name"))));
        return b && b->target_option ? json_string_value(json_object_get(entry, b->target_option)) : NULL;
}

const json_t *probe_doc_find(const json_t *probes, const json_t *like) {
        const char *name = json_string_value(json_object_get(like, "name"));
        const char *url = probe_doc_entry_target(like);
        size_t i;
        json_t *p;
        json_array_foreach(probes, i, p)
                if (strcmp(strempty(json_string_value(json_object_get(p, "name"))), strempty(name)) == 0 &&
                    strcmp(strempty(probe_doc_entry_target(p)), strempty(url)) == 0)
                        return p;
        return NULL;
}

/* Every metric of every probe that ran now and in the baseline: its samples compared (baseline A,
 * now B), decided like apply --verify. */
int probe_doc_compare(const json_t *base, const json_t *probes, VerifyResult **ret, Error *e) {
        VerifyResult *res = calloc(1, sizeof(VerifyResult));
        size_t total = 0, i;
        json_t *p;
        json_array_foreach(probes, i, p)
                total += json_object_size(json_object_get(p, "metrics"));
        if (!res || !(res->metrics = calloc(total ? total : 1, sizeof(VerifyMetric)))) {
                verify_result_free(res);
                return error_set(e, -ENOMEM, "out of memory");
        }
        CompareOptions co = { .seed = 1 };
        double a[1000], b[1000];
        json_array_foreach(probes, i, p) {
                const json_t *old = probe_doc_find(json_object_get(base, "probes"), p);
                const ProbeBackend *pb = probe_find(strempty(json_string_value(json_object_get(p, "name"))));
                if (!old || !pb) {
                        continue;       /* the baseline has no such run: nothing to compare it with */
                }
                res->rounds_a = MAX(res->rounds_a, (unsigned) json_integer_value(json_object_get(old, "rounds")));
                res->rounds_b = MAX(res->rounds_b, (unsigned) json_integer_value(json_object_get(p, "rounds")));
                for (size_t m = 0; m < pb->n_metrics; m++) {
                        const json_t *mo = json_object_get(json_object_get(old, "metrics"), pb->metrics[m].name);
                        const json_t *mn = json_object_get(json_object_get(p, "metrics"), pb->metrics[m].name);
                        if (!mo || !mn)
                                continue;
                        VerifyMetric *vm = &res->metrics[res->n_metrics++];
                        unsigned ra, rb;
                        *vm = (VerifyMetric) { .probe = pb, .metric = m, .primary = m == pb->primary,
                                               .contaminated_a = contaminated_rounds(old, &ra),
                                               .contaminated_b = contaminated_rounds(p, &rb) };
                        /* More than half of a side measured a shared machine: no verdict from it. */
                        vm->unreliable = 2 * vm->contaminated_a > ra || 2 * vm->contaminated_b > rb;
                        co.higher_is_better = pb->metrics[m].higher_is_better;
                        int r = stats_compare(a, json_samples(mo, a, ELEMENTSOF(a)), b, json_samples(mn, b, ELEMENTSOF(b)),
                                              &co, &vm->cmp);
                        if (r < 0) {
                                verify_result_free(res);
                                return error_set(e, r, "cannot compare %s %s: %s", pb->name, pb->metrics[m].name, strerror(-r));
                        }
                }
        }
        int r = verify_decide(&co, res);
        if (r < 0) {
                verify_result_free(res);
                return error_set(e, r, "cannot compare: %s", strerror(-r));
        }
        *ret = res;
        return 0;
}

int probe_doc_load(const char *path, json_t **ret, Error *e) {
        json_error_t jerr;
        json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
        if (!doc)
                return error_set(e, -EINVAL, "%s: %s (give a file written by 'skytune probe --out FILE')", path, jerr.text);
        if (strcmp(strempty(json_string_value(json_object_get(doc, "schema"))), PROBE_SCHEMA) != 0 ||
            !json_is_array(json_object_get(doc, "probes"))) {
                json_decref(doc);
                return error_set(e, -EINVAL, "%s: not a " PROBE_SCHEMA " document (give a file written by 'skytune "
                                 "probe --out FILE')", path);
        }
        *ret = doc;
        return 0;
}

void probe_doc_set_header(json_t *doc, const ProbeConfig *cfg, const char *version) {
        struct utsname un;
        json_object_set_new(doc, "schema", json_string(PROBE_SCHEMA));
        json_object_set_new(doc, "version", json_string(version));
        json_object_set_new(doc, "host", json_pack("{s:s,s:i}", "kernel", uname(&un) == 0 ? un.release : "",
                                                   "cpus", (int) probe_ncpu()));
        json_object_set_new(doc, "config", json_pack("{s:f,s:i}", "duration_s", cfg->duration_s, "rounds", (int) cfg->rounds));
}

/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli.h"
#include "log.h"
#include "macro.h"
#include "probe-verify.h"
#include "probe.h"
#include "verify.h"
#include "stats.h"
#include "verb-probe.h"
#include "verbs.h"

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig) {
        stop_flag = sig;
}

static bool probe_was_run(const json_t *probes, const char *name) {
        size_t i;
        json_t *p;
        json_array_foreach(probes, i, p)
                if (strcmp(strempty(json_string_value(json_object_get(p, "name"))), name) == 0)
                        return true;
        return false;
}

static void sum_counts(json_t *into, const json_t *from) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) from, k, v) {
                json_int_t old = json_integer_value(json_object_get(into, k));
                json_object_set_new(into, k, json_integer(old + json_integer_value(v)));
        }
}

static void render_counts(FILE *f, const char *title, const json_t *o) {
        const char *k;
        json_t *v;
        bool any = false;
        json_object_foreach((json_t *) o, k, v)
                if (json_integer_value(v)) {
                        fprintf(f, "%s%s %lld", any ? ", " : title, k, (long long) json_integer_value(v));
                        any = true;
                }
        if (any)
                fputc('\n', f);
}

static void render(FILE *f, const json_t *p) {
        const char *url = json_string_value(json_object_get(p, "url"));
        fprintf(f, "%s%s%s: %lld round(s)", json_string_value(json_object_get(p, "name")), url ? " " : "", strempty(url),
                (long long) json_integer_value(json_object_get(p, "rounds")));
        json_int_t cont = json_integer_value(json_object_get(p, "contaminated_rounds"));
        json_int_t cb = json_integer_value(json_object_get(p, "client_bound_rounds"));
        if (cont)
                fprintf(f, ", %lld contaminated", (long long) cont);
        if (cb)
                fprintf(f, ", %lld client-bound", (long long) cb);
        if (json_is_true(json_object_get(p, "interrupted")))
                fputs(", interrupted", f);
        fputc('\n', f);
        const char *err = json_string_value(json_object_get(p, "error"));
        if (err)
                fprintf(f, "  error: %s\n", err);
        const char *name;
        json_t *m;
        json_object_foreach(json_object_get(p, "metrics"), name, m) {
                char b1[32], b2[32];
                double med = json_number_value(json_object_get(m, "median"));
                double mad = json_number_value(json_object_get(m, "mad"));
                if (json_is_null(json_object_get(m, "median")))
                        med = NAN;
                bool spread = med != 0 && !isnan(med);
                fprintf(f, "  %-24s %10s %-6s %s%s%s\n", name, probe_fmt_value(med, b1, sizeof(b1)),
                        json_string_value(json_object_get(m, "unit")), spread ? "+-" : "",
                        spread ? probe_fmt_value(100 * mad / fabs(med), b2, sizeof(b2)) : "", spread ? " %" : "");
        }
        /* http: status codes and error classes over all rounds. */
        json_t *status = json_object(), *errors = json_object();
        size_t i;
        json_t *ri;
        json_int_t not_sent = 0;
        json_array_foreach(json_object_get(p, "round_info"), i, ri) {
                json_t *d = json_object_get(ri, "detail");
                if (json_object_get(d, "status"))
                        sum_counts(status, json_object_get(d, "status"));
                if (json_object_get(d, "errors"))
                        sum_counts(errors, json_object_get(d, "errors"));
                not_sent += json_integer_value(json_object_get(d, "not_sent"));
        }
        render_counts(f, "  status: ", status);
        render_counts(f, "  errors: ", errors);
        if (not_sent > 0)
                fprintf(f, "  not sent: %lld requests fell due while every connection was busy: the server did "
                        "not keep up with the rate (raise --users to send them anyway)\n", (long long) not_sent);
        json_decref(status);
        json_decref(errors);
}

/* A probe whose every operation failed (success_rate 0 in every round) measured nothing but the
 * failure: warn with what to check, and the run fails. */
static bool nothing_succeeded(const json_t *p) {
        const json_t *rate = json_object_get(json_object_get(p, "metrics"), "success_rate");
        size_t i;
        json_t *v;
        if (!rate || json_array_size(json_object_get(rate, "samples")) == 0)
                return false;
        json_array_foreach(json_object_get(rate, "samples"), i, v)
                if (!json_is_number(v) || json_number_value(v) > 0)
                        return false;
        json_int_t attempted = 0, refused = 0;
        json_t *ri;
        json_array_foreach(json_object_get(p, "round_info"), i, ri) {
                json_t *d = json_object_get(ri, "detail");
                attempted += json_integer_value(json_object_get(d, "attempted"));
                refused += json_integer_value(json_object_get(json_object_get(d, "errors"), "connect"));
        }
        const char *name = strempty(json_string_value(json_object_get(p, "name")));
        const char *url = json_string_value(json_object_get(p, "url"));
        if (attempted > 0 && refused == attempted)
                log_warning("probe %s%s%s: every one of the %lld connection attempts was refused or failed: check that a "
                            "server listens at that address and port (ss -ltn) and that no firewall drops it", name,
                            url ? " " : "", strempty(url), (long long) attempted);
        else
                log_warning("probe %s%s%s: none of the %lld requests succeeded (success_rate 0): check the status and "
                            "error counts, the server's log, and --header, --cacert or --timeout", name, url ? " " : "",
                            strempty(url), (long long) attempted);
        return true;
}

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

static const json_t *find_entry(const json_t *probes, const json_t *like) {
        const char *name = json_string_value(json_object_get(like, "name"));
        const char *url = json_string_value(json_object_get(like, "url"));
        size_t i;
        json_t *p;
        json_array_foreach(probes, i, p)
                if (strcmp(strempty(json_string_value(json_object_get(p, "name"))), strempty(name)) == 0 &&
                    strcmp(strempty(json_string_value(json_object_get(p, "url"))), strempty(url)) == 0)
                        return p;
        return NULL;
}

/* Every metric of every probe that ran now and in the baseline: its samples compared (baseline A,
 * now B), decided like apply --verify. */
static int compare_with_baseline(const json_t *base, const json_t *probes, VerifyResult **ret) {
        VerifyResult *res = calloc(1, sizeof(VerifyResult));
        size_t total = 0, i;
        json_t *p;
        json_array_foreach(probes, i, p)
                total += json_object_size(json_object_get(p, "metrics"));
        if (!res || !(res->metrics = calloc(total ? total : 1, sizeof(VerifyMetric)))) {
                verify_result_free(res);
                return log_error_errno(-ENOMEM, "out of memory");
        }
        CompareOptions co = { .seed = 1 };
        double a[1000], b[1000];
        json_array_foreach(probes, i, p) {
                const json_t *old = find_entry(json_object_get(base, "probes"), p);
                const ProbeBackend *pb = probe_find(strempty(json_string_value(json_object_get(p, "name"))));
                if (!old || !pb) {
                        log_warning("the baseline has no %s run to compare with", json_string_value(json_object_get(p, "name")));
                        continue;
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
                                return log_error_errno(r, "cannot compare %s %s: %m", pb->name, pb->metrics[m].name);
                        }
                }
        }
        int r = verify_decide(&co, res);
        if (r < 0) {
                verify_result_free(res);
                return log_error_errno(r, "cannot compare: %m");
        }
        *ret = res;
        return 0;
}

/* A saved run to compare with; EXIT_USAGE when it is not a probe document. */
static int load_baseline(const char *path, json_t **ret) {
        json_error_t jerr;
        json_t *base = json_load_file(path, 0, &jerr);
        if (!base || strcmp(strempty(json_string_value(json_object_get(base, "schema"))), PROBE_SCHEMA) != 0) {
                log_error("--baseline %s: %s (give a file written by 'skytune probe --out FILE')", path,
                          base ? "not a " PROBE_SCHEMA " document" : jerr.text);
                json_decref(base);
                return EXIT_USAGE;
        }
        *ret = base;
        return PROBE_ARGS_RUN;
}

static void set_header(json_t *doc, const ProbeConfig *cfg) {
        struct utsname un;
        json_object_set_new(doc, "schema", json_string(PROBE_SCHEMA));
        json_object_set_new(doc, "version", json_string(SKYTUNE_VERSION));
        json_object_set_new(doc, "host", json_pack("{s:s,s:i}", "kernel", uname(&un) == 0 ? un.release : "",
                                                   "cpus", (int) probe_ncpu()));
        json_object_set_new(doc, "config", json_pack("{s:f,s:i}", "duration_s", cfg->duration_s, "rounds", (int) cfg->rounds));
}

/* One run of backend b (on target, when it takes one) into probes; returns 1 when it failed. */
static int run_one(const ProbeArgs *a, const ProbeBackend *b, const char *target, json_t *probes) {
        ProbeConfig one = a->cfg;
        one.options = probe_option_set_of(&a->opts, b);
        if (cli_stderr_is_tty())
                fprintf(stderr, "\rskytune: probing %s (%u x %.3g s)...%s", b->name, a->cfg.rounds, a->cfg.duration_s,
                        cli_erase_eol());
        ProbeResult *res = NULL;
        int failed = 0, r = probe_run(b, &one, &res);
        if (r < 0 && r != -ECANCELED) {
                log_error("probe %s%s%s failed: %s", b->name, target ? " " : "", strempty(target),
                          res && res->error ? res->error : strerror(-r));
                failed++;
        }
        if (res) {
                json_t *pj = probe_result_json(res, &one);
                if (pj && target)
                        json_object_set_new(pj, b->target_option, json_string(target));
                json_array_append_new(probes, pj);
                if (pj && r >= 0 && nothing_succeeded(pj))
                        failed++;
        }
        probe_result_free(res);
        return failed;
}

/* Runs each selected probe (once per target for those that take one) into probes; returns how many
 * failed. */
static int run_probes(ProbeArgs *a, json_t *probes) {
        int failed = 0;
        for (size_t i = 0; i < a->nsel && !stop_flag; i++) {
                const ProbeBackend *b = a->sel[i];
                const char *const *targets;
                size_t n = probe_option_set_targets(&a->opts, b, &targets);
                if (!b->target_option)
                        failed += run_one(a, b, NULL, probes);
                for (size_t u = 0; b->target_option && u < n && !stop_flag; u++) {
                        Error e = ERROR_NULL;
                        if (probe_option_set_target(&a->opts, b, targets[u], &e) < 0) {
                                log_error("probe %s: %s", b->name, error_message(&e));
                                failed++;
                        } else
                                failed += run_one(a, b, targets[u], probes);
                        error_done(&e);
                }
        }
        if (cli_stderr_is_tty())
                cli_progress_clear();
        return failed;
}

/* After Ctrl-C: the probes not started, in the document and the warning. */
static json_t *not_run_list(const ProbeArgs *a, const json_t *probes) {
        json_t *not_run = json_array();
        char names[256] = "";
        for (size_t i = 0; i < a->nsel && stop_flag; i++)
                if (!probe_was_run(probes, a->sel[i]->name)) {
                        json_array_append_new(not_run, json_string(a->sel[i]->name));
                        size_t l = strlen(names);
                        snprintf(names + l, sizeof(names) - l, "%s%s", l ? ", " : "; not started: ", a->sel[i]->name);
                }
        if (stop_flag)
                log_warning("interrupted (%s): reporting the rounds done so far, marked \"interrupted\"%s",
                            stop_flag == SIGTERM ? "SIGTERM" : "SIGINT", names);
        return not_run;
}

/* The document to --out, as JSON or as text, with the comparison against the baseline. */
static int output(const ProbeArgs *a, json_t *doc, const json_t *probes, const VerifyResult *cmp) {
        int r = 0;
        if (a->out)
                r = cli_write_json(doc, a->out);
        if (r >= 0 && a->json)
                r = cli_write_json(doc, NULL);
        else if (r >= 0) {
                size_t i;
                json_t *p;
                json_array_foreach(probes, i, p)
                        render(stdout, p);
                if (cmp) {
                        printf("\nCompared with %s (%u baseline, %u current rounds):\n", a->baseline, cmp->rounds_a,
                               cmp->rounds_b);
                        probe_verify_render(stdout, cmp);
                }
        }
        return r;
}

static int probe_main(ProbeArgs *a) {
        json_t *base = NULL;
        if (a->baseline && load_baseline(a->baseline, &base) != PROBE_ARGS_RUN)
                return EXIT_USAGE;

        struct sigaction sa = { .sa_handler = on_stop };
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);

        json_t *doc = json_object(), *probes = json_array();
        if (!doc || !probes) {
                json_decref(doc);
                json_decref(probes);
                json_decref(base);
                return EXIT_FAIL;
        }
        set_header(doc, &a->cfg);
        int failed = run_probes(a, probes);
        json_t *not_run = not_run_list(a, probes);
        json_object_set_new(doc, "interrupted", json_boolean(stop_flag));
        json_object_set_new(doc, "not_run", not_run);
        json_object_set_new(doc, "probes", probes);

        VerifyResult *cmp = NULL;
        int r = 0;
        if (base) {
                r = compare_with_baseline(base, probes, &cmp);
                json_decref(base);
                if (r < 0) {
                        json_decref(doc);
                        return EXIT_FAIL;
                }
                json_object_set_new(doc, "comparison", verify_result_json(cmp));
        }
        r = output(a, doc, probes, cmp);
        bool regressed = cmp && cmp->primary_regressed;
        verify_result_free(cmp);
        json_decref(doc);
        if (r < 0 || failed || (a->fail_on_regression && regressed))
                return EXIT_FAIL;
        return stop_flag ? EXIT_INTERRUPTED : EXIT_OK;
}

int verb_probe(int argc, char **argv) {
        ProbeArgs a = { .cfg = { .duration_s = 1, .rounds = 5, .stop = &stop_flag } };
        int r = probe_args_parse(argc, argv, &a);
        if (r == PROBE_ARGS_RUN)
                r = probe_main(&a);
        probe_args_done(&a);
        return r;
}

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
#include "probe-doc.h"
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
                const json_t *n = json_object_get(d, "attempted");      /* http's; else the framework's count */
                attempted += json_integer_value(n ? n : json_object_get(json_object_get(ri, "operations"), "tried"));
                refused += json_integer_value(json_object_get(json_object_get(d, "errors"), "connect"));
        }
        const char *name = strempty(json_string_value(json_object_get(p, "name")));
        const char *url = probe_doc_entry_target(p);
        const ProbeBackend *b = probe_find(name);
        const char *hint = b && b->failure_hint ? b->failure_hint : "the error counts and the target's log";
        if (attempted > 0 && refused == attempted)
                log_warning("probe %s%s%s: every one of the %lld connection attempts was refused or failed: check that a "
                            "server listens at that address and port (ss -ltn) and that no firewall drops it", name,
                            url ? " " : "", strempty(url), (long long) attempted);
        else
                log_warning("probe %s%s%s: none of the %lld operations succeeded (success_rate 0): check %s", name,
                            url ? " " : "", strempty(url), (long long) attempted, hint);
        return true;
}

/* One run of backend b (on target, when it takes one) into probes; returns 1 when it failed. */
static int run_one(const ProbeArgs *a, const ProbeBackend *b, const char *given, json_t *probes) {
        _cleanup_free_ char *shown = given && b->target_shown ? b->target_shown(given) : NULL;
        const char *target = given && b->target_shown ? strempty(shown) : given;   /* never shown unredacted */
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
                        render_probe_entry(stdout, p, probe_doc_entry_target(p));
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
        if (a->baseline) {
                Error e = ERROR_NULL;
                int r = probe_doc_load(a->baseline, &base, &e);
                if (r < 0)
                        log_error("--baseline %s", error_message(&e));
                error_done(&e);
                if (r < 0)
                        return r == -ENOMEM ? EXIT_FAIL : EXIT_USAGE;
        }

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
        probe_doc_set_header(doc, &a->cfg, SKYTUNE_VERSION);
        int failed = run_probes(a, probes);
        json_t *not_run = not_run_list(a, probes);
        json_object_set_new(doc, "interrupted", json_boolean(stop_flag));
        json_object_set_new(doc, "not_run", not_run);
        json_object_set_new(doc, "probes", probes);

        VerifyResult *cmp = NULL;
        int r = 0;
        if (base) {
                size_t k;
                json_t *p;
                json_array_foreach(probes, k, p)
                        if (!probe_doc_find(json_object_get(base, "probes"), p))
                                log_warning("the baseline has no %s run to compare with",
                                            json_string_value(json_object_get(p, "name")));
                Error e = ERROR_NULL;
                r = probe_doc_compare(base, probes, &cmp, &e);
                json_decref(base);
                if (r < 0)
                        log_error("%s", error_message(&e));
                error_done(&e);
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

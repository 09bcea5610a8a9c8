/* SPDX-License-Identifier: MIT */
#include "probe-verify.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "helper-client.h"
#include "log.h"
#include "macro.h"
#include "probe.h"
#include "verify.h"

/* A probe's own option (skytune probe's): into the set, made at the first one. */
static int backend_option(ApplyVerifyArgs *a, int k, const char *arg) {
        if (!a->backend) {
                a->backend = malloc(sizeof(*a->backend));
                if (!a->backend || probe_option_set_init(a->backend) < 0) {
                        free(a->backend);
                        a->backend = NULL;
                        return log_error_errno(-ENOMEM, "out of memory");
                }
        }
        Error e = ERROR_NULL;
        int r = probe_option_set_apply(a->backend, k, arg, &e);
        if (r < 0)
                log_error("%s", error_message(&e));
        error_done(&e);
        return r < 0 ? r : 1;
}

int apply_verify_option(ApplyVerifyArgs *a, int c, const char *arg) {
        char *end;
        switch (c) {
        case OPT_VERIFY: a->verify = true; return 1;
        case OPT_VERIFY_PROBES:
                free(a->probes);
                a->probes = strdup(arg);
                return a->probes ? 1 : log_error_errno(-ENOMEM, "out of memory");
        case OPT_VERIFY_ROUNDS: {
                unsigned long v = strtoul(arg, &end, 10);
                if (*end || end == arg || v < 1 || v > 200) {
                        log_error("--rounds '%s' is not a number from 1 to 200", arg);
                        return -EINVAL;
                }
                a->rounds = (unsigned) v;
                return 1;
        }
        case OPT_VERIFY_ROUND_S:
                if (cli_parse_seconds(arg, &a->round_s) < 0 || a->round_s < 0.05 || a->round_s > 600) {
                        log_error("--round-duration '%s' is not a duration from 50ms to 10m", arg);
                        return -EINVAL;
                }
                return 1;
        case OPT_VERIFY_URL:
                free(a->url);
                a->url = strdup(arg);
                return a->url ? 1 : log_error_errno(-ENOMEM, "out of memory");
        case OPT_VERIFY_ROLLBACK: a->rollback_on_regression = true; return 1;
        case OPT_VERIFY_SEQUENTIAL: a->sequential = true; return 1;
        case OPT_VERIFY_NOISE: {
                double v = strtod(arg, &end);
                if (*end || end == arg || !(v >= 0.1 && v <= 100)) {
                        log_error("--noise '%s' is not a percentage from 0.1 to 100", arg);
                        return -EINVAL;
                }
                a->noise = v / 100;
                return 1;
        }
        default: return c >= OPT_VERIFY_BACKEND ? backend_option(a, c - OPT_VERIFY_BACKEND, arg) : 0;
        }
}

void apply_verify_args_done(ApplyVerifyArgs *a) {
        free(a->probes);
        free(a->url);
        a->probes = a->url = NULL;
        if (a->backend)
                probe_option_set_done(a->backend);
        free(a->backend);
        a->backend = NULL;
}

static bool in_table(const struct option *head, const char *name) {
        for (const struct option *o = head; o->name; o++)
                if (strcmp(o->name, name) == 0)
                        return true;
        return false;
}

size_t apply_verify_backend_longopts(const struct option *head, struct option *out) {
        size_t n = probe_option_set_longopts(out, OPT_VERIFY_BACKEND), k = 0;
        for (size_t i = 0; i < n; i++)
                if (!in_table(head, out[i].name))
                        out[k++] = out[i];
        return k;
}

typedef struct Switch {
        const char *plan;
        uint64_t flags;
        char *tx_id; /* the applied transaction, NULL in the baseline state */
        json_t *tx;  /* its record (the last one applied, also once rolled back) */
        json_t *ids; /* every transaction the candidate rounds were applied with, in order */
        unsigned applies;
} Switch;

static int switch_unblocked(bool candidate, Switch *s);

/* A signal during the D-Bus call would abandon it (EINTR) after the helper had acted on it: the
 * client would lose track of an applied change or retry a rollback already done. So SIGINT and
 * SIGTERM wait until the call returns; the verify loop then sees the stop flag. */
static int do_switch(bool candidate, void *userdata) {
        sigset_t block, old;
        sigemptyset(&block);
        sigaddset(&block, SIGINT);
        sigaddset(&block, SIGTERM);
        sigprocmask(SIG_BLOCK, &block, &old);
        int r = switch_unblocked(candidate, userdata);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
}

static int switch_unblocked(bool candidate, Switch *s) {
        if (candidate == (s->tx_id != NULL))
                return 0;
        json_t *reply = NULL;
        int r;
        if (candidate) {
                r = helper_client_apply(s->plan, s->flags, &reply);
                if (r < 0)
                        return r;
                const char *id = json_string_value(json_object_get(reply, "id"));
                s->applies++;
                if (!id) {
                        /* Every value already as the plan wants it: no transaction, and the
                         * candidate is the baseline (the run becomes an A/A comparison). */
                        json_decref(reply);
                        return 0;
                }
                s->tx_id = strdup(id);
                if (!s->tx_id || json_array_append_new(s->ids, json_string(id)) < 0) {
                        json_decref(reply);
                        return -ENOMEM;
                }
                json_decref(s->tx);
                s->tx = reply;
                return 0;
        }
        r = helper_client_rollback(s->tx_id, s->flags & ~(uint64_t) HELPER_CLIENT_PERSIST, &reply);
        json_decref(reply);
        if (r < 0)
                return r;
        free(s->tx_id);
        s->tx_id = NULL;
        return 0;
}

void probe_verify_render(FILE *f, const VerifyResult *r) {
        json_auto_t *doc = verify_result_json(r);
        if (doc)
                render_verify(f, doc);
}

/* What the transaction keeps (AnnotateTransaction): the skytune.verify/1 document, the decision, and
 * every transaction the candidate rounds were applied with (the annotated one last). */
static json_t *verification_record(const VerifyResult *res, const Switch *sw, const ApplyVerifyArgs *a,
                                   bool rolled_back) {
        json_t *rec = verify_result_json(res);
        if (!rec)
                return NULL;
        json_object_set_new(rec, "decision", json_string(rolled_back ? "rolled-back" : "kept"));
        json_object_set(rec, "transactions", sw->ids);
        json_object_set_new(rec, "order", json_string(a->sequential ? "sequential" : "alternating"));
        json_object_set_new(rec, "noise", json_real(a->noise));
        json_object_set_new(rec, "round_duration_s", json_real(a->round_s));
        const char *error = json_string_value(json_object_get(rec, "error"));
        if (error) {
                /* The helper takes printable ASCII only, at most 1024 bytes. */
                char clean[1025];
                size_t n = 0;
                for (; error[n] && n < sizeof(clean) - 1; n++)
                        clean[n] = error[n] >= 0x20 && error[n] < 0x7f ? error[n] : '?';
                clean[n] = '\0';
                json_object_set_new(rec, "error", json_string(clean));
        }
        return rec;
}

/* Store the verdicts with the transaction that remains; sw->tx becomes the record as saved. A failure
 * is logged and leaves the verdicts only in this run's output. */
static bool store_verdicts(Switch *sw, const VerifyResult *res, const ApplyVerifyArgs *a, bool rolled_back) {
        const char *id = json_string_value(json_object_get(sw->tx, "id"));
        if (!id || !res)
                return false;
        json_auto_t *rec = verification_record(res, sw, a, rolled_back);
        _cleanup_free_ char *text = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
        json_t *tx = NULL;
        if (!text || helper_client_annotate(id, text, &tx) < 0) {
                log_warning("the verdicts are not stored with transaction %s; they are only in this output", id);
                return false;
        }
        json_decref(sw->tx);
        sw->tx = tx;
        return true;
}

static bool selected(const ProbeBackend *const *sel, size_t n, const ProbeBackend *b) {
        for (size_t i = 0; i < n; i++)
                if (sel[i] == b)
                        return true;
        return false;
}

/* Whether b has its target: --url for the http probe, else a value of its target option. */
static bool has_target(const ProbeBackend *b, const void *userdata) {
        const ApplyVerifyArgs *a = userdata;
        const char *const *t;
        if (a->url && strcmp(b->target_option, "url") == 0)
                return true;
        return a->backend && probe_option_set_targets(a->backend, b, &t) > 0;
}

/* --probes, plus every probe given its target (--url, --dsn), each once. */
static int select_probes(const ApplyVerifyArgs *a, const ProbeBackend **sel, size_t max, size_t *ret_n) {
        _cleanup_free_ char *list = strdup(a->probes ? a->probes : "net,sched");
        if (!list)
                return -ENOMEM;
        size_t n = 0;
        char *save = NULL;
        for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                const ProbeBackend *b = probe_find(t);
                if (!b) {
                        log_error("unknown probe '%s' in --probes (see 'skytune probe --help')", t);
                        return -EINVAL;
                }
                if (b->target_option && !has_target(b, a)) {
                        const ProbeOption *o = probe_option_find(b, b->target_option);
                        log_error("the %s probe needs --%s %s%s%s%s", b->name, b->target_option,
                                  o && o->arg ? o->arg : "", b->target_example ? " (for example " : "",
                                  strempty(b->target_example), b->target_example ? ")" : "");
                        return -EINVAL;
                }
                if (n < max && !selected(sel, n, b))
                        sel[n++] = b;
        }
        for (size_t k = 0; k < probe_table_size; k++) {
                const ProbeBackend *b = probe_table[k];
                if (b->target_option && has_target(b, a) && n < max && !selected(sel, n, b))
                        sel[n++] = b;
        }
        *ret_n = n;
        return 0;
}

/* Each selected probe's options (those given, else its defaults, from set), and --url handed to the
 * probes it targets. A probe is verified on one target. */
static int probe_options(const ApplyVerifyArgs *a, ProbeOptionSet *set, const ProbeBackend *const *sel, size_t n,
                         const void **opts) {
        Error e = ERROR_NULL;
        const char *name;
        for (size_t k = 0; (name = probe_option_set_unused(set, sel, n, &k));)
                log_warning("--%s is an option of a probe that does not run here (--probes or the plan chose "
                            "others): it is ignored",
                            name);
        int r = probe_option_set_check_some(set, sel, n, &e);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                const ProbeBackend *b = sel[i];
                opts[i] = probe_option_set_of(set, b);
                const ProbeOption *o = b->target_option ? probe_option_find(b, b->target_option) : NULL;
                const char *const *targets;
                size_t nt = probe_option_set_targets(set, b, &targets);
                if (nt > 1)
                        r = error_set(&e, -EINVAL, "apply --verify measures the %s probe on one target: give one --%s",
                                      b->name, b->target_option);
                else if (o && a->url && strcmp(o->name, "url") == 0)
                        r = o->parse((void *) opts[i], a->url, &e);
        }
        if (r < 0)
                log_error("%s", error_message(&e));
        error_done(&e);
        return r;
}

static volatile sig_atomic_t verify_stop;

static void on_stop(int sig) {
        verify_stop = 1;
}

/* Which metrics are primary: those the plan names and a selected probe measures. */
static size_t measured_effects(const char **eff, size_t n_eff, const ProbeBackend *const *sel, size_t n) {
        size_t k = 0;
        for (size_t i = 0; i < n_eff; i++) {
                size_t len = strcspn(eff[i], ".");
                bool ok = false;
                for (size_t p = 0; p < n; p++)
                        ok = ok || (strlen(sel[p]->name) == len && strncmp(sel[p]->name, eff[i], len) == 0);
                if (ok)
                        eff[k++] = eff[i];
                else {
                        char probe[16];
                        snprintf(probe, sizeof(probe), "%.*s", (int) MIN(len, sizeof(probe) - 1), eff[i]);
                        const ProbeBackend *b = probe_find(probe);
                        log_warning("the plan expects an effect on %s, which the probes run here do not measure (add "
                                    "its probe to --probes%s%s)",
                                    eff[i], b && b->target_option ? " and give --" : "",
                                    b && b->target_option ? b->target_option : "");
                }
        }
        return k;
}

/* The probes (--probes, or those of the plan's effect_metrics) and the metrics judged as primary. */
static int choose_probes(const json_t *plan, const ApplyVerifyArgs *a, const ProbeBackend **sel, size_t max,
                         size_t *ret_n, const char ***ret_eff, size_t *ret_n_eff) {
        _cleanup_free_ char *auto_probes = NULL;
        int r = verify_effects_collect(plan, ret_eff, ret_n_eff);
        ApplyVerifyArgs args = *a;
        if (r >= 0 && !a->probes && *ret_n_eff > 0)
                r = verify_effects_probes(*ret_eff, *ret_n_eff, has_target, a, &auto_probes);
        if (r < 0)
                return log_error_errno(r, "out of memory");
        if (auto_probes)
                args.probes = auto_probes;
        r = select_probes(&args, sel, max, ret_n);
        if (r < 0)
                return r;
        *ret_n_eff = measured_effects(*ret_eff, *ret_n_eff, sel, *ret_n);
        if (*ret_n_eff == 0)
                log_notice(
                        "the plan's changes name no measurable effect (their rules have no effect_metrics the probes "
                        "measure): judging each probe's own primary metric");
        return 0;
}

/* The human report: the verdicts, then what became of the change. */
static void print_outcome(const VerifyResult *res, const char *id, bool rolled_back, bool stored) {
        probe_verify_render(stdout, res);
        if (rolled_back)
                printf("\nA primary metric regressed: transaction %s was rolled back.\n", strempty(id));
        else if (res->primary_regressed)
                printf("\nA primary metric regressed; the change is kept (transaction %s). Undo it with "
                       "'skytune rollback %s', or pass --rollback-on-regression.\n",
                       strempty(id), strempty(id));
        else
                printf("\nThe change is applied (transaction %s).\n", strempty(id));
        if (stored)
                printf("The verdicts are stored with it: skytune history %s\n", id);
}

/* The probes chosen: verify the plan's switch with them and keep the verdicts with its transaction. */
static int verify_and_store(const char *plan_json, uint64_t helper_flags, const ApplyVerifyArgs *a, bool json,
                            const ProbeBackend *const *sel, size_t n, const void *const *opts, const char *const *eff,
                            size_t n_eff, json_t **ret) {
        int r;
        struct sigaction sa = { .sa_handler = on_stop };
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);

        VerifyOptions o = {
                .probes = sel,
                .n_probes = n,
                .sequential = a->sequential,
                .seed = (uint64_t) getpid(),
                .cfg = { .duration_s = a->round_s, .rounds = a->rounds, .stop = &verify_stop },
                .options = opts,
                .compare = { .noise = a->noise },
                .primary = eff,
                .n_primary = n_eff,
        };
        Switch sw = { .plan = plan_json, .flags = helper_flags, .ids = json_array() };
        if (!sw.ids)
                return log_error_errno(-ENOMEM, "out of memory");
        if (cli_stderr_is_tty())
                fprintf(stderr, "skytune: verifying with %zu probe(s), %u rounds a side of %.3g s, %s...\n", n,
                        a->rounds, a->round_s, a->sequential ? "baseline first" : "alternating");
        VerifyResult *res = NULL;
        r = probe_verify(&o, do_switch, &sw, &res);
        bool rolled_back = false;
        if (r < 0) {
                log_error("verification stopped: %s", res && res->error ? res->error : strerror(-r));
                if (sw.tx_id && do_switch(false, &sw) >= 0)
                        log_notice("the change was rolled back (transaction %s)",
                                   json_string_value(json_object_get(sw.tx, "id")));
                else if (sw.tx_id)
                        log_error("rolling back transaction %s failed: run 'skytune rollback %s'", sw.tx_id, sw.tx_id);
                /* What was measured goes with the (rolled back) transaction too, marked by its error. */
                if (!sw.tx_id)
                        (void) store_verdicts(&sw, res, a, true);
                verify_result_free(res);
                json_decref(sw.tx);
                json_decref(sw.ids);
                free(sw.tx_id);
                return r;
        }
        if (res->primary_regressed && a->rollback_on_regression) {
                r = do_switch(false, &sw);
                if (r < 0)
                        log_error("a primary metric regressed, but rolling back failed: run 'skytune rollback %s'",
                                  strempty(sw.tx_id));
                else
                        rolled_back = true;
        }
        bool stored = store_verdicts(&sw, res, a, rolled_back);
        json_t *doc = json_object();
        if (doc) {
                json_object_set_new(doc, "verify", verify_result_json(res));
                json_object_set(doc, "tx", sw.tx ? sw.tx : json_null());
                json_object_set_new(doc, "rolled_back", json_boolean(rolled_back));
                json_object_set_new(doc, "helper_applies", json_integer(sw.applies));
        }
        if (!json)
                print_outcome(res, json_string_value(json_object_get(sw.tx, "id")), rolled_back, stored);
        verify_result_free(res);
        json_decref(sw.tx);
        json_decref(sw.ids);
        free(sw.tx_id);
        if (!doc)
                return log_error_errno(-ENOMEM, "out of memory");
        *ret = doc;
        return r < 0 ? r : 0;
}

int cli_apply_verify(const json_t *plan, const char *plan_json, uint64_t helper_flags, const ApplyVerifyArgs *a,
                     bool json, json_t **ret) {
        const ProbeBackend *sel[16];
        const void *opts[ELEMENTSOF(sel)] = {};
        size_t n = 0, n_eff = 0;
        _cleanup_free_ const char **eff = NULL;
        ProbeOptionSet defaults = {}, *set = a->backend;
        int r = set ? 0 : probe_option_set_init(set = &defaults);
        if (r < 0)
                log_error_errno(r, "out of memory");
        if (r >= 0)
                r = choose_probes(plan, a, sel, ELEMENTSOF(sel), &n, &eff, &n_eff);
        if (r >= 0)
                r = probe_options(a, set, sel, n, opts);
        if (r >= 0)
                r = verify_and_store(plan_json, helper_flags, a, json, sel, n, opts, eff, n_eff, ret);
        probe_option_set_done(&defaults);
        return r;
}

int cli_apply_plan_verified(json_t *plan, long long pending, bool yes, bool json, const ApplyVerifyArgs *a) {
        if (pending == 0) {
                if (!json)
                        printf("Nothing to change: every value is as the plan wants it, so there is nothing to "
                               "verify.\n");
                else if (cli_write_json(plan, NULL) < 0)
                        return EXIT_FAIL;
                return EXIT_OK;
        }
        int asked = cli_confirm_apply(yes, "Apply %lld change(s), measuring before and after (about %.0f s of probes)?",
                                      pending, 2.0 * a->rounds * a->round_s * (a->url ? 3 : 2));
        if (asked != EXIT_OK)
                return asked;
        bool tty = isatty(STDIN_FILENO);
        _cleanup_free_ char *text = NULL;
        uint64_t flags = 0;
        if (helper_client_encode_plan(plan, tty, &text, &flags) < 0)
                return EXIT_FAIL;
        json_t *report = NULL;
        if (cli_apply_verify(plan, text, flags, a, json, &report) < 0)
                return verify_stop ? EXIT_INTERRUPTED : EXIT_FAIL; /* stopped by Ctrl-C: rolled back above */
        bool regressed = json_is_true(json_object_get(json_object_get(report, "verify"), "primary_regressed"));
        int code = EXIT_OK;
        if (json) {
                json_object_set(plan, "verify", json_object_get(report, "verify"));
                json_object_set(plan, "transaction", json_object_get(report, "tx"));
                json_object_set(plan, "transaction_id", json_object_get(json_object_get(report, "tx"), "id"));
                json_object_set(plan, "rolled_back", json_object_get(report, "rolled_back"));
                if (cli_write_json(plan, NULL) < 0)
                        code = EXIT_FAIL;
        }
        json_decref(report);
        return regressed ? EXIT_FAIL : code;
}

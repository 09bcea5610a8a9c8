/* SPDX-License-Identifier: MIT */
#include "db-judge.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "json-util.h"
#include "macro.h"

static double pct_us(const Histogram *h, double p) {
        return h && histogram_count(h) ? (double) histogram_percentile(h, p) / 1e3 : NAN;
}

/* The metric in its base unit over span_s seconds; NAN without data. */
static double db_metric(ThresholdMetric m, uint64_t tx, uint64_t failed, uint64_t skipped, const Histogram *lat,
                        double span_s) {
        switch (m) {
        case THRESHOLD_P50: return pct_us(lat, 50);
        case THRESHOLD_P90: return pct_us(lat, 90);
        case THRESHOLD_P95: return pct_us(lat, 95);
        case THRESHOLD_P99: return pct_us(lat, 99);
        case THRESHOLD_P999: return pct_us(lat, 99.9);
        case THRESHOLD_MAX: return lat && histogram_count(lat) ? (double) histogram_max(lat) / 1e3 : NAN;
        case THRESHOLD_MEAN: return lat && histogram_count(lat) ? histogram_mean(lat) / 1e3 : NAN;
        case THRESHOLD_ERROR_RATE: return tx ? (double) failed / (double) tx : NAN;
        case THRESHOLD_SUCCESS_RATE: return tx ? (double) (tx - failed) / (double) tx : NAN;
        case THRESHOLD_RPS: return span_s > 0 ? (double) tx / span_s : NAN;
        case THRESHOLD_OK_RPS: return span_s > 0 ? (double) (tx - failed) / span_s : NAN;
        case THRESHOLD_SENT_RPS: return span_s > 0 ? (double) (tx + skipped) / span_s : NAN;
        default: return NAN;
        }
}

int db_judge_add(DbJudge *j, const char *text, Error *e) {
        Threshold t;
        int r = threshold_parse(text, NULL, 0, &t, e);
        if (r < 0)
                return r;
        if (t.metric == THRESHOLD_LATENESS_P99) {
                threshold_done(&t);
                return error_set(e, -EINVAL,
                                 "threshold '%s': skytune db does not measure send lateness; use p99, "
                                 "error_rate, tps or another metric of docs/db.md",
                                 text);
        }
        DbThresholdRun *th = realloc(j->th, (j->n_th + 1) * sizeof(*th));
        if (!th) {
                threshold_done(&t);
                return error_set(e, -ENOMEM, "out of memory");
        }
        j->th = th;
        th[j->n_th++] = (DbThresholdRun) { .t = t, .observed = NAN, .failed_at_s = NAN, .broken_since_s = NAN };
        return 0;
}

static json_t *ms_or_null(const Histogram *h, double p) {
        return json_num(pct_us(h, p) / 1e3);
}

static void record(DbJudge *j, const DbProgress *p) {
        if (!j->intervals && !(j->intervals = json_array()))
                return;
        json_t *lat = json_object(), *o = json_object();
        if (!lat || !o) {
                json_decref(lat);
                json_decref(o);
                return;
        }
        json_object_set_new(lat, "p50", ms_or_null(p->latency, 50));
        json_object_set_new(lat, "p90", ms_or_null(p->latency, 90));
        json_object_set_new(lat, "p95", ms_or_null(p->latency, 95));
        json_object_set_new(lat, "p99", ms_or_null(p->latency, 99));
        json_object_set_new(lat, "p99_9", ms_or_null(p->latency, 99.9));
        json_object_set_new(lat, "max", json_num(db_metric(THRESHOLD_MAX, 0, 0, 0, p->latency, 0) / 1e3));
        json_object_set_new(o, "t_s", json_real(p->t_s));
        json_object_set_new(o, "interval_s", json_real(p->interval_s));
        json_object_set_new(o, "transactions", json_integer((json_int_t) p->transactions));
        json_object_set_new(o, "failed", json_integer((json_int_t) p->failed));
        json_object_set_new(o, "skipped", json_integer((json_int_t) p->skipped));
        json_object_set_new(o, "tps",
                            json_num(db_metric(THRESHOLD_OK_RPS, p->transactions, p->failed, 0, NULL, p->interval_s)));
        json_object_set_new(o, "latency_ms", lat);
        json_array_append_new(j->intervals, o);
}

bool db_judge_interval(DbJudge *j, const DbProgress *p) {
        record(j, p);
        bool abort = false;
        for (size_t i = 0; i < j->n_th; i++) {
                DbThresholdRun *tr = &j->th[i];
                if (!(tr->t.for_s > 0) || !isnan(tr->failed_at_s))
                        continue;
                double v = db_metric(tr->t.metric, p->transactions, p->failed, p->skipped, p->latency, p->interval_s);
                if (threshold_streak(&tr->t, v, p->t_s - p->interval_s, p->t_s, &tr->broken_since_s,
                                     &tr->failed_at_s) &&
                    tr->t.abort && !j->aborted_by) {
                        j->aborted_by = &tr->t;
                        abort = true;
                }
        }
        return abort;
}

void db_judge_final(DbJudge *j, const DbResult *r) {
        for (size_t i = 0; i < j->n_th; i++) {
                DbThresholdRun *tr = &j->th[i];
                tr->observed =
                        db_metric(tr->t.metric, r->transactions, r->failed, r->skipped, r->latency, r->elapsed_s);
                tr->passed = tr->t.for_s > 0 ? isnan(tr->failed_at_s) : threshold_holds(&tr->t, tr->observed);
        }
}

static size_t passed(const DbJudge *j) {
        size_t n = 0;
        for (size_t i = 0; i < j->n_th; i++)
                n += j->th[i].passed;
        return n;
}

int db_judge_exit(const DbJudge *j) {
        return passed(j) < j->n_th ? THRESHOLD_EXIT_FAILED : 0;
}

int db_judge_json(const DbJudge *j, json_t *doc, int run_exit) {
        json_t *ths = json_array(), *verdict = json_object();
        if (!ths || !verdict) {
                json_decref(ths);
                json_decref(verdict);
                return -ENOMEM;
        }
        for (size_t i = 0; i < j->n_th; i++) {
                const DbThresholdRun *tr = &j->th[i];
                json_array_append_new(ths, threshold_result_json(&tr->t, tr->passed, tr->observed, tr->failed_at_s));
        }
        int code = run_exit ? run_exit : db_judge_exit(j);
        char reason[96];
        if (run_exit)
                snprintf(reason, sizeof(reason), "%s", run_exit == 130 ? "the run was interrupted" : "the run failed");
        else if (j->n_th == 0)
                snprintf(reason, sizeof(reason), "the run completed; it had no thresholds");
        else
                snprintf(reason, sizeof(reason), "%zu of %zu thresholds passed", passed(j), j->n_th);
        json_object_set_new(verdict, "passed", json_boolean(code == 0));
        json_object_set_new(verdict, "exit", json_integer(code));
        json_object_set_new(verdict, "reason", json_string(reason));
        json_object_set_new(doc, "intervals", j->intervals ? json_incref(j->intervals) : json_array());
        json_object_set_new(doc, "thresholds", ths);
        json_object_set_new(doc, "aborted_by", j->aborted_by ? json_string(j->aborted_by->text) : json_null());
        json_object_set_new(doc, "verdict", verdict);
        return 0;
}

void db_judge_done(DbJudge *j) {
        for (size_t i = 0; i < j->n_th; i++)
                threshold_done(&j->th[i].t);
        free(j->th);
        json_decref(j->intervals);
        *j = (DbJudge) {};
}

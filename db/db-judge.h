/* SPDX-License-Identifier: MIT */
/* Thresholds on a db run (common/threshold.h, the language of skytune load) and the run's intervals:
 * each interval's figures are kept for the document and judged for the thresholds with `for D`
 * (an `abort` one that fails asks the run to stop), and at the end every threshold is judged on the
 * whole run. Metrics: p50 .. max and mean of the transactions' latency, error_rate and success_rate
 * of the transactions, rps (transactions, failed ones too), ok_rps or tps (committed), sent_rps
 * (transactions and skipped ones) per second. lateness_p99 is not a db metric. */
#pragma once

#include <jansson.h>

#include "db-run.h"
#include "threshold.h"

typedef struct DbThresholdRun {
        Threshold t;
        bool passed;
        double observed, failed_at_s, broken_since_s;
} DbThresholdRun;

typedef struct DbJudge {
        DbThresholdRun *th;
        size_t n_th;
        json_t *intervals; /* the interval records, in order */
        const Threshold *aborted_by;
} DbJudge;

/* One --threshold: parsed (messages name it), -EINVAL for a metric db does not measure. */
int db_judge_add(DbJudge *j, const char *text, Error *e);
/* An interval (the run's progress): recorded, and judged for the `for` thresholds. Returns true when
 * an `abort` threshold failed now. -ENOMEM is ignored: the record is left out. */
bool db_judge_interval(DbJudge *j, const DbProgress *p);
/* Every threshold on the whole run. */
void db_judge_final(DbJudge *j, const DbResult *r);
/* "intervals", "thresholds", "aborted_by" and "verdict" {passed, exit, reason} into doc. run_exit is
 * the run's own exit code (the verdict's when it is not 0). */
int db_judge_json(const DbJudge *j, json_t *doc, int run_exit);
/* 0 when every threshold passed, THRESHOLD_EXIT_FAILED otherwise. */
int db_judge_exit(const DbJudge *j);
void db_judge_done(DbJudge *j);

/* SPDX-License-Identifier: MIT */
/* db pool-sweep (docs/db.md, "Pool sweep"): one workload at several pool sizes (clients =
 * connections), each size run `repeats` times in interleaved order (1 2 4 8 1 2 4 8 ...) so that a
 * drift of the host or the server hits every size alike; per size the throughput's median and its
 * bootstrap interval over the repeats, the merged latency percentiles, the errors and the server's
 * wait-event mix sampled from pg_stat_activity on a connection of its own. The recommendation and
 * the USL fit are pure functions (db-sweep-rule.c) so that tests can give them known answers. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "db-run.h"

#define DB_SWEEP_MAX_SIZES      32
#define DB_SWEEP_MAX_REPEATS    50
#define DB_SWEEP_MIN_OK_REPEATS 3
#define DB_SWEEP_MAX_WAITS      48
/* Throughput differences below this share of the best median count as none. */
#define DB_SWEEP_NOISE 0.05
/* The USL curve is shown only when it explains this much of the medians' variance. */
#define DB_USL_MIN_R2 0.9

/* One size as the recommendation sees it. */
typedef struct DbSweepPoint {
        unsigned clients;
        unsigned ok_repeats;
        double median, lo, hi; /* throughput (tps) and its interval */
        double p95_ms;         /* merged over the size's ok repeats; NAN when none */
} DbSweepPoint;

typedef struct DbSweepVerdict {
        int recommended; /* index of the recommended size; -1: none */
        int best;        /* index of the highest median; -1 when nothing ran */
        bool enough;     /* false: "not enough evidence" */
        char reason[256];
} DbSweepVerdict;

/* The smallest size whose throughput median reaches the best median's interval (widened below by
 * DB_SWEEP_NOISE of that median) and whose P95 meets slo_p95_ms (0: no SLO). Not enough evidence
 * when a size has fewer than DB_SWEEP_MIN_OK_REPEATS ok repeats, or when the best's or the chosen
 * size's interval is wider than a quarter of its median (the repeats cannot rank it). */
void db_sweep_recommend(const DbSweepPoint *p, size_t n, double slo_p95_ms, DbSweepVerdict *ret);

/* X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1)), least squares on x (sigma, kappa >= 0). */
typedef struct DbUslFit {
        double lambda, sigma, kappa;
        double r2;           /* 1 - SSres / SStot of x */
        double peak_clients; /* sqrt((1 - sigma) / kappa); NAN when kappa is 0 or sigma >= 1 */
} DbUslFit;

/* -EINVAL with fewer than 4 distinct sizes (three parameters would fit three points exactly) or a
 * value that is not positive and finite. */
int db_usl_fit(const double *n, const double *x, size_t k, DbUslFit *ret);
double db_usl_eval(const DbUslFit *f, double n);

typedef struct DbSweepRunInfo {
        unsigned index, total; /* this run, of all (the warm-up is index 0 of 0) */
        unsigned clients, repeat;
        bool warmup;
        const DbResult *result; /* NULL when the run could not start */
        const char *error;      /* why not */
} DbSweepRunInfo;

typedef struct DbSweepConfig {
        DbRunConfig run; /* the workload; clients and duration_s are set per run */
        unsigned sizes[DB_SWEEP_MAX_SIZES];
        size_t n_sizes;
        unsigned repeats;
        double warmup_s;   /* 0: none; at the largest size, not counted */
        double sample_s;   /* pg_stat_activity sampling interval */
        double slo_p95_ms; /* 0: none */
        const char *workload;
        void (*on_run)(const DbSweepRunInfo *r, void *userdata);
} DbSweepConfig;

/* Run the sweep and build its skytune.db-sweep/1 document. Fails only when nothing could run (the
 * first connection failed); a run that lost the server ends the sweep, and the document says so
 * ("error"), as it says "interrupted" after a stop. */
int db_sweep(const DbSweepConfig *c, json_t **ret, Error *e);

/* Inside the sweep (db-sweep-doc.c): a size's results, and the document from them. */
typedef struct DbSweepWait {
        char type[32], event[64];
        uint64_t count;
} DbSweepWait;

typedef struct DbSweepSize {
        unsigned clients;
        double tps[DB_SWEEP_MAX_REPEATS]; /* the ok repeats' */
        unsigned runs, ok;
        DbResult *merged; /* the ok repeats merged */
        DbSweepWait waits[DB_SWEEP_MAX_WAITS];
        size_t n_waits;
        uint64_t wait_samples, wait_other; /* samples taken; backends beyond the table */
} DbSweepSize;

void db_sweep_size_add_wait(DbSweepSize *s, const char *type, const char *event, uint64_t count);
json_t *db_sweep_doc(const DbSweepConfig *c, const DbSweepSize *sizes, json_t *runs, double elapsed_s, bool interrupted,
                     const char *error, const char *server_version);

/* The recommended pool size of a skytune.db-sweep/1 document (advise --sweep FILE): 0 when the
 * sweep recommended none. -EBADMSG (with a message) when the text is not such a document. */
int db_sweep_read_recommended(const char *text, size_t len, unsigned *ret, Error *e);

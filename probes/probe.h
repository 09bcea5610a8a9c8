/* SPDX-License-Identifier: MIT */
/* Probes: short, bounded, repeatable workloads (cpu, memory, disk, net, sched, http, db). A probe
 * runs a number of rounds of a fixed duration; each round yields one value per metric (one sample per
 * round, never per operation). The framework around a backend measures the probe's own CPU
 * (getrusage) and the foreign CPU of the host during each round (/proc/stat busy time minus the
 * probe's own) and marks rounds "contaminated" (others used the CPUs) or "client-bound" (the probe,
 * not the system under test, was the limit). Library code: nothing here prints. The JSON document
 * is skytune.probe/1 (docs/probes.md). */
#pragma once

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "schema.h"
#include "sysroot.h"

/* One option of a backend, its own: the CLI offers it as --NAME and hands the value to parse(),
 * which fills the backend's options struct (options_size bytes, set up by options_init). Messages in
 * *e name the option and say what to give. */
typedef struct ProbeOption {
        const char *name; /* the long option without "--" */
        const char *arg;  /* its argument in the help ("URL"); NULL: a flag (value NULL) */
        const char *help; /* help text; "\n" between lines */
        int (*parse)(void *options, const char *value, Error *e);
} ProbeOption;

typedef struct ProbeConfig {
        double duration_s; /* per round */
        unsigned rounds;
        const char *dir;       /* disk: where the temporary file goes (NULL: the state directory) */
        uint64_t disk_bytes;   /* disk: size of the temporary file (0: 64 MiB) */
        uint64_t memory_bytes; /* memory: pointer-chase working set, twice each copy buffer (0: 64 MiB) */
        /* The backend's own options (a struct of its options_size, filled through its option
         * table); NULL: its defaults. Borrowed. */
        const void *options;
        /* The host whose /proc/stat gives the foreign CPU of each round (borrowed; NULL: "/"). */
        const Sysroot *sysroot;
        /* Set asynchronously (SIGINT) to end the run early; rounds check it often. May be NULL. */
        const volatile sig_atomic_t *stop;
} ProbeConfig;

typedef struct ProbeMetricDef {
        const char *name;
        const char *unit;
        bool higher_is_better;
} ProbeMetricDef;

/* What one round of a backend reports beyond its metric values. */
typedef struct ProbeRoundOut {
        double *values;           /* one per metric, pre-set to NAN */
        json_t *detail;           /* optional object, owned by the framework afterwards */
        bool client_bound;        /* the probe itself was the limit */
        double lateness_s;        /* send lateness (http open model), else 0 */
        bool foreign_expected;    /* the workload's target is another process (http server) */
        uint64_t ops, failed_ops; /* operations tried and how many failed (refused, reset, timed out) */
        char *error;              /* optional, malloc'ed: why a failed round failed (no secrets) */
} ProbeRoundOut;

typedef struct ProbeBackend {
        const char *name;
        const char *summary;
        const ProbeMetricDef *metrics;
        size_t n_metrics;
        size_t primary; /* index of the metric a verdict is about */
        size_t state_size;
        /* Prepare (open files, allocate); -errno with the reason in e on failure. */
        int (*setup)(void *state, const ProbeConfig *cfg, Error *e);
        int (*round)(void *state, const ProbeConfig *cfg, ProbeRoundOut *out);
        /* Optional: a summary over every round so far (e.g. merged histograms), taken at close. */
        json_t *(*overall)(void *state);
        void (*teardown)(void *state);
        /* Its options: the table, the struct they fill, its defaults, a check across options once
         * all are given (-EINVAL with *e), and freeing what parse allocated. All may be absent. */
        const ProbeOption *options;
        size_t n_options;
        const char *options_heading; /* the help's heading above them */
        size_t options_size;
        void (*options_init)(void *options);
        int (*options_check)(const void *options, Error *e);
        void (*options_done)(void *options);
        /* The option whose every value is one target (http: "url"): the probe runs once per value,
         * only when given one, and is left out of a run without targets. NULL: none. */
        const char *target_option;
        const char *target_example; /* for the message when it is missing ("--url http://...") */
        /* What to check when no operation of a run succeeded (success_rate 0); NULL: a generic hint. */
        const char *failure_hint;
        /* The target as it may be shown (a DSN without its password), malloc'ed; NULL: as given. */
        char *(*target_shown)(const char *target);
} ProbeBackend;

extern const ProbeBackend *const probe_table[];
extern const size_t probe_table_size;
const ProbeBackend *probe_find(const char *name);
/* The backends whose target option is name ("url"), one after another: *i starts at 0. */
const ProbeBackend *probe_find_by_target(const char *name, size_t *i);
/* A backend's option by name; NULL when it has none of that name. */
const ProbeOption *probe_option_find(const ProbeBackend *b, const char *name);

typedef struct ProbeRoundInfo {
        double wall_s, own_cpu_s, foreign_cpu_s, host_busy_s, lateness_s;
        bool contaminated, client_bound;
        /* Foreign CPU as a share of the machine during the round (0 when the target's CPU is foreign
         * by design): what verify weighs contamination by. */
        double foreign_share;
        uint64_t ops, failed_ops;
        /* -errno of a round that failed on a condition of the host (probe_failure_is_measurement):
         * kept as a round, its values NAN, judged as the worst of its side. 0 otherwise. */
        int failed;
} ProbeRoundInfo;

typedef struct ProbeResult {
        const ProbeBackend *backend;
        unsigned rounds;  /* completed */
        bool interrupted; /* cfg->stop ended it before its rounds were done */
        double *values;   /* rounds x n_metrics, row per round */
        ProbeRoundInfo *info;
        json_t **details;
        char *error;     /* why setup or a round failed (the result holds what ran) */
        json_t *summary; /* the backend's summary over all rounds, or NULL */
        unsigned ncpu;
} ProbeResult;

/* A backend set up once for rounds run one at a time (so a caller can change the system between
 * rounds, as apply --verify does). open: 0, or -errno after a failed setup (the session is still
 * returned, with the reason in its result's error, and must be closed). round: one more round
 * appended to the result; -ECANCELED once cfg->stop is set. close: tears down and returns the result
 * when keep_result (the caller frees it), else frees it and returns NULL. */
typedef struct ProbeSession ProbeSession;
int probe_session_open(const ProbeBackend *b, const ProbeConfig *cfg, ProbeSession **ret);
int probe_session_round(ProbeSession *s);
const ProbeResult *probe_session_result(const ProbeSession *s);
ProbeResult *probe_session_close(ProbeSession *s, bool keep_result);
void probe_session_closep(ProbeSession **s);

/* Run every round of one backend. Returns 0 with the samples, or -errno when nothing ran (the
 * result's error says why). A result is always returned in *ret when ret is set, for the report. */
int probe_run(const ProbeBackend *b, const ProbeConfig *cfg, ProbeResult **ret);
ProbeResult *probe_result_free(ProbeResult *r);
/* One probe's entry of the skytune.probe/1 document. */
json_t *probe_result_json(const ProbeResult *r, const ProbeConfig *cfg);
/* Values of metric m over the clean rounds (not contaminated nor client-bound), or over all rounds
 * when clean is false. Returns the count written into out (room for r->rounds). */
size_t probe_result_series(const ProbeResult *r, size_t m, bool clean, double *out);

/* Whether a failure says something about the host (resources exhausted, connections refused, reset
 * or timed out, a limit hit: what a tuning change may fix) rather than about the probe (EINVAL, a
 * missing file, a bug). The former is a measurement: the round is kept as failed and the run goes
 * on; the latter stops it. */
bool probe_failure_is_measurement(int r);

/* Helpers for backends. */
uint64_t probe_now_ns(void);
bool probe_stopped(const ProbeConfig *cfg);
unsigned probe_ncpu(void);
/* Thread CPU time of the caller in seconds. */
double probe_thread_cpu_s(void);
/* The state directory (XDG_STATE_HOME/skytune, ~/.local/state/skytune, /var/lib/skytune for root),
 * or its nearest existing ancestor (which is on the same file system when it is created later). */
int probe_default_dir(char **ret);
/* Percentiles of a histogram as a JSON object {"p50": ..., ..., "max": ...} scaled by `scale`. */
struct Histogram;
json_t *probe_histogram_json(const struct Histogram *h, double scale);

/* SPDX-License-Identifier: MIT */
/* Alert rules (docs/monitor.md, Alert rules): libconfig files of `rules = ( { ... }, ... );`, each
 * rule a number from an expression over the monitor's series (the condition language of policies,
 * rules/cond.h: "cpu.utilization_pct", "cpu.user_pct + cpu.system_pct") compared with a warn and a crit
 * level, with hysteresis (clear), a pending time (for), N consecutive hits, keep_firing_for, a
 * no-data policy, flap damping, labels that identify the alert and annotations that describe it.
 * Every mistake is an error at file:line. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cond.h"
#include "error.h"
#include "metric-catalog.h"

/* The rules the package ships, and the administrator's: a file in the second with the name of one
 * in the first replaces it (as systemd's drop-in directories do). */
#define ALERT_ETC_DIR "/etc/skytune/alerts.d"
/* The directories the monitor and `skytune alerts check` read, in order (the source tree's alerts/
 * first when the build has the source fallback): *ret_n of them. */
const char *const *alert_rule_dirs(size_t *ret_n);

typedef enum AlertDirection { ALERT_ABOVE, ALERT_BELOW } AlertDirection;
typedef enum AlertNoData { ALERT_NODATA_KEEP, ALERT_NODATA_ALERT, ALERT_NODATA_RESOLVE } AlertNoData;
typedef enum AlertLevel { ALERT_LEVEL_NONE, ALERT_LEVEL_WARN, ALERT_LEVEL_CRIT } AlertLevel;

typedef struct AlertPair {
        char *name, *value;
} AlertPair;

typedef struct AlertRule {
        char *name; /* the alertname: [A-Za-z_][A-Za-z0-9_]* */
        char *file;
        unsigned line;
        char *expr_text;
        Cond *expr;
        char **paths; /* the series expr reads */
        size_t n_paths;
        AlertDirection direction;
        double level[3];        /* [ALERT_LEVEL_WARN], [ALERT_LEVEL_CRIT]; NAN: no such level */
        double clear;           /* hysteresis: a level holds until the value is this far back past it */
        int64_t for_ms;         /* pending this long before firing */
        unsigned hits;          /* consecutive evaluations at a level before it counts (>= 1) */
        int64_t keep_firing_ms; /* firing this long after the condition ends */
        AlertNoData no_data;
        unsigned flap_transitions; /* more than this many firing/resolved changes ... */
        int64_t flap_window_ms;    /* ... within this window: flapping (0 transitions: off) */
        AlertPair *labels, *annotations;
        size_t n_labels, n_annotations;
} AlertRule;

typedef struct AlertRules {
        AlertRule *rules;
        size_t n;
} AlertRules;

#define ALERT_RULES_MAX 1024
/* The firing/resolved changes an alert remembers for its flap count (transitions < this). */
#define ALERT_FLAP_MAX 64
/* The series one expression may read. */
#define ALERT_RULE_SERIES_MAX 16

/* Adds the rules of path to *rules. catalog (may be NULL) checks every series expr names (the
 * monitor's own "monitor.*" series pass). A rule named like one already in *rules: -EEXIST at its
 * line. On any error *rules is as it was. */
int alert_rules_load_file(const char *path, const MetricCatalog *catalog, AlertRules *rules, Error *e);
/* The *.conf files of dirs in name order, a later directory's file replacing an earlier one's of the
 * same name; a missing directory is skipped unless must_exist (then -ENOENT, as for any directory
 * that cannot be read). *ret is a NULL-terminated malloc'ed list. */
int alert_rule_files(const char *const *dirs, size_t n_dirs, bool must_exist, char ***ret, size_t *ret_n);
/* Every file of alert_rule_files(dirs), loaded in that order, replacing *rules on success (on an
 * error *rules is as it was). An empty file, or a link to /dev/null, holds no rules: it turns off a
 * shipped file of its name. */
int alert_rules_load_dirs(const char *const *dirs, size_t n_dirs, bool must_exist, const MetricCatalog *catalog,
                          AlertRules *rules, Error *e);
void alert_rules_done(AlertRules *rules);
void alert_rule_files_free(char **files);

const char *alert_level_name(AlertLevel l);
/* text with each "{{ value }}" (spaces optional) replaced by v (%.4g; "no data" for NAN); malloc'ed,
 * NULL on ENOMEM. */
char *alert_expand(const char *text, double v);
/* The level v reaches, with current held (the level an alert is at now, for the hysteresis). */
AlertLevel alert_rule_level(const AlertRule *r, double v, AlertLevel current);

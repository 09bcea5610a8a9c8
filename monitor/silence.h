/* SPDX-License-Identifier: MIT */
/* Silences (docs/monitor.md, Silences): while a silence is active, the alerts whose labels its
 * matchers all match are not notified (they are still evaluated, logged and kept in the history).
 * One silence is one JSON file (schema SILENCE_SCHEMA) in the silences directory beside the store,
 * written by `skytune alerts silence` and read by skytune-monitor whenever the directory changes.
 * Matchers are Alertmanager's: LABEL=VALUE, LABEL!=VALUE, LABEL=~REGEX, LABEL!~REGEX (POSIX
 * extended, anchored at both ends); a label the alert lacks is the empty string. Prints nothing. */
#pragma once

#include <jansson.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SILENCE_MATCHERS_MAX 16
#define SILENCE_TEXT_MAX     512                      /* a label, value, comment or author */
#define SILENCE_SPAN_MAX_MS  (INT64_C(30) * 86400000) /* the longest silence: 30 days */
#define SILENCES_MAX         1000                     /* files read from the directory */
#define SILENCE_FILE_MAX     65536                    /* bytes of one file */
#define SILENCE_ID_LEN       16                       /* hex digits */

typedef enum SilenceOp { SILENCE_EQ, SILENCE_NE, SILENCE_RE, SILENCE_NRE } SilenceOp;

typedef struct SilenceMatcher {
        char *label, *value;
        SilenceOp op;
        bool compiled; /* re holds value (SILENCE_RE, SILENCE_NRE) */
        regex_t re;
} SilenceMatcher;

typedef struct Silence {
        char id[SILENCE_ID_LEN + 1];
        SilenceMatcher m[SILENCE_MATCHERS_MAX];
        size_t n;
        int64_t starts_ms, ends_ms; /* active in [starts, ends) */
        char *comment, *created_by;
} Silence;

/* "alertname=HighCPU" into *ret: 0, or -EINVAL with *why saying what is wrong. */
int silence_matcher_parse(const char *text, SilenceMatcher *ret, const char **why);
/* The matchers as Alertmanager writes them: "alertname=\"HighCPU\", severity=~\"warn.*\"" into buf. */
void silence_matchers_format(const Silence *s, char *buf, size_t size);
/* Whether the matchers may silence anything narrower than everything: at least one must not match
 * the empty string (Alertmanager's rule), else *why. */
bool silence_matchers_narrow(const Silence *s, const char **why);

json_t *silence_to_json(const Silence *s);
/* A document back into *ret (silence_done it on success): 0, or -EINVAL with *why. */
int silence_from_json(const json_t *doc, Silence *ret, const char **why);
void silence_done(Silence *s);

bool silence_active(const Silence *s, int64_t now_ms);
/* labels: an object of strings (an alert's notification labels). */
bool silence_matches(const Silence *s, const json_t *labels);

/* The silences of one directory, read again when its modification time changes. */
typedef struct SilenceSet {
        Silence *v;
        size_t n;
        struct timespec mtime; /* of the directory when read */
        bool read;             /* it was read (a missing directory reads as none) */
} SilenceSet;

/* A file that is not a silence: its path and why, for the caller to report. */
typedef void (*SilenceBadFn)(void *userdata, const char *path, const char *why);
/* Reads dir again when it changed since the last read: 1 read, 0 unchanged, -ENOMEM (the set in use
 * stays). A missing directory is an empty set; files that are not silences are reported and left
 * out; at most SILENCES_MAX are read. */
int silence_set_refresh(SilenceSet *set, const char *dir, SilenceBadFn bad, void *userdata);
/* The first active silence whose matchers match labels at now_ms, or NULL. */
const Silence *silence_set_match(const SilenceSet *set, const json_t *labels, int64_t now_ms);
void silence_set_done(SilenceSet *set);

/* The silences directory of a store: "silences" beside the file. */
int silence_dir_of_store(const char *store, char *buf, size_t size);

/* SPDX-License-Identifier: MIT */
/* Shared by the suite parser's files (not part of the interface). */
#pragma once

#include "suite.h"

/* The suite's repetitions and warm-up, which a benchmark may override. */
typedef struct SuiteDefaults {
        unsigned repetitions, warmup;
} SuiteDefaults;

/* 'repetitions' and 'warmup' of group g into d (kept when absent). */
int suite_parse_counts(const ConfRead *c, const config_setting_t *g, SuiteDefaults *d);
/* One benchmark group: name, kind (its own keys), counts, metrics, gates. */
int suite_parse_bench(const ConfRead *c, const config_setting_t *g, const SuiteDefaults *d, SuiteBench *b);
/* A printable, non-empty string member (required when required), else an error naming key. */
int suite_conf_text(const ConfRead *c, const config_setting_t *g, const char *key, bool required, const char *example,
                    char **ret);
/* suite_conf_text of a file's name, made relative to the suite file's folder unless absolute (a
 * scenario, a workload, a DSN file: the suite is checked in beside them). */
int suite_conf_path(const ConfRead *c, const config_setting_t *g, const char *key, bool required, const char *example,
                    char **ret);
/* Whether the text of key (a file name, or a builtin name for a workload) names a file: it has a '/'
 * or a '.' ("select-only" does not, "q.sql" does). */
bool suite_names_file(const char *s);
/* 'url' of g: required when required; a url with user:password@ is refused at its line (it would go
 * into the history, the reports and the child's command line). */
int suite_conf_url(const ConfRead *c, const config_setting_t *g, bool required, char **ret);

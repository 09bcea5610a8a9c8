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

/* SPDX-License-Identifier: MIT */
/* Internal to the scenario file reader (scenario-parse*.c): the reading context and its helpers. */
#pragma once

#include <libconfig.h>

#include "conf-read.h"

#include "macro.h"

#include "scenario.h"

typedef struct Parse {
        ConfRead c;             /* the file, its doc and the error (conf-read.h) */
        char *dir;              /* the file's directory: relative body and secret files */
        const char *base_url;   /* the top-level url: each step's unless it has its own */
} Parse;

#define SCENARIO_STEPS_MAX 32
#define SCENARIO_PHASES_MAX 64
#define SCENARIO_HEADERS_MAX 32
#define SCENARIO_THRESHOLDS_MAX 32
#define SCENARIO_BODY_MAX (1u << 20)

/* Optional members: 0 when absent (*ret untouched), 1 when read, -EINVAL on a wrong type. */
int parse_duration(Parse *p, const config_setting_t *g, const char *key, double *ret);
/* A list or array of threshold strings. */
int parse_thresholds(Parse *p, const config_setting_t *g, const char *key, Threshold **ret, size_t *ret_n);
int parse_url(Parse *p, const config_setting_t *s, const char *url);

int parse_step(Parse *p, const config_setting_t *s, const Scenario *sc, LoadStep *st);

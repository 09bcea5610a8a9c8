/* SPDX-License-Identifier: MIT */
/* `skytune scenario check`'s text: a skytune.scenario-check/1 document (load/scenario-json.c) as
 * steps, phases, endpoints and thresholds. A member absent or of the wrong type shows as "-". */
#pragma once

#include <jansson.h>
#include <stdio.h>

/* 0, or -EIO when writing failed. */
int render_scenario_check(FILE *f, const json_t *doc);

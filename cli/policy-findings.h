/* SPDX-License-Identifier: MIT */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "metric-catalog.h"

/* Loads the finding table from file (NULL: the built-in one) and checks its paths against cat;
 * prints the OK line, or logs the error as file:line: message; a result object into results. */
int policy_check_findings(const char *name, const char *file, const MetricCatalog *cat, bool json, json_t *results);

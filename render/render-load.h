/* SPDX-License-Identifier: MIT */
/* The renderers of a load run (a skytune.load/1 document, docs/load.md): JUnit XML for CI, and one
 * self-contained offline HTML report. Both read only the document, so `skytune report run.json`
 * rebuilds exactly what the run wrote. They never trust it: a member absent or of the wrong type is
 * shown as missing ("-"), never a crash. Return 0, or a negative errno with *e saying what failed
 * (-EIO: writing; -EINVAL: not a skytune.load/1 document). */
#pragma once

#include <jansson.h>
#include <stdio.h>

#include "error.h"

int render_load_junit(FILE *f, const json_t *doc, Error *e);
int render_load_html(FILE *f, const json_t *doc, Error *e);


/* SPDX-License-Identifier: MIT */
/* The dashboard page (docs/dashboard.md) from a skytune.dashboard/1 document: one HTML file with its
 * data embedded, charts as SVG from the load report's renderer (load-html-svg.c), a strict
 * Content-Security-Policy and nothing fetched. The same page is `skytune dashboard --html`'s offline
 * file and what skytune-monitor serves. Deterministic: the document's times, in UTC, and no clock.
 * Returns 0, or a negative errno with *e saying what failed (-EINVAL: not such a document; -EIO). */
#pragma once

#include <jansson.h>
#include <stdio.h>

#include "error.h"

int render_dashboard_html(FILE *f, const json_t *doc, Error *e);

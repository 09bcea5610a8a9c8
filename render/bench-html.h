/* SPDX-License-Identifier: MIT */
/* The parts of the benchmark reports (render/bench-html*.c, internal to render/). */
#pragma once

#include <jansson.h>
#include <stdio.h>

/* One metric of a skytune.bench-compare/1 document as an inline SVG in a <figure>: the repetitions
 * of both sides, their medians, and the ratio with its interval, threshold and gate. */
void bench_html_metric_svg(FILE *f, const json_t *m, const char *id);

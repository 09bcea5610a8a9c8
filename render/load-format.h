/* SPDX-License-Identifier: MIT */
/* Shared by the load renderers (internal to render/): values in the units people read, and text
 * escaped for XML and HTML. */
#pragma once

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* A threshold metric's value as people read it: latencies (microseconds) as "850 us", "226.2 ms",
 * "1.20 s"; rates (fractions) as "1.96 %"; rps as "61.2/s". "-" when v is not a number. */
char *load_fmt_metric(char *buf, size_t size, const char *metric, const json_t *v);
char *load_fmt_us(char *buf, size_t size, const json_t *v);
/* s with & < > " ' as character references (s NULL: nothing). */
void markup_put(FILE *f, const char *s);
/* A number member as a double; NAN when absent or not a number. */
double jnum(const json_t *o, const char *k);
/* The "stress" object of a load document (render/load-stress-text.c). */
void load_stress_text(FILE *f, const json_t *stress);
/* The host's findings of a load document, with their proposed changes (load-stress-text.c). */
void load_findings_text(FILE *f, const json_t *findings);

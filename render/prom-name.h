/* SPDX-License-Identifier: MIT */
/* The one home of Prometheus naming in skytune: what the profile's textfile (prometheus.c) and the
 * monitor's /metrics (monitor/metrics-text.c) both need, so that a series has the same base unit
 * and words in both (the textfile makes objects labels; /metrics keeps them in the name, for now). Names follow https://prometheus.io/docs/practices/naming/: [a-zA-Z_][a-zA-Z0-9_]*,
 * base units (seconds, bytes, ratios 0-1) as the name's last word. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* How a profile unit (or, for a fact without one, the key's unit word) maps to a base unit. */
typedef struct PromUnit {
        const char *key_suffix; /* stripped from the key when present */
        const char *unit;       /* the profile's unit string, NULL: only by key suffix */
        const char *base;       /* appended to the name */
        double scale;           /* value * scale is in the base unit */
        const char *said;       /* the base unit for HELP, when the value is converted */
} PromUnit;

/* Metric and label names: every byte outside [a-zA-Z0-9_] (a digit first too) becomes '_'. */
void prom_name_sanitize(char *s);
/* name ends in a suffix Prometheus keeps for counters, histograms and summaries (_total, _count,
 * _sum, _bucket, _created): promtool refuses it on a gauge. */
bool prom_name_reserved(const char *name);

/* key split into stem (n bytes) and a base unit: the rule by unit when given, else by the key's last
 * word; the unit word leaves the stem (read_bytes_per_s -> read + _bytes_per_second). NULL (stem =
 * key) when no rule fits: the value is then unitless. */
const PromUnit *prom_unit_convert(const char *key, const char *unit, char *stem, size_t n);

/* A sample value as Go's ParseFloat reads it (NaN, +Inf, -Inf; integers exact up to 2^53; others to
 * 15 significant digits). */
#define PROM_NUMBER_MAX 32
void prom_number(double v, char buf[PROM_NUMBER_MAX]);

/* What c becomes in a label value (quote: also '"') or a HELP text: "\\\\", "\\n", "\\\""; NULL
 * when it stays as it is. */
const char *prom_escape(char c, bool quote);

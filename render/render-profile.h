/* SPDX-License-Identifier: MIT */
/* Inside render/: the pieces the profile renderings (profile.c: the full listing; profile-brief.c:
 * the summary) and the other text renderers share. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "render.h"

/* ANSI sequences, or "" each without colour. */
typedef struct Style {
        const char *bold, *dim, *green, *yellow, *red, *reset;
} Style;
Style render_style(bool color);
/* The view's width, 80 when it is 0. */
unsigned render_width(const RenderView *v);
/* 0, or -EIO when f has seen a write error. */
int render_status_of(FILE *f);

/* A number with its unit as people read it: "12 %", "1.5 MiB/s", "3/s", "8" (counts), "0.4 ms". */
void profile_fmt_value(char *buf, size_t n, double v, const char *unit);
/* The same with bytes scaled by scale under label (profile_byte_scale). */
void profile_fmt_scaled(char *buf, size_t n, double v, const char *unit, double scale, const char *label);
/* The binary prefix for bytes and bytes/s chosen from the largest figure; 1 for other units. */
double profile_byte_scale(const char *unit, double largest, char *label, size_t n);
void profile_print_header(FILE *f, const json_t *doc, const Style *s, unsigned width);
void profile_print_findings(FILE *f, const json_t *doc, const Style *s, unsigned width);

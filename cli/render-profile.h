/* SPDX-License-Identifier: MIT */
/* The profile for people (render-profile.c: the full listing; render-profile-brief.c: the summary)
 * and the pieces both use. Everything comes from the JSON document, so text and JSON cannot
 * disagree. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

typedef struct ProfileView {
        bool color;
        unsigned width;         /* columns of the terminal (cli_terminal_width()) */
} ProfileView;

/* COLUMNS when it is a number, else the terminal's width when stdout is one, else 80; at least 40. */
unsigned cli_terminal_width(void);
/* The same for another terminal (stderr for messages). */
unsigned cli_terminal_width_of(int fd);

int render_profile_full(FILE *f, const json_t *profile, const ProfileView *v);
int render_profile_brief(FILE *f, const json_t *profile, const ProfileView *v);

/* Shared by both renderings. */
typedef struct Style {
        const char *bold, *red, *yellow, *dim, *reset;
} Style;
Style profile_style(bool color);
/* A number with its unit as people read it: "12 %", "1.5 MiB/s", "3/s", "8" (counts), "0.4 ms". */
void profile_fmt_value(char *buf, size_t n, double v, const char *unit);
/* The same with bytes scaled by scale under label (profile_byte_scale). */
void profile_fmt_scaled(char *buf, size_t n, double v, const char *unit, double scale, const char *label);
/* The binary prefix for bytes and bytes/s chosen from the largest figure; 1 for other units. */
double profile_byte_scale(const char *unit, double largest, char *label, size_t n);
/* text from column col (already printed on this line) up to width, words wrapped onto lines indented
 * by indent; a word longer than a line is cut. Ends with a newline. */
void profile_wrap(FILE *f, unsigned col, unsigned indent, unsigned width, const char *text);
void profile_print_header(FILE *f, const json_t *doc, const Style *s, unsigned width);
void profile_print_findings(FILE *f, const json_t *doc, const Style *s, unsigned width);

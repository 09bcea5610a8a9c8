/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdio.h>

#include "log.h"
#include "render.h"

/* COLUMNS when it is a number, else the terminal's width when stdout is one, else 80; at least 40. */
unsigned cli_terminal_width(void);
/* The same for another terminal (stderr for messages). */
unsigned cli_terminal_width_of(int fd);
/* The view of a renderer writing to stdout: its colour (cli_stdout_color()), width and flags. */
RenderView cli_render_view(unsigned flags);
/* Runs render into memory, then writes its text to out with every line wider than the terminal
 * (cli_terminal_width()) wrapped under its text column (render_fit()). */
int cli_fit(FILE *out, void (*render)(FILE *f, void *userdata), void *userdata);
/* The same for a text already made. */
int cli_fit_text(FILE *out, const char *text);
/* The CLI's messages on stderr ("skytune: error: ..."), wrapped to the terminal's width when stderr
 * is a terminal or COLUMNS is set; see log_set_sink(). */
void cli_log_sink(LogLevel level, const char *msg, void *userdata);

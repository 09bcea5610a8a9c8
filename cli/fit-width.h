/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdio.h>

#include "log.h"

/* Runs render into memory, then writes its text to out with every line wider than the terminal
 * (cli_terminal_width()) wrapped under its text column. */
int cli_fit(FILE *out, void (*render)(FILE *f, void *userdata), void *userdata);
/* The same for a text already made. */
int cli_fit_text(FILE *out, const char *text);
/* The CLI's messages on stderr ("skytune: error: ..."), wrapped to the terminal's width when stderr
 * is a terminal or COLUMNS is set; see log_set_sink(). */
void cli_log_sink(LogLevel level, const char *msg, void *userdata);

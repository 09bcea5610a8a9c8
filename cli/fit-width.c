/* SPDX-License-Identifier: MIT */
/* The CLI's terminal: its width, text fitted to it (render_fit() at that width) and the messages on
 * stderr. */
#include "fit-width.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "macro.h"
#include "render.h"

unsigned cli_terminal_width_of(int fd) {
        const char *env = getenv("COLUMNS");
        char *end;
        long c = env ? strtol(env, &end, 10) : 0;
        if (env && *env && !*end && c > 0)
                return (unsigned) MAX(c, 40L);
        struct winsize ws;
        if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
                return MAX(ws.ws_col, (unsigned short) 40);
        return 80;
}

unsigned cli_terminal_width(void) {
        return cli_terminal_width_of(STDOUT_FILENO);
}

RenderView cli_render_view(unsigned flags) {
        return (RenderView) { .color = cli_stdout_color(), .width = cli_terminal_width(), .flags = flags };
}

int cli_fit_text(FILE *out, const char *text) {
        return render_fit_text(out, cli_terminal_width(), text);
}

int cli_fit(FILE *out, void (*render)(FILE *f, void *userdata), void *userdata) {
        return render_fit(out, cli_terminal_width(), render, userdata);
}

void cli_log_sink(LogLevel level, const char *msg, void *userdata) {
        const char *p = level == LOG_LEVEL_ERR ? "error: " : level == LOG_LEVEL_WARNING ? "warning: " : "";
        bool tty = isatty(STDERR_FILENO);
        bool color = tty && !getenv("NO_COLOR") && level <= LOG_LEVEL_WARNING;
        /* Wrapped for a terminal (or a stated width); one line each for scripts that grep them. */
        unsigned width = tty || getenv("COLUMNS") ? cli_terminal_width_of(STDERR_FILENO) : 0;
        fprintf(stderr, "skytune: %s%s%s", color ? (level == LOG_LEVEL_ERR ? "\033[1;31m" : "\033[1;33m") : "", p,
                color ? "\033[0m" : "");
        if (width == 0)
                fprintf(stderr, "%s\n", msg);
        else
                render_wrap(stderr, (unsigned) (strlen("skytune: ") + strlen(p)), 2, width, msg);
}

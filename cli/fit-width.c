/* SPDX-License-Identifier: MIT */
/* Text for people fitted to the terminal: a renderer writes into memory, and every line wider than
 * the terminal is wrapped at word boundaries, its continuation lines hanging under the line's text
 * column (the text after "   why        " or "  --duration S   "), so tables and help keep their
 * shape. Lines that fit are left as they are. */
#include "fit-width.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "render-profile.h"

/* Where a line's text column starts: after its leading blanks and a first field followed by two or
 * more blanks ("  --out FILE   text"), when that is in the left half; else its leading blanks. */
static size_t hang_of(const char *line, size_t len, unsigned width) {
        size_t lead = strspn(line, " ");
        if (startswith(line, "Usage: "))
                return strlen("Usage: ");
        const char *gap = NULL;
        for (const char *p = line + lead; p + 2 < line + len; p++)
                if (p[0] == ' ' && p[1] == ' ') {
                        gap = p;
                        break;
                }
        if (!gap)
                return lead;
        size_t col = (size_t) (gap - line) + strspn(gap, " ");
        return col < len && col <= width / 2 ? col : lead;
}

/* A paragraph: a line and the ones under its text column that go on with it ("  --x   text" and
 * "        more text", or lines of prose). One that fits is written as it is; else its text is
 * joined and wrapped under the first line's text column. */
static const char *fit_paragraph(FILE *out, const char *p, unsigned width) {
        size_t len = strcspn(p, "\n"), hang = hang_of(p, len, width), widest = len;
        const char *end = p + len;
        while (len > 0 && *end == '\n' && end[1] && end[1] != '\n') {
                const char *next = end + 1;
                size_t nlen = strcspn(next, "\n"), lead = strspn(next, " ");
                /* Under the text column, and not an item of its own. */
                if (lead != hang || lead >= nlen || hang_of(next, nlen, width) != lead || startswith(p, "Usage: "))
                        break;
                widest = MAX(widest, nlen);
                end = next + nlen;
        }
        if (widest <= width) {
                fprintf(out, "%.*s%s", (int) (end - p), p, *end ? "\n" : "");
                return *end ? end + 1 : end;
        }
        _cleanup_free_ char *text = strndup(p + hang, (size_t) (end - p) - hang);
        if (!text)
                return end;     /* out of memory: the rest is left out */
        for (char *c = text; *c; c++)
                if (*c == '\n')
                        *c = ' ';
        fprintf(out, "%.*s", (int) hang, p);
        profile_wrap(out, (unsigned) hang, (unsigned) (hang ? hang : 0), width, text + strspn(text, " "));
        return *end ? end + 1 : end;
}

int cli_fit_text(FILE *out, const char *text) {
        unsigned width = cli_terminal_width();
        for (const char *p = text; *p;)
                p = fit_paragraph(out, p, width);
        return ferror(out) ? -EIO : 0;
}

int cli_fit(FILE *out, void (*render)(FILE *f, void *userdata), void *userdata) {
        char *buf = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&buf, &size);
        if (!m)
                return -ENOMEM;
        render(m, userdata);
        if (fclose(m) != 0) {
                free(buf);
                return -ENOMEM;
        }
        int r = cli_fit_text(out, buf);
        free(buf);
        return r;
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
                profile_wrap(stderr, (unsigned) (strlen("skytune: ") + strlen(p)), 2, width, msg);
}

/* SPDX-License-Identifier: MIT */
/* Text for people fitted to a width: a renderer writes into memory, and every line wider than the
 * width is wrapped at word boundaries, its continuation lines hanging under the line's text column
 * (the text after "   why        " or "  --duration S   "), so tables and help keep their shape.
 * Lines that fit are left as they are. Also the pieces every text renderer shares. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "render-profile.h"

Style render_style(bool color) {
        if (!color)
                return (Style) { "", "", "", "", "", "" };
        return (Style) { .bold = "\033[1m", .dim = "\033[2m", .green = "\033[32m", .yellow = "\033[33m",
                         .red = "\033[31m", .reset = "\033[0m" };
}

unsigned render_width(const RenderView *v) {
        return v && v->width > 0 ? v->width : 80;
}

int render_status_of(FILE *f) {
        return ferror(f) ? -EIO : 0;
}

/* Columns a UTF-8 string takes (continuation bytes take none). */
static unsigned cols(const char *s, size_t len) {
        unsigned c = 0;
        for (size_t i = 0; i < len; i++)
                c += ((unsigned char) s[i] & 0xC0) != 0x80;
        return c;
}

void render_wrap(FILE *f, unsigned col, unsigned indent, unsigned width, const char *text) {
        bool first = true;
        for (const char *p = text; *p;) {
                size_t len = strcspn(p, " ");
                unsigned w = cols(p, len);
                if (!first && col + 1 + w > width) {
                        fprintf(f, "\n%*s", (int) indent, "");
                        col = indent;
                } else if (!first) {
                        fputc(' ', f);
                        col++;
                }
                /* A word longer than the room left: cut it where the line ends. */
                while (col + w > width && width > col) {
                        size_t cut = 0;
                        for (unsigned k = 0; cut < len && k < width - col; k++)
                                do
                                        cut++;
                                while (cut < len && ((unsigned char) p[cut] & 0xC0) == 0x80);
                        fprintf(f, "%.*s\n%*s", (int) cut, p, (int) indent, "");
                        p += cut, len -= cut, w = cols(p, len), col = indent;
                }
                fprintf(f, "%.*s", (int) len, p);
                col += w;
                first = false;
                p += len;
                p += strspn(p, " ");
        }
        fputc('\n', f);
}

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
        render_wrap(out, (unsigned) hang, (unsigned) (hang ? hang : 0), width, text + strspn(text, " "));
        return *end ? end + 1 : end;
}

int render_fit_text(FILE *out, unsigned width, const char *text) {
        if (width == 0)
                width = 80;
        for (const char *p = text; *p;)
                p = fit_paragraph(out, p, width);
        return render_status_of(out);
}

int render_fit(FILE *out, unsigned width, void (*render)(FILE *f, void *userdata), void *userdata) {
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
        int r = render_fit_text(out, width, buf);
        free(buf);
        return r;
}

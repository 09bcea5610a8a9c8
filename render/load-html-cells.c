/* SPDX-License-Identifier: MIT */
/* The small parts the reports of load and db runs share: the head with its Content-Security-Policy,
 * table cells (JSON values and text, escaped) and the verdict's reason. */
#include <errno.h>
#include <stdlib.h>

#include "json-util.h"
#include "load-format.h"
#include "load-html-assets.h"
#include "load-html.h"

/* A cell of any JSON value: strings escaped, numbers as they are, null and absent as "-". */
void html_td(FILE *f, const json_t *v) {
        fputs("<td>", f);
        if (json_is_string(v))
                markup_put(f, json_string_value(v));
        else if (json_is_integer(v))
                fprintf(f, "%lld", (long long) json_integer_value(v));
        else if (json_is_real(v))
                fprintf(f, "%.6g", json_real_value(v));
        else if (json_is_boolean(v))
                fputs(json_is_true(v) ? "yes" : "no", f);
        else
                fputc('-', f);
        fputs("</td>", f);
}

void html_td_text(FILE *f, const char *s) {
        fputs("<td>", f);
        markup_put(f, s ? s : "-");
        fputs("</td>", f);
}

void html_th_row(FILE *f, const char *const *names, size_t n) {
        fputs("<thead><tr>", f);
        for (size_t i = 0; i < n; i++)
                fprintf(f, "<th>%s</th>", names[i]);
        fputs("</tr></thead>\n", f);
}

void html_verdict_reason(FILE *f, const json_t *doc) {
        const json_t *v = json_object_get(doc, "verdict");
        fputs("<p id=\"reason\">", f);
        markup_put(f, jstr_or(v, "reason", "no verdict in the document"));
        if (jstr(doc, "aborted_by")) {
                fputs("; aborted by ", f);
                markup_put(f, jstr(doc, "aborted_by"));
        }
        fprintf(f, " (exit %lld)</p>\n", (long long) json_integer_value(json_object_get(v, "exit")));
}

int html_head(FILE *f, const char *kind, const char *title, const char *word) {
        char *style, *script;
        if (load_html_hash_pair(load_html_style, load_html_script, &style, &script) < 0)
                return -ENOMEM;
        fprintf(f,
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                "style-src 'sha256-%s'; script-src 'sha256-%s'; img-src 'none'; base-uri 'none'; form-action "
                "'none'\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
                style, script);
        free(style);
        free(script);
        markup_put(f, kind);
        markup_put(f, title);
        fprintf(f, " %s</title>\n<style>%s</style>\n</head>\n<body>\n", word, load_html_style);
        return 0;
}

int html_page_end(FILE *f, int data_r, Error *e) {
        fprintf(f, "</script>\n<script>%s</script>\n</body>\n</html>\n", load_html_script);
        if (data_r < 0)
                return error_set(e, data_r, "out of memory writing the HTML report's data");
        if (fflush(f) != 0 || ferror(f))
                return error_set(e, -EIO, "writing the HTML report failed: %m");
        return 0;
}

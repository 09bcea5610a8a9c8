/* SPDX-License-Identifier: MIT */
/* skytune.db-advise/1 for people: what was weighed (server, host, the statistics' span), then per
 * setting its value and proposal, the evidence, the risk and the SQL, wrapped at 80 columns. */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "json-util.h"
#include "macro.h"
#include "render.h"

static void header(FILE *f, const json_t *doc, unsigned width) {
        const json_t *srv = json_object_get(doc, "server"), *host = json_object_get(doc, "host"),
                     *ev = json_object_get(doc, "evidence"), *mem = json_object_get(host, "mem_total_bytes"),
                     *rot = json_object_get(host, "rotational");
        char line[640], size[32] = "unknown";
        snprintf(line, sizeof line, "db advise: database %s, PostgreSQL %s at %s (%s)", jstr_or(srv, "database", "?"),
                 jstr_or(srv, "version", "?"), jstr_or(srv, "dsn", "?"),
                 json_is_true(json_object_get(srv, "local")) ? "on this host" : "not on this host");
        render_wrap(f, 0, 4, width, line);
        if (json_is_integer(mem))
                snprintf(size, sizeof size, "%.1f GiB", (double) json_integer_value(mem) / (1024.0 * 1024 * 1024));
        snprintf(line, sizeof line, "host: memory %s; the data directory's disk: %s%s", size,
                 jstr_or(host, "data_device", "?"),
                 !json_is_boolean(rot)       ? ""
                         : json_is_true(rot) ? " (rotational)"
                                             : " (not rotational)");
        render_wrap(f, 0, 4, width, line);
        if (jstreq(ev, "mode", "window"))
                fprintf(f, "evidence: a %.0f s window\n", json_number_value(json_object_get(ev, "window_s")));
        else if (jstr(ev, "stats_reset"))
                fprintf(f, "evidence: since the statistics reset at %s\n", jstr(ev, "stats_reset"));
        else
                fprintf(f, "evidence: since the statistics began (never reset)\n");
}

static void advice(FILE *f, const json_t *a, unsigned width) {
        const char *proposed = jstr(a, "proposed");
        fprintf(f, "\n%-26s %s", jstr_or(a, "setting", "?"), jstr_or(a, "current", "?"));
        if (proposed)
                fprintf(f, " -> %s%s", proposed, json_is_true(json_object_get(a, "restart")) ? " (restart)" : "");
        else if (!json_is_true(json_object_get(a, "change")))
                fprintf(f, ": no change");
        fputc('\n', f);
        fputs("  ", f);
        render_wrap(f, 2, 2, width, jstr_or(a, "evidence", ""));
        if (jstr(a, "risk")) {
                fputs("  risk: ", f);
                render_wrap(f, 8, 4, width, jstr(a, "risk"));
        }
        if (jstr(a, "host_change")) {
                fputs("  on the host: ", f);
                render_wrap(f, 15, 4, width, jstr(a, "host_change"));
        }
        if (jstr(a, "sql"))
                fprintf(f, "  %s\n", jstr(a, "sql"));
}

int render_db_advise(FILE *f, const json_t *doc, const RenderView *v) {
        unsigned width = v && v->width ? v->width : 80;
        header(f, doc, width);
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(doc, "advice"), i, a)
                advice(f, a, width);
        json_int_t changes = json_integer_value(json_object_get(doc, "changes"));
        fprintf(f, "\n%" JSON_INTEGER_FORMAT " change%s proposed; skytune applies none of them.\n", changes,
                changes == 1 ? "" : "s");
        return ferror(f) ? -EIO : 0;
}

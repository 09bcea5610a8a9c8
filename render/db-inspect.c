/* SPDX-License-Identifier: MIT */
/* skytune.db-inspect/1 and skytune.db-explain/1 for people, at most 80 columns. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json-util.h"
#include "macro.h"
#include "render.h"

static double num(const json_t *o, const char *k) {
        const json_t *v = json_object_get(o, k);
        return json_is_number(v) ? json_number_value(v) : NAN;
}

static void db_stats(FILE *f, const char *label, const json_t *s) {
        double hit = num(s, "cache_hit_ratio");
        if (isnan(hit) && json_is_number(json_object_get(s, "blks_hit"))) {
                double h = num(s, "blks_hit"), r = num(s, "blks_read");
                hit = h + r > 0 ? h / (h + r) : NAN;
        }
        fprintf(f, "%s: cache hit ", label);
        fprintf(f, isfinite(hit) ? "%.2f%%" : "-", hit * 100);
        fprintf(f, ", %.0f commits, %.0f rollbacks, %.0f deadlocks,\n  %.0f temp files (%.0f bytes), %.0f conflicts\n",
                num(s, "xact_commit"), num(s, "xact_rollback"), num(s, "deadlocks"), num(s, "temp_files"),
                num(s, "temp_bytes"), num(s, "conflicts"));
}

static void rows_of(FILE *f, const json_t *findings, const char *kind, const char *title) {
        const json_t *rows = json_object_get(findings, kind), *r;
        size_t i;
        fprintf(f, "\n%s:%s\n", title, json_array_size(rows) ? "" : " none");
        json_array_foreach(rows, i, r) {
                if (strcmp(kind, "unused_index") == 0)
                        fprintf(f, "  %.30s on %.24s (%.0f rows, %.0f bytes)\n", jstr_or(r, "index", "?"),
                                jstr_or(r, "table", "?"), num(r, "rows"), num(r, "bytes"));
                else if (strcmp(kind, "seq_scan_large") == 0)
                        fprintf(f, "  %.30s: %.0f sequential scans read %.0f rows (%.0f rows, %.0f index scans)\n",
                                jstr_or(r, "table", "?"), num(r, "seq_scan"), num(r, "seq_tup_read"), num(r, "rows"),
                                isfinite(num(r, "idx_scan")) ? num(r, "idx_scan") : 0);
                else
                        fprintf(f, "  %.30s: %.0f dead of %.0f (%.1f%%)\n", jstr_or(r, "table", "?"), num(r, "dead"),
                                num(r, "dead") + num(r, "rows"), num(r, "dead_ratio") * 100);
        }
}

int render_db_inspect(FILE *f, const json_t *doc, const RenderView *v) {
        const char *version = jstr_or(doc, "server_version", "?");
        fprintf(f, "db inspect: database %.40s (PostgreSQL %.*s)\n", jstr_or(doc, "database", "?"),
                (int) strcspn(version, " "), version);
        const json_t *w = json_object_get(doc, "window");
        if (json_is_object(w)) {
                char label[48];
                snprintf(label, sizeof label, "over %.1f s", num(w, "window_s"));
                db_stats(f, label, w);
        }
        db_stats(f, "lifetime", json_object_get(doc, "lifetime"));
        const json_t *fs = json_object_get(doc, "findings");
        char title[96];
        snprintf(title, sizeof title, "unused indexes (no scan; not unique or primary key; %.0f+ rows)",
                 num(doc, "min_rows"));
        rows_of(f, fs, "unused_index", title);
        snprintf(title, sizeof title, "sequential scans on tables of %.0f+ rows", num(doc, "min_rows"));
        rows_of(f, fs, "seq_scan_large", title);
        rows_of(f, fs, "dead_tuples", "dead tuples over 20%");
        return ferror(f) ? -EIO : 0;
}

/* " %9.Nf" of o's k, or " -" right-aligned; decimals 3 (times) or 0 (counts, costs). */
static void put_num(FILE *f, const json_t *o, const char *k, int decimals) {
        double d = num(o, k);
        if (isfinite(d))
                fprintf(f, " %9.*f", decimals, d);
        else
                fprintf(f, " %9s", "-");
}

int render_db_explain(FILE *f, const json_t *doc, const RenderView *v) {
        fprintf(f, "db explain%s: planning %.3f ms, execution %.3f ms\n\n%-36s %9s %9s %9s %9s\n",
                json_is_true(json_object_get(doc, "analyze")) ? " --analyze" : "", num(doc, "planning_ms"),
                num(doc, "execution_ms"), "slowest nodes", "time ms", "cost", "plan rows", "rows");
        const json_t *n;
        size_t i;
        json_array_foreach(json_object_get(doc, "slowest"), i, n) {
                char label[64];
                const char *rel = jstr(n, "relation");
                snprintf(label, sizeof label, "%s%s%s", jstr_or(n, "node", "?"), rel ? " on " : "", rel ? rel : "");
                fprintf(f, "  %-34.34s", label);
                put_num(f, n, "time_ms", 3);
                put_num(f, n, "total_cost", 0);
                put_num(f, n, "plan_rows", 0);
                put_num(f, n, "actual_rows", 0);
                fprintf(f, "\n");
        }
        const json_t *fs = json_object_get(doc, "findings");
        fprintf(f, "\nfindings:%s\n", json_array_size(fs) ? "" : " none");
        json_array_foreach(fs, i, n) {
                char lead[96];
                int k = snprintf(lead, sizeof lead, "  %s, %s%s%s: ", jstr_or(n, "kind", "?"), jstr_or(n, "node", "?"),
                                 jstr(n, "relation") ? " on " : "", jstr_or(n, "relation", ""));
                fputs(lead, f);
                render_wrap(f, (unsigned) MIN(MAX(k, 0), 60), 4, 80, jstr_or(n, "text", ""));
        }
        return ferror(f) ? -EIO : 0;
}

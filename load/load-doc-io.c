/* SPDX-License-Identifier: MIT */
/* Writing the document with its intervals streamed from a temporary file, and reading it back. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json-util.h"
#include "load-doc.h"
#include "safe-text.h"
#include "macro.h"
#include "schema.h"

int load_doc_writer_open(LoadDocWriter *w, const char *ndjson_path, Error *e) {
        *w = (LoadDocWriter) { 0 };
        w->intervals = tmpfile();
        if (!w->intervals)
                return error_set(e, -errno, "cannot make a temporary file for the intervals: %m (set TMPDIR to a "
                                 "writable directory)");
        if (ndjson_path) {
                w->ndjson = strcmp(ndjson_path, "-") == 0 ? stdout : fopen(ndjson_path, "we");
                if (!w->ndjson) {
                        int r = -errno;
                        load_doc_writer_close(w);
                        return error_set(e, r, "cannot write the intervals to %s: %s", ndjson_path, strerror(-r));
                }
        }
        return 0;
}

static void put_line(LoadDocWriter *w, FILE *f, const json_t *o) {
        if (json_dumpf(o, f, JSON_COMPACT | JSON_REAL_PRECISION(10)) < 0 || fputc('\n', f) == EOF)
                w->error = w->error ? w->error : -EIO;
}

void load_doc_writer_add(LoadDocWriter *w, const LoadInterval *iv) {
        json_t *rec = load_interval_json(iv, false);
        if (!rec) {
                w->error = -ENOMEM;
                return;
        }
        put_line(w, w->intervals, rec);
        w->n++;
        if (w->ndjson) {
                json_object_set_new(rec, "schema", json_string(LOAD_INTERVAL_SCHEMA));
                put_line(w, w->ndjson, rec);
                fflush(w->ndjson);
        }
        json_decref(rec);
}

/* The records of the temporary file, comma-separated. */
static int copy_intervals(LoadDocWriter *w, FILE *out) {
        if (fflush(w->intervals) != 0 || fseek(w->intervals, 0, SEEK_SET) != 0)
                return -EIO;
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        bool first = true;
        while ((n = getline(&line, &cap, w->intervals)) > 0) {
                if (line[n - 1] == '\n')
                        line[--n] = '\0';
                if ((!first && fputc(',', out) == EOF) || fputs(line, out) == EOF) {
                        free(line);
                        return -EIO;
                }
                first = false;
        }
        free(line);
        return 0;
}

int load_doc_write(LoadDocWriter *w, const json_t *doc, FILE *out, bool compact) {
        size_t flags = (compact ? JSON_COMPACT : JSON_INDENT(2)) | JSON_REAL_PRECISION(10);
        _cleanup_free_ char *text = json_dumps(doc, flags);
        if (!text)
                return -ENOMEM;
        /* The one "intervals" key of the document: its empty array is where the records go (a quote
         * inside a string value is escaped, so the pattern cannot come from one). */
        const char *key = strstr(text, "\"intervals\":");
        const char *open = key ? strchr(key, '[') : NULL;
        if (!open)
                return -EINVAL;
        int r = 0;
        if (fwrite(text, 1, (size_t) (open + 1 - text), out) != (size_t) (open + 1 - text))
                r = -EIO;
        if (r >= 0)
                r = copy_intervals(w, out);
        if (r >= 0 && (fputs(open + 1, out) == EOF || fputc('\n', out) == EOF || fflush(out) != 0))
                r = -EIO;
        return r < 0 ? r : w->error;
}

void load_doc_writer_close(LoadDocWriter *w) {
        if (w->intervals)
                fclose(w->intervals);
        if (w->ndjson && w->ndjson != stdout)
                fclose(w->ndjson);
        else if (w->ndjson)
                fflush(stdout);
        *w = (LoadDocWriter) { 0 };
}

/* Strings are made printable (json_escape_tree) so that no renderer passes a saved run's control
 * characters on to a terminal. */
int load_doc_read(const char *path, json_t **ret, Error *e) {
        json_error_t je;
        json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
        if (!doc) {
                if (je.line <= 0)
                        return error_set(e, -ENOENT, "cannot read %s: %s (give the file that skytune load --out wrote)",
                                         path, je.text);
                return error_set_input(e, -EINVAL, path, (unsigned) je.line, "not JSON: %s", je.text);
        }
        const char *schema = jstr(doc, "schema");
        if (!json_is_object(doc) || !schema || strcmp(schema, LOAD_SCHEMA) != 0) {
                int r = error_set_input(e, -EINVAL, path, 0,
                                        "schema is %s, not " LOAD_SCHEMA ": give a run that skytune load --out or --json wrote",
                                        schema ? schema : "missing");
                json_decref(doc);
                return r;
        }
        if (json_escape_tree(doc) < 0) {
                json_decref(doc);
                return error_set(e, -ENOMEM, "out of memory reading %s", path);
        }
        *ret = doc;
        return 0;
}

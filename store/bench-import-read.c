/* SPDX-License-Identifier: MIT */
/* The lines of an export, for the check that reads FILE whole before any history is opened and for
 * the import that writes it: a bad FILE leaves no new history behind and an existing one untouched. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench-export.h"

/* The next line of in into *buf (without its newline), at most max bytes: 1, 0 at the end, -E2BIG. */
static int read_line(FILE *in, char **buf, size_t *cap, size_t *ret_len, size_t max) {
        size_t n = 0;
        int ch;
        while ((ch = getc_unlocked(in)) != EOF && ch != '\n') {
                if (n == max)
                        return -E2BIG;
                if (n + 1 >= *cap) {
                        size_t want = *cap ? *cap * 2 : 4096;
                        char *p = realloc(*buf, want);
                        if (!p)
                                return -ENOMEM;
                        *buf = p;
                        *cap = want;
                }
                (*buf)[n++] = (char) ch;
        }
        *ret_len = n;
        return ch == EOF && n == 0 ? 0 : 1;
}

int bench_import_lines(FILE *in, const char *file, BenchLineFn fn, void *userdata, Error *e) {
        char *line = NULL;
        size_t cap = 0, len;
        unsigned lineno = 0;
        int r = 0, more = 1;
        while (r == 0 && (more = read_line(in, &line, &cap, &len, BENCH_IMPORT_MAX_LINE)) > 0) {
                lineno++;
                if (len > 0)
                        r = fn(userdata, line, len, lineno, e);
        }
        if (r == 0 && more == -E2BIG)
                r = error_set_input(e, -EINVAL, file, lineno + 1, "a line over %u MiB: not an export of skytune",
                                    BENCH_IMPORT_MAX_LINE >> 20);
        else if (r == 0 && (more < 0 || ferror(in)))
                r = error_set(e, more < 0 ? more : -EIO, "cannot read %s after line %u", file, lineno);
        free(line);
        return r;
}

typedef struct Check {
        const char *file;
        bool history_exists;
        json_t *runs; /* the runs on earlier lines: key -> true */
} Check;

/* Which run key (an object {started_us, suite_digest}) of suite is: a string, malloc'ed. */
static char *run_key(const char *suite, const json_t *key) {
        json_t *k =
                json_pack("[s, O, O]", suite, json_object_get(key, "started_us"), json_object_get(key, "suite_digest"));
        char *s = k ? json_dumps(k, JSON_COMPACT) : NULL;
        json_decref(k);
        return s;
}

/* Whether the run key names is on an earlier line (NULL key: no run named, as "previous": null). */
static int seen(Check *c, const char *suite, const json_t *key, bool *ret) {
        if (!json_is_object(key)) {
                *ret = true;
                return 0;
        }
        char *k = run_key(suite, key);
        if (!k)
                return -ENOMEM;
        *ret = json_object_get(c->runs, k) != NULL;
        free(k);
        return 0;
}

static int check_line(void *userdata, const char *line, size_t len, unsigned lineno, Error *e) {
        Check *c = userdata;
        json_t *doc = NULL;
        BenchLineKind kind;
        const char *suite;
        bool run = true, prev = true;
        int r = bench_import_parse_line(line, len, c->file, lineno, &doc, &kind, e);
        if (r < 0)
                return r;
        suite = json_string_value(json_object_get(doc, "suite"));
        if (kind == BENCH_LINE_RUN) {
                char *k = run_key(suite, doc);
                r = k && json_object_set_new(c->runs, k, json_true()) == 0 ? 0 : -ENOMEM;
                free(k);
        } else if ((r = seen(c, suite, json_object_get(doc, "run"), &run)) == 0 &&
                   (r = seen(c, suite, json_object_get(doc, "previous"), &prev)) == 0 && !(run && prev) &&
                   !c->history_exists)
                r = error_set_input(e, -EINVAL, c->file, lineno,
                                    "baseline %s of suite %s: its run or previous run is not on an earlier line"
                                    " and there is no history yet: export the runs with it",
                                    json_string_value(json_object_get(doc, "name")), suite);
        json_decref(doc);
        return r < 0 ? r : 0;
}

int bench_import_check(FILE *in, const char *file, bool history_exists, Error *e) {
        Check c = { .file = file, .history_exists = history_exists, .runs = json_object() };
        int r = c.runs ? bench_import_lines(in, file, check_line, &c, e) : -ENOMEM;
        json_decref(c.runs);
        return r;
}

/* SPDX-License-Identifier: MIT */
/* Running skytune itself with --json and parsing its document (the load, db and stress kinds): the
 * child's argv, the exit codes that measured, the document's schema and its figures. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "json-util.h"
#include "spawn.h"

/* how's child: an exit code that measured, then its stdout as a JSON object into *ret. */
static int self_json(char *const argv[], const SuiteSelfRun *how, const char *what, const volatile sig_atomic_t *stop,
                     json_t **ret, Error *e) {
        SuiteChild ch;
        int r = suite_child_run(argv, how->timeout_ms, true, stop, &ch, e);
        int code = r == 0 && WIFEXITED(ch.status) ? WEXITSTATUS(ch.status) : -1;
        if (r == -ETIME)
                r = error_set(e, r, "skytune %s ran longer than %g s: raise 'timeout'", what,
                              (double) how->timeout_ms / 1000);
        else if (r == -EMSGSIZE)
                r = error_set(e, r, "skytune %s printed more than %d MiB: not a document it writes", what,
                              SUITE_CHILD_OUT_MAX >> 20);
        else if (r < 0 && r != -EINTR && !(e && e->code))
                r = error_set(e, r, "running skytune %s: %s", what, strerror(-r));
        else if (r == 0 && code < 0)
                r = error_set(e, -EPROTO, "skytune %s was killed by signal %d", what, WTERMSIG(ch.status));
        else if (r == 0 && (code >= 32 || !(how->accept & (1u << code))) && ch.err_line[0])
                r = error_set(e, -EPROTO, "skytune %s exited %d (%s); it said: %s", what, code,
                              code < SUITE_EXIT_WHY_MAX && how->why[code] ? how->why[code] : "failed", ch.err_line);
        else if (r == 0 && (code >= 32 || !(how->accept & (1u << code))))
                r = error_set(e, -EPROTO, "skytune %s exited %d (%s): run the benchmark's %s by hand to see why", what,
                              code, code < SUITE_EXIT_WHY_MAX && how->why[code] ? how->why[code] : "failed", what);
        else if (r == 0) {
                json_error_t jerr;
                *ret = json_loads(ch.out ? ch.out : "", 0, &jerr);
                if (!json_is_object(*ret))
                        r = error_set(e, -EPROTO,
                                      "skytune %s printed no JSON document (%s): run the benchmark's %s by hand "
                                      "with --json to see why",
                                      what, jerr.text[0] ? jerr.text : "not an object", what);
        }
        suite_child_done(&ch);
        return r;
}

int suite_self_doc(const SuiteArgv *a, const SuiteSelfRun *how, const volatile sig_atomic_t *stop, json_t **ret,
                   Error *e) {
        *ret = NULL;
        if (a->oom)
                return error_set(e, -ENOMEM, "out of memory (or more than %d arguments)", SUITE_ARGV_MAX);
        const char *what = how->what ? how->what : a->v[1];
        json_t *doc = NULL;
        int r = self_json(a->v, how, what, stop, &doc, e);
        if (r == 0 && !jstreq(doc, "schema", how->schema))
                r = error_set(e, -EPROTO,
                              "skytune %s printed no %s document: run the benchmark's %s by hand with "
                              "--json to see why",
                              what, how->schema, what);
        if (r < 0)
                json_decref(doc);
        else
                *ret = doc;
        return r;
}

double suite_json_num(const json_t *doc, const char *path) {
        const json_t *v = doc;
        char key[64];
        for (const char *p = path; v && *p;) {
                size_t n = strcspn(p, ".");
                if (n >= sizeof key)
                        return NAN;
                memcpy(key, p, n);
                key[n] = 0;
                v = json_object_get(v, key);
                p += n + (p[n] == '.');
        }
        return json_is_number(v) ? json_number_value(v) : NAN;
}

int suite_doc_figures(const json_t *doc, const char *what, const SuiteMetricDef *defs, const SuiteFigure *at, size_t n,
                      double *values, Error *e) {
        for (size_t i = 0; i < n; i++) {
                values[i] = suite_json_num(doc, at[i].path) * (at[i].scale ? at[i].scale : 1);
                if (!isfinite(values[i]))
                        return error_set(e, -EPROTO,
                                         "skytune %s's document has no %s (%s): run the benchmark's %s by hand with "
                                         "--json to see why",
                                         what, defs[i].name, at[i].path, what);
        }
        return 0;
}

void suite_argv_add(SuiteArgv *a, const char *s) {
        char *copy = a->n < SUITE_ARGV_MAX ? strdup(s) : NULL;
        if (!copy) {
                a->oom = true;
                return;
        }
        a->v[a->n++] = copy;
        a->v[a->n] = NULL;
}

void suite_argv_addf(SuiteArgv *a, const char *fmt, ...) {
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0) {
                a->oom = true;
                return;
        }
        suite_argv_add(a, s);
        free(s);
}

void suite_argv_done(SuiteArgv *a) {
        for (size_t i = 0; i < a->n; i++)
                free(a->v[i]);
        a->n = 0;
}

/* SPDX-License-Identifier: MIT */
/* The report's data: the total's intervals as columns (for the charts and the page's script), and
 * the document embedded in the page as JSON that cannot end its <script> element early. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json-util.h"
#include "load-format.h"
#include "load-html.h"
#include "macro.h"

const char *const load_pct_names[5] = { "p50", "p90", "p99", "p99.9", "max" };

/* The intervals of the total ("step": null); a run without them (one step's document) uses all. */
static bool total_interval(const json_t *iv, bool have_total) {
        return !have_total || json_is_null(json_object_get(iv, "step"));
}

static int error_class(LoadSeries *s, const char *name, size_t n) {
        for (size_t k = 0; k < s->n_errors; k++)
                if (strcmp(s->error_names[k], name) == 0)
                        return (int) k;
        /* Charted classes are few (connect, timeout, http_5xx ...); a document naming more gets the
         * first ones charted (its table lists them all), not memory for each. */
        if (s->n_errors >= LOAD_SERIES_MAX_ERRORS)
                return -E2BIG;
        char **names = realloc(s->error_names, (s->n_errors + 1) * sizeof(char *));
        if (names)
                s->error_names = names;
        double **cols = realloc(s->errors, (s->n_errors + 1) * sizeof(double *));
        if (cols)
                s->errors = cols;
        double *col = calloc(MAX(n, 1), sizeof(double));
        char *copy = strdup(name);
        if (!names || !cols || !col || !copy) {
                free(col);
                free(copy);
                return -ENOMEM;
        }
        s->error_names[s->n_errors] = copy;
        s->errors[s->n_errors] = col;
        return (int) s->n_errors++;
}

static int take_interval(LoadSeries *s, size_t i, const json_t *iv, size_t n) {
        double len = jnum(iv, "end_s") - jnum(iv, "start_s");
        if (!(len > 0))
                len = 1;
        s->t[i] = jnum(iv, "start_s");
        s->planned[i] = jnum(iv, "planned");
        s->attempted[i] = jnum(iv, "attempted") / len;
        s->sent[i] = jnum(iv, "sent") / len;
        s->completed[i] = jnum(iv, "completed") / len;
        s->ok[i] = jnum(iv, "ok") / len;
        const json_t *lat = json_object_get(iv, "latency_us");
        for (size_t p = 0; p < 5; p++)
                s->pct[p][i] = jnum(lat, load_pct_names[p]);
        const char *name;
        json_t *v;
        json_object_foreach((json_t *) json_object_get(iv, "errors"), name, v) {
                if (!json_is_number(v) || strcmp(name, "not_sent") == 0)
                        continue;
                int k = error_class(s, name, n);
                if (k == -E2BIG)
                        continue;
                if (k < 0)
                        return k;
                s->errors[k][i] = json_number_value(v) / len;
        }
        return 0;
}

int load_series_build(const json_t *doc, LoadSeries *s) {
        *s = (LoadSeries) {};
        const json_t *ivs = json_object_get(doc, "intervals");
        size_t i, n = 0;
        json_t *iv;
        bool have_total = false;
        json_array_foreach(ivs, i, iv)
                have_total |= json_is_object(iv) && json_is_null(json_object_get(iv, "step"));
        json_array_foreach(ivs, i, iv)
                n += json_is_object(iv) && total_interval(iv, have_total);
        double **cols[] = { &s->t,      &s->planned, &s->attempted, &s->sent,   &s->completed, &s->ok,
                            &s->pct[0], &s->pct[1],  &s->pct[2],    &s->pct[3], &s->pct[4] };
        for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
                if (!(*cols[c] = calloc(MAX(n, 1), sizeof(double))))
                        return -ENOMEM;
        size_t k = 0;
        json_array_foreach(ivs, i, iv) {
                if (!json_is_object(iv) || !total_interval(iv, have_total))
                        continue;
                int r = take_interval(s, k++, iv, n);
                if (r < 0)
                        return r;
        }
        s->n = n;
        return 0;
}

void load_series_done(LoadSeries *s) {
        double *cols[] = { s->t,      s->planned, s->attempted, s->sent,   s->completed, s->ok,
                           s->pct[0], s->pct[1],  s->pct[2],    s->pct[3], s->pct[4] };
        for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
                free(cols[c]);
        for (size_t k = 0; k < s->n_errors; k++) {
                free(s->error_names[k]);
                free(s->errors[k]);
        }
        free(s->error_names);
        free(s->errors);
        *s = (LoadSeries) {};
}

static json_t *column(const double *v, size_t n) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < n; i++)
                json_array_append_new(a, isfinite(v[i]) ? json_real(round(v[i] * 1000) / 1000) : json_null());
        return a;
}

static json_t *series_json(const LoadSeries *s) {
        json_t *o = json_object(), *errors = json_object();
        json_object_set_new(o, "t_s", column(s->t, s->n));
        json_object_set_new(o, "planned", column(s->planned, s->n));
        json_object_set_new(o, "sent_per_s", column(s->sent, s->n));
        json_object_set_new(o, "completed_per_s", column(s->completed, s->n));
        json_object_set_new(o, "ok_per_s", column(s->ok, s->n));
        for (size_t p = 0; p < 5; p++)
                json_object_set_new(o, load_pct_names[p], column(s->pct[p], s->n));
        for (size_t k = 0; k < s->n_errors; k++)
                json_object_set_new(errors, s->error_names[k], column(s->errors[k], s->n));
        json_object_set_new(o, "errors_per_s", errors);
        return o;
}

/* Every "hdr" below o dropped (the page shows percentiles; the total's histogram stays). */
static void drop_hdr(json_t *o) {
        const char *k;
        json_t *v;
        size_t i;
        if (json_is_array(o))
                json_array_foreach(o, i, v)
                        drop_hdr(v);
        if (!json_is_object(o))
                return;
        json_object_del(o, "hdr");
        json_object_foreach(o, k, v)
                drop_hdr(v);
}

void html_script_json(FILE *f, const char *text) {
        /* <, > and & only occur inside JSON strings, where \u escapes mean the same. */
        for (const char *c = text; *c; c++)
                if (*c == '<' || *c == '>' || *c == '&')
                        fprintf(f, "\\u%04x", (unsigned) *c);
                else
                        fputc(*c, f);
}

int html_embedded_data(FILE *f, const json_t *doc, const LoadSeries *s) {
        json_t *copy = json_deep_copy(doc);
        if (!copy)
                return -ENOMEM;
        json_t *total_hdr = json_incref(json_object_get(json_object_get(copy, "total"), "hdr"));
        json_object_del(copy, "intervals");
        drop_hdr(copy);
        if (total_hdr && json_is_object(json_object_get(copy, "total")))
                json_object_set(json_object_get(copy, "total"), "hdr", total_hdr);
        json_decref(total_hdr);
        json_object_set_new(copy, "series", series_json(s));
        int r = html_put_json(f, copy);
        json_decref(copy);
        return r;
}

/* Keys sorted: the page is the same whether the document was built in memory or read back from a file. */
int html_put_json(FILE *f, const json_t *data) {
        char *text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
        if (!text)
                return -ENOMEM;
        html_script_json(f, text);
        free(text);
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* The scenario model's own functions: freeing, the planned length of a step, and the headers, whose
 * secret values are read from a file or the environment and never shown. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"
#include "scenario.h"

const char *const load_phase_kind_names[_LOAD_PHASE_MAX] = {
        [LOAD_PHASE_RAMP] = "ramp",
        [LOAD_PHASE_HOLD] = "hold",
        [LOAD_PHASE_STEP] = "step",
        [LOAD_PHASE_SPIKE] = "spike",
};

static void endpoint_done(LoadEndpoint *ep) {
        free(ep->name);
        free(ep->method);
        free(ep->path);
        free(ep->body);
        free(ep->body_file);
        for (size_t k = 0; k < ep->n_headers; k++)
                load_header_done(&ep->headers[k]);
        free(ep->headers);
}

static void step_done(LoadStep *st) {
        free(st->name);
        free(st->url);
        for (size_t i = 0; i < st->n_phases; i++)
                if (st->phases[i].until) {
                        threshold_done(st->phases[i].until);
                        free(st->phases[i].until);
                }
        free(st->phases);
        for (size_t i = 0; i < st->n_endpoints; i++)
                endpoint_done(&st->endpoints[i]);
        free(st->endpoints);
        for (size_t i = 0; i < st->n_thresholds; i++)
                threshold_done(&st->thresholds[i]);
        free(st->thresholds);
}

Scenario *scenario_free(Scenario *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_steps; i++)
                step_done(&s->steps[i]);
        free(s->steps);
        for (size_t i = 0; i < s->n_thresholds; i++)
                threshold_done(&s->thresholds[i]);
        free(s->thresholds);
        free(s->name);
        free(s->file);
        free(s->cacert);
        free(s);
        return NULL;
}

char *scenario_header_display(const LoadHeader *h) {
        char *s;
        int r = h->source ? asprintf(&s, "%s: <secret from %s>", h->name, h->source)
                          : asprintf(&s, "%s: %s", h->name, h->value);
        return r < 0 ? NULL : s;
}

double scenario_step_planned_s(const LoadStep *st) {
        double t = 0;
        for (size_t i = 0; i < st->n_phases; i++) {
                const LoadPhase *p = &st->phases[i];
                t += p->duration_s * (p->kind == LOAD_PHASE_STEP ? (p->max_steps ? p->max_steps : 1000) : 1);
        }
        return t;
}

void load_header_done(LoadHeader *h) {
        free(h->name);
        if (h->value && h->source)
                explicit_bzero(h->value, strlen(h->value));     /* a secret leaves no copy behind */
        free(h->value);
        free(h->source);
        *h = (LoadHeader) {};
}

/* The secret of "@PATH" (a file, relative to dir) or "$VAR" (the environment) into *ret. */
static int secret_read(const char *ref, const char *dir, char **ret, char **ret_source, Error *e) {
        if (*ref == '$') {
                const char *v = getenv(ref + 1);
                if (!v)
                        return error_set(e, -ENOENT, "the environment variable %s is not set: export it, or give the "
                                         "secret with @FILE", ref + 1);
                *ret = strdup(v);
                return *ret && asprintf(ret_source, "env %s", ref + 1) >= 0 ? 0 : -ENOMEM;
        }
        _cleanup_free_ char *path = NULL;
        if (ref[1] != '/' && dir && asprintf(&path, "%s/%s", dir, ref + 1) < 0)
                return -ENOMEM;
        const char *p = path ? path : ref + 1;
        size_t len;
        int r = fileio_read_regular(p, 64 * 1024, ret, &len);
        if (r < 0)
                return error_set(e, r, "cannot read the secret file %s: %s", p, strerror(-r));
        (*ret)[strcspn(*ret, "\r\n")] = '\0';           /* the file's trailing newline */
        return asprintf(ret_source, "file %s", p) >= 0 ? 0 : -ENOMEM;
}

int load_header_parse(const char *text, const char *dir, LoadHeader *h, Error *e) {
        *h = (LoadHeader) {};
        const char *colon = strchr(text, ':');
        size_t name_len = colon ? (size_t) (colon - text) : 0;
        if (name_len == 0 || strcspn(text, " \t\r\n") < name_len)
                return error_set(e, -EINVAL, "header '%s': write 'Name: value' (a name without spaces, then a colon)", text);
        if (strpbrk(text, "\r\n"))
                return error_set(e, -EINVAL, "header '%.*s': a header is one line (no CR or LF)", (int) name_len, text);
        const char *v = colon + 1 + strspn(colon + 1, " \t");
        /* A secret: the value is "@FILE" or "$VAR", or ends with a word that is ("Bearer $TOKEN"). */
        const char *ref = strrchr(v, ' ');
        ref = ref ? ref + 1 : v;
        bool secret = (*ref == '@' || *ref == '$') && ref[1];
        h->name = strndup(text, name_len);
        if (!h->name)
                return -ENOMEM;
        if (!secret) {
                h->value = strdup(v);
                return h->value ? 0 : -ENOMEM;
        }
        _cleanup_free_ char *val = NULL;
        int r = secret_read(ref, dir, &val, &h->source, e);
        if (r < 0) {
                load_header_done(h);
                return r == -ENOMEM ? error_set(e, r, "out of memory") : r;
        }
        if (asprintf(&h->value, "%.*s%s", (int) (ref - v), v, val) < 0) {
                explicit_bzero(val, strlen(val));
                load_header_done(h);
                return -ENOMEM;
        }
        explicit_bzero(val, strlen(val));
        return 0;
}

/* SPDX-License-Identifier: MIT */
#include "probe-options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

static size_t index_of(const ProbeBackend *b) {
        for (size_t i = 0; i < probe_table_size; i++)
                if (probe_table[i] == b)
                        return i;
        return SIZE_MAX;
}

int probe_option_set_init(ProbeOptionSet *s) {
        *s = (ProbeOptionSet) {};
        if (probe_table_size > PROBE_OPTION_SET_MAX)
                return -E2BIG;
        for (size_t i = 0; i < probe_table_size; i++) {
                const ProbeBackend *b = probe_table[i];
                if (!b->options_size)
                        continue;
                s->opts[i] = calloc(1, b->options_size);
                if (!s->opts[i]) {
                        probe_option_set_done(s); /* the ones made so far */
                        return -ENOMEM;
                }
                if (b->options_init)
                        b->options_init(s->opts[i]);
        }
        return 0;
}

void probe_option_set_done(ProbeOptionSet *s) {
        for (size_t i = 0; i < probe_table_size && i < PROBE_OPTION_SET_MAX; i++) {
                if (s->opts[i] && probe_table[i]->options_done)
                        probe_table[i]->options_done(s->opts[i]);
                free(s->opts[i]);
                free(s->targets[i]);
        }
        *s = (ProbeOptionSet) {};
}

/* The k-th distinct option name over the table, in table order; NULL past the last. */
static const ProbeOption *nth_distinct(size_t k) {
        size_t n = 0;
        for (size_t i = 0; i < probe_table_size; i++)
                for (size_t j = 0; j < probe_table[i]->n_options; j++) {
                        const ProbeOption *o = &probe_table[i]->options[j];
                        bool seen = false;
                        for (size_t p = 0; p < i && !seen; p++)
                                seen = probe_option_find(probe_table[p], o->name) != NULL;
                        if (!seen && n++ == k)
                                return o;
                }
        return NULL;
}

size_t probe_option_set_longopts(struct option *out, int base) {
        size_t n = 0;
        for (const ProbeOption *o; n < PROBE_OPTION_NAMES_MAX && (o = nth_distinct(n)); n++)
                out[n] = (struct option) { o->name, o->arg ? required_argument : no_argument, NULL, base + (int) n };
        return n;
}

static int push_target(ProbeOptionSet *s, size_t i, const char *value) {
        const char **l = realloc(s->targets[i], (s->n_targets[i] + 1) * sizeof(char *));
        if (!l)
                return -ENOMEM;
        l[s->n_targets[i]++] = value;
        s->targets[i] = l;
        return 0;
}

int probe_option_set_apply(ProbeOptionSet *s, int k, const char *value, Error *e) {
        const ProbeOption *named = k >= 0 ? nth_distinct((size_t) k) : NULL;
        if (!named)
                return error_set(e, -EINVAL, "no such probe option");
        for (size_t i = 0; i < probe_table_size; i++) {
                const ProbeBackend *b = probe_table[i];
                const ProbeOption *o = probe_option_find(b, named->name);
                if (!o)
                        continue;
                /* A target is checked now (a usage error before anything runs) and handed over per run. */
                int r = o->parse(s->opts[i], value, e);
                if (r >= 0 && b->target_option && strcmp(b->target_option, o->name) == 0)
                        r = push_target(s, i, value) < 0 ? error_set(e, -ENOMEM, "out of memory") : 0;
                if (r < 0)
                        return r;
        }
        if ((size_t) k < PROBE_OPTION_NAMES_MAX)
                s->given[k] = true;
        return 0;
}

static int check_one(const ProbeOptionSet *s, size_t i, Error *e) {
        const ProbeBackend *b = probe_table[i];
        return b->options_check && s->opts[i] ? b->options_check(s->opts[i], e) : 0;
}

int probe_option_set_check(const ProbeOptionSet *s, Error *e) {
        for (size_t i = 0; i < probe_table_size; i++) {
                int r = check_one(s, i, e);
                if (r < 0)
                        return r;
        }
        return 0;
}

int probe_option_set_check_some(const ProbeOptionSet *s, const ProbeBackend *const *sel, size_t n, Error *e) {
        for (size_t j = 0; j < n; j++) {
                size_t i = index_of(sel[j]);
                int r = i < PROBE_OPTION_SET_MAX ? check_one(s, i, e) : 0;
                if (r < 0)
                        return r;
        }
        return 0;
}

const char *probe_option_set_unused(const ProbeOptionSet *s, const ProbeBackend *const *sel, size_t n, size_t *k) {
        for (const ProbeOption *o; *k < PROBE_OPTION_NAMES_MAX && (o = nth_distinct(*k));) {
                bool skip = !s->given[(*k)++]; /* not given, or a selected backend takes it */
                for (size_t j = 0; j < n && !skip; j++)
                        skip = probe_option_find(sel[j], o->name) != NULL;
                if (!skip)
                        return o->name;
        }
        return NULL;
}

const void *probe_option_set_of(const ProbeOptionSet *s, const ProbeBackend *b) {
        size_t i = index_of(b);
        return i < PROBE_OPTION_SET_MAX ? s->opts[i] : NULL;
}

size_t probe_option_set_targets(const ProbeOptionSet *s, const ProbeBackend *b, const char *const **ret) {
        size_t i = index_of(b);
        if (i >= PROBE_OPTION_SET_MAX) {
                *ret = NULL;
                return 0;
        }
        *ret = s->targets[i];
        return s->n_targets[i];
}

bool probe_option_set_any_target(const ProbeOptionSet *s) {
        for (size_t i = 0; i < probe_table_size; i++)
                if (s->n_targets[i] > 0)
                        return true;
        return false;
}

int probe_option_set_target(ProbeOptionSet *s, const ProbeBackend *b, const char *target, Error *e) {
        size_t i = index_of(b);
        const ProbeOption *o = b->target_option ? probe_option_find(b, b->target_option) : NULL;
        if (i >= PROBE_OPTION_SET_MAX || !o)
                return error_set(e, -EINVAL, "the %s probe takes no target", b->name);
        return o->parse(s->opts[i], target, e);
}

static void help_option(FILE *f, const ProbeOption *o) {
        char head[64];
        snprintf(head, sizeof(head), "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        const char *p = o->help;
        if (strlen(head) > 16) /* too wide for the column: the help starts on the next line */
                fprintf(f, "  %s\n%19s%.*s\n", head, "", (int) strcspn(p, "\n"), p);
        else
                fprintf(f, "  %-16s %.*s\n", head, (int) strcspn(p, "\n"), p);
        for (p = strchr(p, '\n'); p; p = strchr(p, '\n')) {
                p++;
                fprintf(f, "%19s%.*s\n", "", (int) strcspn(p, "\n"), p);
        }
}

void probe_option_set_help(FILE *f) {
        for (size_t i = 0; i < probe_table_size; i++) {
                const ProbeBackend *b = probe_table[i];
                if (!b->n_options)
                        continue;
                fprintf(f, "\n%s\n", b->options_heading ? b->options_heading : b->name);
                for (size_t j = 0; j < b->n_options; j++)
                        help_option(f, &b->options[j]);
        }
}

/* SPDX-License-Identifier: MIT */
/* Suite files (docs/bench.md): libconfig, read into a Suite; every mistake is an error at file:line
 * that says what to write instead. A benchmark's own keys are its kind's (suite-kinds.c); its
 * metrics and gates are read in suite-parse-bench.c. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "fnv1a.h"
#include "macro.h"
#include "safe-text.h"
#include "suite-internal.h"

static int parse_benches(const ConfRead *c, const config_setting_t *root, Suite *s, const SuiteDefaults *d) {
        const config_setting_t *list = config_setting_get_member(root, "benchmarks");
        if (!list || !config_setting_is_list(list) || config_setting_length(list) == 0)
                return conf_fail(c, list ? list : root,
                                 "a suite needs 'benchmarks = ( { name = \"...\"; kind = \"command\"; "
                                 "command = \"...\"; }, ... );' (a list of groups in parentheses)");
        int n = config_setting_length(list);
        if (n > SUITE_BENCHES_MAX)
                return conf_fail(c, list, "%d benchmarks: at most %d (split the suite)", n, SUITE_BENCHES_MAX);
        s->benches = calloc((size_t) n, sizeof(SuiteBench));
        if (!s->benches)
                return error_set(c->e, -ENOMEM, "out of memory");
        for (int i = 0; i < n; i++) {
                const config_setting_t *g = config_setting_get_elem(list, (unsigned) i);
                s->n_benches++;
                int r = suite_parse_bench(c, g, d, &s->benches[i]);
                if (r < 0)
                        return r;
                for (int k = 0; k < i; k++)
                        if (strcmp(s->benches[k].name, s->benches[i].name) == 0)
                                return conf_fail(c, g, "a second benchmark named '%s': give each its own name",
                                                 s->benches[i].name);
        }
        return 0;
}

static int parse_count(const ConfRead *c, const config_setting_t *g, const char *key, double max, unsigned *ret) {
        double v = *ret;
        int r = conf_number(c, g, key, 0, max, &v);
        if (r > 0 && v != (unsigned) v)
                return conf_fail(c, config_setting_get_member(g, key), "'%s' is a whole number, not %g", key, v);
        *ret = (unsigned) v;
        return r;
}

int suite_parse_counts(const ConfRead *c, const config_setting_t *g, SuiteDefaults *d) {
        int r = parse_count(c, g, "repetitions", SUITE_REPETITIONS_MAX, &d->repetitions);
        if (r >= 0 && d->repetitions == 0)
                return conf_fail(c, config_setting_get_member(g, "repetitions"), "'repetitions' must be at least 1");
        return r < 0 ? r : parse_count(c, g, "warmup", SUITE_WARMUP_MAX, &d->warmup);
}

static int parse_root(const ConfRead *c, const config_setting_t *root, Suite *s) {
        static const char *const keys[] = { "name", "repetitions", "warmup", "benchmarks" };
        SuiteDefaults d = { .repetitions = SUITE_DEFAULT_REPETITIONS, .warmup = SUITE_DEFAULT_WARMUP };
        int r = conf_keys(c, root, "the suite", keys, ELEMENTSOF(keys));
        if (r >= 0)
                r = conf_string(c, root, "name", &s->name);
        if (r >= 0 && s->name && (!*s->name || !text_is_printable(s->name)))
                return conf_fail(c, config_setting_get_member(root, "name"),
                                 "'name' must be printable text, not empty");
        if (r >= 0 && !s->name) {
                _cleanup_free_ char *copy = strdup(c->file);
                s->name = copy ? strdup(basename(copy)) : NULL;
                if (!s->name)
                        return error_set(c->e, -ENOMEM, "out of memory");
                s->name[strcspn(s->name, ".")] = '\0';
        }
        if (r >= 0)
                r = suite_parse_counts(c, root, &d);
        return r < 0 ? r : parse_benches(c, root, s, &d);
}

int suite_load_text(const char *file, const char *text, size_t len, Suite **ret, Error *e) {
        *ret = NULL;
        ConfRead c = { .file = file, .doc = "docs/bench.md", .e = e };
        config_t cfg;
        config_init(&cfg);
        int r = conf_parse_text(&c, &cfg, text, len);
        if (r < 0) {
                config_destroy(&cfg);
                return r;
        }
        Suite *s = calloc(1, sizeof(Suite));
        if (!s || !(s->file = strdup(file)))
                r = error_set(e, -ENOMEM, "out of memory");
        else
                r = parse_root(&c, config_root_setting(&cfg), s);
        config_destroy(&cfg);
        if (r < 0) {
                suite_free(s);
                return r;
        }
        uint64_t h = FNV1A_INIT;
        for (size_t i = 0; i < len; i++)
                h = fnv1a_byte(h, (unsigned char) text[i]);
        snprintf(s->digest, sizeof(s->digest), "%016llx", (unsigned long long) h);
        *ret = s;
        return 0;
}

int suite_load_file(const char *path, Suite **ret, Error *e) {
        *ret = NULL;
        if (!text_is_printable(path))
                return error_set(e, -EINVAL, "the suite's path is not printable UTF-8: rename the file");
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = fileio_read_regular(path, 4u << 20, &text, &len);
        if (r < 0)
                return error_set(e, r, "cannot read the suite %s: %s", path, strerror(-r));
        return suite_load_text(path, text, len, ret, e);
}

static void bench_done(SuiteBench *b) {
        if (b->kind && b->spec)
                b->kind->spec_free(b->spec);
        free(b->name);
        free(b->metrics);
        free(b->metric_ix);
        free(b->gates);
}

void suite_free(Suite *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n_benches; i++)
                bench_done(&s->benches[i]);
        free(s->benches);
        free(s->name);
        free(s->file);
        free(s);
}

const SuiteBench *suite_find_bench(const Suite *s, const char *name) {
        for (size_t i = 0; i < s->n_benches; i++)
                if (strcmp(s->benches[i].name, name) == 0)
                        return &s->benches[i];
        return NULL;
}

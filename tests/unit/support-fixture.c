/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profiler.h"
#include "support.h"

char *test_tmpdir(void) {
        const char *base = getenv("TMPDIR");
        char *t;
        assert_true(asprintf(&t, "%s/skytune-test.XXXXXX", base ? base : "/tmp") > 0);
        assert_non_null(mkdtemp(t));
        return t;
}

static int run(const char *a, const char *b, const char *c) {
        char *cmd;
        assert_true(asprintf(&cmd, "%s%s%s", a, b, c) > 0);
        int r = system(cmd);
        free(cmd);
        return r;
}

void test_rm_rf(const char *dir) {
        if (dir && strncmp(dir, "/tmp/", 5) == 0)
                run("rm -rf -- '", dir, "'");
        else if (dir && getenv("TMPDIR") && strncmp(dir, getenv("TMPDIR"), strlen(getenv("TMPDIR"))) == 0)
                run("rm -rf -- '", dir, "'");
}

void test_copy_fixture(const char *name, const char *dir) {
        char *src;
        if (name[0] == '/')
                src = strdup(name);
        else
                assert_true(asprintf(&src, "%s/%s", SKYTUNE_FIXTURES, name) > 0);
        char *arg;
        assert_true(asprintf(&arg, "%s/.' '%s", src, dir) > 0);
        assert_int_equal(run("cp -a -- '", arg, "'"), 0);
        free(arg);
        free(src);
}

static void mkdir_parents(char *path) {
        for (char *p = path + 1; *p; p++)
                if (*p == '/') {
                        *p = '\0';
                        (void) mkdir(path, 0755);
                        *p = '/';
                }
}

void test_write(const char *dir, const char *rel, const char *content) {
        char *path;
        assert_true(asprintf(&path, "%s/%s", dir, rel) > 0);
        mkdir_parents(path);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        size_t n = strlen(content);
        assert_int_equal(write(fd, content, n), (ssize_t) n);
        close(fd);
        free(path);
}

void test_writef(const char *dir, const char *rel, const char *fmt, ...) {
        va_list ap;
        char *s;
        va_start(ap, fmt);
        assert_true(vasprintf(&s, fmt, ap) >= 0);
        va_end(ap);
        test_write(dir, rel, s);
        free(s);
}

static json_t *profile_with_period(const char *dir, unsigned samples, TestStep step, void *userdata,
                                   uint64_t full_period) {
        Sysroot *root = NULL;
        Profiler *p = NULL;
        json_t *doc = NULL;
        assert_int_equal(sysroot_open(dir, &root), 0);
        if (step)
                step(dir, 0, userdata);
        assert_int_equal(profiler_new(root, &p), 0);
        profiler_set_full_period(p, full_period);
        for (unsigned i = 0; i < samples; i++) {
                if (step && i > 0)
                        step(dir, i, userdata);
                assert_int_equal(profiler_sample(p, 1000000ull + i * 1000000ull, i + 1 == samples), 0);
        }
        assert_int_equal(profiler_report(p, samples > 1 ? samples - 1 : 0, 1, &doc), 0);
        profiler_free(p);
        sysroot_free(root);
        assert_non_null(doc);
        test_assert_findings_from_rules(doc);
        return doc;
}

json_t *test_profile(const char *dir, unsigned samples, TestStep step, void *userdata) {
        return profile_with_period(dir, samples, step, userdata, 0);
}

json_t *test_profile_cadence(const char *dir, unsigned samples, TestStep step, void *userdata) {
        return profile_with_period(dir, samples, step, userdata, PROFILER_FULL_PERIOD_USEC);
}

json_t *test_find_finding(const json_t *profile, const char *metric) {
        size_t i, n = strlen(metric);
        json_t *f;
        bool prefix = n > 0 && metric[n - 1] == '*';
        json_array_foreach(json_object_get(profile, "findings"), i, f) {
                const char *m = json_string_value(json_object_get(f, "metric"));
                if (m && (prefix ? strncmp(m, metric, n - 1) == 0 : strcmp(m, metric) == 0))
                        return f;
        }
        return NULL;
}

json_t *test_path(const json_t *doc, const char *path) {
        char *copy = strdup(path), *save = NULL;
        const json_t *o = doc;
        for (char *c = strtok_r(copy, ".", &save); c && o; c = strtok_r(NULL, ".", &save))
                o = json_object_get(o, c);
        free(copy);
        return (json_t *) o;
}

double test_num(const json_t *doc, const char *path) {
        json_t *v = test_path(doc, path);
        if (!json_is_number(v))
                fail_msg("no number at %s", path);
        return json_number_value(v);
}

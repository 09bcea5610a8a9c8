/* SPDX-License-Identifier: MIT */
/* monitor/silence: matchers as Alertmanager writes them (=, !=, =~, !~, quoted or bare, regexes
 * anchored, a missing label as ""), the narrow rule, the active window, the document both ways with
 * each refusal saying why, and a directory read again only when it changes, bad files reported. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "silence.h"
#include "support.h"

#define T0 INT64_C(1796342400000) /* 2026-12-04T00:00:00Z */

static Silence make(const char *const *matchers, size_t n) {
        Silence s = { .starts_ms = T0, .ends_ms = T0 + 3600000 };
        memcpy(s.id, "0123456789abcdef", SILENCE_ID_LEN + 1);
        for (size_t i = 0; i < n; i++) {
                const char *why = NULL;
                assert_int_equal(silence_matcher_parse(matchers[i], &s.m[s.n++], &why), 0);
        }
        return s;
}

static void test_matchers(void **state) {
        json_t *labels = json_pack("{ssssss}", "alertname", "HighCPU", "severity", "warning", "team", "ops");
        const char *const m1[] = { "alertname=HighCPU", "severity=~\"warn.*\"" };
        Silence s = make(m1, 2);
        assert_true(silence_matches(&s, labels));
        const char *narrow_why = NULL;
        assert_true(silence_matchers_narrow(&s, &narrow_why));
        silence_done(&s);
        /* Anchored: "warn" alone does not match "warning". */
        const char *const m2[] = { "severity=~warn" };
        s = make(m2, 1);
        assert_false(silence_matches(&s, labels));
        silence_done(&s);
        /* != and !~, and a label the alert lacks is "". */
        const char *const m3[] = { "team!=dev", "alertname!~'Disk.*'", "instance=" };
        s = make(m3, 3);
        assert_true(silence_matches(&s, labels));
        const char *why = NULL;
        assert_false(silence_matchers_narrow(&s, &why)); /* each of them matches an empty label */
        char text[256];
        silence_matchers_format(&s, text, sizeof(text));
        assert_string_equal(text, "team!=\"dev\", alertname!~\"Disk.*\", instance=\"\"");
        silence_done(&s);
        /* Every matcher matches an empty label: refused as silencing everything. */
        const char *const m4[] = { "team!=dev", "severity=~.*" };
        s = make(m4, 2);
        assert_false(silence_matchers_narrow(&s, &why));
        assert_non_null(strstr(why, "every alert"));
        silence_done(&s);
        json_decref(labels);
        /* Refusals say why. */
        SilenceMatcher m;
        const char *bad[] = { "alertname",
                              "=x",
                              "9lives=x",
                              "a-b=x",
                              "x=~(",
                              "x=~a++",
                              "x=~a*{2}",
                              "x=~.{0,32767}x",
                              "x=~(a{0,255}){0,255}",
                              "x=~(.{0,100}){0,100}x",
                              "x=~High)|(Disk" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                why = NULL;
                assert_int_equal(silence_matcher_parse(bad[i], &m, &why), -EINVAL);
                assert_non_null(why);
        }
}

static void test_window_and_document(void **state) {
        const char *const m[] = { "alertname=HighCPU" };
        Silence s = make(m, 1);
        s.comment = strdup("batch job");
        assert_false(silence_active(&s, T0 - 1));
        assert_true(silence_active(&s, T0));
        assert_false(silence_active(&s, T0 + 3600000));
        json_t *doc = silence_to_json(&s);
        Silence back;
        const char *why = NULL;
        assert_int_equal(silence_from_json(doc, &back, &why), 0);
        assert_string_equal(back.id, s.id);
        assert_int_equal(back.starts_ms, T0);
        assert_int_equal(back.ends_ms, T0 + 3600000);
        assert_string_equal(back.comment, "batch job");
        assert_null(back.created_by);
        silence_done(&back);
        /* Each refusal names what is wrong. */
        static const struct {
                const char *key, *value, *why;
        } bad[] = {
                { "schema", "skytune.silence/2", "not a skytune.silence/1" },
                { "id", "XYZ", "'id' must be" },
                { "ends", "2026-12-03T00:00:00Z", "'ends' after 'starts'" },
                { "starts", "yesterday", "ISO 8601" },
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                json_t *d = json_deep_copy(doc);
                json_object_set_new(d, bad[i].key, json_string(bad[i].value));
                why = NULL;
                assert_int_equal(silence_from_json(d, &back, &why), -EINVAL);
                assert_non_null(strstr(why, bad[i].why));
                json_decref(d);
        }
        json_t *d = json_deep_copy(doc);
        json_object_set_new(d, "matchers", json_array());
        assert_int_equal(silence_from_json(d, &back, &why), -EINVAL);
        assert_non_null(strstr(why, "'matchers'"));
        json_decref(d);
        json_decref(doc);
        silence_done(&s);
}

static void bad_file(void *userdata, const char *path, const char *why) {
        (*(int *) userdata)++;
        assert_non_null(strstr(path, "00000000000000a"));
        assert_non_null(why);
}

/* Files that are not silences: each reported with why, none followed or waited on, the rest read. */
static void test_bad_files(void **state) {
        char *dir = test_tmpdir();
        const char *const m[] = { "alertname=HighCPU" };
        Silence s = make(m, 1);
        json_t *doc = silence_to_json(&s);
        char *text = json_dumps(doc, 0);
        test_write(dir, "0123456789abcdef.json", text);
        test_write(dir, "00000000000000a1.json", text); /* its id is another's */
        char path[600], target[600];
        snprintf(path, sizeof(path), "%s/00000000000000a2.json", dir);
        assert_int_equal(mkfifo(path, 0644), 0); /* opening it must not wait for a writer */
        snprintf(path, sizeof(path), "%s/00000000000000a3.json", dir);
        snprintf(target, sizeof(target), "%s/0123456789abcdef.json", dir);
        assert_int_equal(symlink(target, path), 0);
        SilenceSet set = {};
        int bad = 0;
        assert_int_equal(silence_set_refresh(&set, dir, bad_file, &bad), 1);
        assert_int_equal(set.n, 1);
        assert_string_equal(set.v[0].id, "0123456789abcdef");
        assert_int_equal(bad, 3);
        free(text);
        json_decref(doc);
        silence_done(&s);
        silence_set_done(&set);
        test_rm_rf(dir);
        free(dir);
}

static void test_directory(void **state) {
        char *dir = test_tmpdir();
        char sub[512];
        snprintf(sub, sizeof(sub), "%s/silences", dir);
        SilenceSet set = {};
        int bad = 0;
        assert_int_equal(silence_set_refresh(&set, sub, bad_file, &bad), 1); /* missing: none, read */
        assert_int_equal(silence_set_refresh(&set, sub, bad_file, &bad), 0);
        assert_int_equal(mkdir(sub, 0755), 0);
        const char *const m[] = { "alertname=HighCPU" };
        Silence s = make(m, 1);
        json_t *doc = silence_to_json(&s);
        char *text = json_dumps(doc, 0);
        test_write(sub, "0123456789abcdef.json", text);
        test_write(sub, "00000000000000aa.json", "{\"schema\": \"skytune.silence/1\"}");
        test_write(sub, ".tmp-123456", "not read");
        assert_int_equal(silence_set_refresh(&set, sub, bad_file, &bad), 1);
        assert_int_equal(set.n, 1);
        assert_int_equal(bad, 1);
        json_t *labels = json_pack("{ss}", "alertname", "HighCPU");
        assert_non_null(silence_set_match(&set, labels, T0 + 1));
        assert_null(silence_set_match(&set, labels, T0 + 3600000)); /* ended */
        /* Unchanged directory: not read again (the bad file is not reported again). */
        assert_int_equal(silence_set_refresh(&set, sub, bad_file, &bad), 0);
        assert_int_equal(bad, 1);
        /* A file removed: read again (mtime is the directory's, a rename or unlink changes it). */
        char path[600];
        snprintf(path, sizeof(path), "%s/0123456789abcdef.json", sub);
        usleep(20000);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(silence_set_refresh(&set, sub, bad_file, &bad), 1);
        assert_int_equal(set.n, 0);
        assert_null(silence_set_match(&set, labels, T0 + 1));
        char store_dir[64];
        assert_int_equal(silence_dir_of_store("/var/lib/skytune-monitor/monitor.db", store_dir, sizeof(store_dir)), 0);
        assert_string_equal(store_dir, "/var/lib/skytune-monitor/silences");
        assert_int_equal(silence_dir_of_store("/var/lib/skytune-monitor/monitor.db", store_dir, 8), -ENAMETOOLONG);
        json_decref(labels);
        free(text);
        json_decref(doc);
        silence_done(&s);
        silence_set_done(&set);
        test_rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_matchers),
                cmocka_unit_test(test_window_and_document),
                cmocka_unit_test(test_directory),
                cmocka_unit_test(test_bad_files),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

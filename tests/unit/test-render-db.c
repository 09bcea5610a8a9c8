/* SPDX-License-Identifier: MIT */
/* The text of db pool-sweep and db advise from saved documents (tests/fixtures/db/, from runs
 * against a test server): a row per size with its waits, the recommendation, the USL line, each
 * advice with its SQL; at most 80 columns; and documents with missing or mistyped members shown as
 * missing, never a crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "support.h"

static char *render(int (*fn)(FILE *, const json_t *, const RenderView *), const json_t *doc) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        assert_non_null(f);
        assert_int_equal(fn(f, doc, &(RenderView) { .width = 80 }), 0);
        fclose(f);
        for (const char *line = text; *line;) {
                const char *end = strchrnul(line, '\n');
                if (end - line > 80)
                        fail_msg("wider than 80 columns: %.*s", (int) (end - line), line);
                line = *end ? end + 1 : end;
        }
        return text;
}

static json_t *fixture(const char *name) {
        char path[512];
        snprintf(path, sizeof path, "%s/db/%s", SKYTUNE_FIXTURES, name);
        json_t *doc = json_load_file(path, 0, NULL);
        assert_non_null(doc);
        return doc;
}

static void test_sweep(void **state) {
        json_t *doc = fixture("sweep.json");
        char *text = render(render_db_sweep, doc);
        assert_non_null(strstr(text, "db pool-sweep: slots.sql\n"));
        assert_non_null(strstr(text, "sizes 1 2 4 8 16, 3 repeats of 1.0 s interleaved"));
        assert_non_null(strstr(text, "\nrecommended pool size: 2\n"));
        assert_non_null(strstr(text, "\nintervals: the median's, at 95% confidence or more"));
        assert_non_null(strstr(text, "waits: Lock/advisory"));
        assert_non_null(strstr(text, "USL fit: not shown: R^2 0.8"));
        /* Five sizes: five rows that start with the size. */
        static const char *const rows[] = { "\n      1 ", "\n      2 ", "\n      4 ", "\n      8 ", "\n     16 " };
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
                assert_non_null(strstr(text, rows[i]));
        free(text);
        /* The fit shown. */
        json_t *usl = json_object_get(doc, "usl");
        json_object_set_new(usl, "shown", json_true());
        text = render(render_db_sweep, doc);
        assert_non_null(strstr(text, "USL fit: X(N) = "));
        assert_non_null(strstr(text, "peak near 7 clients"));
        free(text);
        json_decref(doc);
}

static void test_advise(void **state) {
        json_t *doc = fixture("advise.json");
        char *text = render(render_db_advise, doc);
        assert_non_null(strstr(text, "\nshared_buffers             128MB -> 4GB (restart)\n"));
        assert_non_null(strstr(text, "  ALTER SYSTEM SET shared_buffers = '4GB';\n"));
        assert_non_null(strstr(text, "\nwork_mem                   64kB -> "));
        assert_non_null(strstr(text, "ALTER DATABASE \"postgres\" SET work_mem"));
        assert_non_null(strstr(text, "recommended size is 2"));
        assert_non_null(strstr(text, "changes proposed; skytune applies none of them.\n"));
        free(text);
        json_decref(doc);
}

static void test_hostile(void **state) {
        static const char *const docs[] = {
                "{}",
                "{\"sizes\": [{}, 3, {\"tps\": \"x\", \"wait_events\": {\"events\": [{}, 1]}}], \"usl\": 1}",
                "{\"config\": {\"sizes\": [\"a\"]}, \"recommendation\": {\"clients\": \"2\"}, \"error\": 5}",
                "{\"advice\": [{}, 1, {\"setting\": 2, \"proposed\": \"x\", \"risk\": \"r\"}], \"host\": []}",
        };
        for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
                json_t *doc = json_loads(docs[i], 0, NULL);
                assert_non_null(doc);
                free(render(render_db_sweep, doc));
                free(render(render_db_advise, doc));
                json_decref(doc);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sweep),
                cmocka_unit_test(test_advise),
                cmocka_unit_test(test_hostile),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

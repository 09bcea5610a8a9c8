/* SPDX-License-Identifier: MIT */
/* The render/ library on its own, without the CLI: saved documents (tests/fixtures/profiles,
 * tests/fixtures/documents: a plan, an apply --dry-run, a rolled-back transaction) rendered into
 * memory. Where the CLI has a golden case for the same document, the library's text must be that
 * case's output byte for byte; every rendering fits its width; hostile documents never crash. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "macro.h"
#include "profiler.h"
#include "render.h"

#define DOC(name) SKYTUNE_FIXTURES "/" name
#define GOLDEN(name) SKYTUNE_FIXTURES "/../golden/" name ".out"

static const char *const profiles[] = { "busy-cpu", "busy-web", "idle", "nofile-near-limit" };

static json_t *load(const char *path) {
        json_error_t e;
        json_t *doc = json_load_file(path, 0, &e);
        if (!doc)
                fail_msg("%s:%d: %s", path, e.line, e.text);
        return doc;
}

typedef int (*Renderer)(FILE *f, const json_t *doc, const RenderView *v);

/* What renderers write, one after the other, into one malloc'd string. */
static char *render_all(const json_t *const *docs, const Renderer *fns, size_t n, const RenderView *v) {
        char *buf = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&buf, &size);
        assert_non_null(m);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(fns[i](m, docs[i], v), 0);
        assert_int_equal(fclose(m), 0);
        return buf;
}

/* The golden case's stdout: its .out file without the "# rc=0" line. */
static char *golden(const char *name) {
        char path[512];
        snprintf(path, sizeof(path), GOLDEN("%s"), name);
        FILE *f = fopen(path, "re");
        if (!f)
                fail_msg("cannot open %s", path);
        char *text = calloc(1, 1 << 20);
        assert_non_null(text);
        size_t len = fread(text, 1, (1 << 20) - 1, f);
        fclose(f);
        text[len] = '\0';
        char *rc = strstr(text, "# rc=0\n");
        assert_non_null(rc);
        *rc = '\0';
        return text;
}

static void assert_same_as_golden(const char *case_name, const char *got) {
        _cleanup_free_ char *want = golden(case_name);
        if (strcmp(want, got) != 0) {
                size_t i = 0;
                while (want[i] && want[i] == got[i])
                        i++;
                fail_msg("%s: the library's text differs from the CLI's at byte %zu:\n--- CLI\n%.200s\n--- library\n%.200s",
                         case_name, i, want + i, got + i);
        }
}

static void test_profiles_match_cli(void **state) {
        const RenderView v = { .width = 80 };
        for (size_t i = 0; i < ELEMENTSOF(profiles); i++) {
                char path[256], name[64];
                snprintf(path, sizeof(path), DOC("profiles/%s.json"), profiles[i]);
                json_t *doc = load(path);
                /* What skytune profile --from adds to a saved profile before rendering it. */
                json_object_set_new(doc, "metric_count", json_integer((json_int_t) profile_count_metrics(doc)));
                Renderer brief = render_profile_brief, full = render_profile_full;
                _cleanup_free_ char *b = render_all((const json_t *[]) { doc }, &brief, 1, &v);
                snprintf(name, sizeof(name), "profile-brief-%s", strcmp(profiles[i], "nofile-near-limit") ? profiles[i] : "nofile");
                assert_same_as_golden(name, b);
                if (strncmp(profiles[i], "busy-", 5) == 0) {
                        _cleanup_free_ char *t = render_all((const json_t *[]) { doc }, &full, 1, &v);
                        snprintf(name, sizeof(name), "profile-full-%s", profiles[i]);
                        assert_same_as_golden(name, t);
                }
                json_decref(doc);
        }
}

/* Columns of a UTF-8 line. */
static size_t columns(const char *s, size_t len) {
        size_t c = 0;
        for (size_t i = 0; i < len; i++)
                c += ((unsigned char) s[i] & 0xC0) != 0x80;
        return c;
}

static void assert_fits(const char *text, unsigned width) {
        for (const char *p = text; *p;) {
                size_t len = strcspn(p, "\n");
                if (columns(p, len) > width)
                        fail_msg("line wider than %u columns: %.*s", width, (int) len, p);
                p += len + (p[len] == '\n');
        }
}

static void test_profiles_fit_every_width(void **state) {
        static const Renderer fns[] = { render_profile_full, render_profile_brief };
        for (unsigned width = 60; width <= 120; width += 20)
                for (size_t i = 0; i < ELEMENTSOF(profiles); i++) {
                        char path[256];
                        snprintf(path, sizeof(path), DOC("profiles/%s.json"), profiles[i]);
                        json_t *doc = load(path);
                        _cleanup_free_ char *t = render_all((const json_t *[]) { doc, doc }, fns, 2, &(RenderView) { .width = width });
                        /* Text wraps to any width; the tables keep the 80 columns they need. */
                        assert_fits(t, MAX(width, 80u));
                        json_decref(doc);
                }
}

/* The saved plan as apply --dry-run --plan FILE shows it (its paths name a directory of the golden
 * runner's length, so that they wrap as its other cases do). */
static void test_saved_plan_matches_cli(void **state) {
        json_t *plan = load(DOC("documents/plan-busy-web.json"));
        json_t *dry = load(DOC("documents/apply-dry-run-busy-web.json"));
        const json_t *effects = json_object_get(dry, "dry_run");
        static const Renderer fns[] = { render_plan, render_effects };
        _cleanup_free_ char *t = render_all((const json_t *[]) { plan, effects }, fns, 2,
                                            &(RenderView) { .width = 80, .flags = RENDER_DRY_RUN });
        assert_same_as_golden("apply-dry-run-saved-plan", t);
        /* Without RENDER_DRY_RUN it is the question before a real apply; in colour the change's header
         * is bold. */
        _cleanup_free_ char *q = render_all((const json_t *[]) { plan, effects }, fns, 2,
                                            &(RenderView) { .width = 80, .color = true });
        assert_non_null(strstr(q, "Applying this plan will do exactly this"));
        assert_null(strstr(q, "Dry run"));
        assert_non_null(strstr(q, "\033[1m1. sysctl vm.swappiness\033[0m"));
        json_decref(dry);
        json_decref(plan);
}

static void test_tx_rollback(void **state) {
        json_t *tx = load(DOC("documents/tx-rolled-back.json"));
        Renderer fn = render_tx;
        _cleanup_free_ char *r = render_all((const json_t *[]) { tx }, &fn, 1, &(RenderView) { .flags = RENDER_ROLLBACK });
        static const char *const lines[] = {
                "  restored    sysctl       vm.swappiness                    10 -> 60\n",
                "  conflict    sysctl       net.core.somaxconn               now 16384, skytune had set 8192: left alone "
                "(--force restores 4096)\n",
                "  superseded  governor     cpu0                             set again by the newer transaction "
                "20261202T101800Z-77aa01: left alone (roll that one back first)\n",
                "  failed      ulimit       nginx:nofile                     65536 -> 1024 not restored: prlimit: no such process\n",
                "  restored    file         /etc/sysctl.d/90-skytune.conf (removed)\n",
                "  partial     file         /etc/security/limits.d/90-skytune.conf\n",
                "  conflict    entry          nginx soft nofile: the line is now \"nginx soft nofile 4096\": left alone "
                "(--force restores it)\n",
                "  note: the swap change was made while swap was off\n",
        };
        const char *p = r;
        for (size_t i = 0; i < ELEMENTSOF(lines); i++) {
                const char *at = strstr(p, lines[i]);
                if (!at)
                        fail_msg("missing, in order: %s in\n%s", lines[i], r);
                p = at + strlen(lines[i]);
        }
        assert_string_equal(p, "");
        /* As applied: old -> new, and the new file. */
        _cleanup_free_ char *a = render_all((const json_t *[]) { tx }, &fn, 1, &(RenderView) { 0 });
        assert_non_null(strstr(a, "  applied     sysctl       vm.swappiness                    60 -> 10\n"));
        assert_non_null(strstr(a, "  written     file         /etc/sysctl.d/90-skytune.conf (new)\n"));
        json_decref(tx);
}

static void test_status_drift(void **state) {
        json_t *doc = json_pack("{s:s, s:b, s:I, s:[{s:s, s:s}], s:[{s:s, s:s, s:s, s:s, s:s, s:b}, {s:s, s:s, s:s, s:b}]}",
                                "schema", "skytune.status/1", "drift", 1, "drifted", (json_int_t) 1, "transactions", "id", "T1",
                                "created", "2026-12-02T10:15:00Z", "items", "transaction", "T1", "kind", "sysctl", "key",
                                "vm.swappiness", "set", "10", "live", "60", "drift", 1, "transaction", "T1", "kind", "file",
                                "key", "etc/sysctl.d/90-skytune.conf", "drift", 0);
        Renderer fn = render_status;
        _cleanup_free_ char *t = render_all((const json_t *[]) { doc }, &fn, 1, &(RenderView) { 0 });
        assert_string_equal(t, "1 applied transaction(s), newest first; each key is judged against the newest one that set it:\n"
                               "Transaction T1 (2026-12-02T10:15:00Z):\n"
                               "  DRIFT  sysctl       vm.swappiness                    set 10, now 60\n"
                               "  ok     file         /etc/sysctl.d/90-skytune.conf\n"
                               "1 item(s) drifted since skytune applied them: vm.swappiness (transaction T1)\n");
        json_decref(doc);
}

/* Members of the wrong type, or missing, everywhere: every renderer writes something and returns. */
static void test_hostile_documents(void **state) {
        static const char *const docs[] = {
                "{}",
                "[]",
                "{\"changes\": 5, \"files\": \"x\", \"notes\": [1, null], \"transactions\": {}, \"items\": 3}",
                "{\"transactions\": [{\"id\": 3}], \"items\": [{\"kind\": 1, \"transaction\": 2, \"drift\": true}],"
                " \"drifted\": 1}",
                "{\"changes\": [{\"kind\": 1, \"evidence\": [1], \"conflicts\": [{\"line\": \"x\"}], \"pair\": 2}],"
                " \"targets\": {\"x\": {\"pid\": \"y\", \"nofile\": {\"soft\": []}}}, \"live\": [{\"status\": 4}],"
                " \"files\": [{\"changed\": true, \"diff\": 7, \"entries\": {\"k\": 1}}]}",
                "{\"resources\": {\"cpu\": {\"utilization\": {\"value\": \"x\"}}}, \"findings\": [3], \"host\": 1,"
                " \"metrics\": [{\"path\": 1}], \"a\": 2}",
        };
        static const Renderer fns[] = { render_profile_full, render_profile_brief, render_plan, render_effects,
                                        render_tx, render_status, render_diff };
        for (size_t i = 0; i < ELEMENTSOF(docs); i++) {
                json_t *doc = json_loads(docs[i], 0, NULL);
                assert_non_null(doc);
                for (unsigned flags = 0; flags <= RENDER_ROLLBACK; flags += RENDER_ROLLBACK) {
                        const json_t *all[ELEMENTSOF(fns)];
                        for (size_t k = 0; k < ELEMENTSOF(fns); k++)
                                all[k] = doc;
                        free(render_all(all, fns, ELEMENTSOF(fns), &(RenderView) { .width = 40, .flags = flags }));
                }
                char *text = NULL;
                assert_int_equal(render_prometheus(doc, &text), i == 5 ? 0 : -EINVAL);
                free(text);
                json_decref(doc);
        }
}

static void test_prometheus_to_file(void **state) {
        json_t *doc = load(DOC("profiles/busy-web.json"));
        _cleanup_free_ char *text = NULL;
        assert_int_equal(render_prometheus(doc, &text), 0);
        Renderer fn = render_profile_prometheus;
        _cleanup_free_ char *t = render_all((const json_t *[]) { doc }, &fn, 1, &(RenderView) { 0 });
        assert_string_equal(t, text);
        assert_non_null(strstr(t, "# TYPE skytune_cpu_"));
        json_decref(doc);
}

static void test_fit_wraps_under_text_column(void **state) {
        char *buf = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&buf, &size);
        assert_non_null(m);
        assert_int_equal(render_fit_text(m, 40, "   why        one two three four five six seven eight\nshort\n"), 0);
        assert_int_equal(fclose(m), 0);
        assert_string_equal(buf, "   why        one two three four five\n"
                                 "              six seven eight\n"
                                 "short\n");
        free(buf);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_profiles_match_cli),
                cmocka_unit_test(test_profiles_fit_every_width),
                cmocka_unit_test(test_saved_plan_matches_cli),
                cmocka_unit_test(test_tx_rollback),
                cmocka_unit_test(test_status_drift),
                cmocka_unit_test(test_hostile_documents),
                cmocka_unit_test(test_prometheus_to_file),
                cmocka_unit_test(test_fit_wraps_under_text_column),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* monitor/notify-*: what a try's answer means and when the next one goes (Retry-After in both
 * forms, the backoff's cap); the notifiers of monitor.conf with their mistakes at file:line and
 * their secrets only from files nobody else may read; an alert in Alertmanager's terms (labels,
 * fingerprint, times); and the bodies each kind writes (webhook v4 with the common labels, Slack
 * cut under its limit, email headers that a value cannot break). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alert-rule.h"
#include "monitor-config.h"
#include "notify-group.h"
#include "notify-kind.h"
#include "notify-retry.h"
#include "profiler.h"
#include "support.h"

#include "monitor-conf-fixture.h" /* after support.h */

static void test_outcomes(void **state) {
        assert_int_equal(notify_http_outcome(200), NOTIFY_SENT);
        assert_int_equal(notify_http_outcome(204), NOTIFY_SENT);
        assert_int_equal(notify_http_outcome(0), NOTIFY_RETRY);
        for (long s = 500; s < 600; s += 3)
                assert_int_equal(notify_http_outcome(s), NOTIFY_RETRY);
        assert_int_equal(notify_http_outcome(408), NOTIFY_RETRY);
        assert_int_equal(notify_http_outcome(425), NOTIFY_RETRY);
        assert_int_equal(notify_http_outcome(429), NOTIFY_RETRY);
        assert_int_equal(notify_http_outcome(400), NOTIFY_REFUSED);
        assert_int_equal(notify_http_outcome(413), NOTIFY_REFUSED);
        assert_int_equal(notify_http_outcome(422), NOTIFY_REFUSED);
        /* The receiver's settings (a token, a path), not the message: tried again until max_age. */
        assert_int_equal(notify_http_outcome(401), NOTIFY_RETRY);
        assert_int_equal(notify_http_outcome(403), NOTIFY_RETRY);
        assert_int_equal(notify_http_outcome(404), NOTIFY_RETRY);
        assert_int_equal(notify_http_outcome(410), NOTIFY_RETRY);
        assert_int_equal(notify_http_outcome(301), NOTIFY_RETRY);
        assert_int_equal(notify_smtp_outcome(535), NOTIFY_RETRY);
        assert_int_equal(notify_smtp_outcome(250), NOTIFY_SENT);
        assert_int_equal(notify_smtp_outcome(0), NOTIFY_RETRY);
        assert_int_equal(notify_smtp_outcome(421), NOTIFY_RETRY);
        assert_int_equal(notify_smtp_outcome(550), NOTIFY_REFUSED);
}

static void test_backoff(void **state) {
        const int64_t want[] = { 1000, 2000, 4000, 8000, 16000, 30000, 30000 };
        for (int i = 0; i < 7; i++)
                assert_int_equal(notify_backoff_ms(i + 1, 30000), want[i]);
        /* Many failures do not overflow. */
        assert_int_equal(notify_backoff_ms(1000000, 300000), 300000);
        assert_int_equal(notify_backoff_ms(0, 300000), 1000);
}

static void test_retry_after(void **state) {
        int64_t w = -1;
        const int64_t now = INT64_C(1445412480000); /* Wed, 21 Oct 2015 07:28:00 GMT */
        assert_int_equal(notify_retry_after("120", now, &w), 0);
        assert_int_equal(w, 120000);
        assert_int_equal(notify_retry_after(" 2\r\n", now, &w), 0);
        assert_int_equal(w, 2000);
        assert_int_equal(notify_retry_after("0", now, &w), 0);
        assert_int_equal(w, 0);
        /* At most an hour, also for numbers past int64. */
        assert_int_equal(notify_retry_after("99999", now, &w), 0);
        assert_int_equal(w, 3600000);
        assert_int_equal(notify_retry_after("123456789012345678901234567890", now, &w), 0);
        assert_int_equal(w, 3600000);
        assert_int_equal(notify_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now, &w), 0);
        assert_int_equal(w, 30000);
        assert_int_equal(notify_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now, &w), 0);
        assert_int_equal(w, 0);
        assert_int_equal(notify_retry_after("Thu, 22 Oct 2015 07:28:00 GMT", now, &w), 0);
        assert_int_equal(w, 3600000);
        w = 7;
        const char *bad[] = { "",
                              " ",
                              "-1",
                              "1.5",
                              "2s",
                              "Wed, 21 Oct 2015 07:28:00 UTC",
                              "Wed, 21 Foo 2015 07:28:00 GMT",
                              "Wed, 32 Oct 2015 07:28:00 GMT",
                              "Wed, 21 Oct 2015 25:28:00 GMT",
                              "Wednesday, 21-Oct-15 07:28:00 GMT" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(notify_retry_after(bad[i], now, &w), -EINVAL);
        assert_int_equal(notify_retry_after(NULL, now, &w), -EINVAL);
        assert_int_equal(w, 7);
}

static void assert_error(const char *dir, const char *text, const char *want) {
        MonitorConfig c = {};
        assert_int_equal(monitor_config_defaults(&c), 0);
        char *msg = monitor_conf_error(dir, text, &c);
        if (!msg || !strstr(msg, want))
                fail_msg("want '%s' in: %s", want, msg ? msg : "(accepted)");
        /* A refused file leaves the notifiers in use as they were: none here. */
        assert_int_equal(c.notify.n, 0);
        free(msg);
        monitor_config_done(&c);
}

static void test_config(void **state) {
        char *dir = test_tmpdir();
        test_write_mode(dir, "hook-url", "https://hooks.example.org/T0/abc\n", 0600);
        test_write_mode(dir, "smtp-pass", "hunter2", 0400);
        MonitorConfig c = {};
        assert_int_equal(monitor_config_defaults(&c), 0);
        char *msg = monitor_conf_error(
                dir,
                "notify = { max_age = \"2h\"; max_queue = 50; backoff_max = \"1m\"; };\n"
                "notifiers = (\n"
                "  { name = \"ops\"; type = \"webhook\"; url_file = \"hook-url\"; repeat = \"1h\";\n"
                "    send_resolved = false; timeout = \"3s\"; },\n"
                "  { name = \"am\"; type = \"alertmanager\"; url = \"http://127.0.0.1:9093\"; },\n"
                "  { name = \"mail\"; type = \"email\"; url = \"smtps://mx.example.org\"; from = \"m@example.org\";\n"
                "    to = \"a@example.org\"; user = \"m\"; password_file = \"smtp-pass\"; },\n"
                "  { name = \"run\"; type = \"exec\"; command = [ \"/bin/true\", \"x\" ]; }\n"
                ");\n",
                &c);
        if (msg)
                fail_msg("%s", msg);
        const NotifyConfig *n = &c.notify;
        assert_int_equal(n->n, 4);
        assert_int_equal(n->max_age_ms, 7200000);
        assert_int_equal(n->max_queue, 50);
        assert_int_equal(n->backoff_max_ms, 60000);
        assert_string_equal(n->notifiers[0].url, "https://hooks.example.org/T0/abc");
        assert_int_equal(n->notifiers[0].line, 3);
        assert_int_equal(n->notifiers[0].repeat_ms, 3600000);
        assert_int_equal(n->notifiers[0].timeout_ms, 3000);
        assert_false(n->notifiers[0].send_resolved);
        assert_string_equal(notify_kinds[n->notifiers[1].kind].name, "alertmanager");
        assert_int_equal(n->notifiers[1].repeat_ms, 60000); /* the kind's default */
        assert_true(n->notifiers[1].send_resolved);
        assert_string_equal(n->notifiers[2].password, "hunter2");
        assert_int_equal(n->notifiers[2].n_to, 1);
        assert_string_equal(n->notifiers[3].to[1], "x");
        monitor_config_done(&c);

        /* $CREDENTIALS_DIRECTORY (systemd's LoadCredential=) comes before monitor.conf's directory. */
        char *creds = test_tmpdir();
        test_write_mode(creds, "hook-url", "http://creds.example.org/", 0600);
        setenv("CREDENTIALS_DIRECTORY", creds, 1);
        assert_int_equal(monitor_config_defaults(&c), 0);
        assert_null(monitor_conf_error(
                dir, "notifiers = ( { name = \"ops\"; type = \"webhook\"; url_file = \"hook-url\"; } );\n", &c));
        assert_string_equal(c.notify.notifiers[0].url, "http://creds.example.org/");
        monitor_config_done(&c);
        unsetenv("CREDENTIALS_DIRECTORY");

        test_write_mode(dir, "open-url", "http://x/", 0644);
        assert_error(dir, "notifiers = ( { name = \"o\"; type = \"webhook\"; url_file = \"open-url\"; } );",
                     "monitor.conf:1: 'url_file': the secret file");
        assert_error(dir, "notifiers = ( { name = \"o\"; type = \"webhook\"; url_file = \"open-url\"; } );",
                     "has mode 0644, so others may read it");
        assert_error(dir, "notifiers = ( { name = \"o\"; type = \"webhook\"; url_file = \"nope\"; } );",
                     "cannot read the secret file");
        assert_error(dir, "notifiers = (\n { name = \"o\"; type = \"slack\"; url = \"http://x/\"; } );",
                     "monitor.conf:2: unknown");
        assert_error(dir, "notifiers = (\n { name = \"o\"; type = \"pager\"; } );",
                     "monitor.conf:2: notifier 'o': unknown type 'pager': use webhook");
        assert_error(dir, "notifiers = ( { type = \"webhook\"; } );", "needs a 'name'");
        assert_error(dir, "notifiers = ( { name = \"a b\"; type = \"webhook\"; } );", "must be 1 to 64 letters");
        assert_error(dir, "notifiers = ( { name = \"o\"; type = \"webhook\"; } );", "needs 'url_file'");
        assert_error(dir, "notifiers = ( { name = \"o\"; type = \"alertmanager\"; url = \"ftp://x\"; } );",
                     "must start with http:// or https://");
        assert_error(dir, "notifiers = ( { name = \"o\"; type = \"email\"; url = \"smtp://x\"; to = \"a@b\"; } );",
                     "needs 'from'");
        assert_error(dir,
                     "notifiers = ( { name = \"o\"; type = \"email\"; url = \"smtp://x\"; from = \"a@b\"; to = \"a@b\";"
                     " user = \"u\"; } );",
                     "give both 'user' and 'password_file'");
        assert_error(dir, "notifiers = ( { name = \"o\"; type = \"exec\"; command = \"notify.sh\"; } );",
                     "must be an absolute path");
        assert_error(dir, "notifiers = ( { name = \"o\"; type = \"exec\"; command = [ ]; } );",
                     "list of 1 to 64 strings");
        assert_error(dir,
                     "notifiers = ( { name = \"o\"; type = \"exec\"; command = \"/bin/true\"; },\n"
                     "  { name = \"o\"; type = \"exec\"; command = \"/bin/true\"; } );",
                     "monitor.conf:2: a second notifier named 'o' (the first is at line 1)");
        assert_error(dir,
                     "notifiers = ( { name = \"o\"; type = \"exec\"; command = \"/bin/true\"; timeout = \"1h\"; } );",
                     "'timeout' must be from 0.1 s to 5 min");
        assert_error(dir, "notify = { backoff_max = 0; };", "'backoff_max' must be at least 1 s");
        assert_error(dir, "notify = { max_queue = 0; };", "max_queue");
        assert_error(dir, "notify = { max_age = 30; };", "'max_age' must be at least 1 min");
        assert_error(dir, "notifiers = ( { name = \"o\"; type = \"exec\"; command = \"/bin/true\"; repeat = 5; } );",
                     "'repeat' must be 0 (never) or at least 1 min");
        assert_error(dir, "notifiers = ( { name = \"o\"; type = \"alertmanager\"; url = \"http://x\"; repeat = 0; } );",
                     "a alertmanager receiver resolves an alert that is not told again");
        assert_error(dir,
                     "notifiers = ( { name = \"o\"; type = \"alertmanager\"; url = \"http://x\"; url_file = "
                     "\"hook-url\"; } );",
                     "give 'url' or 'url_file', not both");
        assert_error(dir, "notifiers = ( { name = \"o\"; type = \"alertmanager\"; url = \"http://u:p@x:9093/\"; } );",
                     "the URL holds a user or password");
        assert_error(dir,
                     "notifiers = ( { name = \"o\"; type = \"email\"; url = \"smtp://x\"; from = \"Mon <m@x.org>\"; "
                     "to = \"a@b\"; } );",
                     "'from' must be a bare address");
        assert_error(dir,
                     "notifiers = ( { name = \"o\"; type = \"email\"; url = \"smtp://x\"; from = \"m@x.org\"; "
                     "to = [ \"a@b.org\", \"c@d\\r\\nBcc: e@f\" ]; } );",
                     "in 'to' is not a bare address");
        test_rm_rf(creds);
        free(creds);
        test_rm_rf(dir);
        free(dir);
}

static void test_read_secret(void **state) {
        char *dir = test_tmpdir();
        char path[4096];
        snprintf(path, sizeof(path), "%s/s", dir);
        char *big = malloc(5000);
        memset(big, 'a', 4999);
        big[4999] = '\0';
        const struct {
                const char *text;
                mode_t mode;
                int r;
        } cases[] = {
                { "token\r\n", 0600, 0 }, { "token", 0640, -EPERM }, { "token", 0602, -EPERM },
                { "\n", 0600, -EINVAL },  { big, 0600, -EFBIG },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                test_write_mode(dir, "s", cases[i].text, cases[i].mode);
                char *v = NULL;
                Error e = ERROR_NULL;
                assert_int_equal(notify_read_secret(path, &v, &e), cases[i].r);
                if (cases[i].r == 0)
                        assert_string_equal(v, "token");
                else
                        assert_non_null(strstr(error_message(&e), path));
                free(v);
                error_done(&e);
        }
        free(big);
        char *v = NULL;
        Error e = ERROR_NULL;
        assert_int_equal(notify_read_secret(dir, &v, &e), -EISDIR);
        error_done(&e);
        test_rm_rf(dir);
        free(dir);
}

static void test_time_and_fingerprint(void **state) {
        char t[32];
        notify_time(INT64_C(1796596276200), t);
        assert_string_equal(t, "2026-12-06T22:31:16.200Z");
        notify_time(-1, t);
        assert_string_equal(t, "0001-01-01T00:00:00Z");
        json_t *a = json_pack("{s:s, s:s, s:s}", "alertname", "X", "severity", "warning", "team", "ops");
        json_t *b = json_pack("{s:s, s:s, s:s}", "team", "ops", "severity", "warning", "alertname", "X");
        json_t *c = json_pack("{s:s, s:s, s:s}", "alertname", "X", "severity", "critical", "team", "ops");
        /* "ab"="c" and "a"="bc" must differ: names and values are separated. */
        json_t *d = json_pack("{s:s}", "ab", "c"), *e = json_pack("{s:s}", "a", "bc");
        char fa[17], fb[17], fc[17], fd[17], fe[17];
        notify_fingerprint(a, fa);
        notify_fingerprint(b, fb);
        notify_fingerprint(c, fc);
        notify_fingerprint(d, fd);
        notify_fingerprint(e, fe);
        assert_int_equal(strlen(fa), 16);
        assert_string_equal(fa, fb);
        assert_string_not_equal(fa, fc);
        assert_string_not_equal(fd, fe);
        json_decref(a);
        json_decref(b);
        json_decref(c);
        json_decref(d);
        json_decref(e);
}

/* Two alerts of one rule file: Busy firing (critical), Mem resolved. */
static json_t *group_of(AlertRules *rules, const char *summary) {
        MetricCatalog catalog = {};
        assert_int_equal(profiler_metric_catalog(&catalog), 0);
        char *dir = test_tmpdir();
        char text[8192];
        snprintf(text, sizeof(text),
                 "rules = (\n"
                 "  { name = \"Busy\"; expr = \"cpu.utilization_pct\"; warn = 80; crit = 95;\n"
                 "    labels = { team = \"sre\"; }; annotations = { summary = \"%s\"; }; },\n"
                 "  { name = \"Mem\"; expr = \"memory.used_pct\"; warn = 90; labels = { team = \"sre\"; }; }\n"
                 ");\n",
                 summary);
        test_write(dir, "r.conf", text);
        char path[4096];
        snprintf(path, sizeof(path), "%s/r.conf", dir);
        Error e = ERROR_NULL;
        if (alert_rules_load_file(path, &catalog, rules, &e) < 0)
                fail_msg("%s", error_message(&e));
        metric_catalog_done(&catalog);
        test_rm_rf(dir);
        free(dir);
        NotifyAlert busy = {
                &rules->rules[0], ALERT_LEVEL_CRIT, true, false, 97.25, INT64_C(1796596276200), 0, "web1"
        };
        NotifyAlert mem = { &rules->rules[1],       ALERT_LEVEL_WARN,       false, true, NAN,
                            INT64_C(1796596000000), INT64_C(1796596276000), "web1" };
        return json_pack("{s:[o,o]}", "alerts", notify_alert_json(&busy), notify_alert_json(&mem));
}

static void test_alert_json(void **state) {
        AlertRules rules = {};
        json_t *g = group_of(&rules, "CPU at {{ value }} %");
        json_t *busy = json_array_get(json_object_get(g, "alerts"), 0);
        json_t *mem = json_array_get(json_object_get(g, "alerts"), 1);
        assert_string_equal(json_string_value(test_path(busy, "status")), "firing");
        assert_string_equal(json_string_value(test_path(busy, "labels.alertname")), "Busy");
        assert_string_equal(json_string_value(test_path(busy, "labels.severity")), "critical");
        assert_string_equal(json_string_value(test_path(busy, "labels.instance")), "web1");
        assert_string_equal(json_string_value(test_path(busy, "labels.team")), "sre");
        assert_string_equal(json_string_value(test_path(busy, "annotations.summary")), "CPU at 97.25 %");
        assert_string_equal(json_string_value(test_path(busy, "annotations.value")), "97.25");
        assert_string_equal(json_string_value(test_path(busy, "annotations.expr")), "cpu.utilization_pct");
        assert_string_equal(json_string_value(test_path(busy, "startsAt")), "2026-12-06T22:31:16.200Z");
        assert_string_equal(json_string_value(test_path(busy, "endsAt")), "0001-01-01T00:00:00Z");
        assert_null(test_path(busy, "annotations.flapping"));
        assert_string_equal(json_string_value(test_path(mem, "status")), "resolved");
        assert_string_equal(json_string_value(test_path(mem, "labels.severity")), "warning");
        assert_string_equal(json_string_value(test_path(mem, "annotations.value")), "no data");
        assert_string_equal(json_string_value(test_path(mem, "endsAt")), "2026-12-06T22:31:16.000Z");
        assert_non_null(test_path(mem, "annotations.flapping"));
        char fp[17];
        notify_fingerprint(test_path(busy, "labels"), fp);
        assert_string_equal(json_string_value(test_path(busy, "fingerprint")), fp);
        json_decref(g);
        alert_rules_done(&rules);
}

static NotifierConf conf_of(const char *kind) {
        static char *to[] = { "ops@example.org", "oncall@example.org" };
        return (NotifierConf) { .name = "rx",
                                .kind = notify_kind_find(kind),
                                .from = "m@example.org",
                                .to = to,
                                .n_to = 2,
                                .repeat_ms = 60000 };
}

static json_t *body_of(const char *kind, const json_t *group) {
        NotifierConf c = conf_of(kind);
        assert_true(c.kind >= 0);
        char *s = notify_kinds[c.kind].body(&c, group, INT64_C(1796596300000));
        assert_non_null(s);
        json_t *j = json_loads(s, 0, NULL);
        assert_non_null(j);
        free(s);
        return j;
}

static void test_bodies(void **state) {
        assert_int_equal(notify_kind_find("nope"), -ENOENT);
        AlertRules rules = {};
        json_t *g = group_of(&rules, "CPU at {{ value }} %");

        json_t *w = body_of("webhook", g);
        assert_string_equal(json_string_value(test_path(w, "version")), "4");
        assert_string_equal(json_string_value(test_path(w, "status")), "firing"); /* one of them fires */
        assert_string_equal(json_string_value(test_path(w, "receiver")), "rx");
        /* Labels both alerts share, no alertname (they differ), so no group label. */
        assert_string_equal(json_string_value(test_path(w, "commonLabels.team")), "sre");
        assert_null(test_path(w, "commonLabels.alertname"));
        assert_int_equal(json_object_size(test_path(w, "groupLabels")), 0);
        assert_int_equal(json_array_size(test_path(w, "alerts")), 2);
        json_decref(w);

        json_t *am = body_of("alertmanager", g);
        assert_int_equal(json_array_size(am), 2);
        /* A firing alert ends four repeats from now unless told again; a resolved one when it ended. */
        assert_string_equal(json_string_value(test_path(json_array_get(am, 0), "endsAt")), "2026-12-06T22:35:40.000Z");
        assert_string_equal(json_string_value(test_path(json_array_get(am, 1), "endsAt")), "2026-12-06T22:31:16.000Z");
        json_decref(am);

        json_t *s = body_of("slack", g);
        assert_string_equal(json_string_value(test_path(s, "text")),
                            "[FIRING] Busy (critical) on web1: CPU at 97.25 %");
        const char *block = json_string_value(
                json_object_get(json_object_get(json_array_get(json_object_get(s, "blocks"), 0), "text"), "text"));
        assert_non_null(strstr(block, "[RESOLVED] Mem (warning) on web1: memory.used_pct = no data"));
        json_decref(s);
        json_decref(g);
        alert_rules_done(&rules);

        /* Many long alerts: Slack's section stays under its 3000 characters, saying what was left out. */
        AlertRules many = {};
        char summary[801];
        memset(summary, 'x', 800);
        summary[800] = '\0';
        g = group_of(&many, summary);
        json_t *alerts = json_object_get(g, "alerts");
        for (int i = 0; i < 8; i++)
                json_array_append(alerts, json_array_get(alerts, 0));
        s = body_of("slack", g);
        block = json_string_value(
                json_object_get(json_object_get(json_array_get(json_object_get(s, "blocks"), 0), "text"), "text"));
        assert_true(strlen(block) <= 3000);
        assert_non_null(strstr(block, "more)"));
        json_decref(s);
        json_decref(g);
        alert_rules_done(&many);

        /* A long line cut inside a UTF-8 character still makes a JSON body. */
        AlertRules wide = {};
        char micro[1201] = "";
        for (int i = 0; i < 505; i++)
                strcat(micro, "\xc2\xb5");
        g = group_of(&wide, micro);
        s = body_of("slack", g);
        json_decref(s);
        json_decref(g);
        alert_rules_done(&wide);

        /* A value with a line break cannot add a header to the email. */
        AlertRules evil = {};
        g = group_of(&evil, "x");
        /* The rule files refuse such text; the body does not rely on it. */
        json_object_set_new(test_path(json_array_get(json_object_get(g, "alerts"), 0), "annotations"), "summary",
                            json_string("x\r\nBcc: victim@example.org"));
        NotifierConf c = conf_of("email");
        char *mail = notify_kinds[c.kind].body(&c, g, INT64_C(1796596300000));
        assert_non_null(mail);
        char *end = strstr(mail, "\r\n\r\n");
        assert_non_null(end);
        *end = '\0';
        assert_null(strstr(mail, "\r\nBcc:"));
        assert_non_null(strstr(mail, "\r\nTo: ops@example.org,\r\n oncall@example.org\r\n"));
        assert_true(strncmp(mail, "Date: Sun, 06 Dec 2026 22:31:40 +0000\r\n", 39) == 0);
        assert_non_null(strstr(
                mail, "Subject: [skytune] [FIRING] Busy (critical) on web1: x  Bcc: victim@example.org (and more)"));
        free(mail);
        json_decref(g);
        alert_rules_done(&evil);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_outcomes),    cmocka_unit_test(test_backoff),
                cmocka_unit_test(test_retry_after), cmocka_unit_test(test_config),
                cmocka_unit_test(test_read_secret), cmocka_unit_test(test_time_and_fingerprint),
                cmocka_unit_test(test_alert_json),  cmocka_unit_test(test_bodies),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

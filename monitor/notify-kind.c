/* SPDX-License-Identifier: MIT */
/* The notifier table and the bodies each entry writes (notify-kind.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json-util.h"
#include "macro.h"
#include "notify-group.h"
#include "notify-kind.h"

/* Slack refuses a section's text past 3000 characters (HTTP 400). */
#define SLACK_SECTION_MAX 3000

static const json_t *alerts_of(const json_t *group) {
        return json_object_get(group, "alerts");
}

/* The labels (or annotations) every alert shares with the same value. */
static json_t *common(const json_t *alerts, const char *field) {
        json_t *c = json_deep_copy(json_object_get(json_array_get(alerts, 0), field));
        if (!c)
                return json_object();
        size_t i;
        json_t *a;
        json_array_foreach(alerts, i, a) {
                const json_t *o = json_object_get(a, field);
                const char *k;
                json_t *v;
                void *tmp;
                json_object_foreach_safe(c, tmp, k, v)
                        if (!json_equal(v, json_object_get(o, k)))
                                json_object_del(c, k);
        }
        return c;
}

static bool any_firing(const json_t *alerts) {
        size_t i;
        json_t *a;
        json_array_foreach(alerts, i, a)
                if (jstreq(a, "status", "firing"))
                        return true;
        return false;
}

static char *dump(json_t *j) {
        char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        return s;
}

/* Alertmanager's webhook body (version 4), which the generic webhook and the command both get. */
static char *webhook_body(const NotifierConf *c, const json_t *group, int64_t now_ms) {
        const json_t *alerts = alerts_of(group);
        json_t *labels = common(alerts, "labels");
        char key[256] = "{}:{";
        const char *name = jstr(labels, "alertname");
        if (name)
                snprintf(key + 4, sizeof(key) - 4, "alertname=\"%s\"}", name);
        else
                snprintf(key + 4, sizeof(key) - 4, "}");
        json_t *group_labels = json_object();
        if (name)
                set_str(group_labels, "alertname", name);
        return dump(json_pack("{s:s, s:s, s:i, s:s, s:s, s:o, s:o, s:o, s:s, s:O}", "version", "4", "groupKey", key,
                              "truncatedAlerts", 0, "status", any_firing(alerts) ? "firing" : "resolved", "receiver",
                              c->name, "groupLabels", group_labels, "commonLabels", labels, "commonAnnotations",
                              common(alerts, "annotations"), "externalURL", "", "alerts", alerts));
}

/* A string cut by snprintf may end inside a UTF-8 character, which JSON refuses: drop that part. */
static void utf8_trim_partial(char *s) {
        size_t i = strlen(s), cont = 0;
        while (i > 0 && cont < 4 && ((unsigned char) s[i - 1] & 0xc0) == 0x80) {
                i--;
                cont++;
        }
        if (i == 0)
                return;
        unsigned char lead = (unsigned char) s[i - 1];
        size_t want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
        if (cont + 1 < want)
                s[i - 1] = '\0';
}

/* One line per alert, for people: "[FIRING] HostCPUBusy (critical) on web1: CPU busy: 97 %". */
static void alert_line(const json_t *a, char *buf, size_t size) {
        const json_t *l = json_object_get(a, "labels"), *n = json_object_get(a, "annotations");
        const char *text = jstr(n, "summary") ?: jstr(n, "description");
        snprintf(buf, size, "[%s] %s (%s)%s%s: %s%s%s", jstreq(a, "status", "firing") ? "FIRING" : "RESOLVED",
                 jstr_or(l, "alertname", "?"), jstr_or(l, "severity", "?"), jstr(l, "instance") ? " on " : "",
                 jstr_or(l, "instance", ""), text ? text : jstr_or(n, "expr", ""), text ? "" : " = ",
                 text ? "" : jstr_or(n, "value", ""));
        utf8_trim_partial(buf);
}

/* All alerts' lines, each ending in eol, cut (at a line) to max bytes. */
static char *lines(const json_t *alerts, const char *eol, size_t max) {
        char *out = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&out, &size);
        if (!f)
                return NULL;
        size_t i;
        json_t *a;
        json_array_foreach(alerts, i, a) {
                char line[1024];
                alert_line(a, line, sizeof(line));
                if ((size_t) ftell(f) + strlen(line) + strlen(eol) + 16 > max) {
                        fprintf(f, "(%zu more)%s", json_array_size(alerts) - i, eol);
                        break;
                }
                fprintf(f, "%s%s", line, eol);
        }
        return fclose(f) == 0 ? out : (free(out), NULL);
}

static char *slack_body(const NotifierConf *c, const json_t *group, int64_t now_ms) {
        const json_t *alerts = alerts_of(group);
        _cleanup_free_ char *text = lines(alerts, "\n", SLACK_SECTION_MAX);
        if (!text)
                return NULL;
        char first[1024];
        alert_line(json_array_get(alerts, 0), first, sizeof(first));
        return dump(json_pack("{s:s, s:[{s:s, s:{s:s, s:s}}]}", "text", first, "blocks", "type", "section", "text",
                              "type", "mrkdwn", "text", text));
}

/* Alertmanager's API v2: a firing alert ends a few repeats from now unless it is told again, so
 * that an alert this host stops telling (the host is down) resolves there by itself. */
static char *alertmanager_body(const NotifierConf *c, const json_t *group, int64_t now_ms) {
        json_t *out = json_array();
        size_t i;
        json_t *a;
        json_array_foreach(alerts_of(group), i, a) {
                char ends[32];
                notify_time(now_ms + 4 * MAX(c->repeat_ms, 60000), ends);
                json_t *o = json_pack(
                        "{s:O, s:O, s:O, s:s, s:s}", "labels", json_object_get(a, "labels"), "annotations",
                        json_object_get(a, "annotations"), "startsAt", json_object_get(a, "startsAt"), "endsAt",
                        jstreq(a, "status", "firing") ? ends : jstr_or(a, "endsAt", ends), "generatorURL", "");
                if (!o || json_array_append_new(out, o) < 0) {
                        json_decref(out);
                        return NULL;
                }
        }
        return dump(out);
}

/* A header's value on one line. */
static void header(FILE *f, const char *name, const char *value) {
        fprintf(f, "%s: ", name);
        for (const char *p = value; *p; p++)
                fputc(*p == '\r' || *p == '\n' ? ' ' : *p, f);
        fputs("\r\n", f);
}

static char *email_body(const NotifierConf *c, const json_t *group, int64_t now_ms) {
        const json_t *alerts = alerts_of(group);
        _cleanup_free_ char *text = lines(alerts, "\r\n", 64 * 1024);
        if (!text)
                return NULL;
        char *out = NULL, date[64], subject[300], first[1024];
        size_t size = 0;
        time_t s = (time_t) (now_ms / 1000);
        struct tm tm;
        strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", gmtime_r(&s, &tm));
        alert_line(json_array_get(alerts, 0), first, sizeof(first));
        size_t n = json_array_size(alerts);
        first[200] = '\0';
        utf8_trim_partial(first);
        snprintf(subject, sizeof(subject), "[skytune] %.200s%s", first, n > 1 ? " (and more)" : "");
        FILE *f = open_memstream(&out, &size);
        if (!f)
                return NULL;
        header(f, "Date", date);
        header(f, "From", c->from);
        /* The addresses are bare (notify-config.c checks them): no line break, no comma inside. */
        fputs("To: ", f);
        for (size_t i = 0; i < c->n_to; i++)
                fprintf(f, "%s%s", i ? ",\r\n " : "", c->to[i]);
        fputs("\r\n", f);
        header(f, "Subject", subject);
        fprintf(f, "Message-ID: <%" PRId64 ".%s@skytune-monitor>\r\n", now_ms,
                jstr_or(json_array_get(alerts, 0), "fingerprint", "0"));
        fputs("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
              f);
        fputs(text, f);
        return fclose(f) == 0 ? out : (free(out), NULL);
}

static const char *const http_keys[] = { "url", "url_file", NULL };
static const char *const secret_url_keys[] = { "url_file", NULL };
static const char *const email_keys[] = { "url", "url_file", "from", "to", "user", "password_file", NULL };
static const char *const exec_keys[] = { "command", NULL };

#define HOURS_4 (4 * 3600 * 1000)

/* Webhook URLs carry their token: only from a file. Alertmanager's and the mail server's do not. */
const NotifyKind notify_kinds[] = {
        { "webhook", NOTIFY_HTTP, secret_url_keys, "http", true, HOURS_4, NULL, webhook_body },
        { "slack", NOTIFY_HTTP, secret_url_keys, "http", true, HOURS_4, NULL, slack_body },
        /* Alertmanager expects a firing alert again every minute or so (as Prometheus does). */
        { "alertmanager", NOTIFY_HTTP, http_keys, "http", false, 60 * 1000, "/api/v2/alerts", alertmanager_body },
        { "email", NOTIFY_SMTP, email_keys, "smtp", false, HOURS_4, NULL, email_body },
        { "exec", NOTIFY_EXEC, exec_keys, NULL, false, HOURS_4, NULL, webhook_body },
};
const size_t notify_kinds_n = ELEMENTSOF(notify_kinds);

int notify_kind_find(const char *name) {
        for (size_t i = 0; i < notify_kinds_n; i++)
                if (strcmp(notify_kinds[i].name, name) == 0)
                        return (int) i;
        return -ENOENT;
}

/* SPDX-License-Identifier: MIT */
/* Alert rules at work in the daemon (alerting.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>

#include "alerting-notify.h"
#include "alerting.h"
#include "log.h"
#include "macro.h"
#include "notifier.h"
#include "profiler.h"
#include "time-util.h"
#include "tsdb.h"

/* One number per series the rule reads (ALERT_RULE_SERIES_MAX), made at its first lookup. */
typedef struct Lookup {
        const MonitorRing *ring;
        const AlertRule *rule;
        int64_t stamp_ms, stale_ms;
        json_t *values[ALERT_RULE_SERIES_MAX];
} Lookup;

static json_t *lookup(const char *path, void *userdata) {
        Lookup *l = userdata;
        size_t i = 0;
        while (i < l->rule->n_paths && strcmp(l->rule->paths[i], path) != 0)
                i++;
        int64_t t;
        double v;
        if (i == l->rule->n_paths || ring_last(l->ring, path, &t, &v) < 0 || llabs(l->stamp_ms - t) > l->stale_ms)
                return NULL;
        if (!l->values[i])
                l->values[i] = json_real(v);
        return l->values[i];
}

/* The event into the store's history (skytune alerts --history). */
static void keep_event(Alerting *a, const AlertRule *r, const AlertState *s, AlertEventKind ev, AlertLevel was,
                       int64_t wall_ms) {
        if (!a->store)
                return;
        AlertLevel level =
                ev == ALERT_EVENT_RESOLVED || (ev == ALERT_EVENT_SETTLED && s->phase != ALERT_FIRING) ? was : s->level;
        struct tsdb_event e = { wall_ms, r->name, alert_event_name(ev), alert_level_name(level), s->value };
        int q = tsdb_event_add(a->store, &e);
        if (q < 0 && a->history_lost++ == 0)
                log_error_errno(q,
                                "alert %s: cannot keep its event in the store's history: %m (further such "
                                "failures are counted, not logged)",
                                r->name);
}

static void tell(Alerting *a, const AlertRule *r, const AlertState *s, AlertEventKind ev, AlertLevel was) {
        const char *summary = NULL;
        for (size_t i = 0; i < r->n_annotations && !summary; i++)
                if (strcmp(r->annotations[i].name, "summary") == 0)
                        summary = r->annotations[i].value;
        _cleanup_free_ char *text = summary ? alert_expand(summary, s->value) : NULL;
        char what[64];
        switch (ev) {
        case ALERT_EVENT_LEVEL:
                snprintf(what, sizeof(what), "now %s (was %s)", alert_level_name(s->level), alert_level_name(was));
                break;
        case ALERT_EVENT_FIRING: snprintf(what, sizeof(what), "firing (%s)", alert_level_name(s->level)); break;
        case ALERT_EVENT_SETTLED: snprintf(what, sizeof(what), "settled: %s", alert_phase_name(s->phase)); break;
        case ALERT_EVENT_FLAPPING: snprintf(what, sizeof(what), "flapping: quiet until it settles"); break;
        default: snprintf(what, sizeof(what), "%s", alert_event_name(ev));
        }
        char value[32];
        snprintf(value, sizeof(value), isnan(s->value) ? "no data" : "%.6g", s->value);
        LogLevel prio = ev == ALERT_EVENT_RESOLVED || ev == ALERT_EVENT_SETTLED ? LOG_LEVEL_NOTICE : LOG_LEVEL_WARNING;
        a->events++;
        if (!a->journal) {
                log_msg(prio, "alert %s %s: %s = %s%s%s", r->name, what, r->expr_text, value, text ? "; " : "",
                        strempty(text));
                return;
        }
        sd_journal_send("MESSAGE=alert %s %s: %s = %s%s%s", r->name, what, r->expr_text, value, text ? "; " : "",
                        strempty(text), "MESSAGE_ID=" SKYTUNE_MESSAGE_ALERT, "PRIORITY=%i", (int) prio,
                        "SYSLOG_IDENTIFIER=skytune-monitor", "SKYTUNE_ALERT=%s", r->name, "SKYTUNE_ALERT_EVENT=%s",
                        alert_event_name(ev), "SKYTUNE_ALERT_LEVEL=%s", alert_level_name(s->level),
                        "SKYTUNE_ALERT_VALUE=%s", value, NULL);
}

#define STATE_KEY_PREFIX "alert/"

/* The state of rule i into the store, its times on the wall clock. */
static void state_save(Alerting *a, size_t i, int64_t mono_ms) {
        if (!a->store)
                return;
        char key[300];
        snprintf(key, sizeof(key), STATE_KEY_PREFIX "%s", a->rules.rules[i].name);
        json_t *j = alert_state_to_json(&a->states[i], (int64_t) (time_now_realtime_usec() / 1000u) - mono_ms);
        _cleanup_free_ char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        int r = text ? tsdb_state_put(a->store, key, text) : -ENOMEM;
        if (r < 0 && (a->store_error_ms < 0 || mono_ms - a->store_error_ms >= 5 * 60000)) {
                a->store_error_ms = mono_ms;
                log_error_errno(r,
                                "alert %s: cannot keep its state in the store: %m; a restart would start it "
                                "afresh",
                                a->rules.rules[i].name);
        }
}

typedef struct Restore {
        Alerting *a;
        int64_t shift_ms, mono_ms;
} Restore;

static int restore_one(const char *key, const char *value, void *userdata) {
        Restore *rs = userdata;
        Alerting *a = rs->a;
        const char *name = key + strlen(STATE_KEY_PREFIX);
        size_t i = 0;
        while (i < a->rules.n && strcmp(a->rules.rules[i].name, name) != 0)
                i++;
        if (i == a->rules.n) { /* a rule that is gone */
                int r = tsdb_state_del(a->store, key);
                if (r < 0)
                        log_warning_errno(r, "%s: cannot remove the kept state of a rule that is gone: %m", key);
                return 0;
        }
        json_t *j = json_loads(value, 0, NULL);
        int r = j ? alert_state_from_json(j, rs->shift_ms, rs->mono_ms, &a->states[i]) : -EBADMSG;
        json_decref(j);
        /* The hits that made it pending or firing are not kept: a standing alert has them. */
        AlertState *s = &a->states[i];
        if (r == 0 && (s->phase == ALERT_PENDING || s->phase == ALERT_FIRING))
                s->hits = a->rules.rules[i].hits;
        if (r < 0)
                log_warning("alert %s: its kept state cannot be read: it starts afresh", name);
        else if (a->states[i].phase != ALERT_INACTIVE)
                log_info("alert %s: %s (%s) as before the restart", name, alert_phase_name(a->states[i].phase),
                         alert_level_name(a->states[i].level));
        return 0;
}

void alerting_restore(Alerting *a, int64_t wall_ms, int64_t mono_ms) {
        if (!a->store)
                return;
        Restore rs = { a, wall_ms - mono_ms, mono_ms };
        int r = tsdb_state_each(a->store, STATE_KEY_PREFIX, restore_one, &rs);
        if (r < 0)
                log_error_errno(r, "cannot read the alerts' kept states: %m; they start afresh");
        /* A kept firing alert started before the restart: its notifications say when. */
        for (size_t i = 0; i < a->rules.n; i++)
                if (a->states[i].phase == ALERT_FIRING && a->fired_ms[i] <= 0)
                        a->fired_ms[i] = a->states[i].since_ms + rs.shift_ms;
        alerting_restore_held(a);
}

void alerting_eval(Alerting *a, const MonitorRing *ring, int64_t stamp_ms, int64_t mono_ms, int64_t stale_ms) {
        alerting_silences_refresh(a);
        json_t *changes = a->notifier ? json_array() : NULL;
        /* States are kept after their notifications are queued: a kill -9 between the two then
         * tells an event twice rather than never. */
        bool *dirty = calloc(a->rules.n + 1, sizeof(bool));
        for (size_t i = 0; i < a->rules.n; i++) {
                const AlertRule *r = &a->rules.rules[i];
                AlertState *s = &a->states[i];
                Lookup l = { .ring = ring, .rule = r, .stamp_ms = stamp_ms, .stale_ms = stale_ms };
                double v = NAN;
                bool have = cond_number(r->expr, NULL, lookup, &l, &v) == 0;
                for (size_t k = 0; k < ELEMENTSOF(l.values); k++)
                        json_decref(l.values[k]);
                AlertLevel was = s->level;
                AlertPhase was_phase = s->phase;
                bool was_flapping = s->flapping;
                int64_t was_cleared = s->cleared_ms;
                AlertEventKind ev = alert_state_step(r, s, mono_ms, have, v);
                if (ev == ALERT_EVENT_PENDING)
                        log_debug("alert %s pending (%s)", r->name, alert_level_name(s->level));
                else if (ev != ALERT_EVENT_NONE) {
                        tell(a, r, s, ev, was);
                        keep_event(a, r, s, ev, was, stamp_ms);
                        alerting_note(a, changes, i, ev, was, stamp_ms);
                }
                /* Kept whenever it changes in a way a restart must not lose (hits excepted). */
                bool changed = s->phase != was_phase || s->level != was || s->flapping != was_flapping ||
                        s->cleared_ms != was_cleared;
                if (changed && dirty)
                        dirty[i] = true;
                else if (changed)
                        state_save(a, i, mono_ms);
        }
        alerting_unhold(a, changes, stamp_ms);
        if (changes && json_array_size(changes) > 0) {
                json_t *group = json_pack("{s:O}", "alerts", changes);
                if (group)
                        notifier_push(a->notifier, group);
                else
                        a->notify_lost++;
                json_decref(group);
        }
        json_decref(changes);
        for (size_t i = 0; dirty && i < a->rules.n; i++)
                if (dirty[i])
                        state_save(a, i, mono_ms);
        free(dirty);
        alerting_repeat(a, stamp_ms, stamp_ms - mono_ms);
}

int alerting_load(Alerting *a, const char *const *dirs, size_t n_dirs, bool must_exist, bool first) {
        if (first && profiler_metric_catalog(&a->catalog) < 0)
                return log_error_errno(-ENOMEM, "cannot load the alert rules: %m");
        AlertRules rules = {};
        Error e = ERROR_NULL;
        int r = alert_rules_load_dirs(dirs, n_dirs, must_exist, &a->catalog, &rules, &e);
        if (r < 0) {
                _cleanup_free_ char *msg = error_format(&e);
                log_error("%s%s", msg ? msg : error_message(&e),
                          first ? "" : "; keeping the rules in use: correct the file and reload again");
                error_done(&e);
                return r;
        }
        AlertState *states = calloc(rules.n + 1, sizeof(AlertState));
        int64_t *fired = calloc(rules.n + 1, sizeof(int64_t));
        bool *held = calloc(rules.n + 1, sizeof(bool));
        if (!states || !fired || !held) {
                free(states);
                free(fired);
                free(held);
                alert_rules_done(&rules);
                return log_error_errno(-ENOMEM, "cannot load the alert rules: %m");
        }
        /* A rule that stays (by name) keeps its state. */
        for (size_t i = 0; i < rules.n; i++) {
                alert_state_init(&states[i]);
                for (size_t k = 0; k < a->rules.n; k++)
                        if (strcmp(a->rules.rules[k].name, rules.rules[i].name) == 0) {
                                states[i] = a->states[k];
                                fired[i] = a->fired_ms[k];
                                held[i] = a->held[k];
                        }
        }
        /* A reload: the records of rules that went, and of rules that came (they start afresh),
         * would otherwise come back at the next start. */
        for (size_t i = 0; !first && a->store && i < a->rules.n + rules.n; i++) {
                const AlertRules *in = i < a->rules.n ? &rules : &a->rules;
                const char *name = i < a->rules.n ? a->rules.rules[i].name : rules.rules[i - a->rules.n].name;
                bool both = false;
                for (size_t k = 0; k < in->n && !both; k++)
                        both = strcmp(in->rules[k].name, name) == 0;
                char key[300];
                snprintf(key, sizeof(key), STATE_KEY_PREFIX "%s", name);
                if (!both)
                        (void) tsdb_state_del(a->store, key);
        }
        alert_rules_done(&a->rules);
        free(a->states);
        free(a->fired_ms);
        free(a->held);
        a->rules = rules;
        a->states = states;
        a->fired_ms = fired;
        a->held = held;
        log_info("%zu alert rule%s loaded", rules.n, rules.n == 1 ? "" : "s");
        return 0;
}

void alerting_done(Alerting *a) {
        alert_rules_done(&a->rules);
        free(a->states);
        free(a->fired_ms);
        free(a->held);
        metric_catalog_done(&a->catalog);
        silence_set_done(&a->silences);
        *a = (Alerting) {};
}

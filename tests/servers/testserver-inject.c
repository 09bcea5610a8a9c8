/* SPDX-License-Identifier: MIT */
/* testserver-inject: the settings table, the per-request decision (capacity slot, delay, stall,
 * reset, error) and the control and stats answers of skytune-testserver. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "testserver-inject.h"

static const char *const dist_names[_DELAY_DIST_MAX] = { "fixed", "uniform", "exponential" };

typedef struct SettingInfo {
        const char *key;
        size_t offset;
        double lo, hi;
        const char *what;
} SettingInfo;

#define SETTING(k, lo, hi, what) { #k, offsetof(Settings, k), lo, hi, what }
static const SettingInfo infos[] = {
        SETTING(delay_ms, 0, 600000, "milliseconds, 0 to 600000"),
        SETTING(delay_spread_ms, 0, 600000, "milliseconds, 0 to 600000"),
        { "delay_dist", 0, 0, 0, "fixed, uniform or exponential" },
        SETTING(error_rate, 0, 1, "a probability, 0 to 1"),
        SETTING(error_status, 500, 503, "500 or 503"),
        SETTING(reset_rate, 0, 1, "a probability, 0 to 1"),
        SETTING(stall_every_s, 0, 86400, "seconds, 0 (never) to 86400"),
        SETTING(stall_ms, 0, 600000, "milliseconds, 0 to 600000"),
        SETTING(capacity, 0, 10000000, "answers per second, 0 (no limit) to 10000000"),
        SETTING(max_queue, 0, 10000000, "requests, 0 (no limit) to 10000000"),
        SETTING(seed, 0, 9007199254740992.0, "a whole number"),
};

const char *settings_key(size_t i)
{
        return i < ELEMENTSOF(infos) ? infos[i].key : NULL;
}

static void key_list(char *out, size_t size)
{
        out[0] = 0;
        for (size_t i = 0; i < ELEMENTSOF(infos); i++)
                snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? ", " : "", infos[i].key);
}

void settings_defaults(Settings *s)
{
        *s = (Settings) { .error_status = 500, .seed = 1 };
}

int settings_set(Settings *s, const char *key, const char *value, const char **why)
{
        for (size_t i = 0; i < ELEMENTSOF(infos); i++) {
                if (strcmp(key, infos[i].key) != 0)
                        continue;
                *why = infos[i].what;
                if (strcmp(key, "delay_dist") == 0) {
                        for (int d = 0; d < _DELAY_DIST_MAX; d++)
                                if (strcmp(value, dist_names[d]) == 0)
                                        return s->delay_dist = d, 0;
                        return -EINVAL;
                }
                char *end;
                errno = 0;
                double v = strtod(value, &end);
                if (errno || end == value || *end || !(v >= infos[i].lo && v <= infos[i].hi))
                        return -EINVAL;
                if (strcmp(key, "error_status") == 0 && v != 500 && v != 503)
                        return -EINVAL;
                *(double *) ((char *) s + infos[i].offset) = v;
                return 0;
        }
        return -ENOENT;
}

void injector_init(Injector *in, const Settings *s, uint64_t now_ns)
{
        *in = (Injector) { .s = *s, .start_ns = now_ns, .last_slot_ns = now_ns };
        stats_rng_seed(&in->rng, (uint64_t) s->seed);
}

uint64_t injector_queued(const Injector *in, uint64_t now_ns)
{
        if (in->s.capacity <= 0 || in->last_slot_ns <= now_ns)
                return 0;
        return (uint64_t) ceil((double) (in->last_slot_ns - now_ns) * in->s.capacity / 1e9);
}

static double draw_delay_ms(Injector *in)
{
        const Settings *s = &in->s;
        double u = stats_rng_uniform(&in->rng);
        switch (s->delay_dist) {
        case DELAY_UNIFORM:
                return MAX(0.0, s->delay_ms + s->delay_spread_ms * (2 * u - 1));
        case DELAY_EXPONENTIAL:
                return -s->delay_ms * log1p(-u);
        default:
                return s->delay_ms;
        }
}

/* A ready time inside a stall window [k N, k N + M) (k >= 1) moves to the window's end. */
static uint64_t after_stall(Injector *in, uint64_t ready_ns)
{
        if (in->s.stall_every_s <= 0 || in->s.stall_ms <= 0)
                return ready_ns;
        uint64_t period = (uint64_t) (in->s.stall_every_s * 1e9), len = (uint64_t) (in->s.stall_ms * 1e6);
        uint64_t since = ready_ns - in->start_ns;
        if (since < period || since % period >= len)
                return ready_ns;
        in->st.stalled++;
        return ready_ns + (len - since % period);
}

void injector_decide(Injector *in, uint64_t now_ns, Decision *ret)
{
        /* The draws come in the same order for every request, whatever is decided. */
        double delay_ms = draw_delay_ms(in), u_reset = stats_rng_uniform(&in->rng), u_err = stats_rng_uniform(&in->rng);
        in->st.received++;
        uint64_t queued = injector_queued(in, now_ns);
        if (in->s.max_queue > 0 && (double) queued >= in->s.max_queue) {
                in->st.rejected_queue_full++;
                *ret = (Decision) { .ready_ns = now_ns, .status = 503 };
                return;
        }
        uint64_t slot = now_ns;
        if (in->s.capacity > 0) {
                slot = MAX(now_ns, in->last_slot_ns + (uint64_t) (1e9 / in->s.capacity));
                in->last_slot_ns = slot;
                in->st.queued_max = MAX(in->st.queued_max, queued + (slot > now_ns));
        }
        uint64_t ready = after_stall(in, slot + (uint64_t) (delay_ms * 1e6));
        in->st.delay_ms_sum += (double) (ready - now_ns) / 1e6;
        *ret = (Decision) { .ready_ns = ready, .status = 200 };
        if (u_reset < in->s.reset_rate) {
                ret->reset = true;
                in->st.resets_injected++;
        } else if (u_err < in->s.error_rate) {
                ret->status = (unsigned) in->s.error_status;
                in->st.errors_injected++;
        } else
                in->st.served++;
}

static void settings_json(const Settings *s, char *out, size_t size)
{
        snprintf(out, size,
                 "{\"delay_ms\": %g, \"delay_spread_ms\": %g, \"delay_dist\": \"%s\", \"error_rate\": %g, "
                 "\"error_status\": %g, \"reset_rate\": %g, \"stall_every_s\": %g, \"stall_ms\": %g, "
                 "\"capacity\": %g, \"max_queue\": %g, \"seed\": %.0f}",
                 s->delay_ms, s->delay_spread_ms, dist_names[s->delay_dist], s->error_rate, s->error_status,
                 s->reset_rate, s->stall_every_s, s->stall_ms, s->capacity, s->max_queue, s->seed);
}

unsigned injector_control(Injector *in, const char *query, char *out, size_t size)
{
        Settings s = in->s;
        char *copy = strdup(query ? query : ""), *save = NULL;
        unsigned status = 200;
        in->st.control++;
        for (char *kv = strtok_r(copy, "&", &save); kv && copy; kv = strtok_r(NULL, "&", &save)) {
                char *eq = strchr(kv, '=');
                const char *why = NULL;
                char keys[256];
                int r = eq ? (*eq = 0, settings_set(&s, kv, eq + 1, &why)) : -ENOENT;
                if (r < 0) {
                        key_list(keys, sizeof(keys));
                        snprintf(out, size, "/_control: %s%s%s: %s (accepted: %s)\n", kv, eq ? "=" : "",
                                 eq ? eq + 1 : "", r == -ENOENT ? "no such setting" : "bad value", why ? why : keys);
                        status = 400;
                        break;
                }
        }
        if (!copy) {
                snprintf(out, size, "out of memory\n");
                return 400;
        }
        free(copy);
        if (status != 200)
                return status;
        if (s.seed != in->s.seed)
                stats_rng_seed(&in->rng, (uint64_t) s.seed);
        in->s = s;
        settings_json(&s, out, size);
        return 200;
}

void injector_stats(const Injector *in, uint64_t now_ns, uint64_t in_flight, char *out, size_t size)
{
        const ServerStats *st = &in->st;
        uint64_t decided = st->served + st->errors_injected + st->resets_injected;
        int n = snprintf(out, size,
                         "{\"received\": %lu, \"served\": %lu, \"errors_injected\": %lu, \"resets_injected\": %lu, "
                         "\"rejected_queue_full\": %lu, \"stalled\": %lu, \"queued\": %lu, \"queued_max\": %lu, "
                         "\"in_flight\": %lu, \"connections\": %lu, \"control_requests\": %lu, "
                         "\"delay_ms_mean\": %.3f, \"uptime_s\": %.3f, \"settings\": ",
                         st->received, st->served, st->errors_injected, st->resets_injected, st->rejected_queue_full,
                         st->stalled, injector_queued(in, now_ns), st->queued_max, in_flight, st->connections,
                         st->control, decided ? st->delay_ms_sum / (double) decided : 0.0,
                         (double) (now_ns - in->start_ns) / 1e9);
        if (n > 0 && (size_t) n < size) {
                settings_json(&in->s, out + n, size - (size_t) n);
                strncat(out, "}\n", size - strlen(out) - 1);
        }
}

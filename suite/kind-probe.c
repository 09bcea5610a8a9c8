/* SPDX-License-Identifier: MIT */
/* Kind "probe": any skytune probe (probes/probe.h), one round per repetition, in-process. Its
 * options are the probe's own (the table `skytune probe --help` shows), given as a group:
 * options = { url = "http://127.0.0.1:8080/"; users = 4; }. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "probe.h"
#include "suite-internal.h"

typedef struct ProbeSpec {
        const ProbeBackend *backend;
        void *options; /* the backend's options struct, or NULL */
        json_t *given; /* the options as parsed, {name: value or [values]}: in the config digest */
        int64_t duration_ms;
} ProbeSpec;

/* A value of the file as the text the option's parser takes. */
static int option_value(const config_setting_t *v, char *buf, size_t size) {
        switch (config_setting_type(v)) {
        case CONFIG_TYPE_STRING:
                return snprintf(buf, size, "%s", config_setting_get_string(v)) < (int) size ? 0 : -E2BIG;
        case CONFIG_TYPE_INT:
        case CONFIG_TYPE_INT64: snprintf(buf, size, "%lld", config_setting_get_int64(v)); return 0;
        case CONFIG_TYPE_FLOAT: snprintf(buf, size, "%.17g", config_setting_get_float(v)); return 0;
        case CONFIG_TYPE_BOOL: return config_setting_get_bool(v) ? 1 : -ENOENT;
        default: return -EINVAL;
        }
}

static int parse_option(const ConfRead *c, ProbeSpec *ps, const config_setting_t *v, const ProbeOption *o,
                        json_t *values) {
        char buf[4096];
        int r = option_value(v, buf, sizeof(buf));
        if (r == -ENOENT && !o->arg)
                return json_array_append_new(values, json_false()) < 0 ? -ENOMEM : 0; /* a flag set to false */
        if (r < 0 || (r == 1) != (o->arg == NULL))
                return conf_fail(c, v, "option '%s' of probe %s takes %s", o->name, ps->backend->name,
                                 o->arg ? o->arg : "true or false (a flag)");
        Error pe = ERROR_NULL;
        if ((r = o->parse(ps->options, o->arg ? buf : NULL, &pe)) < 0) {
                conf_fail(c, v, "option '%s': %s", o->name, error_message(&pe));
                error_done(&pe);
                return -EINVAL;
        }
        return json_array_append_new(values, o->arg ? json_string(buf) : json_true()) < 0 ? -ENOMEM : 0;
}

static int parse_options(const ConfRead *c, const config_setting_t *g, ProbeSpec *ps) {
        const ProbeBackend *b = ps->backend;
        if (b->options_size) {
                if (!(ps->options = calloc(1, b->options_size)))
                        return error_set(c->e, -ENOMEM, "out of memory");
                if (b->options_init)
                        b->options_init(ps->options);
        }
        const config_setting_t *opts = config_setting_get_member(g, "options");
        if (opts && !config_setting_is_group(opts))
                return conf_fail(c, opts, "'options' of probe %s must be a group: options = { users = 4; }", b->name);
        if (!(ps->given = json_object()))
                return error_set(c->e, -ENOMEM, "out of memory");
        for (int i = 0; opts && i < config_setting_length(opts); i++) {
                const config_setting_t *m = config_setting_get_elem(opts, (unsigned) i);
                const ProbeOption *o = config_setting_name(m) ? probe_option_find(b, config_setting_name(m)) : NULL;
                if (!o)
                        return conf_fail(c, m, "probe %s has no option '%s' (see 'skytune probe --help')", b->name,
                                         config_setting_name(m) ? config_setting_name(m) : "(unnamed)");
                int n = config_setting_is_array(m) || config_setting_is_list(m) ? config_setting_length(m) : -1;
                json_t *values = json_array();
                for (int k = 0; k < (n < 0 ? 1 : n); k++) {
                        int r = values
                                ? parse_option(c, ps, n < 0 ? m : config_setting_get_elem(m, (unsigned) k), o, values)
                                : -ENOMEM;
                        if (r < 0) {
                                json_decref(values);
                                return r == -ENOMEM ? error_set(c->e, r, "out of memory") : r;
                        }
                }
                json_object_set_new(ps->given, o->name, n < 0 ? json_incref(json_array_get(values, 0)) : values);
                if (n < 0)
                        json_decref(values);
        }
        Error pe = ERROR_NULL;
        if (b->options_check && b->options_check(ps->options, &pe) < 0) {
                conf_fail(c, opts ? opts : g, "probe %s: %s", b->name, error_message(&pe));
                error_done(&pe);
                return -EINVAL;
        }
        return 0;
}

static int probe_parse(const ConfRead *c, const config_setting_t *g, void **ret) {
        ProbeSpec *ps = calloc(1, sizeof(ProbeSpec));
        if (!ps)
                return error_set(c->e, -ENOMEM, "out of memory");
        *ret = ps;
        _cleanup_free_ char *name = NULL;
        int r = suite_conf_text(c, g, "probe", true, "\"cpu\" (see 'skytune probe --help')", &name);
        if (r < 0)
                return r;
        if (!(ps->backend = probe_find(name)))
                return conf_fail(c, config_setting_get_member(g, "probe"),
                                 "unknown probe '%s' (see 'skytune probe "
                                 "--help' for the probes of this build)",
                                 name);
        ps->duration_ms = 1000;
        if ((r = conf_duration_ms(c, g, "duration", &ps->duration_ms)) < 0)
                return r;
        if (ps->duration_ms < 10 || ps->duration_ms > 3600 * 1000)
                return conf_fail(c, config_setting_get_member(g, "duration"),
                                 "'duration' (of one repetition) must be "
                                 "between 10 ms and 1 h");
        return parse_options(c, g, ps);
}

static void probe_metrics_of(const void *spec, const SuiteMetricDef **ret, size_t *ret_n) {
        const ProbeSpec *ps = spec;
        *ret = ps->backend->metrics;
        *ret_n = ps->backend->n_metrics;
}

static json_t *probe_json(const void *spec) {
        const ProbeSpec *ps = spec;
        return json_pack("{s:s, s:f, s:O*}", "probe", ps->backend->name, "duration_s", (double) ps->duration_ms / 1000,
                         "options", json_object_size(ps->given) ? ps->given : NULL);
}

static int probe_rep(const void *spec, SuiteRepOut *out, const volatile sig_atomic_t *stop, Error *e) {
        const ProbeSpec *ps = spec;
        ProbeConfig cfg = {
                .duration_s = (double) ps->duration_ms / 1000, .rounds = 1, .options = ps->options, .stop = stop
        };
        ProbeResult *res = NULL;
        int r = probe_run(ps->backend, &cfg, &res);
        if (r >= 0 && res && res->interrupted)
                r = -EINTR;
        else if (r >= 0 && (!res || res->rounds < 1))
                r = error_set(e, -EIO, "probe %s ran no round", ps->backend->name);
        else if (r < 0)
                r = error_set(e, r, "probe %s: %s", ps->backend->name, res && res->error ? res->error : strerror(-r));
        else
                for (size_t i = 0; i < ps->backend->n_metrics; i++)
                        out->values[i] = res->values[i];
        probe_result_free(res);
        return r;
}

static void probe_free(void *spec) {
        ProbeSpec *ps = spec;
        if (ps->options && ps->backend->options_done)
                ps->backend->options_done(ps->options);
        free(ps->options);
        json_decref(ps->given);
        free(ps);
}

static const char *const probe_keys[] = { "probe", "duration", "options" };

const SuiteKind suite_kind_probe = {
        .name = "probe",
        .summary = "a skytune probe, one round per repetition",
        .keys = probe_keys,
        .n_keys = ELEMENTSOF(probe_keys),
        .parse = probe_parse,
        .metrics = probe_metrics_of,
        .spec_json = probe_json,
        .run = probe_rep,
        .spec_free = probe_free,
};

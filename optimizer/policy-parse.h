/* SPDX-License-Identifier: MIT */
#pragma once

/* Internal to the policy loader (policy.c, policy-rule.c, policy-load.c): the loader's state and
 * the checked readers of libconfig settings that fail with file:line. */

#include <libconfig.h>

#include "policy.h"

#define POLICY_INCLUDE_DEPTH 16

typedef struct Loader {
        const PolicySearch *search;
        char *stack[POLICY_INCLUDE_DEPTH];
        size_t depth;
        Policy *p;
        OptError *err;
} Loader;

int policy_strv_push(char ***v, size_t *n, const char *s);
void policy_strv_free(char **v, size_t n);
void policy_rule_done(PolicyRule *r);

int policy_want_string(Loader *l, const char *file, const config_setting_t *s, const char **ret);
/* A string or a list/array of strings. */
int policy_want_strings(Loader *l, const char *file, const config_setting_t *s, char ***ret, size_t *ret_n);
int policy_want_integer(Loader *l, const char *file, const config_setting_t *s, long long *ret);

/* Whether a metric path starts with a known root ("current" too when allow_current). */
bool policy_path_root_ok(const char *path, bool allow_current);

typedef struct PathCheck {
        Loader *l;
        const char *file;
        unsigned line;
        bool has_foreach;
} PathCheck;

/* Checks one path of a rule (a cond_foreach_path callback); userdata is a PathCheck. */
int policy_check_path_cb(const char *path, void *userdata);

/* One entry of settings (setting) or rules, checked field by field into *ret. */
int policy_parse_rule(Loader *l, const char *file, const config_setting_t *g, bool setting, PolicyRule *ret);

/* SPDX-License-Identifier: MIT */
/* Scenario helpers for collector tests: profile a copy of a fixture tree whose counters a step
 * callback rewrites between samples, then drop the copy. */
#pragma once

#include "support.h"

/* Copy tests/fixtures/<name> to a fresh directory (*ret_dir, to pass to test_profile_done) and profile
 * it over `samples` samples one second apart. */
json_t *test_profile_fixture(const char *name, unsigned samples, TestStep step, void *userdata, char **ret_dir);
void test_profile_done(json_t *doc, char *dir);
/* A finding's "message", "kind" or any other string member; "" when absent. */
const char *test_finding_str(const json_t *finding, const char *member);
double test_finding_value(const json_t *finding);
/* The finding on metric, which must exist with this kind and severity (NULL: either); returns it. */
json_t *test_expect_finding(const json_t *doc, const char *metric, const char *kind, const char *severity);

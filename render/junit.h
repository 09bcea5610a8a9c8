/* SPDX-License-Identifier: MIT */
/* JUnit XML for CI (internal to render/), shared by the reports of load and db runs: the suite's
 * frame, its properties, and one test case per judged threshold of a document (a failure says what
 * was observed and what was wanted). The schema is the one Jenkins, GitLab and GitHub read:
 * testsuites > testsuite (properties, testcase > failure | error). */
#pragma once

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

typedef struct JunitSuite {
        const char *title; /* <testsuites name>: "skytune load" */
        const char *suite; /* <testsuite name>, the test cases' classname prefix */
        size_t tests, failures, errors;
        double seconds;
        const char *started; /* ISO 8601 */
        const char *hostname;
} JunitSuite;

/* Up to <properties> (not opened). */
void junit_begin(FILE *f, const JunitSuite *s);
void junit_end(FILE *f);
void junit_property(FILE *f, const char *name, const char *value);
void junit_property_json(FILE *f, const char *name, const json_t *v);
/* One judged threshold of a document's "thresholds" (text, step, metric, op, value, observed,
 * passed, for_s, failed_at_s, abort). */
void junit_threshold_case(FILE *f, const char *suite, const json_t *t);
/* How many of a document's thresholds did not pass. */
size_t junit_failed_thresholds(const json_t *thresholds);

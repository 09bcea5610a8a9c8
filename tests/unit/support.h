/* SPDX-License-Identifier: MIT */
/* Helpers for cmocka tests: temporary fixture trees that tests can change between samples. */
#pragma once

#include <errno.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* A fresh directory under $TMPDIR; removed with test_rm_rf. */
char *test_tmpdir(void);
void test_rm_rf(const char *dir);
/* Copy tests/fixtures/<name> (or an absolute path) into dir. */
void test_copy_fixture(const char *name, const char *dir);
/* Write (creating parent directories) dir/rel in place: an open file descriptor sees the new content,
 * as with a kernel file between two samples. */
void test_write(const char *dir, const char *rel, const char *content);
void test_writef(const char *dir, const char *rel, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Profile a tree: one sample per entry of `steps` (a callback may change the tree before each), one
 * second apart on a synthetic clock. */
typedef void (*TestStep)(const char *dir, unsigned i, void *userdata);
/* A profile of samples taken 1 s apart, every source read at every sample (exact per-interval rates). */
json_t *test_profile(const char *dir, unsigned samples, TestStep step, void *userdata);
/* The same with the costly sources read at full samples only, as `skytune profile` does. */
json_t *test_profile_cadence(const char *dir, unsigned samples, TestStep step, void *userdata);
/* Every finding of profile is a hit of the built-in finding table (test_profile checks each profile). */
void test_assert_findings_from_rules(const json_t *profile);
/* The finding whose "metric" equals metric (or starts with it when it ends in '*'), or NULL. */
json_t *test_find_finding(const json_t *profile, const char *metric);
/* Dotted path lookup in a JSON document ("resources.cpu.run_queue.value"). */
json_t *test_path(const json_t *doc, const char *path);
double test_num(const json_t *doc, const char *path);

/* SPDX-License-Identifier: MIT */
/* Rule conditions: a small expression language over profile metrics and facts.
 *
 *   expr  := and ('||' and)*           and  := unary ('&&' unary)*
 *   unary := '!' unary | '(' expr ')' | term [op term]        op := > >= < <= == !=
 *   term  := prod (('+' | '-') prod)*          prod := atom (('*' | '/') atom)*: arithmetic on numbers
 *                                              ("a - b" subtracts; "a-b" is one path)
 *   atom  := NUMBER | "STRING" | true | false | PATH | exists(PATH)
 *
 * A PATH names a metric or fact ("network.tcp.listen_overflows_per_s.max", "disk.devices.$.type");
 * a metric object stands for its value. A comparison with a missing operand is false. '$' is the
 * element of the rule's foreach. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "error.h"

typedef struct Cond Cond;

/* On a syntax error (or more than 256 binary operators): -EINVAL and e's message "at column N: ..." (e may
 * be NULL); -ENOMEM leaves e. */
int cond_parse(const char *text, Cond **ret, Error *e);
Cond *cond_free(Cond *c);

typedef json_t *(*CondLookup)(const char *path, void *userdata);
/* 1 when true, 0 when false. Every path the condition names that resolves is added to evidence
 * (path with '$' replaced -> scalar value), whichever branch decides. */
int cond_eval(const Cond *c, const char *subst, CondLookup lookup, void *userdata, json_t *evidence);
/* The number a condition that is one arithmetic term stands for ("cpu.run_queue.avg - 1"): -EINVAL
 * when c compares or combines, -ENODATA when an operand is missing or not a number. */
int cond_number(const Cond *c, const char *subst, CondLookup lookup, void *userdata, double *ret);
/* Calls cb for every path in the condition; stops at and returns the first negative return. */
int cond_foreach_path(const Cond *c, int (*cb)(const char *path, void *userdata), void *userdata);
/* The same without the paths of exists(PATH), whose absence the condition itself handles. */
int cond_foreach_value_path(const Cond *c, int (*cb)(const char *path, void *userdata), void *userdata);

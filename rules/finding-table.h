/* SPDX-License-Identifier: MIT */
/* Findings as data: a table of rules in the condition language (cond.h) evaluated over a summarised
 * profile document, so profile findings and policy rules share one engine and one parser. The table
 * is a libconfig file (rules/findings.conf, compiled in; docs/profile.md describes its fields):
 *
 *   { id = "memory-psi"; resource = "memory"; kind = "saturation";
 *     metric = "memory.psi_some_pct"; value = "memory.psi_some_pct.avg"; threshold = 10;
 *     when = "memory.psi_some_pct.avg >= 10";
 *     severity = "warning"; critical = "memory.psi_some_pct.avg >= 25";
 *     message = "tasks stalled ... {memory.psi_some_pct.avg:.1f}% ..."; advice = "reclaim ...";
 *     cause = "memory.oom_kills"; cause_when = "..."; foreach = "disk.devices"; }
 *
 * In a rule with foreach, '$' in every path is an object of that member ("vda"), or the index of an
 * element when the member is a list ("files.top_processes.$.pct"); {$} in the message is its name.
 * {EXPR:FMT} quotes the value of an arithmetic term ("cpu.run_queue.avg - 1", or one path) with FMT
 * one of "d", "g" (the default) or ".Nf"; a path to a string quotes the string, a missing value
 * "unknown". {?COND?THEN?ELSE} writes THEN when the condition holds, else ELSE (which may be left
 * out with its '?'); both may hold quotes; COND may be a severity ("critical"), which holds when the
 * finding has it, or "cause", when it is attributed one, which {cause} quotes. {=NAME} writes the
 * text NAME of the table's "texts = { NAME = \"...\"; };" (with its own quotes): a phrase that
 * several findings say. like = "ID" takes every field this rule does not set
 * from the earlier rule ID, so that variants of one finding write their message once. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cond.h"
#include "error.h"
#include "metric-catalog.h"

typedef struct FindingRule {
        char *id, *resource, *kind, *severity;
        char *metric, *value;           /* the metric reported; its value, an expression (may hold '$') */
        Cond *value_expr;               /* value parsed */
        double threshold;
        Cond *threshold_expr;           /* threshold = "cpu.online_cpus.value": one per evaluation */
        char *foreach;                  /* NULL: one evaluation */
        Cond *when, *warning, *critical, *cause_when;
        char *message, *advice, *cause;
        unsigned line;                  /* of the rule's group in the file */
        const struct FindingTable *table;       /* the table it is in (its texts) */
} FindingRule;

typedef struct FindingTable {
        char *file;                     /* where it was read from, for messages */
        FindingRule *rules;
        size_t n;
        char **text_names, **texts;     /* texts = { NAME = "..."; }: {=NAME} in a message */
        size_t n_texts;
} FindingTable;

/* Parse a table from text (file names it in errors) or from a file. On a bad table: -EINVAL and err
 * says file:line and what to do. */
int finding_table_parse(const char *text, const char *file, FindingTable **ret, Error *err);
int finding_table_load(const char *path, FindingTable **ret, Error *err);
/* The table compiled into skytune (rules/findings.conf of the source tree). */
int finding_table_builtin(FindingTable **ret, Error *err);
FindingTable *finding_table_free(FindingTable *t);

/* Every path a rule names (metric, value, foreach, conditions, the quotes of its message) is in the
 * catalogue: else -EINVAL and err says file:line, the path and the nearest known one. */
int finding_table_check(const FindingTable *t, const MetricCatalog *cat, Error *err);

/* The text of that name in the table's texts, or NULL. */
const char *finding_table_text(const FindingTable *t, const char *name);
/* The '}' that closes the quote opened at open (quotes nest), or NULL. */
const char *finding_quote_end(const char *open);
/* "?COND?THEN?ELSE" of a message's choice (its text between the braces) into its parts (malloc'ed;
 * ELSE "" when left out): -EINVAL when it has no second '?' or more than three parts. */
int finding_choice_split(const char *quote, char **ret_cond, char **ret_then, char **ret_else);
/* Whether a choice's COND is a word of the finding rather than a condition: a severity ("critical"),
 * which holds when the finding has it, or "cause", when it is attributed one. */
bool finding_choice_is_word(const char *cond);
/* "EXPR:FMT" of a message's quote: the expression (malloc'ed) and the precision of FMT (.Nf: N;
 * d: -1; g or none: -2). */
int finding_quote_split(const char *quote, char **ret_expr, int *ret_prec);

typedef struct FindingHit {
        const FindingRule *rule;
        const char *severity;           /* "info", "warning", "critical" */
        const char *metric;             /* '$' replaced */
        double value, threshold;
        const char *message;            /* message and advice, quotes filled in */
        const char *cause;              /* NULL: no cause attributed */
} FindingHit;

typedef int (*FindingEmit)(const FindingHit *hit, void *userdata);
/* Calls emit for every rule (and foreach object) whose when holds over profile, a document with
 * "resources" (and "host"), in table order; stops at and returns the first negative return. */
int finding_table_eval(const FindingTable *t, const json_t *profile, FindingEmit emit, void *userdata);

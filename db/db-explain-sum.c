/* SPDX-License-Identifier: MIT */
/* EXPLAIN (FORMAT JSON) into a summary: every node flattened with its own figures, the slowest
 * first, and the findings a reader looks for (docs/db.md, "db explain"). The plan is outside
 * input: members of the wrong type count as missing. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "db-inspect.h"
#include "json-util.h"
#include "macro.h"
#include "schema.h"

#define MAX_DEPTH 64
#define MISESTIMATE 10.0
#define SEQ_FILTERED_ROWS 1000

static double num(const json_t *o, const char *k) {
        const json_t *v = json_object_get(o, k);
        return json_is_number(v) ? json_number_value(v) : NAN;
}

static void finding(json_t *findings, const char *kind, const json_t *node, const char *fmt, ...) _printf_(4, 5);
static void finding(json_t *findings, const char *kind, const json_t *node, const char *fmt, ...) {
        char text[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(text, sizeof text, fmt, ap);
        va_end(ap);
        json_t *f = json_pack("{s:s, s:s, s:s?, s:s}", "kind", kind, "node", jstr_or(node, "Node Type", "?"), "relation",
                              jstr(node, "Relation Name"), "text", text);
        json_array_append_new(findings, f);
}

static void node_findings(const json_t *n, bool analyze, json_t *findings) {
        double plan_rows = num(n, "Plan Rows"), actual = num(n, "Actual Rows");
        if (analyze && isfinite(plan_rows) && isfinite(actual)) {
                double hi = MAX(plan_rows, actual), lo = MAX(MIN(plan_rows, actual), 1);
                if (hi / lo >= MISESTIMATE)
                        finding(findings, "misestimate", n, "planned %.0f rows, got %.0f per loop: ANALYZE the table, "
                                "or raise its statistics target", plan_rows, actual);
        }
        const char *type = jstr_or(n, "Node Type", "");
        double removed = num(n, "Rows Removed by Filter"), kept = isfinite(actual) ? actual : 0;
        if (strstr(type, "Seq Scan") && isfinite(removed) && removed >= SEQ_FILTERED_ROWS)
                finding(findings, "seq_scan", n, "read %.0f rows to keep %.0f: an index on the filter's columns may "
                        "help", removed + kept, kept);
        if (jstreq(n, "Sort Space Type", "Disk"))
                finding(findings, "sort_spill", n, "sorted on disk (%.0f kB): work_mem is smaller than the sort",
                        num(n, "Sort Space Used"));
        double batches = num(n, "Hash Batches");
        if (isfinite(batches) && batches > 1)
                finding(findings, "hash_spill", n, "hash in %.0f batches (%.0f kB peak): work_mem is smaller than "
                        "the hash table", batches, num(n, "Peak Memory Usage"));
}

static void walk(const json_t *n, bool analyze, unsigned depth, json_t *nodes, json_t *findings) {
        if (!json_is_object(n) || depth > MAX_DEPTH)
                return;
        double loops = num(n, "Actual Loops"), total = num(n, "Actual Total Time");
        json_t *o = json_object();
        json_object_set_new(o, "node", json_string(jstr_or(n, "Node Type", "?")));
        set_str(o, "relation", jstr(n, "Relation Name"));
        set_str(o, "index", jstr(n, "Index Name"));
        json_object_set_new(o, "depth", json_integer(depth));
        json_object_set_new(o, "total_cost", isfinite(num(n, "Total Cost")) ? json_real(num(n, "Total Cost")) : json_null());
        json_object_set_new(o, "plan_rows", isfinite(num(n, "Plan Rows")) ? json_real(num(n, "Plan Rows")) : json_null());
        json_object_set_new(o, "actual_rows", isfinite(num(n, "Actual Rows")) ? json_real(num(n, "Actual Rows")) : json_null());
        json_object_set_new(o, "loops", isfinite(loops) ? json_real(loops) : json_null());
        /* Actual Total Time is per loop: the node's whole time is that times the loops. */
        json_object_set_new(o, "time_ms", isfinite(total) ? json_real(total * (isfinite(loops) ? loops : 1)) : json_null());
        json_array_append_new(nodes, o);
        node_findings(n, analyze, findings);
        const json_t *kids = json_object_get(n, "Plans"), *k;
        size_t i;
        json_array_foreach(kids, i, k)
                walk(k, analyze, depth + 1, nodes, findings);
}

static int by_time(const void *a, const void *b) {
        const json_t *x = *(json_t *const *) a, *y = *(json_t *const *) b;
        double tx = num(x, "time_ms"), ty = num(y, "time_ms");
        if (!isfinite(tx) || !isfinite(ty))
                tx = num(x, "total_cost"), ty = num(y, "total_cost");
        tx = isfinite(tx) ? tx : -1, ty = isfinite(ty) ? ty : -1;
        return tx < ty ? 1 : tx > ty ? -1 : 0;
}

json_t *db_explain_summary(const json_t *explain, bool analyze) {
        const json_t *top = json_is_array(explain) ? json_array_get(explain, 0) : explain;
        json_t *doc = json_object(), *nodes = json_array(), *findings = json_array();
        walk(json_object_get(top, "Plan"), analyze, 0, nodes, findings);
        size_t n = json_array_size(nodes);
        json_t **sorted = calloc(n + 1, sizeof *sorted), *slowest = json_array();
        for (size_t i = 0; sorted && i < n; i++)
                sorted[i] = json_array_get(nodes, i);
        if (sorted)
                qsort(sorted, n, sizeof *sorted, by_time);
        for (size_t i = 0; sorted && i < n && i < 5; i++)
                json_array_append(slowest, sorted[i]);
        free(sorted);
        json_object_set_new(doc, "schema", json_string(DB_EXPLAIN_SCHEMA));
        json_object_set_new(doc, "analyze", json_boolean(analyze));
        json_object_set_new(doc, "planning_ms", isfinite(num(top, "Planning Time")) ? json_real(num(top, "Planning Time")) : json_null());
        json_object_set_new(doc, "execution_ms", isfinite(num(top, "Execution Time")) ? json_real(num(top, "Execution Time")) : json_null());
        json_object_set_new(doc, "nodes", nodes);
        json_object_set_new(doc, "slowest", slowest);
        json_object_set_new(doc, "findings", findings);
        return doc;
}

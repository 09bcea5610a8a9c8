/* SPDX-License-Identifier: MIT */
/* skytune db's outside inputs: byte 0 picks the parser. 0 mod 3: a workload script (db load
 * --script, db query --file), parsed, then every \set evaluated twice and every statement's
 * template checked against its text. 1: a DSN, redacted, and redacted again to the same text.
 * 2: an EXPLAIN (FORMAT JSON) result as the server sends it, summarised (db explain). */
#include <stdbool.h>

#include "db-inspect.h"
#include "db-script.h"
#include "db.h"
#include "fuzz.h"

static void check_script(const char *text) {
        DbScript *s = NULL;
        Error e = ERROR_NULL;
        if (db_script_parse(text, "fuzz.sql", &s, &e) < 0) {
                fuzz_check(error_is_set(&e) && !s);
                error_done(&e);
                return;
        }
        fuzz_check(s && s->n_stmts > 0);
        int64_t vars[DB_SCRIPT_MAX_VARS] = { [DB_VAR_SCALE] = 1 };
        StatsRng rng;
        stats_rng_seed(&rng, 1);
        for (int round = 0; round < 2; round++)
                for (size_t i = 0; i < s->n_cmds; i++)
                        if (s->cmds[i].kind == DB_CMD_SET)
                                (void) db_expr_eval(s->cmds[i].expr, vars, &rng, &vars[s->cmds[i].var]);
        for (size_t i = 0; i < s->n_stmts; i++) {
                const DbStatement *st = &s->stmts[i];
                fuzz_check(st->text && st->n_params <= st->n_args);
                for (unsigned k = 0; k < st->n_params; k++)
                        fuzz_check(st->param_slot[k] < DB_SCRIPT_MAX_VARS + DB_SCRIPT_MAX_PARAMS);
        }
        db_script_free(s);
}

/* Redacting what was shown changes nothing more (every secret is gone the first time). */
static void check_dsn(const char *dsn) {
        char *shown = db_dsn_redact(dsn);
        fuzz_check(shown);
        char *again = *dsn ? db_dsn_redact(shown) : NULL; /* "" is shown as libpq's defaults */
        fuzz_check(!*dsn || (again && strcmp(again, shown) == 0));
        free(again);
        free(shown);
}

static void check_explain(const char *text) {
        json_t *plan = json_loads(text, 0, NULL);
        if (!plan)
                return;
        json_t *doc = db_explain_summary(plan, true);
        fuzz_check(doc && json_is_array(json_object_get(doc, "nodes")));
        fuzz_check(json_array_size(json_object_get(doc, "slowest")) <= 5);
        json_decref(doc);
        json_decref(plan);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        char *s = fuzz_cstr(data + 1, size - 1);
        switch (data[0] % 3) {
        case 0: check_script(s); break;
        case 1: check_dsn(s); break;
        default: check_explain(s);
        }
        free(s);
        return 0;
}

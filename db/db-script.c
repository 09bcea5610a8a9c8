/* SPDX-License-Identifier: MIT */
/* The script parser: lines into \set commands and SQL statement templates (db-script.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db-script.h"
#include "macro.h"

#define SCRIPT_MAX_COMMANDS 4096

DbScript *db_script_free(DbScript *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_cmds; i++)
                db_expr_free(s->cmds[i].expr);
        for (size_t i = 0; i < s->n_stmts; i++) {
                DbStatement *st = &s->stmts[i];
                for (size_t k = 0; st->segments && k <= st->n_args; k++)
                        free(st->segments[k]);
                free(st->segments);
                free(st->args);
                free(st->text);
                free(st->param_slot);
        }
        for (size_t i = 0; i < s->n_vars; i++)
                free(s->vars[i]);
        free(s->cmds);
        free(s->stmts);
        free(s->name);
        free(s);
        return NULL;
}

static int script_new(DbScript **ret) {
        DbScript *s = calloc(1, sizeof *s);
        if (!s || !(s->vars[DB_VAR_SCALE] = strdup("scale")) || !(s->vars[DB_VAR_CLIENT_ID] = strdup("client_id"))) {
                if (s)
                        free(s->vars[DB_VAR_SCALE]);
                free(s);
                return -ENOMEM;
        }
        s->n_vars = _DB_VAR_BUILTIN;
        *ret = s;
        return 0;
}

static int add_command(DbScript *s, DbCommand c) {
        if (s->n_cmds >= SCRIPT_MAX_COMMANDS)
                return -E2BIG;
        DbCommand *n = realloc(s->cmds, (s->n_cmds + 1) * sizeof *n);
        if (!n)
                return -ENOMEM;
        s->cmds = n;
        s->cmds[s->n_cmds++] = c;
        return 0;
}

/* Template building: segments of literal SQL between slots. */
typedef struct Tmpl {
        DbStatement *st;
        const char *lit;        /* start of the current literal run */
} Tmpl;

static int tmpl_slot(Tmpl *t, const char *at, const char *next, unsigned slot) {
        DbStatement *st = t->st;
        char **seg = realloc(st->segments, (st->n_args + 2) * sizeof *seg);
        if (!seg)
                return -ENOMEM;
        st->segments = seg;
        seg[st->n_args] = seg[st->n_args + 1] = NULL;
        unsigned *args = realloc(st->args, (st->n_args + 1) * sizeof *args);
        if (!args)
                return -ENOMEM;
        st->args = args;
        if (!(seg[st->n_args] = strndup(t->lit, (size_t) (at - t->lit))))
                return -ENOMEM;
        args[st->n_args++] = slot;
        seg[st->n_args] = NULL;
        t->lit = next;
        return 0;
}

/* Skip a quoted run ('...' with '' inside, "..."): returns past its end. */
static const char *skip_quoted(const char *p) {
        char q = *p++;
        while (*p) {
                if (*p == q && p[1] == q)
                        p += 2;
                else if (*p++ == q)
                        break;
        }
        return p;
}

/* Find the variables (:name, when vars) and $N in sql, building the template. */
static int scan_sql(DbScript *s, DbStatement *st, const char *sql, bool vars, const char *file, Error *e) {
        Tmpl t = { .st = st, .lit = sql };
        int r;
        for (const char *p = sql; *p;) {
                if (*p == '\'' || *p == '"') {
                        p = skip_quoted(p);
                } else if (*p == ':' && p[1] == ':') {
                        p += 2;
                } else if (vars && *p == ':' && (isalpha((unsigned char) p[1]) || p[1] == '_')) {
                        const char *name = p + 1, *q = name;
                        while (isalnum((unsigned char) *q) || *q == '_')
                                q++;
                        int slot = db_script_var(s, name, (size_t) (q - name), false);
                        if (slot < 0)
                                return error_set_input(e, -EINVAL, file, st->line,
                                                       "variable :%.*s is used before a \\set defines it",
                                                       (int) (q - name), name);
                        if ((r = tmpl_slot(&t, p, q, (unsigned) slot)) < 0)
                                return error_set(e, r, "out of memory");
                        p = q;
                } else if (*p == '$' && isdigit((unsigned char) p[1])) {
                        char *q;
                        unsigned long n = strtoul(p + 1, &q, 10);
                        if (n == 0 || n > DB_SCRIPT_MAX_PARAMS)
                                return error_set_input(e, -EINVAL, file, st->line,
                                                       "parameter $%lu is out of range: $1 to $%d", n,
                                                       DB_SCRIPT_MAX_PARAMS);
                        if ((r = tmpl_slot(&t, p, q, DB_SCRIPT_MAX_VARS + (unsigned) n - 1)) < 0)
                                return error_set(e, r, "out of memory");
                        s->max_user_param = MAX(s->max_user_param, (unsigned) n);
                        p = q;
                } else
                        p++;
        }
        return tmpl_slot(&t, t.lit + strlen(t.lit), NULL, 0) < 0 ? error_set(e, -ENOMEM, "out of memory")
                                                                : (st->n_args--, 0);
}

/* The extended-protocol text: each distinct slot one $k, in order of first use. */
static int build_text(DbStatement *st) {
        size_t len = 1;
        for (size_t k = 0; k <= st->n_args; k++)
                len += strlen(st->segments[k]) + 4;
        if (!(st->text = malloc(len)) || !(st->param_slot = calloc(st->n_args + 1, sizeof *st->param_slot)))
                return -ENOMEM;
        char *w = st->text;
        for (size_t k = 0;; k++) {
                w = stpcpy(w, st->segments[k]);
                if (k == st->n_args)
                        break;
                unsigned idx = 0;
                while (idx < st->n_params && st->param_slot[idx] != st->args[k])
                        idx++;
                if (idx == st->n_params)
                        st->param_slot[st->n_params++] = st->args[k];
                w += sprintf(w, "$%u", idx + 1);
        }
        return 0;
}

static int add_statement(DbScript *s, const char *sql, unsigned line, bool vars, const char *file, Error *e) {
        DbStatement *n = realloc(s->stmts, (s->n_stmts + 1) * sizeof *n);
        if (!n)
                return error_set(e, -ENOMEM, "out of memory");
        s->stmts = n;
        DbStatement *st = &s->stmts[s->n_stmts++];
        *st = (DbStatement) { .line = line };
        int r = scan_sql(s, st, sql, vars, file, e);
        if (r < 0)
                return r;
        if (build_text(st) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        if (add_command(s, (DbCommand) { .kind = DB_CMD_SQL, .stmt = (unsigned) (s->n_stmts - 1) }) < 0)
                return error_set_input(e, -E2BIG, file, line, "more than %d commands", SCRIPT_MAX_COMMANDS);
        return 0;
}

/* \set NAME EXPR */
static int parse_meta(DbScript *s, const char *l, const char *file, unsigned line, Error *e) {
        if (strncmp(l, "\\set", 4) != 0 || (l[4] != ' ' && l[4] != '\t'))
                return error_set_input(e, -EINVAL, file, line,
                                       "unknown meta-command '%.20s': only \\set NAME EXPR is known", l);
        const char *p = l + 4;
        p += strspn(p, " \t");
        const char *name = p;
        while (isalnum((unsigned char) *p) || *p == '_')
                p++;
        if (p == name || isdigit((unsigned char) *name))
                return error_set_input(e, -EINVAL, file, line, "\\set needs a variable name, then an expression");
        size_t name_len = (size_t) (p - name);
        DbExpr *x = db_expr_parse(&p, s, file, line, e);
        if (!x)
                return -EINVAL;
        p += strspn(p, " \t;\r");
        int slot = *p ? -EINVAL : db_script_var(s, name, name_len, true);
        if (slot < _DB_VAR_BUILTIN) {
                db_expr_free(x);
                if (*p)
                        return error_set_input(e, -EINVAL, file, line, "'%.20s' after the \\set expression", p);
                if (slot < 0)
                        return error_set_input(e, -E2BIG, file, line, "more than %d variables", DB_SCRIPT_MAX_VARS);
                return error_set_input(e, -EINVAL, file, line, "\\set cannot change the built-in :%s", s->vars[slot]);
        }
        if (add_command(s, (DbCommand) { .kind = DB_CMD_SET, .var = (unsigned) slot, .expr = x }) < 0) {
                db_expr_free(x);
                return error_set_input(e, -E2BIG, file, line, "more than %d commands", SCRIPT_MAX_COMMANDS);
        }
        return 0;
}

static char *trim(char *l) {
        while (isspace((unsigned char) *l))
                l++;
        size_t n = strlen(l);
        while (n > 0 && isspace((unsigned char) l[n - 1]))
                l[--n] = 0;
        return l;
}

/* The statement collected so far (lines joined by '\n'), ended by a ';' line end, a blank line or
 * the end of the script. */
typedef struct Pending {
        char *sql;
        size_t len;
        unsigned line;
} Pending;

static int pending_flush(DbScript *s, Pending *pd, const char *file, Error *e) {
        if (!pd->sql)
                return 0;
        int r = add_statement(s, pd->sql, pd->line, true, file, e);
        free(pd->sql);
        *pd = (Pending) {};
        return r;
}

static int pending_add(Pending *pd, const char *l, unsigned line) {
        size_t n = strlen(l);
        char *g = realloc(pd->sql, pd->len + n + 2);
        if (!g)
                return -ENOMEM;
        if (!pd->sql)
                pd->line = line;
        else
                g[pd->len++] = '\n';
        memcpy(g + pd->len, l, n + 1);
        pd->sql = g;
        pd->len += n;
        return 0;
}

static int parse_line(DbScript *s, Pending *pd, char *l, const char *file, unsigned line, Error *e) {
        if (!*l || strncmp(l, "--", 2) == 0)
                return *l ? 0 : pending_flush(s, pd, file, e);
        if (*l == '\\') {
                int r = pending_flush(s, pd, file, e);
                return r < 0 ? r : parse_meta(s, l, file, line, e);
        }
        if (pending_add(pd, l, line) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        return l[strlen(l) - 1] == ';' ? pending_flush(s, pd, file, e) : 0;
}

int db_script_parse(const char *text, const char *file, DbScript **ret, Error *e) {
        DbScript *s = NULL;
        if (script_new(&s) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        _cleanup_free_ char *copy = strdup(text);
        if (!copy) {
                db_script_free(s);
                return error_set(e, -ENOMEM, "out of memory");
        }
        Pending pd = {};
        unsigned line = 0;
        int r = 0;
        for (char *save = NULL, *l = copy; l && r >= 0; l = save) {
                save = strchr(l, '\n');
                if (save)
                        *save++ = 0;
                r = parse_line(s, &pd, trim(l), file, ++line, e);
        }
        if (r >= 0)
                r = pending_flush(s, &pd, file, e);
        free(pd.sql);
        if (r >= 0 && s->n_stmts == 0)
                r = error_set_input(e, -EINVAL, file, 0, "no SQL statement in the script");
        if (r < 0) {
                db_script_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

int db_script_single(const char *sql, DbScript **ret, Error *e) {
        DbScript *s = NULL;
        if (script_new(&s) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        int r = add_statement(s, sql, 1, false, NULL, e);
        if (r < 0) {
                db_script_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

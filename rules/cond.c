/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond.h"
#include "jpath.h"
#include "macro.h"

typedef enum NodeType { N_OR, N_AND, N_NOT, N_CMP, N_TRUTH } NodeType;
typedef enum TermType { T_NUM, T_STR, T_BOOL, T_PATH, T_EXISTS, T_MUL, T_DIV, T_ADD, T_SUB } TermType;
typedef enum CmpOp { OP_GT, OP_GE, OP_LT, OP_LE, OP_EQ, OP_NE } CmpOp;

typedef struct Term {
        TermType type;
        double num;
        bool boolean;
        char *text;             /* string literal or path */
        struct Term *a, *b;     /* T_MUL, T_DIV, T_ADD, T_SUB */
} Term;

struct Cond {
        NodeType type;
        Cond *a, *b;            /* OR, AND: both; NOT: a */
        CmpOp op;
        Term l, r;              /* CMP: both; TRUTH: l */
};

/* Evaluating and freeing recurse once per operator of a chain ("a*a*a..."): a bound keeps a long
 * hostile expression from exhausting the stack. */
#define COND_MAX_OPERATORS 256

typedef struct Parser {
        const char *s, *p;
        Error err;              /* the first syntax error */
        unsigned depth;
        unsigned operators;     /* binary operators so far */
} Parser;

static void term_done(Term *t) {
        free(t->text);
        t->text = NULL;
        if (t->a)
                term_done(t->a);
        if (t->b)
                term_done(t->b);
        free(t->a);
        free(t->b);
        t->a = t->b = NULL;
}

Cond *cond_free(Cond *c) {
        if (!c)
                return NULL;
        cond_free(c->a);
        cond_free(c->b);
        term_done(&c->l);
        term_done(&c->r);
        free(c);
        return NULL;
}

static int perr(Parser *ps, const char *fmt, ...) _printf_(2, 3);
static int perr(Parser *ps, const char *fmt, ...) {
        if (error_is_set(&ps->err))
                return -EINVAL;
        char *m = format_varargs(fmt);
        error_set(&ps->err, -EINVAL, "at column %zu: %s", (size_t) (ps->p - ps->s) + 1, m ? m : "syntax error");
        free(m);
        return -EINVAL;
}

static void skip_ws(Parser *ps) {
        while (isspace((unsigned char) *ps->p))
                ps->p++;
}

static bool accept(Parser *ps, const char *tok) {
        skip_ws(ps);
        size_t n = strlen(tok);
        if (strncmp(ps->p, tok, n) != 0)
                return false;
        ps->p += n;
        return true;
}

static bool path_start(char c) {
        return isalpha((unsigned char) c) || c == '_' || c == '$';
}

static bool path_char(char c) {
        return c && (isalnum((unsigned char) c) || strchr("_.$/-:@", c));
}

static int parse_path(Parser *ps, char **ret) {
        const char *b = ps->p;
        while (path_char(*ps->p))
                ps->p++;
        bool bad = ps->p[-1] == '.';
        for (const char *q = b; q + 1 < ps->p; q++)
                bad = bad || (q[0] == '.' && q[1] == '.');
        if (bad)
                return perr(ps, "malformed path '%.*s'", (int) (ps->p - b), b);
        *ret = strndup(b, (size_t) (ps->p - b));
        return *ret ? 0 : -ENOMEM;
}

static int parse_atom(Parser *ps, Term *t) {
        skip_ws(ps);
        const char *c = ps->p;
        if (*c == '"') {
                const char *e = strchr(c + 1, '"');
                if (!e)
                        return perr(ps, "string is not closed with '\"'");
                t->type = T_STR;
                t->text = strndup(c + 1, (size_t) (e - c - 1));
                ps->p = e + 1;
                return t->text ? 0 : -ENOMEM;
        }
        if (isdigit((unsigned char) *c) || ((*c == '-' || *c == '+' || *c == '.') && isdigit((unsigned char) c[1]))) {
                char *end;
                t->type = T_NUM;
                t->num = strtod(c, &end);
                if (!isfinite(t->num))
                        return perr(ps, "number out of range");
                ps->p = end;
                if (path_char(*ps->p) && *ps->p != '-')
                        return perr(ps, "malformed number");
                return 0;
        }
        if (!path_start(*c))
                return *c ? perr(ps, "expected a number, a \"string\", true, false, a metric path or exists(PATH), found '%c'", *c)
                          : perr(ps, "expected a number, a \"string\", true, false, a metric path or exists(PATH), found the end");
        int r = parse_path(ps, &t->text);
        if (r < 0)
                return r;
        if (strcmp(t->text, "true") == 0 || strcmp(t->text, "false") == 0) {
                t->type = T_BOOL;
                t->boolean = t->text[0] == 't';
                term_done(t);
                return 0;
        }
        if (strcmp(t->text, "exists") == 0) {
                term_done(t);
                if (!accept(ps, "("))
                        return perr(ps, "exists needs a path in parentheses: exists(disk.psi_full_pct)");
                skip_ws(ps);
                if (!path_start(*ps->p))
                        return perr(ps, "exists needs a metric path");
                r = parse_path(ps, &t->text);
                if (r < 0)
                        return r;
                if (!accept(ps, ")"))
                        return perr(ps, "missing ')' after exists(PATH");
                t->type = T_EXISTS;
                return 0;
        }
        t->type = T_PATH;
        return 0;
}

/* Arithmetic on numbers, e.g. read_bytes_per_s.avg / read_iops.avg or cpu.run_queue.avg - 1:
 *   sum := product (('+' | '-') product)*      product := atom (('*' | '/') atom)*
 * '-' is also a path character: "a-b" is one path, "a - b" a difference. */
static int parse_arith(Parser *ps, Term *t, const char ops[2], TermType types[2], int (*sub)(Parser *, Term *)) {
        int r = sub(ps, t);
        for (;;) {
                if (r < 0)
                        return r;
                skip_ws(ps);
                if (!*ps->p || (*ps->p != ops[0] && *ps->p != ops[1]))
                        return 0;
                if (++ps->operators > COND_MAX_OPERATORS)
                        return perr(ps, "more than %d operators: split the rule", COND_MAX_OPERATORS);
                TermType type = *ps->p == ops[0] ? types[0] : types[1];
                ps->p++;
                Term *left = malloc(sizeof(Term)), *right = calloc(1, sizeof(Term));
                if (!left || !right) {
                        free(left);
                        free(right);
                        return -ENOMEM;
                }
                *left = *t;
                *t = (Term) { .type = type, .a = left, .b = right };
                r = sub(ps, right);
        }
}

static int parse_product(Parser *ps, Term *t) {
        return parse_arith(ps, t, "*/", (TermType[2]) { T_MUL, T_DIV }, parse_atom);
}

static int parse_term(Parser *ps, Term *t) {
        return parse_arith(ps, t, "+-", (TermType[2]) { T_ADD, T_SUB }, parse_product);
}

static Cond *node(NodeType type) {
        Cond *c = calloc(1, sizeof(*c));
        if (c)
                c->type = type;
        return c;
}

static int parse_or(Parser *ps, Cond **ret);

static int parse_unary(Parser *ps, Cond **ret) {
        if (++ps->depth > 64)
                return perr(ps, "expression nested too deeply");
        int r;
        skip_ws(ps);
        if (ps->p[0] == '!' && ps->p[1] != '=') {
                ps->p++;
                Cond *n = node(N_NOT);
                if (!n)
                        return -ENOMEM;
                r = parse_unary(ps, &n->a);
                if (r < 0) {
                        cond_free(n);
                        return r;
                }
                ps->depth--;
                *ret = n;
                return 0;
        }
        if (accept(ps, "(")) {
                r = parse_or(ps, ret);
                if (r < 0)
                        return r;
                if (!accept(ps, ")")) {
                        *ret = cond_free(*ret);
                        return perr(ps, "missing ')'");
                }
                ps->depth--;
                return 0;
        }
        Cond *n = node(N_TRUTH);
        if (!n)
                return -ENOMEM;
        r = parse_term(ps, &n->l);
        if (r < 0) {
                cond_free(n);
                return r;
        }
        static const struct { const char *tok; CmpOp op; } ops[] = {
                { ">=", OP_GE }, { "<=", OP_LE }, { "==", OP_EQ }, { "!=", OP_NE }, { ">", OP_GT }, { "<", OP_LT },
        };
        skip_ws(ps);
        if (*ps->p == '=' && ps->p[1] != '=') {
                cond_free(n);
                return perr(ps, "use '==' to compare, not '='");
        }
        for (size_t i = 0; i < ELEMENTSOF(ops); i++)
                if (accept(ps, ops[i].tok)) {
                        n->type = N_CMP;
                        n->op = ops[i].op;
                        r = parse_term(ps, &n->r);
                        if (r < 0) {
                                cond_free(n);
                                return r;
                        }
                        break;
                }
        ps->depth--;
        *ret = n;
        return 0;
}

static int parse_binary(Parser *ps, const char *tok, NodeType type, int (*sub)(Parser *, Cond **), Cond **ret) {
        Cond *left = NULL;
        int r = sub(ps, &left);
        if (r < 0)
                return r;
        while (accept(ps, tok)) {
                if (++ps->operators > COND_MAX_OPERATORS) {
                        cond_free(left);
                        return perr(ps, "more than %d operators: split the rule", COND_MAX_OPERATORS);
                }
                Cond *n = node(type), *right = NULL;
                if (!n) {
                        cond_free(left);
                        return -ENOMEM;
                }
                n->a = left;
                r = sub(ps, &right);
                if (r < 0) {
                        cond_free(n);
                        return r;
                }
                n->b = right;
                left = n;
        }
        *ret = left;
        return 0;
}

static int parse_and(Parser *ps, Cond **ret) {
        return parse_binary(ps, "&&", N_AND, parse_unary, ret);
}

static int parse_or(Parser *ps, Cond **ret) {
        return parse_binary(ps, "||", N_OR, parse_and, ret);
}

int cond_parse(const char *text, Cond **ret, Error *e) {
        Parser ps = { .s = text, .p = text };
        Cond *c = NULL;
        int r = parse_or(&ps, &c);
        if (r >= 0) {
                skip_ws(&ps);
                if (*ps.p) {
                        c = cond_free(c);
                        r = *ps.p == '&' || *ps.p == '|' ? perr(&ps, "use '&&' and '||' to combine conditions")
                                                         : perr(&ps, "unexpected '%s' (combine comparisons with && and ||)", ps.p);
                }
        }
        if (r < 0) {
                if (error_is_set(&ps.err))
                        error_move(e, &ps.err);         /* else out of memory: no message */
                return r;
        }
        error_done(&ps.err);
        *ret = c;
        return 0;
}

typedef struct Value {
        enum { V_MISSING, V_NUM, V_STR, V_BOOL } type;
        double num;
        const char *str;
        bool boolean;
} Value;

typedef struct Eval {
        const char *subst;
        CondLookup lookup;
        void *userdata;
        json_t *evidence;
} Eval;

static bool value_num(Value v, double *ret);

static Value term_value(const Term *t, Eval *ev) {
        switch (t->type) {
        case T_NUM:
                return (Value) { .type = V_NUM, .num = t->num };
        case T_STR:
                return (Value) { .type = V_STR, .str = t->text };
        case T_BOOL:
                return (Value) { .type = V_BOOL, .boolean = t->boolean };
        case T_MUL:
        case T_DIV:
        case T_ADD:
        case T_SUB: {
                Value a = term_value(t->a, ev), b = term_value(t->b, ev);
                double x, y;
                if (!value_num(a, &x) || !value_num(b, &y) || (t->type == T_DIV && y == 0))
                        return (Value) { .type = V_MISSING };
                double v = t->type == T_MUL ? x * y : t->type == T_DIV ? x / y : t->type == T_ADD ? x + y : x - y;
                return (Value) { .type = V_NUM, .num = v };
        }
        case T_PATH:
        case T_EXISTS:
                break;
        }
        _cleanup_free_ char *path = jpath_subst(t->text, ev->subst);
        if (!path)
                return (Value) { .type = V_MISSING };
        json_t *v = ev->lookup(path, ev->userdata);
        bool exists = v && !json_is_null(v);
        v = jpath_scalar(v);
        if (v && ev->evidence && (json_is_number(v) || json_is_string(v) || json_is_boolean(v)))
                json_object_set(ev->evidence, path, v);
        if (t->type == T_EXISTS)
                return (Value) { .type = V_BOOL, .boolean = exists };
        if (json_is_number(v))
                return (Value) { .type = V_NUM, .num = json_number_value(v) };
        if (json_is_string(v))
                return (Value) { .type = V_STR, .str = json_string_value(v) };
        if (json_is_boolean(v))
                return (Value) { .type = V_BOOL, .boolean = json_is_true(v) };
        return (Value) { .type = V_MISSING };
}

static bool value_num(Value v, double *ret) {
        if (v.type == V_NUM) {
                *ret = v.num;
                return true;
        }
        if (v.type == V_STR) {
                json_t *j = json_string(v.str);
                bool ok = jpath_number(j, ret);
                json_decref(j);
                return ok;
        }
        return false;
}

static bool compare(CmpOp op, Value a, Value b) {
        double x, y;
        if (a.type == V_MISSING || b.type == V_MISSING)
                return false;
        if ((a.type == V_NUM || b.type == V_NUM) && value_num(a, &x) && value_num(b, &y))
                switch (op) {
                case OP_GT: return x > y;
                case OP_GE: return x >= y;
                case OP_LT: return x < y;
                case OP_LE: return x <= y;
                case OP_EQ: return x == y;
                case OP_NE: return x != y;
                }
        bool eq;
        if (a.type == V_STR && b.type == V_STR)
                eq = strcmp(a.str, b.str) == 0;
        else if (a.type == V_BOOL && b.type == V_BOOL)
                eq = a.boolean == b.boolean;
        else
                eq = false;
        return op == OP_EQ ? eq : op == OP_NE ? !eq : false;
}

static bool eval(const Cond *c, Eval *ev) {
        switch (c->type) {
        case N_OR: {
                bool a = eval(c->a, ev), b = eval(c->b, ev);   /* both: evidence from each side */
                return a || b;
        }
        case N_AND: {
                bool a = eval(c->a, ev), b = eval(c->b, ev);
                return a && b;
        }
        case N_NOT:
                return !eval(c->a, ev);
        case N_CMP:
                return compare(c->op, term_value(&c->l, ev), term_value(&c->r, ev));
        case N_TRUTH: {
                Value v = term_value(&c->l, ev);
                return (v.type == V_BOOL && v.boolean) || (v.type == V_NUM && v.num != 0) || (v.type == V_STR && *v.str);
        }
        }
        return false;
}

int cond_eval(const Cond *c, const char *subst, CondLookup lookup, void *userdata, json_t *evidence) {
        Eval ev = { .subst = subst, .lookup = lookup, .userdata = userdata, .evidence = evidence };
        return c && eval(c, &ev) ? 1 : 0;
}

int cond_number(const Cond *c, const char *subst, CondLookup lookup, void *userdata, double *ret) {
        Eval ev = { .subst = subst, .lookup = lookup, .userdata = userdata };
        if (!c || c->type != N_TRUTH)
                return -EINVAL;
        return value_num(term_value(&c->l, &ev), ret) ? 0 : -ENODATA;
}

static int term_paths(const Term *t, bool with_exists, int (*cb)(const char *, void *), void *userdata) {
        if (t->a) {     /* arithmetic */
                int r = term_paths(t->a, with_exists, cb, userdata);
                return r < 0 ? r : term_paths(t->b, with_exists, cb, userdata);
        }
        return t->type == T_PATH || (with_exists && t->type == T_EXISTS) ? cb(t->text, userdata) : 0;
}

static int paths(const Cond *c, bool with_exists, int (*cb)(const char *path, void *userdata), void *userdata) {
        if (!c)
                return 0;
        int r = paths(c->a, with_exists, cb, userdata);
        if (r >= 0)
                r = paths(c->b, with_exists, cb, userdata);
        if (r >= 0 && (c->type == N_CMP || c->type == N_TRUTH))
                r = term_paths(&c->l, with_exists, cb, userdata);
        if (r >= 0 && c->type == N_CMP)
                r = term_paths(&c->r, with_exists, cb, userdata);
        return r;
}

int cond_foreach_path(const Cond *c, int (*cb)(const char *path, void *userdata), void *userdata) {
        return paths(c, true, cb, userdata);
}

int cond_foreach_value_path(const Cond *c, int (*cb)(const char *path, void *userdata), void *userdata) {
        return paths(c, false, cb, userdata);
}

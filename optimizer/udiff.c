/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "udiff.h"

#define UDIFF_LINES_MAX 4000
#define CONTEXT 3

typedef struct Lines {
        const char **p;
        size_t *len;
        size_t n;
} Lines;

static int split(const char *text, Lines *l) {
        *l = (Lines) {};
        if (!text)
                return 0;
        size_t n = 0;
        for (const char *p = text; *p; p = strchrnul(p, '\n'), p += *p ? 1 : 0)
                n++;
        if (n > UDIFF_LINES_MAX)
                return -EFBIG;
        l->p = calloc(n + 1, sizeof(char *));
        l->len = calloc(n + 1, sizeof(size_t));
        if (!l->p || !l->len) {
                free(l->p);
                free(l->len);
                return -ENOMEM;
        }
        for (const char *p = text; *p;) {
                const char *e = strchrnul(p, '\n');
                l->p[l->n] = p;
                l->len[l->n++] = (size_t) (e - p);
                p = *e ? e + 1 : e;
        }
        return 0;
}

static bool same(const Lines *a, size_t i, const Lines *b, size_t j) {
        return a->len[i] == b->len[j] && memcmp(a->p[i], b->p[j], a->len[i]) == 0;
}

typedef enum Op { OP_KEEP, OP_DEL, OP_ADD } Op;

/* The edit script from the LCS table (lcs[i][j] = length of the LCS of a[i..] and b[j..]);
 * returns its length. */
static size_t edit_script(const Lines *a, const Lines *b, unsigned *lcs, Op *ops) {
        size_t w = b->n + 1;
        for (size_t i = a->n; i-- > 0;)
                for (size_t j = b->n; j-- > 0;)
                        lcs[i * w + j] = same(a, i, b, j) ? lcs[(i + 1) * w + j + 1] + 1
                                                          : MAX(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
        size_t n = 0;
        for (size_t i = 0, j = 0; i < a->n || j < b->n;) {
                if (i < a->n && j < b->n && same(a, i, b, j)) {
                        ops[n++] = OP_KEEP;
                        i++, j++;
                } else if (i < a->n && (j == b->n || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
                        ops[n++] = OP_DEL;      /* deletions first, as diff -u prints them */
                        i++;
                } else {
                        ops[n++] = OP_ADD;
                        j++;
                }
        }
        return n;
}

/* Hunks: runs of changes with up to CONTEXT kept lines around them, merged when close. */
static void write_hunks(FILE *f, const Lines *a, const Lines *b, const Op *ops, size_t n) {
        size_t k = 0, ai = 0, bi = 0;
        while (k < n) {
                size_t first = k;
                while (first < n && ops[first] == OP_KEEP)
                        first++;
                if (first == n)
                        break;
                size_t start = first > CONTEXT ? first - CONTEXT : 0;
                if (start < k)
                        start = k;
                for (size_t x = k; x < start; x++)
                        ai++, bi++;
                size_t end = first, keep = 0;
                for (size_t x = first; x < n; x++) {
                        if (ops[x] == OP_KEEP) {
                                if (++keep > 2 * CONTEXT)
                                        break;
                        } else {
                                keep = 0;
                                end = x + 1;
                        }
                }
                size_t stop = MIN(n, end + CONTEXT);
                size_t na = 0, nb = 0;
                for (size_t x = start; x < stop; x++) {
                        na += ops[x] != OP_ADD;
                        nb += ops[x] != OP_DEL;
                }
                fprintf(f, "@@ -%zu,%zu +%zu,%zu @@\n", na ? ai + 1 : ai, na, nb ? bi + 1 : bi, nb);
                for (size_t x = start; x < stop; x++) {
                        if (ops[x] == OP_KEEP) {
                                fprintf(f, " %.*s\n", (int) a->len[ai], a->p[ai]);
                                ai++, bi++;
                        } else if (ops[x] == OP_DEL) {
                                fprintf(f, "-%.*s\n", (int) a->len[ai], a->p[ai]);
                                ai++;
                        } else {
                                fprintf(f, "+%.*s\n", (int) b->len[bi], b->p[bi]);
                                bi++;
                        }
                }
                k = stop;
        }
}

int udiff(const char *path, const char *old, const char *new, char **ret) {
        if ((old && new && strcmp(old, new) == 0) || (!old && !new)) {
                *ret = strdup("");
                return *ret ? 0 : -ENOMEM;
        }
        Lines a, b;
        int r = split(old, &a);
        if (r < 0)
                return r;
        r = split(new, &b);
        if (r < 0) {
                free(a.p);
                free(a.len);
                return r;
        }
        /* LCS table: lcs[i][j] = length of the LCS of a[i..] and b[j..]. */
        size_t w = b.n + 1;
        unsigned *lcs = calloc((a.n + 1) * w, sizeof(unsigned));
        Op *ops = calloc(a.n + b.n + 1, sizeof(Op));
        char *buf = NULL;
        size_t blen = 0;
        FILE *f = lcs && ops ? open_memstream(&buf, &blen) : NULL;
        if (!f) {
                r = -ENOMEM;
                goto out;
        }
        size_t n = edit_script(&a, &b, lcs, ops);
        fprintf(f, "--- %s%s\n+++ %s%s\n", old ? "a" : "", old ? path : "/dev/null", new ? "b" : "", new ? path : "/dev/null");
        write_hunks(f, &a, &b, ops, n);
        if (fclose(f) != 0) {
                f = NULL;
                r = -ENOMEM;
                goto out;
        }
        f = NULL;
        *ret = TAKE_PTR(buf);
out:
        if (f)
                fclose(f);
        free(buf);
        free(lcs);
        free(ops);
        free(a.p);
        free(a.len);
        free(b.p);
        free(b.len);
        return r;
}

/* SPDX-License-Identifier: MIT */
/* Suites by name: the places and the lookup (suite-lookup.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "suite-lookup.h"

static int place_add(SuitePlaces *p, const char *root, const char *a, const char *b) {
        bool host = isempty(root) || strcmp(root, "/") == 0;
        if (asprintf(&p->dirs[p->n], "%s%s%s", host ? "" : root, a, b) < 0) {
                p->dirs[p->n] = NULL;
                return -ENOMEM;
        }
        p->n++;
        return 0;
}

int suite_places_init(SuitePlaces *p, const char *root, bool user) {
        *p = (SuitePlaces) {};
        const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
        int r = 0;
        if (user && xdg && xdg[0] == '/')
                r = place_add(p, root, xdg, "/skytune/suites");
        else if (user && home && home[0] == '/')
                r = place_add(p, root, home, "/.config/skytune/suites");
        if (r >= 0)
                r = place_add(p, root, "/etc/skytune/suites.d", "");
        if (r >= 0)
                r = place_add(p, root, SKYTUNE_SUITE_DIR, "");
        if (r < 0)
                suite_places_done(p);
        return r;
}

void suite_places_done(SuitePlaces *p) {
        for (size_t i = 0; i < p->n; i++)
                free(p->dirs[i]);
        *p = (SuitePlaces) {};
}

char *suite_places_text(const SuitePlaces *p) {
        char *s = strdup("");
        for (size_t i = 0; s && i < p->n; i++) {
                char *n = NULL;
                const char *sep = i == 0 ? "" : i + 1 == p->n ? " and " : ", ";
                if (asprintf(&n, "%s%s%s", s, sep, p->dirs[i]) < 0)
                        n = NULL;
                free(s);
                s = n;
        }
        return s;
}

bool suite_arg_is_path(const char *arg) {
        size_t n = strlen(arg);
        return strchr(arg, '/') || (n >= 5 && strcmp(arg + n - 5, ".conf") == 0);
}

bool suite_name_valid(const char *name) {
        size_t n = strlen(name);
        if (n == 0 || n > SUITE_NAME_MAX)
                return false;
        for (; *name; name++)
                if (!isalnum((unsigned char) *name) && *name != '-' && *name != '_')
                        return false;
        return true;
}

int suite_lookup(const SuitePlaces *p, const char *arg, char **ret_path, Error *e) {
        if (suite_arg_is_path(arg))
                return (*ret_path = strdup(arg)) ? 0 : error_set(e, -ENOMEM, "out of memory");
        if (!suite_name_valid(arg))
                return error_set(e, -EINVAL,
                                 "suite '%s': a name is letters, digits, '-' and '_' (at most %d); a file is a path "
                                 "(with '/' or ending in .conf)",
                                 arg, SUITE_NAME_MAX);
        for (size_t i = 0; i < p->n; i++) {
                char *path = NULL;
                if (asprintf(&path, "%s/%s.conf", p->dirs[i], arg) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
                if (access(path, F_OK) == 0) {
                        *ret_path = path;
                        return 0;
                }
                free(path);
        }
        _cleanup_free_ char *where = suite_places_text(p);
        return error_set(e, -ENOENT, "no suite '%s': no %s.conf in %s (put the file in one of them, or give its path)",
                         arg, arg, where ?: "the suite places");
}

void suite_found_free(SuiteFound *f, size_t n) {
        for (size_t i = 0; f && i < n; i++) {
                free(f[i].name);
                free(f[i].path);
        }
        free(f);
}

typedef struct FoundList {
        SuiteFound *v;
        size_t n, cap;
} FoundList;

static int found_add(FoundList *l, size_t place, const char *dir, const char *file) {
        if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 16;
                SuiteFound *v = realloc(l->v, cap * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                l->v = v;
                l->cap = cap;
        }
        SuiteFound *f = &l->v[l->n];
        *f = (SuiteFound) { .name = strndup(file, strlen(file) - 5), .place = place };
        if (!f->name || asprintf(&f->path, "%s/%s", dir, file) < 0) {
                free(f->name);
                return -ENOMEM;
        }
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->v[i].name, f->name) == 0)
                        f->shadowed = true;
        l->n++;
        return 0;
}

/* One place's NAME.conf files; a place that does not exist has none. */
static int scan_place(FoundList *l, size_t place, const char *dir) {
        DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT || errno == ENOTDIR || errno == EACCES ? 0 : -errno;
        int r = 0;
        for (struct dirent *de; r >= 0 && (de = readdir(d));) {
                size_t n = strlen(de->d_name);
                if (n <= 5 || strcmp(de->d_name + n - 5, ".conf") != 0)
                        continue;
                _cleanup_free_ char *name = strndup(de->d_name, n - 5);
                if (!name)
                        r = -ENOMEM;
                else if (suite_name_valid(name))
                        r = found_add(l, place, dir, de->d_name);
        }
        closedir(d);
        return r;
}

/* By name, then place (the one that wins first). */
static int found_cmp(const void *a, const void *b) {
        const SuiteFound *x = a, *y = b;
        int c = strcmp(x->name, y->name);
        return c ? c : (x->place > y->place) - (x->place < y->place);
}

int suite_find_all(const SuitePlaces *p, SuiteFound **ret, size_t *ret_n) {
        FoundList l = {};
        int r = 0;
        for (size_t i = 0; r >= 0 && i < p->n; i++)
                r = scan_place(&l, i, p->dirs[i]);
        if (r < 0) {
                suite_found_free(l.v, l.n);
                return r;
        }
        if (l.n > 1)
                qsort(l.v, l.n, sizeof(*l.v), found_cmp);
        *ret = l.v;
        *ret_n = l.n;
        return 0;
}

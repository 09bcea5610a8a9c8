/* SPDX-License-Identifier: MIT */
/* Finding a suite by name (docs/bench.md): SUITE is a path (it contains '/' or ends in ".conf") or a
 * name, NAME.conf in the first of the user's $XDG_CONFIG_HOME/skytune/suites (~/.config/...),
 * /etc/skytune/suites.d and the data dir's suites (SKYTUNE_SUITE_DIR). Library code: no output. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define SUITE_PLACES_MAX 3
#define SUITE_NAME_MAX   64

typedef struct SuitePlaces {
        char *dirs[SUITE_PLACES_MAX];
        size_t n;
} SuitePlaces;

/* The places in order, each under root (NULL or "/": the host; else a tree for packaging and tests).
 * Without user, or HOME and XDG_CONFIG_HOME, the user's place is left out (a system service has
 * no HOME). -ENOMEM only. */
int suite_places_init(SuitePlaces *p, const char *root, bool user);
void suite_places_done(SuitePlaces *p);
/* "dir1, dir2 and dir3", for messages; NULL on no memory. */
char *suite_places_text(const SuitePlaces *p);

bool suite_arg_is_path(const char *arg);
/* Letters, digits, '-' and '_', at most SUITE_NAME_MAX: a file name, and a systemd instance name
 * that %i passes on as written. */
bool suite_name_valid(const char *name);
/* The file SUITE means: a path as given, a name's first NAME.conf. -ENOENT (e lists the places
 * searched), -EINVAL (a name that is not one). */
int suite_lookup(const SuitePlaces *p, const char *arg, char **ret_path, Error *e);

/* Every NAME.conf of the places, by name, then place; shadowed: an earlier place has the name. */
typedef struct SuiteFound {
        char *name, *path;
        size_t place; /* index into SuitePlaces.dirs */
        bool shadowed;
} SuiteFound;
int suite_find_all(const SuitePlaces *p, SuiteFound **ret, size_t *ret_n);
void suite_found_free(SuiteFound *f, size_t n);

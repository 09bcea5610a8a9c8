/* SPDX-License-Identifier: MIT */
/* "Did you mean": the nearest of a set of names by edit distance, for messages about a mistyped
 * verb, metric path or tunable name. */
#pragma once

#include <stddef.h>

/* Levenshtein distance (insertions, deletions, substitutions each cost 1). */
size_t edit_distance(const char *a, const char *b);
/* Whether a name at distance d from word is close enough to suggest: at most a third of the word's
 * length, and at least 2 for short words. */
int nearest_is_close(const char *word, size_t d);
/* The nearest of names[0..n) to word when it is close enough, else NULL. */
const char *nearest_name(const char *word, const char *const *names, size_t n);
